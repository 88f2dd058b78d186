// Human renderers for command results (pure: data in, text out). JSON output is the same
// result objects printed as-is; the shapes are documented in the README.
import Table from "cli-table3";
import type { Colors } from "./color.js";
import { byText } from "../order.js";

type C = Colors;

export interface RenderOptions {
  /** Width of the terminal the text goes to (process.stdout.columns); undefined when not a terminal. */
  columns?: number;
}

const ANSI = /\u001b\[[0-9;]*m/g;
const visible = (s: string) => s.replace(ANSI, "").length;

/**
 * Column widths (padding included) that fit `columns`: the widest columns give way first, down to
 * 8; undefined when the natural widths fit (or there is no terminal width).
 */
export function fitColumns(natural: number[], columns: number | undefined): number[] | undefined {
  const total = (w: number[]) => w.reduce((a, b) => a + b, 0) + w.length + 1; // + borders
  if (!columns || total(natural) <= columns) return undefined;
  const w = [...natural];
  while (total(w) > columns) {
    const i = w.indexOf(Math.max(...w));
    if (w[i] <= 8) break;
    w[i]--;
  }
  return w;
}

function table(head: string[], rows: (string | number | null | undefined)[][], o: RenderOptions = {}): string {
  const cells = rows.map((r) => r.map((x) => (x === null || x === undefined ? "-" : String(x))));
  const natural = head.map((h, i) => Math.max(visible(h), ...cells.map((r) => Math.max(...String(r[i] ?? "").split("\n").map(visible)))) + 2);
  const fit = fitColumns(natural, o.columns);
  const t = new Table({
    head,
    style: { head: [], border: [], compact: true },
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
    // Values that do not fit wrap (ids break across lines) rather than being cut off.
    ...(fit ? { colWidths: fit, wordWrap: true, wrapOnWordBoundary: false } : {}),
  });
  for (const r of cells) t.push(r);
  return t.toString();
}

/** Public subnets first, then private; by AZ, then CIDR. */
function bySubnetOrder(a: any, b: any): number {
  return (a.tier === "public" ? 0 : 1) - (b.tier === "public" ? 0 : 1) || byText(String(a.az), String(b.az)) || byText(String(a.cidr), String(b.cidr));
}

function stepSummary(steps: Record<string, string>): string {
  const counts: Record<string, number> = {};
  for (const o of Object.values(steps)) counts[o] = (counts[o] ?? 0) + 1;
  return Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(", ") || "nothing to do";
}

function dryRunLines(c: C, r: { dryRun: boolean; steps?: Record<string, string>; dryRunChecks?: unknown }): string[] {
  if (!r.dryRun) return [];
  const checks = (r.dryRunChecks ?? []) as Array<{ step: string; result: string; detail?: string }>;
  const lines = [c.bold("Dry run — nothing was changed."), ""];
  for (const [step, outcome] of Object.entries(r.steps ?? {})) {
    const chk = checks.find((x) => x.step === step);
    const mark = outcome === "would-skip" ? c.dim("exists      ") : c.yellow("would create");
    lines.push(`  ${mark} ${step}${chk ? c.dim(`  [permission: ${chk.result}${chk.detail ? `, ${chk.detail}` : ""}]`) : ""}`);
  }
  return lines;
}

export function renderCreateVpc(r: any, c: C, o: RenderOptions = {}): string {
  if (r.dryRun) return dryRunLines(c, r).join("\n");
  const lines = [
    `${c.green("✔")} VPC ${c.bold(r.vpcId)} (${r.cidr}) in ${r.region} — plan ${c.bold(r.plan)} (${stepSummary(r.steps)})`,
    r.internetGatewayId ? `  internet gateway ${r.internetGatewayId}` : `  no internet gateway (no public subnets)`,
    table(["tier", "AZ", "subnet", "CIDR"], [...r.subnets].sort(bySubnetOrder).map((s: any) => [s.tier, s.az, s.subnetId, s.cidr]), o),
    // A NAT gateway lives in a public subnet: without one, point at what works (issue 8 item 18).
    r.internetGatewayId
      ? `Next: egress-cli add-nat --mode single   (or --mode per-az for one NAT per AZ)`
      : `Next: egress-cli add-endpoint SERVICE…   (no public subnet, so no NAT gateway: private subnets reach AWS services through VPC endpoints)`,
  ];
  return lines.join("\n");
}

export function renderImport(r: any, c: C, o: RenderOptions = {}): string {
  return [
    `${c.green("✔")} Imported ${c.bold(r.vpcId)} (${r.cidr}) as plan ${c.bold(r.plan)} — nothing imported will ever be deleted by egress-cli`,
    table(["tier", "AZ", "subnet", "CIDR"], [...r.subnets].sort(bySubnetOrder).map((s: any) => [s.tier, s.az, s.subnetId, s.cidr]), o),
    table(["route table", "tier", "AZs", "main"], r.routeTables.map((t: any) => [t.routeTableId, t.tier, t.azs.join(","), t.main ? "yes" : ""]), o),
  ].join("\n");
}

export function renderAddNat(r: any, c: C, o: RenderOptions = {}): string {
  if (r.dryRun) return dryRunLines(c, r).join("\n");
  return [
    `${c.green("✔")} ${r.natGateways.length} NAT gateway(s), ${r.mode} mode — plan ${c.bold(r.plan)} (${stepSummary(r.steps)})`,
    table(["AZ", "NAT gateway", "Elastic IP", "allocation", "state"], r.natGateways.map((n: any) => [n.az, n.natGatewayId, n.publicIp, n.allocationId + (n.eipOwned ? "" : " (yours)"), n.state]), o),
    `Static egress IP(s): ${c.bold(r.egressIps.join(", "))}`,
  ].join("\n");
}

export function renderStatus(r: any, c: C, o: RenderOptions = {}): string {
  const lines = [`Plan ${c.bold(r.plan)} — ${r.region}, account ${r.accountId} (${r.backend})${r.checkedLive ? "" : c.dim(" [offline: not checked against AWS]")}`];
  if (r.destroyed) lines.push(c.yellow("Everything this plan created has been destroyed."));
  if (r.vpcId) lines.push(`VPC ${c.bold(r.vpcId)}`);
  if (r.subnets.length) {
    lines.push(table(["tier", "AZ", "subnet", "CIDR", "0.0.0.0/0 →"], [...r.subnets].sort(bySubnetOrder).map((s: any) => [s.tier, s.az, s.subnetId, s.cidr, s.defaultRoute ?? (s.tier === "private" ? c.yellow("none (no internet)") : "none")]), o));
  }
  if (r.drift?.length) {
    lines.push(c.yellow(`Drift: AWS differs from what the plan recorded (${r.drift.length}):`));
    for (const d of r.drift) lines.push(c.yellow(`  ${d.subnetId}: ${d.what} is ${d.live ?? "none"} (plan: ${d.plan ?? "none"})`));
    lines.push(c.dim("  re-run the command that made it (add-nat, create-vpc …) to put the plan's routes back, or check who changed them."));
  }
  if (r.natGateways.length) lines.push(table(["AZ", "NAT gateway", "Elastic IP", "state"], r.natGateways.map((n: any) => [n.az, n.natGatewayId, n.publicIp, n.state]), o));
  const owned = r.resources.filter((x: any) => x.owned).length;
  if (r.resources.length) lines.push(c.dim(`${r.resources.length} resources recorded (${owned} created by egress-cli); --json lists them all.`));
  lines.push(r.egressIps.length ? `Static egress IP(s): ${c.bold(r.egressIps.join(", "))}` : "No static egress IP (no NAT gateway).");
  for (const f of r.lambdaFunctions ?? []) lines.push(`Lambda ${c.bold(f.functionName)} in ${f.subnetIds.length} subnet(s), SG ${f.securityGroupIds.join(", ")} — egress IP(s): ${f.egressIps.length ? c.bold(f.egressIps.join(", ")) : "none (no NAT route)"}`);
  for (const e of r.vpcEndpoints ?? []) lines.push(`Endpoint ${e.vpcEndpointId} ${e.serviceName} (${e.type}, ${e.state})`);
  if (r.proxy) lines.push(...renderProxyStatus(r.proxy, c, o));
  const cost = r.cost;
  if (cost.lines.length) {
    lines.push(
      `Estimated monthly cost: ${c.bold(`${cost.totalMonthly.toFixed(2)} ${cost.currency}`)} (prices as of ${cost.pricesAsOf}, ${cost.hoursPerMonth} h/month)`,
      table(["item", "quantity", "unit price", "monthly"], cost.lines.map((l: any) => [l.item, `${l.quantity} ${l.unit}`, l.unitPrice, l.monthly.toFixed(2)]), o),
    );
  } else lines.push("Estimated monthly cost: 0.00 USD for hourly items.");
  for (const a of cost.assumptions) lines.push(c.dim(`  · ${a}`));
  return lines.join("\n");
}

/** status's proxy part: the instances, the resource gateway, the consumers' Resource endpoints, the saving. */
function renderProxyStatus(p: any, c: C, o: RenderOptions): string[] {
  const lines: string[] = [];
  if (p.settings) lines.push(`Proxy on port ${p.settings.port}, allowing ${c.bold(p.settings.allowDomains.join(" "))}${p.settings.verifySni ? " (SNI checked)" : ""}`);
  if (p.instances.length) lines.push(table(["AZ", "proxy instance", "state", "type", "private IP", "URL"], p.instances.map((i: any) => [i.az, i.instanceId, i.state ?? "?", i.instanceType, i.privateIp, i.url]), o));
  for (const g of p.resourceGateways) lines.push(`Resource gateway ${g.id}${g.status ? ` (${g.status})` : ""}`);
  if (p.resourceEndpoints.length) lines.push(table(["consumer VPC", "account", "Resource endpoint", "subnets", "state"], p.resourceEndpoints.map((e: any) => [e.vpcId, e.accountId, e.vpcEndpointId, e.subnetIds.join(","), e.state ?? "?"]), o));
  const s = p.saving;
  if (s.consumerVpcs > 0) {
    const verb = s.savingMonthly >= 0 ? "saves" : "costs";
    lines.push(`The shared proxy ${verb} ${c.bold(`${Math.abs(s.savingMonthly).toFixed(2)} USD/month`)} against one NAT gateway per consumer VPC (${s.consumerVpcs} x ${s.natPerVpcMonthly.toFixed(2)} = ${s.natAlternativeMonthly.toFixed(2)}; proxy ${s.proxyMonthly.toFixed(2)})`);
  }
  return lines;
}

/** "kind id (step)"; settings without an id of their own (a VPC attribute) are named by their step alone. */
export function describeResource(r: { step: string; kind: string; id?: string | null }): string {
  return r.id ? `${r.kind} ${r.id} (${r.step})` : `${r.kind} ${r.step}`;
}

export function renderDestroy(r: any, c: C): string {
  if (r.dryRun) {
    const orphans = (r.orphans ?? []).map((o: any) => `  ${o.kind} ${o.id} (orphan of step ${o.step}, left by an interrupted run)`);
    if (!r.wouldDelete.length && !orphans.length) return "Dry run — nothing to delete.";
    return [c.bold("Dry run — would delete, in this order:"), ...r.wouldDelete.map((d: any) => `  ${describeResource(d)}`), ...orphans].join("\n");
  }
  const lines = [`${c.green("✔")} Destroyed plan ${c.bold(r.plan)}: ${r.deleted.length} resource(s) deleted`];
  if (r.orphansAdopted.length) lines.push(`  also removed ${r.orphansAdopted.length} orphan(s) left by an interrupted run: ${r.orphansAdopted.map((o: any) => o.id).join(", ")}`);
  const kept = r.kept.filter((k: any) => k.kind !== "vpc-attribute");
  const imported = kept.filter((k: any) => k.reason === "not owned (imported or yours)");
  if (imported.length) lines.push(`  kept (not owned): ${imported.map((k: any) => `${k.kind} ${k.id}`).join(", ")}`);
  for (const k of kept.filter((x: any) => !imported.includes(x))) lines.push(`  kept ${k.kind} ${k.id ?? ""} (${k.step}): ${k.reason}`);
  return lines.join("\n");
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
};

/** `sandbox show`: the account, then per region and VPC an indented inventory (the JSON has the same). */
export function renderSandbox(r: any, c: C): string {
  const lines = [`${r.created ? c.green("✔") + " Created" : "Sandbox"} ${r.file} — account ${c.bold(r.accountId)} (${r.stats.calls} calls, ${r.stats.mutatingCalls} changes so far)`];
  if (r.recovered) lines.push(c.yellow(`The unreadable state was kept as ${r.recovered}.`));
  const items = (kind: string, list: any[], indent: string) => {
    lines.push(`${indent}${INVENTORY_LABELS[kind] ?? kind} (${list.length})`);
    for (const i of list) lines.push(`${indent}  ${i.id}${i.name ? ` ${c.bold(i.name)}` : ""}  ${c.dim(i.detail)}`);
  };
  for (const [region, inv] of Object.entries<any>(r.summary.regions)) {
    lines.push("", c.bold(region));
    for (const v of inv.vpcs) {
      lines.push(`  ${c.bold(v.id)}${v.name ? ` ${v.name}` : ""} ${v.cidr}${v.default ? " (default VPC)" : ""} — ${v.networkInterfaces} network interface(s)`);
      for (const [kind, list] of Object.entries<any[]>(v.resources)) items(kind, list, "    ");
    }
    const outside = Object.entries<any[]>(inv.outsideVpcs);
    if (outside.length) {
      lines.push("  outside any VPC");
      for (const [kind, list] of outside) items(kind, list, "    ");
    }
  }
  return lines.join("\n");
}

// ---------- attach-lambda, detach-lambda, add-endpoint ----------

export function renderAttachLambda(r: any, c: C, o: RenderOptions = {}): string {
  if (r.dryRun) return dryRunLines(c, r).join("\n");
  const lines = [`${c.green("✔")} Lambda function ${c.bold(r.functionName)} attached to ${r.vpcId} — plan ${c.bold(r.plan)} (${stepSummary(r.steps)})`];
  lines.push(table(["subnet", "route table", "egress"], r.subnets.map((s: any) => [s.subnetId, s.routeTableId, s.egressIp ? `NAT ${s.natGatewayId} → ${s.egressIp}` : s.public ? "public (no public IP for Lambda ENIs)" : "VPC only"]), o));
  lines.push(`Security group: ${r.securityGroupId}${r.securityGroupCreated ? " (created, no ingress)" : " (yours)"}`);
  if (r.iam.attachedPolicy) lines.push(`Execution role ${r.iam.roleName}: ${r.iam.changed ? "attached" : "has"} ${r.iam.attachedPolicy.split("/").pop()}${r.iam.changed ? " (ENI permissions; detach-lambda/destroy remove it)" : ""}`);
  else if (r.iam.alreadyGrantedBy.length) lines.push(`Execution role ${r.iam.roleName}: ENI permissions already granted by ${r.iam.alreadyGrantedBy.join(", ")} (unchanged)`);
  if (r.previousVpcConfig) lines.push(c.dim(`Previous VPC config recorded (restored by detach-lambda/destroy): ${r.previousVpcConfig.SubnetIds.join(", ")}`));
  lines.push(r.egressIps.length ? `Egress IP(s) of ${r.functionName}: ${c.bold(r.egressIps.join(", "))}` : c.yellow(`${r.functionName} has no internet egress from these subnets (no NAT route).`));
  return lines.join("\n");
}

export function renderDetachLambda(r: any, c: C): string {
  if (r.dryRun) return `Dry run — would restore ${r.functionName}'s VPC config to ${r.restoresVpcConfig ? JSON.stringify(r.restoresVpcConfig) : "none"} and undo ${r.wouldDelete.join(", ")}.`;
  const lines = [`${c.green("✔")} ${r.functionName}: VPC config restored to ${r.restoredVpcConfig ? r.restoredVpcConfig.SubnetIds.join(", ") : "none (no VPC)"}`];
  for (const k of r.kept) lines.push(c.dim(`  kept ${k.step} ${k.id ?? ""}: ${k.reason}`));
  return lines.join("\n");
}

export function renderAddEndpoint(r: any, c: C, o: RenderOptions = {}): string {
  if (r.dryRun) return dryRunLines(c, r).join("\n");
  const lines = [`${c.green("✔")} ${r.endpoints.length} VPC endpoint(s) in ${r.vpcId} — plan ${c.bold(r.plan)} (${stepSummary(r.steps)})`];
  lines.push(table(["service", "type", "endpoint", "state", "where", "private DNS", "policy"], r.endpoints.map((e: any) => [e.service, e.type, e.vpcEndpointId, e.state, e.type === "Gateway" ? e.routeTableIds.join(", ") : e.subnetIds.join(", "), e.type === "Gateway" ? "-" : e.privateDns ? "on" : "off", e.policy]), o));
  if (r.allowFrom.length) lines.push(`Endpoint security group(s) admit 443 only from: ${r.allowFrom.map((a: any) => a.label).join(", ")}`);
  for (const [svc, azs] of Object.entries(r.skippedAzs ?? {})) if ((azs as string[]).length) lines.push(c.yellow(`${svc} is not offered in ${(azs as string[]).join(", ")}: no endpoint ENI there.`));
  for (const chk of r.clusterChecks ?? []) lines.push(`${chk.ok ? c.green("✔") : c.yellow("✘")} ${chk.check}${chk.detail ? `: ${chk.detail}` : ""}`);
  return lines.join("\n");
}
