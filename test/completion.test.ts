// `egress-cli completion bash|zsh|fish`: the bash script parses (`bash -n`) and, sourced in a real bash,
// completes commands, subcommands, flags and flag choices; zsh and fish scripts name every command.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { cli, tempDir } from "./helpers.js";

async function script(shell: string): Promise<string> {
  const r = await cli(["completion", shell], { cwd: tempDir() });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** What bash completes for the words typed so far (the last one is the word being completed). */
function complete(file: string, words: string[]): string[] {
  const body = `source ${JSON.stringify(file)}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _egress_cli; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync("bash", ["--norc", "--noprofile", "-c", body], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split("\n").filter(Boolean);
}

test("completion bash: parses with bash -n and completes commands, subcommands, flags and choices", async () => {
  const file = path.join(tempDir(), "egress-cli.bash");
  writeFileSync(file, await script("bash"));
  const n = spawnSync("bash", ["-n", file], { encoding: "utf8" });
  assert.equal(n.status, 0, n.stderr);

  assert.deepEqual(complete(file, ["egress-cli", "add-"]), ["add-nat", "add-endpoint"]);
  assert.deepEqual(complete(file, ["egress-cli", "sandbox", "re"]), ["reset"]);
  assert.deepEqual(complete(file, ["egress-cli", "proxy", ""]), ["allow", ...complete(file, ["egress-cli", "proxy", "--"])]);
  assert.deepEqual(complete(file, ["egress-cli", "add-nat", "--mo"]), ["--mode"]);
  assert.deepEqual(complete(file, ["egress-cli", "add-nat", "--mode", ""]), ["single", "per-az", "regional"]);
  assert.deepEqual(complete(file, ["egress-cli", "--sandbox", "audit", "--fail"]), ["--fail-on"], "a global flag before the command does not hide it");
  assert.ok(complete(file, ["egress-cli", "attach-lambda", "--"]).includes("--take-over"), "a command's flags, from the CLI's own tree");
  assert.ok(complete(file, ["egress-cli", "status", "--"]).includes("--sandbox"), "global flags after the command name too");
  assert.ok(!complete(file, ["egress-cli", "status", "--"]).includes("--version"), "--version only on its own");
});

test("completion zsh and fish: every top-level command is there; a missing or unknown shell is exit 2", async () => {
  const zsh = await script("zsh");
  assert.match(zsh, /^#compdef egress-cli/);
  assert.match(zsh, /bashcompinit/);
  const fish = await script("fish");
  for (const c of ["create-vpc", "add-nat", "analyze-path", "audit", "sandbox", "completion"]) {
    assert.match(fish, new RegExp(`-a '${c}'`));
    assert.match(zsh, new RegExp(`'${c}'\\)`));
  }
  assert.match(fish, /-l 'mode' -x -a 'single per-az regional'/);
  const bad = await cli(["completion", "powershell"], { cwd: tempDir() });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /bash, zsh, fish/);
});

test("completion bash: --vpc and --from offer the plan file's ids (--plan FILE on the line, else egress-plan.json)", async () => {
  const dir = tempDir();
  const file = path.join(dir, "egress-cli.bash");
  writeFileSync(file, await script("bash"));
  const plan = { resources: { vpc: { id: "vpc-0123456789abcdef0" }, a: { id: "subnet-0aaaabbbbccccdddd" }, b: { id: "subnet-0aaaabbbbcccc1111" } } };
  writeFileSync(path.join(dir, "p.json"), JSON.stringify(plan));
  writeFileSync(path.join(dir, "egress-plan.json"), JSON.stringify({ resources: { vpc: { id: "vpc-0fedcba9876543210" } } }));
  const inDir = (words: string[]) => {
    const body = `cd ${JSON.stringify(dir)}; source ${JSON.stringify(file)}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _egress_cli; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync("bash", ["--norc", "--noprofile", "-c", body], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.split("\n").filter(Boolean);
  };
  assert.deepEqual(inDir(["egress-cli", "--plan", "p.json", "analyze-path", "--from", "subnet-"]), ["subnet-0aaaabbbbcccc1111", "subnet-0aaaabbbbccccdddd"]);
  assert.deepEqual(inDir(["egress-cli", "--plan", "p.json", "diagram", "--vpc", ""]), ["vpc-0123456789abcdef0"]);
  assert.deepEqual(inDir(["egress-cli", "snapshot", "--vpc", "vpc-"]), ["vpc-0fedcba9876543210"], "the default plan file");
});
