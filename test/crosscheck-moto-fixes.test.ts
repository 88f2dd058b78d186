// What the moto cross-check (bench/crosscheck-moto.ts) found, fixed at the mechanism and tested here:
// 1. an interface endpoint's network interface reported as a plain detached interface (moto: InterfaceType
//    "interface", Status "available", no attachment) was read as "nothing answers there" (BAD_STATE): the
//    endpoint answers at its interfaces whatever the API calls them;
// 2. when one call of the transit gateway collection failed (moto: SearchTransitGatewayRoutes with MaxResults,
//    a 500 HTML page), `omitted` named DescribeTransitGateways — the wrong API, the wrong permission.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CreateTransitGatewayCommand, CreateTransitGatewayRouteTableCommand, DescribeTransitGatewayRouteTablesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { VPCLatticeClient } from "@aws-sdk/client-vpc-lattice";
import { analyzePath } from "../src/analysis/analyzer.js";
import { collectSnapshot } from "../src/aws/snapshot.js";
import type { AwsClients } from "../src/aws/clients.js";
import { Sandbox, plugSandbox } from "../src/sandbox/index.js";
import { SnapshotBuilder } from "./fixtures/analysis/build.js";

/** A private subnet with a Secrets Manager interface endpoint (private DNS) whose group admits the VPC. */
function endpointVpc(motoShape: boolean) {
  return new SnapshotBuilder()
    .vpc("vpc-e", "10.80.0.0/16")
    .subnet("subnet-e", "vpc-e", "10.80.1.0/24", "us-east-1a")
    .routeTable("rtb-e", "vpc-e", {}, ["subnet-e"])
    .sg("sg-app", "vpc-e")
    .sg("sg-vpce", "vpc-e", { ingress: ["tcp:443:10.80.0.0/16"] })
    .instance("i-app", "subnet-e", { sgs: ["sg-app"] })
    .interfaceEndpoint("vpce-sm", "vpc-e", "secretsmanager", ["subnet-e"], ["sg-vpce"])
    .eni("eni-spare", "subnet-e", { sgs: ["sg-vpce"], ip: "10.80.1.200" })
    .tweak((s) => {
      for (const e of s.networkInterfaces) {
        if (e.NetworkInterfaceId === "eni-spare") e.Status = "available"; // a real detached interface (the control)
        if (motoShape && e.NetworkInterfaceId.startsWith("eni-vpce-")) {
          e.InterfaceType = "interface";
          e.Status = "available";
          delete e.Attachment;
        }
      }
    })
    .build();
}

test("an interface endpoint's interface reported as a detached plain interface (moto's shape) still answers: reachable", () => {
  for (const moto of [false, true]) {
    const r = analyzePath(endpointVpc(moto), { source: "i-app", destination: "service:secretsmanager" });
    assert.equal(r.verdict, "reachable", `${moto ? "moto" : "AWS"} shape: ${JSON.stringify(r.explanations)}`);
    assert.ok(r.hops.some((h) => h.component.id === "eni-vpce-sm-subnet-e" && /delivered/.test(h.action)));
  }
});

test("a detached interface that no endpoint lists still answers nothing (BAD_STATE), and the endpoint's group still decides", () => {
  const r = analyzePath(endpointVpc(true), { source: "i-app", destination: "10.80.1.200" });
  assert.equal(r.verdict, "unreachable");
  assert.deepEqual([r.explanations[0]!.code, r.explanations[0]!.component.id], ["BAD_STATE", "eni-spare"]);
  const closed = endpointVpc(true);
  closed.securityGroups.find((g) => g.GroupId === "sg-vpce")!.IpPermissions = [];
  const c = analyzePath(closed, { source: "i-app", destination: "service:secretsmanager" });
  assert.equal(c.verdict, "unreachable");
  assert.deepEqual([c.explanations[0]!.code, c.explanations[0]!.component.id], ["ENI_SG_RULES_MISMATCH", "sg-vpce"]);
});

test("snapshot: a failing SearchTransitGatewayRoutes is omitted under its own name, and a TGW path through it is unknown", async () => {
  const creds = { accessKeyId: "x", secretAccessKey: "y" };
  const sandbox = await Sandbox.open({ env: {} });
  await sandbox.reset();
  const ec2 = new EC2Client({ region: "us-east-1", credentials: creds, maxAttempts: 1 });
  const lambda = new LambdaClient({ region: "us-east-1", credentials: creds });
  const lattice = new VPCLatticeClient({ region: "us-east-1", credentials: creds });
  plugSandbox(ec2, sandbox, "ec2");
  plugSandbox(lambda, sandbox, "lambda");
  plugSandbox(lattice, sandbox, "vpc-lattice");
  const tgw = (await ec2.send(new CreateTransitGatewayCommand({}))).TransitGateway!.TransitGatewayId!;
  const tables = (await ec2.send(new DescribeTransitGatewayRouteTablesCommand({}))).TransitGatewayRouteTables ?? [];
  if (!tables.length) await ec2.send(new CreateTransitGatewayRouteTableCommand({ TransitGatewayId: tgw }));
  // moto's answer to SearchTransitGatewayRoutes(MaxResults) on a table with routes: a 500 HTML page.
  let searched = 0;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  (ec2.middlewareStack as any).add(
    (next: (a: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      if (context.commandName === "SearchTransitGatewayRoutesCommand") {
        searched++;
        throw Object.assign(new Error("@aws-sdk XML parse error: mismatched tags <html> and </title>.\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object."), {
          $metadata: { httpStatusCode: 500 },
        });
      }
      return next(args);
    },
    { step: "initialize", name: "motoSearchFails" },
  );
  const aws = { region: "us-east-1", backend: "test", ec2: async () => ec2, lambda: async () => lambda, lattice: async () => lattice, accountId: async () => "123456789012" } as unknown as AwsClients;
  const snap = await collectSnapshot(aws);
  assert.ok(searched >= 1, "the search was asked");
  const o = snap.omitted.find((x) => x.resource === "transitGateways");
  assert.ok(o, JSON.stringify(snap.omitted));
  assert.equal(o.operation, "SearchTransitGatewayRoutes");
  assert.equal(snap.transitGatewayRouteTables, undefined, "not collected, not empty");

  // The analyzer names that call in the reason.
  const doc = new SnapshotBuilder()
    .vpc("vpc-t", "10.90.0.0/16")
    .subnet("subnet-t", "vpc-t", "10.90.1.0/24", "us-east-1a")
    .routeTable("rtb-t", "vpc-t", { "10.91.0.0/16": "tgw-x" }, ["subnet-t"])
    .sg("sg-t", "vpc-t")
    .instance("i-t", "subnet-t", { sgs: ["sg-t"] })
    .tgw("tgw-x")
    .tgwAttachment("tgw-attach-t", "tgw-x", "vpc-t", ["subnet-t"])
    .tweak((s) => {
      // What the snapshot holds when that task failed: the attachments (their own call), not the gateway's tables.
      delete s.transitGateways;
      delete s.transitGatewayVpcAttachments;
      delete s.transitGatewayRouteTables;
      (s as Record<string, unknown>).omitted = [o];
    })
    .build();
  const r = analyzePath(doc, { source: "i-t", destination: "10.91.1.10" });
  assert.equal(r.verdict, "unknown");
  assert.equal(r.unknownReasons[0]!.code, "PATH_LEAVES_VPC");
  assert.match(r.unknownReasons[0]!.detail, /SearchTransitGatewayRoutes failed/);
});
