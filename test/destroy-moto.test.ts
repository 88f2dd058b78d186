// destroy on moto, an independent emulator (skipped where it is not installed: pip install 'moto[server]').
// moto's DescribeTags names an Elastic IP's ResourceType `vpc-elastic-ip` (AWS: `elastic-ip`), so destroy's
// one DescribeTags sweep finds no Elastic IP there: the plan's recorded address missing from the answer
// sends the kind to its own sweep (DescribeAddresses with the plan's tag), which finds an orphan too.
// (Found in review: the first version of the tag sweep left such an orphan allocated.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { AllocateAddressCommand, DescribeAddressesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { hasMoto, startMoto } from "../bench/moto.js";
import { BIN, tempDir } from "./helpers.js";

test("destroy on moto releases an orphan Elastic IP tagged with the plan (moto's DescribeTags reports no Elastic IP)", { skip: !hasMoto() }, async () => {
  const moto = await startMoto();
  try {
    const cwd = tempDir();
    const creds = { accessKeyId: "testing", secretAccessKey: "testing" };
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_ACCESS_KEY_ID: creds.accessKeyId, AWS_SECRET_ACCESS_KEY: creds.secretAccessKey, AWS_CONFIG_FILE: "/nonexistent", AWS_SHARED_CREDENTIALS_FILE: "/nonexistent", AWS_EC2_METADATA_DISABLED: "true", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
    const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, "--endpoint-url", moto.url, "--region", "us-east-1", ...args], { cwd, env: env as NodeJS.ProcessEnv, encoding: "utf8" });
    for (const c of [["create-vpc", "--name", "orph"], ["add-nat"]]) {
      const r = cli(...c);
      assert.equal(r.status, 0, `${c.join(" ")}: ${r.stderr}`);
    }
    const plan = JSON.parse(readFileSync(path.join(cwd, "egress-plan.json"), "utf8"));
    const eipStep = Object.entries(plan.resources as Record<string, { kind: string }>).find(([, r]) => r.kind === "elastic-ip")![0];
    // an address carrying the plan's tags that the plan does not record (a plan file restored from an older copy)
    const ec2 = new EC2Client({ region: "us-east-1", endpoint: moto.url, credentials: creds });
    const tags = [
      { Key: "egress-cli:plan", Value: plan.name },
      { Key: "egress-cli:plan-id", Value: plan.planId },
      { Key: "egress-cli:step", Value: eipStep },
    ];
    const orphan = (await ec2.send(new AllocateAddressCommand({ Domain: "vpc", TagSpecifications: [{ ResourceType: "elastic-ip", Tags: tags }] }))).AllocationId!;
    const d = cli("destroy", "--yes", "--json");
    assert.equal(d.status, 0, d.stderr);
    assert.deepEqual(JSON.parse(d.stdout).orphansAdopted, [{ kind: "elastic-ip", id: orphan }]);
    const left = (await ec2.send(new DescribeAddressesCommand({}))).Addresses!.map((a) => a.AllocationId);
    assert.ok(!left.includes(orphan), `orphan ${orphan} left behind (left: ${left.join(", ")})`);
    assert.ok(!left.includes(plan.resources[eipStep].id), "the plan's own address released too");
    ec2.destroy();
  } finally {
    moto.stop();
  }
});
