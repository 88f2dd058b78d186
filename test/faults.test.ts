// Under 30% throttling, 5% server errors and eventual-consistency delays, create-vpc + add-nat
// --mode per-az + destroy end exactly as a fault-free run does: the SDK's retries, our
// not-found-after-create retries and verify/adopt logic absorb every fault.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { accountSignature, cli, cleanEnv, openSandbox, tempDir } from "./helpers.js";

async function flow(faults: Record<string, unknown>) {
  const cwd = tempDir();
  const file = path.join(cwd, "sb.json");
  const sandbox = await openSandbox(file, faults);
  const env = cleanEnv();
  const g = ["--sandbox-file", file];
  const a = await cli([...g, "create-vpc", "--name", "faulty", "--cidr", "10.30.0.0/16", "--azs", "3"], { cwd, env, sandbox });
  assert.equal(a.code, 0, a.stderr);
  const b = await cli([...g, "add-nat", "--mode", "per-az", "--json"], { cwd, env, sandbox });
  assert.equal(b.code, 0, b.stderr);
  assert.equal(b.json().egressIps.length, 3);
  const built = accountSignature(sandbox.state());
  const c = await cli([...g, "destroy", "--yes"], { cwd, env, sandbox });
  assert.equal(c.code, 0, c.stderr);
  const errors = sandbox.journal.filter((j) => j.errorCode).map((j) => j.errorCode!);
  return { built, destroyed: accountSignature(sandbox.state()), errors, sandbox };
}

test("30% throttling + 5% 5xx + eventual consistency: same account as a fault-free run, build and destroy", { timeout: 120_000 }, async () => {
  const reference = await flow({});
  assert.equal(reference.errors.length, 0);
  for (const seed of [1, 2, 3]) {
    const faulty = await flow({ throttleRate: 0.3, serverErrorRate: 0.05, consistencyDelayMs: 30, seed });
    assert.deepEqual(faulty.built, reference.built, `seed ${seed}: built account differs`);
    assert.deepEqual(faulty.destroyed, reference.destroyed, `seed ${seed}: destroyed account differs`);
    assert.ok(faulty.errors.filter((e) => e === "RequestLimitExceeded").length >= 10, `seed ${seed}: throttling was injected (${faulty.errors.length} faults)`);
    assert.ok(faulty.errors.some((e) => e === "InternalError" || e === "Unavailable"), `seed ${seed}: 5xx were injected`);
    assert.deepEqual(await faulty.sandbox.taggedResources("us-east-1", "egress-cli:plan", "faulty"), []);
  }
});
