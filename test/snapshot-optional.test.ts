// issue 8 item 22: an optional service that answers with anything but its data is recorded in the
// snapshot's `omitted` and the snapshot goes on — tested against a loopback HTTP server that answers
// every VPC Lattice call with an HTML 404 page (EC2, STS and Lambda come from the sandbox).
import { test } from "node:test";
import assert from "node:assert/strict";
import { EC2Client } from "@aws-sdk/client-ec2";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { VPCLatticeClient } from "@aws-sdk/client-vpc-lattice";
import { answeredWithoutData, collectSnapshot } from "../src/aws/snapshot.js";
import type { AwsClients } from "../src/aws/clients.js";
import { htmlNotFoundServer, sandboxKit } from "./helpers.js";

const creds = { accessKeyId: "x", secretAccessKey: "y" };

test("item 22: VPC Lattice answering an HTML 404 is omitted, not fatal, and never called transient", async () => {
  const server = await htmlNotFoundServer();
  try {
    const { sb: sandbox, client } = await sandboxKit();
    await sandbox.reset();
    const ec2 = client(new EC2Client({ region: "us-east-1", credentials: creds }));
    const lambda = client(new LambdaClient({ region: "us-east-1", credentials: creds }), "lambda");
    const lattice = new VPCLatticeClient({ region: "us-east-1", credentials: creds, endpoint: server.url, maxAttempts: 1 });
    const aws = { region: "us-east-1", backend: "test", ec2: async () => ec2, lambda: async () => lambda, lattice: async () => lattice, accountId: async () => "123456789012" } as unknown as AwsClients;
    const snap = await collectSnapshot(aws);
    assert.ok(server.hits() >= 2, "Lattice was asked");
    const omitted = snap.omitted.filter((o) => o.operation.startsWith("vpc-lattice:"));
    assert.deepEqual(omitted.map((o) => o.resource).sort(), ["resourceConfigurations", "resourceGateways"]);
    assert.equal(snap.resourceGateways, undefined, "not collected, not empty");
    assert.ok(snap.vpcs.length >= 1 && snap.transitGateways !== undefined, "the rest of the snapshot is there");
    for (const o of omitted) assert.doesNotMatch(`${o.code} ${o.message}`, /transient/i);
  } finally {
    server.close();
  }
});

test("answeredWithoutData: 404/501, unparsable bodies and unknown hosts are permanent; a 503 is not", () => {
  assert.equal(answeredWithoutData({ name: "UnknownError", $metadata: { httpStatusCode: 404 } }), true);
  assert.equal(answeredWithoutData({ name: "SyntaxError", message: "Unexpected token '<', \"<!DOCTYPE \"... is not valid JSON" }), true);
  assert.equal(answeredWithoutData({ code: "ENOTFOUND", message: "getaddrinfo ENOTFOUND vpc-lattice.example" }), true);
  assert.equal(answeredWithoutData({ name: "ServiceUnavailable", $metadata: { httpStatusCode: 503 } }), false);
});
