// npm run build, second half: bundles the CLI into one CommonJS file (dist/egress-cli.cjs) and its
// start-up (dist/boot.cjs) with esbuild. One file instead of ~150 ES modules saves the module loader's
// per-file work, and CommonJS is what the compile cache in src/boot.ts keeps. The AWS SDK
// stays outside that bundle: src/aws/sdk.ts requires it only when a command talks to AWS (so --help
// loads none of it; test/cli.test.ts watches for it), from dist/sdk/<service>.cjs: the parts of the SDK
// egress-cli uses (src/aws/sdk/<service>.ts), bundled from the SDK's ES build so that esbuild drops
// every operation we never call (see schemaKeys and buildSdk).
import * as esbuild from "esbuild";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
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

/**
 * The SDK's generated schema files (one per service, e.g. 1.3 MB for EC2) key their member traits by
 * constants (`{ [_xN]: "Name" }`). esbuild cannot prove a computed key free of side effects, so it keeps
 * every schema, used or not. Writing the constant's string in its place (same object at run time) lets
 * tree shaking drop the schemas of operations egress-cli never calls (EC2: 845 KB → 189 KB).
 */
const schemaKeys = {
  name: "sdk-schema-keys",
  setup(build) {
    build.onLoad({ filter: /[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ }, async (args) => {
      const text = await readFile(args.path, "utf8");
      const strings = new Map();
      for (const m of text.matchAll(/^const (_\w+) = ("[^"\\]*");$/gm)) strings.set(m[1], m[2]);
      const keyed = text.replace(/\[(_\w+)\]:/g, (key, name) => (strings.has(name) ? `${strings.get(name)}:` : key));
      return { contents: lazySchemas(keyed, args.path, strings), loader: "js" };
    });
  },
};

/** A string literal ("…", `…`, '…'), or a thunk `() => name`, or an identifier not after a dot. */
const TOKEN = /"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`|'(?:[^'\\\n]|\\.)*'|\(\) => ([A-Za-z_$][\w$]*)(?![\w$])|(?<![.\w$])([A-Za-z_$][\w$]*)(?![\w$])/g;

/**
 * The schema file's structure, list, map and simple schemas (`var X = [3, n0, …]`, types 3, 1, 2, 0) built
 * when first asked for, not when the service's module loads (issue 24). Every one of them was an array
 * literal evaluated at load: EC2's part of `--sandbox status` deserialised ~700 KB of compile cache
 * (their literals in the module's top-level code) and built ~2,000 arrays for the 3 of 67 operations it
 * calls. Each becomes `function X__get() { return X ?? (X = [...]) }`: the SDK reaches a schema through
 * a thunk (`() => X`, which `deref` calls; NormalizedSchema caches on the thunk) or, inside another
 * schema's literal, directly; thunks become `X__get` itself and direct uses `X__get()`, so each schema is
 * still one array, made once, and a lazy function's code is not compiled (nor cached) until called.
 * Operation schemas (type 9: commands take them at class definition) and error schemas (-3: registered at
 * load) stay as they are. A lazified schema loses its `export` (the services' index re-exports them with
 * `export *`; egress-cli imports none), so an import of one fails the build instead of reading undefined.
 */
function lazySchemas(text, file, strings) {
  // the name constants too are written in place (`_DRTRe` → "DescribeRouteTablesRequest"): a lazy schema's
  // strings are then in its own code, restored only once it is built, instead of ~2,000 module-level
  // constants (EC2) set at load and kept in the module's context for the functions that read them
  text = text.replace(/^const (_\w+) = "[^"\\]*";\n/gm, "");
  const lazy = new Map(); // name → [start, end) of its `[...]` literal
  const decl = /^(?:export )?var ([\w$]+) = \[(-?\d+),/gm;
  for (const m of text.matchAll(decl)) {
    if (!["0", "1", "2", "3"].includes(m[2])) continue;
    const open = m.index + m[0].lastIndexOf("[");
    let depth = 0;
    let end = -1;
    for (const t of text.slice(open).matchAll(/"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`|'(?:[^'\\\n]|\\.)*'|[[\]]/g)) {
      if (t[0] === "[") depth++;
      else if (t[0] === "]" && --depth === 0) {
        end = open + t.index + 1;
        break;
      }
    }
    if (end < 0 || text[end] !== ";") throw new Error(`${file}: schema ${m[1]} is not \`var ${m[1]} = [...];\` (the SDK's generated shape changed: see lazySchemas)`);
    lazy.set(m[1], { start: m.index, open, end });
  }
  const rewrite = (code) =>
    code.replace(TOKEN, (t, thunk, id) => {
      if (thunk !== undefined) return lazy.has(thunk) ? `${thunk}__get` : t;
      if (id !== undefined) return lazy.has(id) ? `${id}__get()` : (strings.get(id) ?? t);
      return t;
    });
  let out = "";
  let at = 0;
  for (const [name, { start, open, end }] of lazy) {
    out += rewrite(text.slice(at, start));
    out += `var ${name};\nfunction ${name}__get() {\n  return ${name} ?? (${name} = ${rewrite(text.slice(open, end))});\n}`;
    at = end + 1;
  }
  return out + rewrite(text.slice(at));
}

/**
 * Node built-in modules a dependency requires when it loads but uses only in some runs: the SDK's HTTP
 * handler needs https (and with it tls and http) only to reach AWS, not the sandbox; commander needs
 * child_process only for stand-alone subcommand programs. Each is replaced by an object of getters that
 * requires the real module on first use (together ~35 of the 96 built-ins a `--sandbox status` loaded).
 * Only for modules whose importers read them later, not while loading (zlib's crc32 is read at once).
 */
function lazyBuiltins(names) {
  const filter = new RegExp(`^(${names.map((n) => n.replace("node:", "")).join("|")}|${names.join("|")})$`);
  const nodeRequire = createRequire(import.meta.url);
  return {
    name: "lazy-builtins",
    setup(build) {
      build.onResolve({ filter }, (args) =>
        args.namespace === "lazy-builtin" ? undefined : { path: args.path.startsWith("node:") ? args.path : `node:${args.path}`, namespace: "lazy-builtin" },
      );
      build.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => {
        const keys = Object.keys(nodeRequire(args.path));
        const contents = [
          `let real;`,
          `const load = () => (real ??= require(${JSON.stringify(args.path)}));`,
          `module.exports = Object.defineProperties({}, {`,
          ...keys.map((k) => `  ${JSON.stringify(k)}: { enumerable: true, get: () => load()[${JSON.stringify(k)}] },`),
          `});`,
        ].join("\n");
        return { contents, loader: "js" };
      });
    },
  };
}

/**
 * This build's id: a digest of every source file and of the installed zod (what decides whether a plan
 * passes the schema). src/plans/checked.ts keys its markers by it: a plan text another build checked
 * is checked again.
 */
async function buildId() {
  const hash = createHash("sha256");
  const files = (await readdir(SRC, { recursive: true })).filter((f) => f.endsWith(".ts")).sort();
  for (const f of files) hash.update(`${f}\n`).update(await readFile(path.join(SRC, f)));
  hash.update(await readFile(path.join(ROOT, "node_modules", "zod", "package.json")));
  return hash.digest("hex").slice(0, 16);
}

const common = {
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  // import() becomes a lazy require: commands still load on first use, and a script restored from the
  // compile cache needs no dynamic-import loader (src/boot.ts gives its scripts none)
  supported: { "dynamic-import": false },
  external: ["@aws-sdk/*", "@smithy/*", "./egress-cli.cjs", "../sdk/*"],
  define: { EGRESS_SDK_BUNDLE: "true", EGRESS_BUILD_ID: JSON.stringify(await buildId()) },
  // no comments (the compile cache skips files that mention import(); see src/boot.ts) and less to parse;
  // EGRESS_DEBUG=1 maps stack traces back to src/ through the source map
  minifyWhitespace: true,
  sourcemap: "linked",
  logLevel: "warning",
  plugins: [importMetaUrl, lazyBuiltins(["node:child_process"])],
  banner: { js: `const __egressModuleUrl = (rel) => require("node:url").pathToFileURL(require("node:path").join(__dirname, rel)).href;` },
};

/**
 * The split chunks every command that talks to AWS loads (the SDK's core: the chunks two or more of
 * src/aws/sdk/*.ts import, with what they import), rebundled as one file, dist/sdk/core.cjs: one module
 * to resolve, read and restore instead of a dozen (`--sandbox status` loaded 13 chunk files; each costs
 * Node's resolution, a read, a stat and a compile-cache entry of its own). Chunks reached only through
 * import() (credential providers) or by one service stay files of their own.
 */
function coreChunks(outputs, files) {
  const staticChunks = (f) => outputs[f].imports.filter((i) => i.kind === "import-statement" && !i.external && path.basename(i.path).startsWith("chunk-")).map((i) => path.basename(i.path));
  const byBase = new Map(files.map((f) => [path.basename(f), f]));
  const importers = new Map();
  for (const f of files.filter((f) => outputs[f].entryPoint?.startsWith("src/aws/sdk/"))) for (const c of staticChunks(f)) importers.set(c, (importers.get(c) ?? 0) + 1);
  const core = new Set([...importers].filter(([, n]) => n >= 2).map(([c]) => c));
  // closed under static imports: a chunk core needs is in core (never a second instance beside it)
  for (const c of core) for (const d of staticChunks(byBase.get(c))) core.add(d);
  return core;
}

/**
 * The SDK parts egress-cli uses, from the SDK's ES build (tree-shakable): one file per service in
 * dist/sdk/ and the chunks they share (the @smithy and @aws-sdk core, once), so a command loads and
 * initialises only the services it talks to (`--sandbox status`: STS and EC2, not the other five
 * clients and their schemas). esbuild splits only ES module output, and the compile cache (src/boot.ts)
 * keeps only CommonJS, so each split file is then rebundled as CommonJS, its imports of the others
 * becoming requires (and its source map chained to the SDK's sources); the core chunks together, as
 * dist/sdk/core.cjs (coreChunks).
 */
async function buildSdk() {
  // each src/aws/sdk/<name>.ts becomes dist/sdk/<name>.cjs (src/aws/sdk.ts requires them)
  const parts = (await readdir(path.join(SRC, "aws", "sdk"))).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3));
  const esm = await mkdtemp(path.join(tmpdir(), "egress-sdk-"));
  const out = path.join(ROOT, "dist", "sdk");
  try {
    const split = await esbuild.build({
      entryPoints: Object.fromEntries(parts.map((name) => [name, path.join(SRC, "aws", "sdk", `${name}.ts`)])),
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node20",
      outdir: esm,
      outExtension: { ".js": ".mjs" },
      // the ES build; its import()s of credential providers become chunks of their own
      mainFields: ["module", "main"],
      minifyWhitespace: true,
      sourcemap: "linked",
      metafile: true,
      logLevel: "warning",
      plugins: [schemaKeys, lazyBuiltins(["node:https"])],
    });
    await rm(out, { recursive: true, force: true });
    const outputs = split.metafile.outputs;
    const files = Object.keys(outputs).filter((f) => f.endsWith(".mjs"));
    const core = coreChunks(outputs, files);
    /** `./chunk-X.mjs` → the name core.cjs exports that chunk's namespace under. */
    const nsOf = (chunk) => chunk.replace(/\.mjs$/, "").replace(/\W/g, "_");
    // a sibling in core.cjs is a namespace of it; any other sibling its own file (.mjs → .cjs)
    const siblings = (inCore) => ({
      name: "sdk-siblings",
      setup(build) {
        build.onResolve({ filter: /^\.\/[^/]+\.mjs$/ }, (args) => {
          const base = args.path.slice(2);
          if (!core.has(base)) return { path: args.path.replace(/\.mjs$/, ".cjs"), external: true };
          if (inCore) return { path: path.join(args.resolveDir, base) }; // bundled into core.cjs
          return { path: `${nsOf(base)}.cjs`, namespace: "sdk-core" }; // .cjs: CommonJS, as the file it stands for
        });
        build.onResolve({ filter: /^\.\/core\.cjs$/ }, (args) => ({ path: args.path, external: true }));
        build.onLoad({ filter: /.*/, namespace: "sdk-core" }, (args) => ({ contents: `module.exports = require("./core.cjs").${args.path.slice(0, -4)};`, loader: "js" }));
      },
    });
    const cjs = (entry, outfile, inCore) => esbuild.build({ ...common, ...entry, outfile: path.join(out, outfile), external: [], plugins: [siblings(inCore)], banner: {} });
    await Promise.all([
      ...files.filter((f) => !core.has(path.basename(f))).map((f) => cjs({ entryPoints: [f] }, path.basename(f).replace(/\.mjs$/, ".cjs"), false)),
      cjs(
        { stdin: { contents: [...core].map((c) => `export * as ${nsOf(c)} from "./${c}";`).join("\n"), resolveDir: esm, sourcefile: "sdk-core.mjs", loader: "js" } },
        "core.cjs",
        true,
      ),
    ]);
  } finally {
    await rm(esm, { recursive: true, force: true });
  }
}

await Promise.all([
  esbuild.build({ ...common, entryPoints: [path.join(SRC, "cli.ts")], outfile: path.join(ROOT, "dist", "egress-cli.cjs") }),
  esbuild.build({ ...common, entryPoints: [path.join(SRC, "boot.ts")], outfile: path.join(ROOT, "dist", "boot.cjs") }),
  buildSdk(),
]);
