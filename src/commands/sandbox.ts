// sandbox init/show/reset: manage the embedded AWS emulator's account file.
import path from "node:path";
import type { Context } from "../context.js";
import { type Text, type C } from "../output/render.js";
import { UsageError } from "../errors.js";
import type { InitOptions, ResetOptions } from "./sandbox.spec.js";

export async function sandboxInit(ctx: Context, opts: InitOptions): Promise<number> {
  const { existsSync } = await import("node:fs");
  const file = sandboxPath(ctx);
  const existed = existsSync(file);
  if (existed && !opts.force) {
    throw new UsageError(`Sandbox already exists at ${file}.`, `Use \`egress-cli sandbox init${opts.examples ? " --examples" : ""} --force\` (or \`sandbox reset\`) to start a fresh account; \`sandbox show\` lists what it holds.`, "SandboxExists");
  }
  const recovered = existed ? await quarantine(ctx, file) : undefined;
  const sandbox = await ctx.sandbox();
  await sandbox.reset({ examples: Boolean(opts.examples) });
  return show(ctx, { file, created: true, recovered });
}

export async function sandboxReset(ctx: Context, opts: ResetOptions): Promise<number> {
  const file = sandboxPath(ctx);
  const recovered = await quarantine(ctx, file);
  const sandbox = await ctx.sandbox();
  await sandbox.reset({ examples: Boolean(opts.examples) });
  return show(ctx, { file, created: true, recovered });
}

export async function sandboxShow(ctx: Context): Promise<number> {
  const { existsSync } = await import("node:fs");
  const file = sandboxPath(ctx);
  if (!existsSync(file)) throw new UsageError(`No sandbox at ${file}.`, "Create one with `egress-cli sandbox init` (add --examples for the demo account).", "NoSandbox");
  return show(ctx, { file, created: false });
}

function sandboxPath(ctx: Context): string {
  return path.resolve(ctx.cwd, ctx.opts.sandboxFile ?? ctx.env.EGRESS_SANDBOX_FILE ?? ".egress/sandbox.json");
}

/** An unreadable state (torn, not JSON, another version) is kept as `<file>.corrupt` so a fresh account can start. */
async function quarantine(ctx: Context, file: string): Promise<string | undefined> {
  const { Sandbox } = await import("../sandbox/index.js");
  return Sandbox.quarantine(file, ctx.signal);
}

async function show(ctx: Context, info: { file: string; created: boolean; recovered?: string }): Promise<number> {
  const sandbox = await ctx.sandbox();
  const doc = {
    command: "sandbox",
    file: info.file,
    created: info.created,
    ...(info.recovered ? { recovered: info.recovered } : {}),
    accountId: sandbox.accountId,
    stats: sandbox.stats(),
    summary: await sandbox.summary(),
  };
  if (ctx.opts.json) ctx.printJson(doc);
  else {
    ctx.emit(doc, renderSandbox);
  }
  return 0;
}

// ---------- the human rendering of the result (--json prints the result itself) ----------

interface InventoryItem {
  id: Text;
  name?: Text;
  detail: Text;
}

export interface SandboxResult {
  created: boolean;
  file: string;
  accountId: Text;
  recovered?: string;
  stats: { calls: number; mutatingCalls: number };
  summary: {
    global?: Record<string, InventoryItem[]>;
    regions: Record<string, { vpcs: Array<{ id: Text; name?: Text; cidr: Text; default?: boolean; networkInterfaces: number; resources: Record<string, InventoryItem[]> }>; outsideVpcs: Record<string, InventoryItem[]> }>;
  };
}

const INVENTORY_LABELS: Record<string, string> = {
  subnets: "subnets",
  routeTables: "route tables",
  internetGateways: "internet gateways",
  natGateways: "NAT gateways",
  elasticIps: "Elastic IPs",
  endpoints: "VPC endpoints",
  securityGroups: "security groups",
  lambdaFunctions: "Lambda functions",
  instances: "instances",
  resourceGateways: "VPC Lattice resource gateways",
  resourceConfigurations: "VPC Lattice resource configurations",
  resourceShares: "RAM resource shares",
  iamRoles: "IAM roles",
  instanceProfiles: "IAM instance profiles",
};

/** `sandbox show`: the account, then per region and VPC an indented inventory (the JSON has the same). */
export function renderSandbox(r: SandboxResult, c: C): string {
  const lines = [`${r.created ? c.green("✔") + " Created" : "Sandbox"} ${r.file} — account ${c.bold(`${r.accountId}`)} (${r.stats.calls} calls, ${r.stats.mutatingCalls} changes so far)`];
  if (r.recovered) lines.push(c.yellow(`The unreadable state was kept as ${r.recovered}.`));
  const items = (kind: string, list: InventoryItem[], indent: string) => {
    lines.push(`${indent}${INVENTORY_LABELS[kind] ?? kind} (${list.length})`);
    for (const i of list) lines.push(`${indent}  ${i.id}${i.name ? ` ${c.bold(`${i.name}`)}` : ""}  ${c.dim(`${i.detail}`)}`);
  };
  const global = Object.entries(r.summary.global ?? {});
  if (global.length) {
    lines.push("", c.bold("account-wide (IAM)"));
    for (const [kind, list] of global) items(kind, list, "  ");
  }
  for (const [region, inv] of Object.entries(r.summary.regions)) {
    lines.push("", c.bold(region));
    for (const v of inv.vpcs) {
      lines.push(`  ${c.bold(`${v.id}`)}${v.name ? ` ${v.name}` : ""} ${v.cidr}${v.default ? " (default VPC)" : ""} — ${v.networkInterfaces} network interface(s)`);
      for (const [kind, list] of Object.entries(v.resources)) items(kind, list, "    ");
    }
    const outside = Object.entries(inv.outsideVpcs);
    if (outside.length) {
      lines.push("  outside any VPC");
      for (const [kind, list] of outside) items(kind, list, "    ");
    }
  }
  return lines.join("\n");
}
