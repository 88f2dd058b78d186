// sandbox call SERVICE OPERATION [JSON]: any operation the sandbox implements, with the SDK's input
// shape (PascalCase members, as `aws … --cli-input-json` takes them) and its output shape printed as
// JSON — to set up what no egress-cli command makes (turn VPC Block Public Access on, stop an
// instance, break a route for a demo) and for tests that build states without private hooks. The call
// goes through the SDK client the sandbox is plugged into, so it is journaled, persisted and subject
// to injected faults like every other call.
import type { Context } from "../context.js";
import { sandboxRequested } from "../context.js";
import { UsageError } from "../errors.js";
import { toCliError } from "../aws/errors.js";
import type { AwsClients } from "../aws/clients.js";
import { byText, editDistance } from "../order.js";
import { Problems } from "../cli/options.js";

/** The sandbox's service names and the context's client for each (the names plugSandbox is given). */
const CLIENTS: Record<string, { name: string; of: (c: AwsClients) => Promise<unknown> }> = {
  ec2: { name: "EC2Client", of: (c) => c.ec2() },
  sts: { name: "STSClient", of: (c) => c.sts() },
  iam: { name: "IAMClient", of: (c) => c.iam() },
  lambda: { name: "LambdaClient", of: (c) => c.lambda() },
  "vpc-lattice": { name: "VPCLatticeClient", of: (c) => c.lattice() },
  ssm: { name: "SSMClient", of: (c) => c.ssm() },
  ram: { name: "RAMClient", of: (c) => c.ram() },
};

/** `modify-vpc-block-public-access-options`, `ModifyVpcBlockPublicAccessOptions`: one name. */
const fold = (s: string) => s.toLowerCase().replace(/[-_]/g, "");

/** Up to `n` names closest to `given` (by edit distance of the folded names, or containing it). */
export function nearMatches(given: string, names: string[], n = 5): string[] {
  const g = fold(given);
  return names
    .map((name) => ({ name, f: fold(name) }))
    .map(({ name, f }) => ({ name, d: editDistance(g, f), sub: g.length >= 4 && (f.includes(g) || g.includes(f)) }))
    .filter((x) => x.sub || x.d <= Math.max(2, Math.floor(g.length / 3)))
    .sort((a, b) => Number(b.sub) - Number(a.sub) || a.d - b.d || byText(a.name, b.name))
    .slice(0, n)
    .map((x) => x.name);
}

/**
 * The service and operation the sandbox implements that the user named (case and dashes aside: the
 * AWS CLI's `describe-vpcs` is `DescribeVpcs`), or a usage error listing the nearest names.
 */
export function resolveOperation(catalog: Record<string, string[]>, service: string, operation: string): { service: string; operation: string } {
  const services = Object.keys(catalog).sort(byText);
  const svc = services.find((s) => fold(s) === fold(service));
  if (!svc) {
    const near = nearMatches(service, services);
    throw new UsageError(
      `The sandbox emulates no service named "${service}".${near.length ? ` Did you mean ${near.join(", ")}?` : ""}`,
      `services: ${services.join(", ")}`,
      "UnknownOperation",
    );
  }
  const ops = catalog[svc]!;
  const op = ops.find((o) => fold(o) === fold(operation));
  if (!op) {
    const near = nearMatches(operation, ops);
    throw new UsageError(
      `The sandbox does not implement ${svc} ${operation}.${near.length ? ` Did you mean ${near.join(", ")}?` : ""}`,
      `${ops.length} ${svc} operations are implemented; \`egress-cli --sandbox sandbox call ${svc} list\` lists them.`,
      "UnknownOperation",
    );
  }
  return { service: svc, operation: op };
}

/** The JSON input: an object (PascalCase members, the SDK's input shape); `{}` when none is given. */
export function parseCallInput(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === "") return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`The input is not valid JSON: ${(e as Error).message}.`, `pass the operation's input as one JSON object, e.g. '{"VpcIds":["vpc-0123456789abcdef0"]}'`, "InvalidJson");
  }
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new UsageError(`The input must be a JSON object (the operation's input members), got ${Array.isArray(v) ? "an array" : JSON.stringify(v)}.`, undefined, "InvalidJson");
  return v as Record<string, unknown>;
}

export async function sandboxCall(ctx: Context, _opts: unknown, args: string[]): Promise<number> {
  const [service, operation, json, ...extra] = args;
  if (!sandboxRequested(ctx.opts, ctx.env))
    throw new UsageError(
      "sandbox call only talks to the embedded AWS emulator, and --sandbox was not given.",
      "Run `egress-cli --sandbox sandbox call SERVICE OPERATION [JSON]` (or --sandbox-file FILE); against AWS use the AWS CLI.",
      "NotSandbox",
    );
  if (ctx.opts.dryRun) throw new UsageError("--dry-run does not apply to sandbox call.", `EC2 operations take DryRun in their input: '{"DryRun":true,…}'.`);
  if (!service || !operation) throw new UsageError("sandbox call needs SERVICE and OPERATION.", "e.g. egress-cli --sandbox sandbox call ec2 DescribeVpcs");
  if (extra.length) throw new UsageError(`sandbox call takes one JSON argument; got ${extra.length + 1} after the operation.`, "quote the JSON input as one argument");
  const { implementedOperations } = await import("../sandbox/index.js");
  const catalog = implementedOperations();
  if (json === undefined && operation === "list" && catalog[service]) {
    // `sandbox call ec2 list`: what the sandbox implements for that service
    const ops = catalog[service]!;
    if (ctx.opts.json) ctx.printJson({ service, operations: ops });
    else ctx.print(ops.join("\n"));
    return 0;
  }
  // every problem of the line at once (a misspelt operation and bad JSON: both)
  const problems = new Problems();
  const input = await problems.check(() => parseCallInput(json));
  const target = await problems.check(() => resolveOperation(catalog, service, operation));
  problems.throwIfAny();
  const client = CLIENTS[target!.service];
  if (!client) throw new UsageError(`The sandbox emulates ${target!.service}, but egress-cli has no client for it.`);
  const aws = await ctx.aws();
  const { sendNamed } = await import("../sandbox/named-call.js");
  let out: Record<string, unknown>;
  try {
    out = await sendNamed((await client.of(aws)) as Parameters<typeof sendNamed>[0], client.name, target!.operation, input!, ctx.signal);
  } catch (err) {
    throw toCliError(err, `${target!.service} ${target!.operation}`);
  }
  ctx.printJson(out);
  return 0;
}
