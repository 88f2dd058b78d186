// S2's provider side for the share-proxy / connect-proxy tests: create-vpc (2 AZs) + add-nat --mode
// per-az through the CLI, then the records launch-proxy writes (the proxy group admitting the port
// from the VPC, an instance per AZ, the plan's proxy section) made with the same kinds' steps, in
// process. (launch-proxy itself is tested in its own file; this keeps these tests to what they test.)
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { PassThrough } from "node:stream";
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import { cleanEnv } from "./helpers.js";
import { createContext } from "../src/context.js";
import { createLogger } from "../src/output/logger.js";
import type { Sandbox } from "../src/sandbox/index.js";
import { openSession } from "../src/engine/session.js";
import { runSteps, type StepDef } from "../src/engine/engine.js";
import type { Plan } from "../src/plans/schema.js";
import { securityGroupStep } from "../src/engine/kinds/security-group.js";
import { ingressRuleStep } from "../src/engine/kinds/security-group-rule.js";
import { ec2InstanceStep } from "../src/engine/kinds/ec2-instance.js";

export const readPlan = (cwd: string, file = "egress-plan.json"): Plan => JSON.parse(readFileSync(path.join(cwd, file), "utf8"));

/** Runs steps in process against `sandbox` (the CLI's own context, session and engine); `edit` may change the plan first. */
export async function runInProcess(cwd: string, file: string, sandbox: Sandbox, steps: StepDef[], edit?: (plan: Plan) => void) {
  const stderr = new PassThrough();
  const log = await createLogger({ stderr, color: false, verbose: false, interactive: false });
  const opts = { sandbox: true, sandboxFile: file, plan: "egress-plan.json", json: false, yes: true, dryRun: false, color: false, verbose: false };
  const ctx = createContext(opts, { cwd, env: cleanEnv(), stdout: new PassThrough(), stderr, log, signal: new AbortController().signal, sandbox, userAgent: "test" });
  const session = await openSession(ctx, {}, "test");
  try {
    edit?.(session.plan);
    await session.save();
    return await runSteps(ctx, session, steps);
  } finally {
    await session.close();
  }
}

/** The proxy records launch-proxy writes (proxy/sg with its rule, proxy/<az>/instance per private subnet's AZ, plan.proxy). */
export async function fakeLaunchProxy(cwd: string, file: string, sandbox: Sandbox, o: { port?: number; perAz?: boolean } = {}) {
  const port = o.port ?? 3128;
  const plan = readPlan(cwd);
  const privateSubnets = Object.entries(plan.resources).filter(([, r]) => r.kind === "subnet" && r.tier === "private" && r.state === "created").sort(([a], [b]) => a.localeCompare(b));
  const chosen = o.perAz === false ? privateSubnets.slice(0, 1) : privateSubnets;
  assert.ok(chosen.length >= 1);
  const steps: StepDef[] = [
    securityGroupStep({ id: "proxy/sg", groupName: `${plan.name}-proxy`, description: "egress-cli: the proxy", label: "proxy group" }),
    ingressRuleStep({ id: "proxy/sg/ingress/vpc", groupStep: "proxy/sg", source: { kind: "cidr", cidr: plan.resources.vpc.cidr!, label: "the VPC" }, port }),
    ...chosen.map(([step, r]) =>
      ec2InstanceStep({
        id: `proxy/${r.az}/instance`,
        az: r.az!,
        label: `proxy in ${r.az}`,
        dependsOn: [step, "proxy/sg"],
        launch: async (run) => ({
          ImageId: (await (await (await run.ctx.aws()).ssm()).send(new GetParameterCommand({ Name: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64" }))).Parameter!.Value!,
          InstanceType: "t3.micro",
          SubnetId: run.ref(step),
          SecurityGroupIds: [run.ref("proxy/sg")],
          MetadataOptions: { HttpTokens: "required", HttpPutResponseHopLimit: 1, HttpEndpoint: "enabled" },
        }),
      }),
    ),
  ];
  await runInProcess(cwd, file, sandbox, steps, (p) => {
    (p as Plan & { proxy?: unknown }).proxy = { port, allowDomains: [".example.com", "api.vendor.io"], allowCidrs: [], verifySni: false, instanceType: "t3.micro", perAz: o.perAz !== false, skipVerify: true };
  });
  return readPlan(cwd);
}
