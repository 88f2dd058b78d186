// The one check per name or id AWS defines (aws/names.ts) and the plan name (plans/name.ts), and that
// every reader of a value holds it to the same rule: the --region option, the context and the plan file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "../src/errors.js";
import { awsId, isAwsId, isValidRegion, parseProfile, parseRegion } from "../src/aws/names.js";
import { validatePlanName } from "../src/plans/name.js";
import { newPlan, planSchemas } from "../src/plans/schema.js";

function throwsUsage(fn: () => unknown, re: RegExp, code?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UsageError, `expected UsageError, got ${String(e)}`);
    assert.equal(e.exitCode, 2);
    assert.match(e.message, re);
    if (code) assert.equal(e.code, code);
    return true;
  });
}

test("isValidRegion", () => {
  for (const r of ["us-east-1", "eu-central-1", "ap-northeast-2", "us-gov-west-1", "cn-north-1", "ap-southeast-5", "il-central-1"]) {
    assert.equal(isValidRegion(r), true, r);
  }
  for (const r of ["", "us-east", "US-EAST-1", "useast1", "us-east-1a", "mars-north-1", "us-middle-1"]) {
    assert.equal(isValidRegion(r), false, r);
  }
});

test("isAwsId", () => {
  assert.equal(isAwsId("vpc", "vpc-0abc1234def567890"), true);
  assert.equal(isAwsId("vpc-", "vpc-1a2b3c4d"), true);
  assert.equal(isAwsId("subnet", "subnet-0123456789abcdef0"), true);
  assert.equal(isAwsId("vpc", "vpc-0ABC1234DEF567890"), false);
  assert.equal(isAwsId("vpc", "vpc-123"), false);
  assert.equal(isAwsId("vpc", "subnet-1a2b3c4d"), false);
  assert.equal(isAwsId("vpc", "vpc-1a2b3c4d5"), false);
});

test("validatePlanName", () => {
  assert.equal(validatePlanName("sms-api"), "sms-api");
  assert.equal(validatePlanName("a"), "a");
  assert.equal(validatePlanName("Team_1.prod"), "Team_1.prod");
  assert.equal(validatePlanName("x".repeat(64)), "x".repeat(64));
  throwsUsage(() => validatePlanName(""), /empty/);
  throwsUsage(() => validatePlanName("x".repeat(65)), /65 characters long; the limit is 64/);
  throwsUsage(() => validatePlanName("-lead"), /must start with a letter or digit/);
  throwsUsage(() => validatePlanName("has space"), /contains " "/);
  throwsUsage(() => validatePlanName("a/b"), /contains "\/"/);
});

test("parseRegion: an empty or malformed region is refused with InvalidRegion, a good one returned", () => {
  assert.equal(parseRegion("eu-west-3"), "eu-west-3");
  throwsUsage(() => parseRegion(""), /--region is empty/, "InvalidRegion");
  throwsUsage(() => parseRegion("moon-1"), /"moon-1" is not an AWS region name/, "InvalidRegion");
});

test("parseProfile: empty, padded or with a control character refused; the name returned as typed", () => {
  assert.equal(parseProfile("dev-admin"), "dev-admin");
  throwsUsage(() => parseProfile(""), /--profile is empty/, "InvalidProfile");
  throwsUsage(() => parseProfile(" dev"), /white space around it/);
  throwsUsage(() => parseProfile("dev\r"), /control character/);
});

test("awsId names what was expected", () => {
  assert.equal(awsId("vpc", "a VPC", "vpc-1a2b3c4d"), "vpc-1a2b3c4d");
  throwsUsage(() => awsId("vpc", "a VPC", "subnet-1a2b3c4d"), /"subnet-1a2b3c4d" is not a VPC id \(expected vpc- followed by 8 or 17 hex digits\)/);
});

test("the plan file holds region, account and name to the same rules as the options", () => {
  const plan = newPlan({ name: "sms-api", backend: "sandbox", region: "us-east-1", accountId: "123456789012" });
  assert.equal(planSchemas().PlanSchema.safeParse(plan).success, true);
  // "us-middle-1" passed the plan schema's own looser pattern before; one rule now.
  for (const region of ["us-middle-1", "mars-north-1", "US-EAST-1"]) {
    assert.equal(isValidRegion(region), false, region);
    assert.equal(planSchemas().PlanSchema.safeParse({ ...plan, region }).success, false, region);
  }
  for (const name of ["-lead", "has space", "x".repeat(65)]) {
    assert.throws(() => validatePlanName(name), UsageError, name);
    assert.equal(planSchemas().PlanSchema.safeParse({ ...plan, name }).success, false, name);
  }
  for (const accountId of ["12345678901", "12345678901a"]) assert.equal(planSchemas().PlanSchema.safeParse({ ...plan, accountId }).success, false, accountId);
});
