// Issue 8 items 12–16 under a REAL pseudo-terminal (util-linux `script`), not a faked isTTY: the
// child sees a terminal on stdin/stdout/stderr, with CI and NO_COLOR absent from its environment.
// Ctrl-C is the byte 0x03 typed into the terminal, turned into SIGINT by the terminal driver.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { BIN, ROOT, cleanEnv, openSandbox, tempDir } from "./helpers.js";

const hasScript = spawnSync("script", ["--version"]).status === 0;
const ESC = "\u001b[";
const strip = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");

interface PtyRun {
  code: number | null;
  output: string;
}

/** Runs `command` (a shell line) in a new pseudo-terminal of `cols` columns; `react` may type into it. */
function pty(command: string, opts: { cwd: string; env?: Record<string, string | undefined>; cols?: number; react?: (output: string, type: (s: string) => void) => void; timeoutMs?: number }): Promise<PtyRun> {
  const env = { ...(opts.env ?? cleanEnv()), TERM: "xterm" } as NodeJS.ProcessEnv;
  delete env.CI;
  delete env.NO_COLOR;
  const child = spawn("script", ["-q", "-e", "-c", `stty cols ${opts.cols ?? 120} rows 40; ${command}`, "/dev/null"], { cwd: opts.cwd, env, stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  const type = (s: string) => child.stdin.write(s);
  const onData = (d: string) => {
    output += d;
    opts.react?.(output, type);
  };
  // decoded by the streams, so a character split across two chunks is not two replacement characters
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
  return new Promise((resolve) => {
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function setup(withNat = false) {
  const cwd = tempDir("egress-pty-");
  const file = path.join(cwd, ".egress", "sandbox.json");
  const sandbox = await openSandbox(file);
  await sandbox.reset({ examples: true });
  const run = (args: string) => spawnSync(process.execPath, [BIN, "--sandbox", ...args.split(" ")], { cwd, env: cleanEnv() as NodeJS.ProcessEnv, encoding: "utf8" });
  assert.equal(run("create-vpc --name tty --cidr 10.60.0.0/16").status, 0);
  if (withNat) assert.equal(run("add-nat").status, 0);
  return { cwd, run, cli: `${process.execPath} ${BIN} --sandbox` };
}

test("items 12 + 14: Ctrl-C during add-nat --mode per-az on a terminal exits 130; one progress display, a line per NAT with elapsed and usual time", { skip: !hasScript && "util-linux script missing", timeout: 90_000 }, async () => {
  const s = await setup();
  let typed = false;
  const r = await pty(`${s.cli} add-nat --mode per-az`, {
    cwd: s.cwd,
    env: cleanEnv({ EGRESS_SANDBOX_LATENCY: "realistic:0.3" }),
    react: (out, type) => {
      // Both NAT waits on screen at once: then Ctrl-C.
      if (!typed && new Set(strip(out).match(/Waiting for NAT gateway nat-[0-9a-f]+/g) ?? []).size >= 2) {
        typed = true;
        setTimeout(() => type("\u0003"), 300);
      }
    },
  });
  assert.ok(typed, `the progress display showed both NATs: ${strip(r.output)}`);
  assert.equal(r.code, 130, strip(r.output));
  assert.doesNotMatch(r.output, /\[ora\]|Multiple concurrent spinners/);
  assert.match(strip(r.output), /Waiting for NAT gateway nat-[0-9a-f]+ in us-east-1a[^\n]* \d+ s \(usually ~1 min 30 s\)/);
  assert.match(strip(r.output), /Waiting for NAT gateway nat-[0-9a-f]+ in us-east-1b[^\n]* \d+ s \(usually ~1 min 30 s\)/);
  assert.match(strip(r.output), /Interrupted/);
  // The plan is consistent: it loads, and records both NAT gateways.
  const plan = JSON.parse(readFileSync(path.join(s.cwd, "egress-plan.json"), "utf8"));
  assert.equal(Object.values<any>(plan.resources).filter((x) => x.kind === "nat-gateway" && x.id).length, 2);
  assert.equal(s.run("status --offline").status, 0);
});

test("item 13: Ctrl-C at the destroy prompt exits 130 without an internal error name; 'n' exits 1 'destroy cancelled'", { skip: !hasScript && "util-linux script missing", timeout: 60_000 }, async () => {
  const s = await setup();
  const answer = (keys: string) => (out: string, type: (k: string) => void) => {
    if (out.includes("[y/N]") && !answered) {
      answered = true;
      setTimeout(() => type(keys), 100);
    }
  };
  let answered = false;
  const c = await pty(`${s.cli} destroy`, { cwd: s.cwd, react: answer("\u0003") });
  assert.equal(c.code, 130, strip(c.output));
  assert.doesNotMatch(c.output, /AbortError|Aborted with Ctrl\+C/);
  assert.match(strip(c.output), /nothing was changed/);
  answered = false;
  const n = await pty(`${s.cli} destroy`, { cwd: s.cwd, react: answer("n\r") });
  assert.equal(n.code, 1, strip(n.output));
  assert.match(strip(n.output), /destroy cancelled/);
  assert.equal(s.run("status --offline --json").status, 0);
  assert.ok(JSON.parse(s.run("status --offline --json").stdout).vpcId, "nothing was deleted");
});

test("item 15: colour per stream — status on the terminal is coloured, status > file from the same terminal is not", { skip: !hasScript && "util-linux script missing", timeout: 60_000 }, async () => {
  const s = await setup(true);
  const onTty = await pty(`${s.cli} status`, { cwd: s.cwd });
  assert.equal(onTty.code, 0, strip(onTty.output));
  assert.ok(onTty.output.includes(ESC), "coloured on a terminal");
  const toFile = await pty(`${s.cli} status > st.txt`, { cwd: s.cwd });
  assert.equal(toFile.code, 0, strip(toFile.output));
  const text = readFileSync(path.join(s.cwd, "st.txt"), "utf8");
  assert.match(text, /Static egress IP/);
  assert.ok(!text.includes("\u001b"), "no escape codes in the file");
});

test("item 16: tables fit the terminal's width (60 columns)", { skip: !hasScript && "util-linux script missing", timeout: 60_000 }, async () => {
  const s = await setup(true);
  const r = await pty(`${s.cli} status`, { cwd: s.cwd, cols: 60 });
  assert.equal(r.code, 0, strip(r.output));
  const tableLines = strip(r.output).split("\n").filter((l) => /^[┌│└├]/.test(l));
  assert.ok(tableLines.length > 10, "status printed its tables");
  for (const l of tableLines) assert.ok([...l].length <= 60, `${[...l].length} columns: ${l}`);
  // Piped, the same tables keep their natural width (nothing to fit).
  const piped = s.run("status");
  assert.ok(piped.stdout.split("\n").some((l) => [...l].length > 60));
});

test("item 15: scripts/demo.sh prints no escape codes when piped", { timeout: 120_000 }, () => {
  const dir = tempDir("egress-demo-");
  const r = spawnSync("bash", [path.join(ROOT, "scripts", "demo.sh")], { cwd: dir, env: { ...cleanEnv(), DEMO_DIR: dir } as NodeJS.ProcessEnv, encoding: "utf8", timeout: 110_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\$ egress-cli create-vpc/);
  assert.ok(!r.stdout.includes("\u001b") && !r.stderr.includes("\u001b"), "no escapes");
});
