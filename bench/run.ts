// Benchmarks (not tests): they print ratios, which is what the targets are about.
//  (a) `egress-cli --help` / `--version` start-up CPU vs a bare `node -e 0`, on this Node and on each Node binary named in
//      EGRESS_BENCH_NODE (paths separated by ":"; e.g. CI's Node 24 from .ci/cache/node-24/bin/node);
//  (b) add-nat --mode per-az over 3 AZs under the sandbox's realistic latency model (NAT
//      gateways take ~90 s, scaled), run with independent steps in parallel vs forced sequential.
// Run: npm run bench   (builds first). Prints a Markdown table for the README.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { run } from "../src/cli.js";
import { ENV, measure } from "./lib.js";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
const ROOT = path.resolve(import.meta.dirname, "..");
const BIN = path.join(ROOT, "bin", "egress-cli");

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The Node binaries whose start-up is measured: this one, then EGRESS_BENCH_NODE's. */
const NODES = [process.execPath, ...(process.env.EGRESS_BENCH_NODE ?? "").split(":").filter(Boolean)];
const versionOf = (node: string) => spawnSync(node, ["-p", "process.version"], { encoding: "utf8" }).stdout.trim() || `${node}: does not run`;

async function cli(argv: string[], cwd: string, env: Record<string, string | undefined>) {
  const out = new PassThrough();
  const err = new PassThrough();
  let e = "";
  err.on("data", (d) => (e += d));
  out.resume();
  const code = await run(argv, { cwd, env, stdout: out, stderr: err, signal: new AbortController().signal });
  if (code !== 0) throw new Error(`${argv.join(" ")} → ${code}: ${e}`);
}

async function natRun(parallel: number, scale: number): Promise<number> {
  const cwd = mkdtempSync(path.join(tmpdir(), "egress-bench-"));
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, EGRESS_SANDBOX_LATENCY: `realistic:${scale}` };
  const g = ["--sandbox-file", "sb.json", "--max-parallel", String(parallel)];
  await cli([...g, "create-vpc", "--name", "bench", "--azs", "3"], cwd, env);
  const t = performance.now();
  await cli([...g, "add-nat", "--mode", "per-az"], cwd, env);
  return performance.now() - t;
}

const n = Number(process.env.BENCH_RUNS ?? 9);
// Start-up: CPU (user + sys of the child, in a clean environment: bench/lib.ts's measure), in interleaved
// rounds of `node -e 0`, `--help`, `--version`, each ratio taken within its round, then the median: a shared
// machine's speed drifts by ±20% over seconds, and separate series of wall times read that drift as
// start-up cost (under load they printed `--help` at 0.70 × `node -e 0`).
const startCwd = mkdtempSync(path.join(tmpdir(), "egress-start-"));
const startRows = NODES.flatMap((node) => {
  const v = versionOf(node);
  for (let i = 0; i < 3; i++) measure([BIN, "--help"], startCwd, ENV, node); // warm-up: the compile cache's entries (a command's first three runs write its entry)
  measure([BIN, "--version"], startCwd, ENV, node);
  const rounds = Array.from({ length: n }, () => {
    const base = measure(["-e", "0"], startCwd, ENV, node).cpuMs;
    return { base, help: measure([BIN, "--help"], startCwd, ENV, node).cpuMs, version: measure([BIN, "--version"], startCwd, ENV, node).cpuMs };
  });
  const med = (f: (r: (typeof rounds)[number]) => number) => median(rounds.map(f));
  return [
    [`\`--help\` CPU / \`node -e 0\` CPU (Node ${v}, median of ${n} interleaved rounds' ratios)`, `${med((r) => r.help).toFixed(0)} ms / ${med((r) => r.base).toFixed(0)} ms`, med((r) => r.help / r.base).toFixed(2)],
    [`\`--version\` CPU / \`node -e 0\` CPU (Node ${v})`, `${med((r) => r.version).toFixed(0)} ms / ${med((r) => r.base).toFixed(0)} ms`, med((r) => r.version / r.base).toFixed(2)],
  ];
});
const scale = Number(process.env.BENCH_SCALE ?? 0.02);
const oneNatMs = 90_000 * scale;
await natRun(4, scale); // warm-up: module loading
const parallelMs = await natRun(4, scale);
const sequentialMs = await natRun(1, scale);

const rows = [
  ...startRows,
  [`add-nat per-az, 3 AZs: parallel / one NAT's wait (${oneNatMs.toFixed(0)} ms)`, `${parallelMs.toFixed(0)} ms / ${oneNatMs.toFixed(0)} ms`, (parallelMs / oneNatMs).toFixed(2)],
  ["add-nat per-az, 3 AZs: sequential / parallel", `${sequentialMs.toFixed(0)} ms / ${parallelMs.toFixed(0)} ms`, (sequentialMs / parallelMs).toFixed(2)],
];
console.log(`Node ${process.version}, ${n} runs (median); realistic latency scaled by ${scale}.\n`);
console.log("| measure | times | ratio |\n|---|---|---|");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
