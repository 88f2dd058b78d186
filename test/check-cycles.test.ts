// scripts/check-cycles.mjs (run by `npm test`): an import cycle across two folders fails and is printed;
// one inside a folder is a warning; src/ as committed passes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const script = new URL("../scripts/check-cycles.mjs", import.meta.url).pathname;

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "egress-cycles-"));
  test.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

test("src/ has no import cycle across folders", () => {
  assert.match(execFileSync(process.execPath, [script], { encoding: "utf8" }), /no import cycle across folders/);
});

test("a cycle across two folders fails and names the files; type-only and dynamic imports count", () => {
  const dir = tree({
    "plans/schema.ts": 'import type { K } from "../engine/kinds.js";\nexport type P = K;\n',
    "engine/kinds.ts": 'export type K = string;\nexport const load = () => import("./registry.js");\n',
    "engine/registry.ts": 'import { x } from "../plans/store.js";\nexport const y = x;\n',
    "plans/store.ts": 'import type { P } from "./schema.js";\nexport const x: P = "";\n',
    "net/ok.ts": "export const z = 1;\n",
  });
  const r = spawnSync(process.execPath, [script, "--src", dir], { encoding: "utf8" });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /import cycle across folders engine, plans \(4 files\)/);
  assert.match(r.stderr, /engine\/kinds\.ts → engine\/registry\.ts → plans\/store\.ts → plans\/schema\.ts → engine\/kinds\.ts/);
  assert.doesNotMatch(r.stderr, /net\/ok/);
});

test("a cycle inside one folder is a warning (an error with --strict)", () => {
  const dir = tree({ "net/a.ts": 'import { b } from "./b.js";\nexport const a = 1 + b;\n', "net/b.ts": 'export { a as b } from "./a.js";\n' });
  const r = spawnSync(process.execPath, [script, "--src", dir], { encoding: "utf8" });
  assert.equal(r.status, 0);
  assert.match(r.stderr, /warning: import cycle inside net\/ .*\n {2}net\/a\.ts → net\/b\.ts → net\/a\.ts/);
  assert.equal(spawnSync(process.execPath, [script, "--src", dir, "--strict"], { encoding: "utf8" }).status, 1);
});
