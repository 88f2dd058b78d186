// The sandbox's handler registry: one handler per service+operation (a second registration throws), and
// handler tables typed by the SDK's own command types (the @ts-expect-error lines fail `npm run typecheck`
// if the compiler ever stops refusing them).
import { test } from "node:test";
import assert from "node:assert/strict";
import { handlerFor, implementedOperations, registerService, type OpHandler, type Ops } from "../src/sandbox/index.js";

test("registering an operation a service already has throws, naming it; nothing of that table is added", () => {
  const before = implementedOperations();
  assert.ok(before.ec2.includes("DescribeVpcs"));
  const original = handlerFor("ec2", "DescribeVpcs");
  assert.throws(
    () => registerService("ec2", { DescribeVpcs: () => ({ Vpcs: [] }), DescribeCarrierGateways: () => ({ CarrierGateways: [] }) }),
    /sandbox: ec2 DescribeVpcs registered twice/,
  );
  assert.equal(handlerFor("ec2", "DescribeVpcs"), original, "the first handler stays");
  assert.equal(handlerFor("ec2", "DescribeCarrierGateways"), undefined, "a refused table adds nothing");
  assert.deepEqual(implementedOperations(), before);
});

test("a new operation registers once; the second time throws", () => {
  registerService("ec2", { DescribeCarrierGateways: () => ({ CarrierGateways: [] }) });
  assert.ok(implementedOperations().ec2.includes("DescribeCarrierGateways"));
  assert.throws(() => registerService("ec2", { DescribeCarrierGateways: () => ({ CarrierGateways: [] }) }), /registered twice/);
});

test("every emulated operation is registered exactly once across the tables (no silent override)", () => {
  const ops = implementedOperations();
  for (const service of ["ec2", "iam", "lambda", "vpc-lattice", "ssm", "ram", "sts"]) assert.ok(ops[service]?.length, service);
  // the operations two tables used to both declare (the later silently won) are the later one's
  assert.ok(ops.ec2.includes("DescribeInstances") && ops.iam.includes("CreateRole") && ops.iam.includes("GetRole"));
});

test("handler tables are typed by the SDK: unknown operations, misspelt fields and wrong shapes do not compile", () => {
  const ok: OpHandler<"ec2", "DescribeVpcs"> = (ctx) => ({ Vpcs: (ctx.input.VpcIds ?? []).map((VpcId) => ({ VpcId, State: "available" })) });
  // @ts-expect-error an output enum value AWS does not have
  const badEnum: OpHandler<"ec2", "DescribeVpcs"> = () => ({ Vpcs: [{ VpcId: "vpc-1", State: "ready" }] });
  // @ts-expect-error a misspelt input field
  const badInput: OpHandler<"ec2", "DescribeVpcs"> = (ctx) => ({ Vpcs: ctx.input.VpcIdz });
  const table: Ops<"ec2"> = {
    DescribeVpcs: ok,
    // @ts-expect-error an operation EC2 does not have
    DescribeVpcz: ok,
  };
  // @ts-expect-error a service the sandbox does not emulate
  const badService: Ops<"s3"> = {};
  void badEnum;
  void badInput;
  void badService;
  assert.equal(typeof table.DescribeVpcs, "function");
});
