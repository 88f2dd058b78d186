// Issue 19 items 6 and 14: an endpoint URL's query string never reaches the plan or a message, and
// `sandbox show` lists everything the sandbox holds (IAM, VPC Lattice, RAM included), so a user
// checking for leftovers after destroy finds them there.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { readFileSync, writeFileSync } from "node:fs";
import { cli, cleanEnv, freshSandbox, openSandbox, tempDir } from "./helpers.js";

test("item 6: --endpoint-url with a token in its query string: never in the plan's backend, never in a message", async () => {
  const { redactUrl, hasSecretParts } = await import("../src/net/url.js");
  assert.equal(redactUrl("http://127.0.0.1:5301/?X-Amz-Security-Token=SECRET123"), "http://127.0.0.1:5301/");
  assert.equal(redactUrl("http://127.0.0.1:5301#SECRET123"), "http://127.0.0.1:5301");
  assert.ok(hasSecretParts("http://127.0.0.1:5301/?a=b"));
  assert.ok(!hasSecretParts("http://127.0.0.1:5301/"));
  // A plan made on the sandbox, then used with an endpoint URL carrying a token: the plan-mismatch
  // error names the endpoint without the token, and the plan is not rewritten.
  const cwd = tempDir();
  const file = path.join(cwd, "sb.json");
  const sandbox = await openSandbox(file);
  const env = cleanEnv({ AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "x", AWS_MAX_ATTEMPTS: "1" });
  assert.equal((await cli(["--sandbox-file", file, "create-vpc", "--name", "tok", "--azs", "1"], { cwd, env, sandbox })).code, 0);
  const planPath = path.join(cwd, "egress-plan.json");
  // The plan edited to claim an endpoint backend whose URL holds a token (a stale copy, say).
  const plan = JSON.parse(readFileSync(planPath, "utf8"));
  writeFileSync(planPath, JSON.stringify({ ...plan, backend: "endpoint:http://127.0.0.1:9/?X-Amz-Security-Token=SECRET123" }, null, 2));
  const before = readFileSync(planPath, "utf8");
  const r = await cli(["--endpoint-url", "http://127.0.0.1:9/?X-Amz-Security-Token=SECRET123#frag", "status", "--json"], { cwd, env });
  assert.notEqual(r.code, 0);
  assert.doesNotMatch(r.stdout + r.stderr, /SECRET123|#frag/, "the token is shown nowhere");
  assert.match(r.stderr, /query string/, "the user is told the query string was ignored");
  assert.equal(readFileSync(planPath, "utf8"), before, "the plan is not rewritten");
  // The plan-mismatch message (a reachable endpoint, another backend) shows neither side's token.
  const { checkPlanIdentity } = await import("../src/plans/store.js");
  assert.throws(
    () => checkPlanIdentity(JSON.parse(before), { backend: "endpoint:http://127.0.0.1:5301/?X-Amz-Security-Token=OTHER456" }),
    (e: Error) => /endpoint:http:\/\/127\.0\.0\.1:9\//.test(e.message) && !/SECRET123|OTHER456/.test(e.message),
  );
});

test("item 14: sandbox show --json lists IAM roles, instance profiles, Lattice gateways and configurations, RAM shares — and none after destroy", { timeout: 120_000 }, async () => {
  const { sandbox, ok } = await freshSandbox();
  await ok("create-vpc", "--name", "egress", "--cidr", "10.100.0.0/16", "--azs", "2");
  await ok("add-nat", "--mode", "single");
  await ok("launch-proxy", "--allow-domain", "api.vendor.io", "--skip-verify");
  await ok("share-proxy", "--share-with", "111122223333");
  const shown = (await ok("sandbox", "show", "--json")).json().summary;
  const roles = shown.global.iamRoles?.map((i: any) => i.id) ?? [];
  const profiles = shown.global.instanceProfiles?.map((i: any) => i.id) ?? [];
  assert.ok(roles.length >= 1, `the proxy's role is listed: ${JSON.stringify(shown.global)}`);
  assert.ok(profiles.length >= 1, "its instance profile too");
  const region = shown.regions["us-east-1"];
  const vpc = region.vpcs.find((v: any) => !v.default);
  assert.equal(vpc.resources.resourceGateways?.length, 1, "the resource gateway, in its VPC");
  assert.ok(vpc.resources.resourceConfigurations?.length >= 1, "its resource configuration(s)");
  assert.equal(region.outsideVpcs.resourceShares?.length, 1, "the RAM share, in no VPC");
  const text = (await ok("sandbox", "show")).stdout;
  assert.match(text, /IAM roles \(\d+\)/);
  assert.match(text, /VPC Lattice resource gateways \(1\)/);
  assert.match(text, /RAM resource shares \(1\)/);

  await ok("destroy", "--yes");
  const after = (await ok("sandbox", "show", "--json")).json().summary;
  assert.deepEqual(after.global.iamRoles?.filter((r: any) => roles.includes(r.id)) ?? [], [], "the proxy's role is gone");
  assert.deepEqual(after.global.instanceProfiles ?? [], [], "no instance profile is left");
  const left = after.regions["us-east-1"];
  assert.ok(left.vpcs.every((v: any) => v.default), "the VPC is gone");
  assert.equal(left.outsideVpcs.resourceShares, undefined, "no share is left");
  assert.equal(left.outsideVpcs.resourceConfigurations, undefined, "no configuration is left");
});
