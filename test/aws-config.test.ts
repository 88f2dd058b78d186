// Region from the shared config files, read by the SDK's own loader (src/aws/clients.ts resolveRegion):
// the AWS CLI's order (--region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region), the files the
// invocation's environment names, and the files' real syntax (comments, sub-sections, sso-session).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolveRegion } from "../src/aws/clients.js";
import { UsageError } from "../src/errors.js";

function files() {
  const dir = mkdtempSync(join(tmpdir(), "egress-awsconfig-"));
  test.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, "config");
  const credentials = join(dir, "credentials");
  writeFileSync(
    config,
    [
      "[default]",
      "region = eu-west-1",
      "",
      "# a comment line",
      "[profile dev]",
      "s3 =",
      "  max_concurrent_requests = 20",
      "  region = not-this-one",
      "region=ap-southeast-2",
      "",
      "[profile sso-user]",
      "sso_session = corp",
      "sso_account_id = 111122223333",
      "sso_role_name = ReadOnly",
      "region = us-west-2",
      "",
      "[sso-session corp]",
      "sso_region = eu-central-1",
      "sso_start_url = https://example.awsapps.com/start",
      "",
      "[profile process]",
      "credential_process = /bin/false",
      "",
    ].join("\n"),
  );
  writeFileSync(credentials, "[creds-only]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\nregion = ca-central-1\n");
  return { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials, HOME: dir };
}

test("a profile's region comes from the files the environment names, as the SDK reads them", async () => {
  const env = files();
  const region = (profile?: string, more: Record<string, string> = {}) => resolveRegion({ profile, env: { ...env, ...more }, sandbox: false });
  assert.equal(await region(), "eu-west-1", "[default]");
  assert.equal(await region("dev"), "ap-southeast-2", "a region inside a sub-section (s3 =) is not the profile's");
  assert.equal(await region("sso-user"), "us-west-2", "an SSO profile's own region, not its sso-session's sso_region");
  assert.equal(await region("creds-only"), "ca-central-1", "a region set in the credentials file");
  assert.equal(await region(undefined, { AWS_PROFILE: "dev" }), "ap-southeast-2", "AWS_PROFILE names the profile");
  assert.equal(await region("dev", { AWS_REGION: "sa-east-1" }), "sa-east-1", "AWS_REGION comes before the profile");
  assert.equal(await resolveRegion({ region: "us-east-2", profile: "dev", env, sandbox: false }), "us-east-2", "--region first");
  await assert.rejects(region("process"), (e: unknown) => e instanceof UsageError && e.code === "NoRegion", "a profile without a region: no region, said so");
  assert.equal(await resolveRegion({ profile: "process", env, sandbox: true }), "us-east-1", "the sandbox's default");
});

test("missing files: no region from them, and the sandbox still has its default", async () => {
  const env = { AWS_CONFIG_FILE: "/nonexistent/config", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials", HOME: "/nonexistent" };
  await assert.rejects(resolveRegion({ env, sandbox: false }), /No AWS region given/);
  assert.equal(await resolveRegion({ env, sandbox: true }), "us-east-1");
});
