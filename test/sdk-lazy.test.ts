// The per-service interfaces (src/aws/*-api.ts) load the SDK only when the first one is built:
// status --offline, which reads the plan through the kinds' modules, loads no SDK module.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { BIN, ROOT, cleanEnv, tempDir } from "./helpers.js";

test("status --offline of a built plan loads no AWS SDK module; status (live) does", () => {
  const dir = tempDir();
  const env = cleanEnv() as NodeJS.ProcessEnv;
  const run = (args: string[], trace = false) =>
    spawnSync(process.execPath, [...(trace ? ["--import", path.join(ROOT, "test/fixtures/trace-imports.mjs")] : []), BIN, "--sandbox", ...args], { encoding: "utf8", cwd: dir, env });
  assert.equal(run(["create-vpc", "--name", "lazy"]).status, 0);
  const offline = run(["status", "--offline", "--json"], true);
  assert.equal(offline.status, 0, offline.stderr);
  assert.equal(JSON.parse(offline.stdout).plan, "lazy");
  assert.doesNotMatch(offline.stderr, /SDK-IMPORT/, offline.stderr.slice(0, 500));
  const live = run(["status", "--json"], true);
  assert.equal(live.status, 0, live.stderr);
  assert.match(live.stderr, /SDK-IMPORT/);
});
