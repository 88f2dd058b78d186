// npm run build, second half: bundles the CLI into one CommonJS file (dist/egress-cli.cjs) and its
// start-up (dist/boot.cjs) with esbuild. One file instead of ~150 ES modules saves the module loader's
// per-file work, and CommonJS is what the compile cache in src/boot.ts can keep on Node 20. The AWS SDK
// stays outside the bundle: src/aws/sdk.ts requires its CommonJS build from node_modules only when a
// command talks to AWS (so --help loads none of it; test/cli.test.ts watches for it).
import * as esbuild from "esbuild";
import { readFile } from "node:fs/promises";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..");
const SRC = path.join(ROOT, "src");

/**
 * `import.meta.url` of a bundled module = the URL its tsc output has (dist/<same path>.js), so paths
 * relative to it (schema/plan.schema.json, createRequire) resolve as they do unbundled.
 */
const importMetaUrl = {
  name: "import-meta-url",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      if (!text.includes("import.meta.url") || !args.path.startsWith(SRC + path.sep)) return undefined;
      const rel = path.relative(SRC, args.path).replace(/\.ts$/, ".js").split(path.sep).join("/");
      return { contents: text.replaceAll("import.meta.url", `__egressModuleUrl(${JSON.stringify(rel)})`), loader: "ts" };
    });
  },
};

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  // import() becomes a lazy require: commands still load on first use, and a script restored from the
  // compile cache needs no dynamic-import loader (Node 20 has none for it)
  supported: { "dynamic-import": false },
  external: ["@aws-sdk/*", "@smithy/*", "./egress-cli.cjs"],
  // no comments (the compile cache skips files that mention import(); see src/boot.ts) and less to parse;
  // EGRESS_DEBUG=1 maps stack traces back to src/ through the source map
  minifyWhitespace: true,
  sourcemap: "linked",
  logLevel: "warning",
  plugins: [importMetaUrl],
  banner: { js: `const __egressModuleUrl = (rel) => require("node:url").pathToFileURL(require("node:path").join(__dirname, rel)).href;` },
};

await Promise.all([
  esbuild.build({ ...common, entryPoints: [path.join(SRC, "cli.ts")], outfile: path.join(ROOT, "dist", "egress-cli.cjs") }),
  esbuild.build({ ...common, entryPoints: [path.join(SRC, "boot.ts")], outfile: path.join(ROOT, "dist", "boot.cjs") }),
]);
