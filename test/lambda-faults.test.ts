// attach-lambda and add-endpoint under throttling and 5xx: the SDK's retries and the engine's
// eventual-consistency retries absorb them; the result equals a clean run's.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { cli, cleanEnv, openSandbox, tempDir } from "./helpers.js";

test("attach-lambda + add-endpoint with throttleRate=0.3 and serverErrorRate=0.05 still converge", async () => {
  const cwd = tempDir();
  const file = path.join(cwd, "sb.json");
  const sandbox = await openSandbox(file, { throttleRate: 0.3, serverErrorRate: 0.05, seed: 7 });
  await sandbox.reset({ examples: true });
  const run = (...a: string[]) => cli(["--sandbox-file", file, ...a], { cwd, env: cleanEnv(), sandbox });
  assert.equal((await run("create-vpc", "--name", "flaky", "--azs", "2", "--public-subnets", "0")).code, 0);
  const att = await run("attach-lambda", "--function", "sms-sender", "--json");
  assert.equal(att.code, 0, att.stderr);
  const ep = await run("add-endpoint", "sts", "--allow-from", "lambda:sms-sender", "--json");
  assert.equal(ep.code, 0, ep.stderr);
  assert.equal(ep.json().endpoints[0].state, "available");
  assert.ok(sandbox.journal.some((c) => c.errorCode === "RequestLimitExceeded"), "faults were injected");
  const fn = sandbox.state().regions["us-east-1"].ext.lambda.functions["sms-sender"];
  assert.deepEqual(fn.VpcConfig.SecurityGroupIds, [att.json().securityGroupId]);
  assert.equal((await run("destroy", "--yes")).code, 0);
  assert.equal(sandbox.state().regions["us-east-1"].ext.lambda.functions["sms-sender"].VpcConfig, undefined);
});
