// The kill -9 matrix used by the crash tests: run a list of commands (the built binary) on a copy
// of a template directory; for every mutating call N across them, a copy where the sandbox
// SIGKILLs the CLI right after applying call N, the interrupted command re-run, the rest run on;
// the end state must equal the uninterrupted run's, by an id-independent signature.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync } from "node:fs";
import path from "node:path";
import { BIN, cleanEnv, readSandboxState, tempDir } from "./helpers.js";

export interface ExecResult {
  code: number | null;
  signal: string | null;
  stderr: string;
}

/** Runs the built CLI in `cwd` on `sb.json`, optionally with sandbox faults. */
export function exec(args: string[], cwd: string, faults?: string): Promise<ExecResult> {
  const env = cleanEnv(faults ? { EGRESS_SANDBOX_FAULTS: faults } : {}) as NodeJS.ProcessEnv;
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, "--sandbox-file", "sb.json", ...args], { cwd, env, timeout: 60_000 }, (err, _out, stderr) => {
      resolve({ code: err ? ((err as any).code ?? null) : 0, signal: err ? ((err as any).signal ?? null) : null, stderr });
    });
  });
}

export function copyDir(template: string): string {
  const dir = tempDir("egress-crash-");
  cpSync(template, dir, { recursive: true });
  return dir;
}

export async function pool<T>(items: T[], size: number, fn: (x: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: size }, async () => {
      for (let x = queue.shift(); x !== undefined; x = queue.shift()) await fn(x);
    }),
  );
}

export const mutatingCalls = (dir: string) => readSandboxState(path.join(dir, "sb.json")).counters.mutatingCalls as number;

export interface MatrixResult {
  perCommand: number[];
  expected: unknown;
  failures: string[];
}

/**
 * `template` holds sb.json (and maybe egress-plan.json). `check(dir, n)` may add failures of its
 * own (e.g. orphans) after the signature comparison.
 */
export async function crashMatrix(opts: {
  template: string;
  commands: string[][];
  signature: (state: any) => unknown;
  check?: (dir: string, n: number) => string[] | Promise<string[]>;
}): Promise<MatrixResult> {
  const ref = copyDir(opts.template);
  const perCommand: number[] = [];
  for (const c of opts.commands) {
    const before = mutatingCalls(ref);
    const r = await exec(c, ref);
    assert.equal(r.code, 0, `reference ${c.join(" ")}: ${r.stderr}`);
    perCommand.push(mutatingCalls(ref) - before);
  }
  const expected = opts.signature(readSandboxState(path.join(ref, "sb.json")));
  const total = perCommand.reduce((a, b) => a + b, 0);
  const failures: string[] = [];
  await pool(
    Array.from({ length: total }, (_, i) => i + 1),
    2,
    async (n) => {
      const dir = copyDir(opts.template);
      let k = n;
      for (const [i, c] of opts.commands.entries()) {
        if (k >= 1 && k <= perCommand[i]) {
          const crashed = await exec(c, dir, `crashAfter=${k},crashMode=kill`);
          if (crashed.signal !== "SIGKILL") failures.push(`N=${n}: ${c[0]} was not killed (${crashed.code}) ${crashed.stderr}`);
        }
        k -= perCommand[i];
        const r = await exec(c, dir);
        if (r.code !== 0) failures.push(`N=${n}: ${c[0]} failed: ${r.stderr}`);
      }
      try {
        assert.deepEqual(opts.signature(readSandboxState(path.join(dir, "sb.json"))), expected);
      } catch (e) {
        failures.push(`N=${n}: the account differs from an uninterrupted run:\n${(e as Error).message.slice(0, 2000)}`);
      }
      failures.push(...((await opts.check?.(dir, n)) ?? []));
    },
  );
  return { perCommand, expected, failures };
}
