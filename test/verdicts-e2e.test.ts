// The three verdicts end to end (issue 18 §1, "Must show"): on the sandbox, a NAT instance stopped
// with StopInstances makes analyze-path answer unreachable (exit 4) in both engines; transit gateway
// route tables the snapshot could not collect (SearchTransitGatewayRoutes failing) and an address no
// interface holds give unknown (exit 6), with the reasons in --json and in the text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { EC2Client } from "@aws-sdk/client-ec2";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { VPCLatticeClient } from "@aws-sdk/client-vpc-lattice";
import { Sandbox } from "../src/sandbox/index.js";
import { collectSnapshot } from "../src/aws/snapshot.js";
import type { AwsClients } from "../src/aws/clients.js";
import { analyzePath } from "../src/analysis/analyzer.js";
import { natInstanceVpc, transitVpcs } from "./fixtures/analysis/build.js";
import { SANDBOX_CREDENTIALS, cli, cleanEnv, plugged, tempDir } from "./helpers.js";

const PREFIXES = ["tgw-attach", "tgw-rtb", "subnet", "igw", "rtb", "acl", "eni", "tgw", "vpc", "sg", "i"];

/** The builder's readable ids (i-nat, eni-i-nat) as the real-looking ones the sandbox accepts, deeply. */
function realIds<T>(doc: T): { doc: T; id: (s: string) => string } {
  const map = new Map<string, string>();
  const to = (s: string): string => {
    const prefix = PREFIXES.find((p) => s.startsWith(`${p}-`) && s.length > p.length + 1 && !/^[a-z-]+-([0-9a-f]{8}|[0-9a-f]{17})$/.test(s));
    if (!prefix) return s;
    if (!map.has(s)) map.set(s, `${prefix}-${createHash("sha256").update(s).digest("hex").slice(0, 17)}`);
    return map.get(s)!;
  };
  const deep = (v: unknown): unknown => (typeof v === "string" ? to(v) : Array.isArray(v) ? v.map(deep) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x)])) : v);
  return { doc: deep(doc) as T, id: to };
}

/** The NAT instance VPC, routed through the instance's ENI. */
const natInstanceAccount = () => natInstanceVpc({ via: "eni", appIp: "10.70.1.10" }).build();

test("a NAT instance stopped with StopInstances: analyze-path --local and Reachability Analyzer say unreachable, exit 4; started again, reachable", async () => {
  const { doc, id } = realIds(natInstanceAccount());
  const sandbox = await Sandbox.open({ env: {} });
  await sandbox.importSnapshot(doc);
  const cwd = tempDir("egress-verdicts-");
  const ask = (...extra: string[]) => cli(["--sandbox", "analyze-path", "--from", id("i-ni-app"), "--to", "internet", ...extra], { cwd, env: cleanEnv(), sandbox });

  const before = await ask("--local", "--json");
  assert.equal(before.code, 0, before.stdout + before.stderr);
  assert.equal(before.json().verdict, "reachable");

  const stop = await sandbox.call("ec2", "StopInstances", { InstanceIds: [id("i-nat")] }, "us-east-1");
  assert.deepEqual([stop.StoppingInstances[0].PreviousState.Name, stop.StoppingInstances[0].CurrentState.Name], ["running", "stopping"]);
  const described = await sandbox.call("ec2", "DescribeInstances", { InstanceIds: [id("i-nat")] }, "us-east-1");
  assert.equal(described.Reservations[0].Instances[0].State.Name, "stopped");

  for (const mode of [["--local"], []]) {
    const r = await ask(...mode, "--json");
    assert.equal(r.code, 4, `${mode.join(" ") || "RA"}: ${r.stdout}${r.stderr}`);
    const doc = r.json();
    assert.equal(doc.verdict, "unreachable");
    assert.equal(doc.reachable, false);
    assert.equal(doc.result.explanations[0].code, "BAD_STATE_ROUTE");
    assert.equal(doc.result.explanations[0].component.id, id("rtb-ni-priv"));
  }
  const text = await ask("--local");
  assert.equal(text.code, 4);
  assert.match(text.stdout, /✖ not reachable/);
  assert.match(text.stdout, new RegExp(`${id("i-nat")}, which is stopped .*blackhole`));

  // Stopping a stopped instance changes nothing (as EC2); starting it brings the path back.
  const again = await sandbox.call("ec2", "StopInstances", { InstanceIds: [id("i-nat")] }, "us-east-1");
  assert.deepEqual([again.StoppingInstances[0].PreviousState.Name, again.StoppingInstances[0].CurrentState.Name], ["stopped", "stopped"]);
  const start = await sandbox.call("ec2", "StartInstances", { InstanceIds: [id("i-nat")] }, "us-east-1");
  assert.equal(start.StartingInstances[0].PreviousState.Name, "stopped");
  const after = await ask("--local", "--json");
  assert.equal(after.code, 0, after.stdout + after.stderr);
});

test("an address no interface holds: unknown, exit 6, in both engines; --compare reports unknown, never agreement", async () => {
  const { doc, id } = realIds(natInstanceAccount());
  const sandbox = await Sandbox.open({ env: {} });
  await sandbox.importSnapshot(doc);
  const cwd = tempDir("egress-verdicts-");
  for (const mode of [["--local"], []]) {
    const r = await cli(["--sandbox", "analyze-path", "--from", id("i-ni-app"), "--to", "10.70.0.99", "--port", "3128", "--json", ...mode], { cwd, env: cleanEnv(), sandbox });
    assert.equal(r.code, 6, r.stdout + r.stderr);
    const j = r.json();
    assert.equal(j.verdict, "unknown");
    assert.equal(j.reachable, false);
    assert.ok(j.unknownReasons.length >= 1);
  }
  const local = await cli(["--sandbox", "analyze-path", "--from", id("i-ni-app"), "--to", "10.70.0.99", "--port", "3128", "--local", "--json"], { cwd, env: cleanEnv(), sandbox });
  assert.equal(local.json().unknownReasons[0].code, "DESTINATION_NOT_EVALUATED");
  const text = await cli(["--sandbox", "analyze-path", "--from", id("i-ni-app"), "--to", "10.70.0.99", "--port", "3128", "--local"], { cwd, env: cleanEnv(), sandbox });
  assert.equal(text.code, 6);
  assert.match(text.stdout, /\? unknown/);
  assert.match(text.stdout, /to collect:/);
  assert.doesNotMatch(text.stdout, /✔ reachable/);
  const cmp = await cli(["--sandbox", "analyze-path", "--from", id("i-ni-app"), "--to", "10.70.0.99", "--port", "3128", "--compare", "--json"], { cwd, env: cleanEnv(), sandbox });
  assert.deepEqual(cmp.json().disagreements, [{ field: "verdict", local: "unknown", aws: "unknown" }]);
});

/** vpc-a → transit gateway → vpc-b (eni-b 10.61.1.20). */
const transitAccount = () => transitVpcs().build();

test("SearchTransitGatewayRoutes failing (an emulator without it): the snapshot omits transit gateways and every TGW path is unknown, never reachable", async () => {
  const { doc, id } = realIds(transitAccount());
  const sandbox = await Sandbox.open({ env: {} });
  await sandbox.importSnapshot(doc);
  const creds = SANDBOX_CREDENTIALS;
  const ec2 = plugged(sandbox, new EC2Client({ region: "us-east-1", credentials: creds }));
  // The endpoint does not implement SearchTransitGatewayRoutes.
  ec2.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "SearchTransitGatewayRoutesCommand") throw Object.assign(new Error("The action SearchTransitGatewayRoutes is not valid for this web service."), { name: "InvalidAction", Code: "InvalidAction", $metadata: { httpStatusCode: 400 } });
      return next(args);
    },
    { step: "initialize", name: "failSearchTransitGatewayRoutes" },
  );
  const lambda = plugged(sandbox, new LambdaClient({ region: "us-east-1", credentials: creds }), "lambda");
  const lattice = plugged(sandbox, new VPCLatticeClient({ region: "us-east-1", credentials: creds }), "vpc-lattice");
  const aws = { region: "us-east-1", backend: "test", ec2: async () => ec2, lambda: async () => lambda, lattice: async () => lattice, accountId: async () => "123456789012" } as unknown as AwsClients;
  const snap = await collectSnapshot(aws);
  assert.deepEqual(snap.omitted.map((o) => o.resource), ["transitGateways"]);
  assert.equal(snap.transitGatewayRouteTables, undefined);

  const r = analyzePath(snap, { source: id("i-a"), destination: "10.61.1.20" });
  assert.equal(r.verdict, "unknown", JSON.stringify(r));
  assert.equal(r.reachable, false);
  assert.equal(r.unknownReasons[0]!.code, "PATH_LEAVES_VPC");
  assert.match(r.unknownReasons[0]!.detail, /SearchTransitGatewayRoutes failed: InvalidAction/);
  assert.match(r.unknownReasons[0]!.collect, /ec2:SearchTransitGatewayRoutes/);

  // The same snapshot through the CLI: exit 6, the reasons in --json and in the text.
  const cwd = tempDir("egress-verdicts-");
  writeFileSync(path.join(cwd, "snap.json"), JSON.stringify(snap));
  const j = await cli(["--sandbox", "analyze-path", "--from", id("i-a"), "--to", "10.61.1.20", "--local", "--snapshot", "snap.json", "--json"], { cwd, env: cleanEnv(), sandbox });
  assert.equal(j.code, 6, j.stdout + j.stderr);
  assert.equal(j.json().verdict, "unknown");
  assert.match(j.json().unknownReasons[0].collect, /SearchTransitGatewayRoutes/);
  const t = await cli(["--sandbox", "analyze-path", "--from", id("i-a"), "--to", "10.61.1.20", "--local", "--snapshot", "snap.json"], { cwd, env: cleanEnv(), sandbox });
  assert.equal(t.code, 6);
  assert.match(t.stdout, /\? unknown.*\n[\s\S]*transit gateway route tables of tgw-/);
  // With every route table collected, the same path is proven.
  const full = await cli(["--sandbox", "analyze-path", "--from", id("i-a"), "--to", "10.61.1.20", "--local", "--json"], { cwd, env: cleanEnv(), sandbox });
  assert.equal(full.code, 0, full.stdout + full.stderr);
});
