// Human renderers for command results (pure: data in, text out). JSON output is the same
// result objects printed as-is; the shapes are documented in the README.
import Table from "cli-table3";
import type { Colors } from "./color.js";
import { byText } from "../order.js";

type C = Colors;

export interface RenderOptions {
  /** Width of the terminal the text goes to (process.stdout.columns); undefined when not a terminal. */
  columns?: number;
  /** "egress-cli" with the invocation's backend flags (src/output/invocation.ts), for "Next: …" hints. */
  cli?: string;
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
    ...(r.ipv6Cidr !== undefined ? [`  IPv6 ${r.ipv6Cidr ?? "(not associated yet)"}${r.egressOnlyInternetGatewayId ? `, egress-only internet gateway ${r.egressOnlyInternetGatewayId} (private subnets: ::/0 out, nothing in)` : ""}`] : []),
    r.ipv6Cidr !== undefined
      ? table(["tier", "AZ", "subnet", "IPv4", "IPv6"], [...r.subnets].sort(bySubnetOrder).map((s: any) => [s.tier, s.az, s.subnetId, s.cidr ?? "(IPv6-only)", s.ipv6Cidr ?? ""]), o)
      : table(["tier", "AZ", "subnet", "CIDR"], [...r.subnets].sort(bySubnetOrder).map((s: any) => [s.tier, s.az, s.subnetId, s.cidr]), o),
    // A NAT gateway lives in a public subnet: without one, point at what works (issue 8 item 18).
    r.internetGatewayId
      ? `Next: ${o.cli ?? "egress-cli"} add-nat --mode single   (or --mode per-az for one NAT per AZ)`
      : `Next: ${o.cli ?? "egress-cli"} add-endpoint SERVICE…   (no public subnet, so no NAT gateway: private subnets reach AWS services through VPC endpoints)`,
  ];
  return lines.join("\n");
}

export function renderImport(r: any, c: C, o: RenderOptions = {}): string {
  return [
    `${c.green("✔")} Imported ${c.bold(r.vpcId)} (${r.cidr}) as plan ${c.bold(r.plan)} — nothing imported will ever be deleted by egress-cli`,
    r.subnets.some((s: any) => s.ipv6Cidr)
      ? table(["tier", "AZ", "subnet", "CIDR", "IPv6", "IPv6 tier"], [...r.subnets].sort(bySubnetOrder).map((s: any) => [s.tier, s.az, s.subnetId, s.cidr ?? "(IPv6-only)", s.ipv6Cidr ?? "-", s.ipv6Cidr ? (s.ipv6Tier ?? "none (no ::/0)") : "-"]), o)
      : table(["tier", "AZ", "subnet", "CIDR"], [...r.subnets].sort(bySubnetOrder).map((s: any) => [s.tier, s.az, s.subnetId, s.cidr]), o),
    table(["route table", "tier", "AZs", "main"], r.routeTables.map((t: any) => [t.routeTableId, t.tier, t.azs.join(","), t.main ? "yes" : ""]), o),
  ].join("\n");
}

export function renderAddNat(r: any, c: C, o: RenderOptions = {}): string {
  if (r.dryRun) return dryRunLines(c, r).join("\n");
  return [
    `${c.green("✔")} ${r.natGateways.length} NAT gateway(s), ${r.mode} mode — plan ${c.bold(r.plan)} (${stepSummary(r.steps)})`,
    table(["AZ", "NAT gateway", "Elastic IP", "allocation", "state"], r.natGateways.map((n: any) => [n.az, n.natGatewayId, n.publicIp, n.allocationId + (n.eipOwned ? "" : " (yours)"), n.state]), o),
    `Static egress IP(s): ${c.bold(r.egressIps.join(", "))}`,
    ...(r.nat64 ? [`NAT64 for IPv6-only subnets: ${r.nat64.routes.map((x: any) => `${x.destination} → ${x.natGatewayId} in ${x.routeTableId}`).join(", ")}; DNS64 on for ${r.nat64.subnets.filter((x: any) => x.dns64).map((x: any) => x.subnetId).join(", ")}`] : []),
  ].join("\n");
}

export function renderStatus(r: any, c: C, o: RenderOptions = {}): string {
  const lines = [`Plan ${c.bold(r.plan)} — ${r.region}, account ${r.accountId} (${r.backend})${r.checkedLive ? "" : c.dim(" [offline: not checked against AWS]")}`];
  if (r.destroyed) lines.push(c.yellow("Everything this plan created has been destroyed."));
  if (r.vpcId) lines.push(`VPC ${c.bold(r.vpcId)}`);
  if (r.subnets.length) {
    // IPv6 subnets: their ::/0 (egress-only IGW: out only) and NAT64 route as well
    const v6 = r.subnets.some((s: any) => s.ipv6Cidr);
    const v4Route = (s: any) => (s.cidr ? (s.defaultRoute ?? (s.tier === "private" ? c.yellow("none (no internet)") : "none")) : "- (IPv6-only)");
    const v6Route = (s: any) => (!s.ipv6Cidr ? "-" : [s.ipv6DefaultRoute ?? c.yellow("none"), ...(s.nat64Route ? [`NAT64 → ${s.nat64Route}`] : [])].join("; "));
    lines.push(
      v6
        ? table(["tier", "AZ", "subnet", "CIDR", "IPv6", "0.0.0.0/0 →", "::/0 →"], [...r.subnets].sort(bySubnetOrder).map((s: any) => [s.tier, s.az, s.subnetId, s.cidr ?? "(IPv6-only)", s.ipv6Cidr ?? "-", v4Route(s), v6Route(s)]), o)
        : table(["tier", "AZ", "subnet", "CIDR", "0.0.0.0/0 →"], [...r.subnets].sort(bySubnetOrder).map((s: any) => [s.tier, s.az, s.subnetId, s.cidr, s.defaultRoute ?? (s.tier === "private" ? c.yellow("none (no internet)") : "none")]), o),
    );
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
  // Resource endpoints (a consumer's way to the proxy) are listed with the proxy below.
  for (const e of r.vpcEndpoints ?? []) if (e.type !== "Resource") lines.push(`Endpoint ${e.vpcEndpointId} ${e.serviceName} (${e.type}, ${e.state})`);
  if (r.proxy) lines.push(...renderProxyStatus(r.proxy, c, o));
  lines.push(...renderCost(r.cost, c, o));
  if (r.proxy) lines.push(...renderProxySaving(r.proxy, c));
  return lines.join("\n");
}

/** A cost estimate: its lines, what is unpriced (never counted as 0), its assumptions. */
function renderCost(cost: any, c: C, o: RenderOptions): string[] {
  const lines: string[] = [];
  const what = `${cost.vpcId ? ` of ${cost.vpcId}` : ""}${cost.source === "plan" ? " (from the plan's records)" : ""}`;
  const lower = cost.complete === false ? c.yellow(" (lower bound: see unpriced and assumptions)") : "";
  if (cost.lines.length) {
    lines.push(
      `Estimated monthly cost${what}: ${c.bold(`${cost.totalMonthly.toFixed(2)} ${cost.currency}`)}${lower} (prices as of ${cost.pricesAsOf}, ${cost.hoursPerMonth} h/month)`,
      table(["item", "quantity", "unit price", "monthly"], cost.lines.map((l: any) => [l.item, `${l.quantity} ${l.unit}`, l.unitPrice, l.monthly.toFixed(2)]), o),
    );
  } else lines.push(`Estimated monthly cost${what}: 0.00 USD for hourly items${lower}.`);
  for (const u of cost.unpriced ?? []) lines.push(c.yellow(`  unpriced: ${u.item} — ${u.reason}`));
  for (const a of cost.assumptions) lines.push(c.dim(`  · ${a}`));
  return lines;
}

/** The whole shared design against one NAT gateway + Elastic IP per consumer VPC; the saving is the difference of the two totals printed. */
function renderProxySaving(p: any, c: C): string[] {
  const s = p.saving;
  const lines = [c.bold(`Shared proxy vs one NAT gateway + Elastic IP per consumer VPC (${s.consumerVpcs} consumer VPC(s), NAT data ${s.gbPerMonth} GB/month on both sides${s.gbAssumed ? ": pass --gb-per-month" : ""}):`)];
  lines.push(`  shared design:        ${s.shared.totalMonthly.toFixed(2)} USD/month = egress VPC ${s.shared.egressVpcMonthly.toFixed(2)} + consumers' Resource endpoints ${s.shared.consumerEndpointsMonthly.toFixed(2)}${s.complete ? "" : c.yellow(" (lower bound: something is unpriced)")}`);
  lines.push(`  NAT per consumer VPC: ${s.perConsumerNat.totalMonthly.toFixed(2)} USD/month = ${s.consumerVpcs} x ${s.perConsumerNat.perVpcMonthly.toFixed(2)}${s.perConsumerNat.gbMonthly ? ` + NAT data ${s.perConsumerNat.gbMonthly.toFixed(2)}` : ""}`);
  const verb = s.savingMonthly >= 0 ? "saves" : "costs";
  lines.push(`  The shared proxy ${verb} ${c.bold(`${Math.abs(s.savingMonthly).toFixed(2)} USD/month`)}${s.savingMonthly >= 0 ? "" : " more"} (${s.perConsumerNat.totalMonthly.toFixed(2)} - ${s.shared.totalMonthly.toFixed(2)})`);
  lines.push(`  Break-even: ${s.breakEvenReason}`);
  for (const a of s.assumptions) lines.push(c.dim(`  · ${a}`));
  for (const x of p.consumers ?? []) if (x.error) lines.push(c.yellow(`  consumer ${x.vpcId}: ${x.error}`));
  return lines;
}

/** status's proxy part: the instances, the resource gateway, the consumers' Resource endpoints, the saving. */
function renderProxyStatus(p: any, c: C, o: RenderOptions): string[] {
  const lines: string[] = [];
  if (p.settings) lines.push(`Proxy on port ${p.settings.port}, allowing ${c.bold(p.settings.allowDomains.join(" "))}${p.settings.verifySni ? " (SNI checked)" : ""}`);
  if (p.instances.length) lines.push(table(["AZ", "proxy instance", "state", "type", "private IP", "URL"], p.instances.map((i: any) => [i.az, i.instanceId, i.state ?? "?", i.instanceType, i.privateIp, i.url]), o));
  for (const g of p.resourceGateways) lines.push(`Resource gateway ${g.id}${g.status ? ` (${g.status})` : ""}`);
  if (p.resourceEndpoints.length) lines.push(table(["consumer VPC", "account", "Resource endpoint", "subnets", "state"], p.resourceEndpoints.map((e: any) => [e.vpcId, e.accountId, e.vpcEndpointId, e.subnetIds.join(","), e.state ?? "?"]), o));
  for (const x of p.consumers ?? []) {
    if (!x.cost) continue;
    lines.push(`Consumer VPC ${x.vpcId}: ${x.cost.totalMonthly.toFixed(2)} USD/month ${x.cost.source === "live" ? "as it runs" : "for this plan's endpoints"} (${x.cost.lines.map((l: any) => `${l.item} ${l.monthly.toFixed(2)}`).join("; ") || "nothing billed hourly"})${x.cost.complete ? "" : c.yellow(" (lower bound)")}`);
    for (const u of x.cost.unpriced) lines.push(c.yellow(`  unpriced: ${u.item} — ${u.reason}`));
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
  resourceGateways: "VPC Lattice resource gateways",
  resourceConfigurations: "VPC Lattice resource configurations",
  resourceShares: "RAM resource shares",
  iamRoles: "IAM roles",
  instanceProfiles: "IAM instance profiles",
};

/** `sandbox show`: the account, then per region and VPC an indented inventory (the JSON has the same). */
export function renderSandbox(r: any, c: C): string {
  const lines = [`${r.created ? c.green("✔") + " Created" : "Sandbox"} ${r.file} — account ${c.bold(r.accountId)} (${r.stats.calls} calls, ${r.stats.mutatingCalls} changes so far)`];
  if (r.recovered) lines.push(c.yellow(`The unreadable state was kept as ${r.recovered}.`));
  const items = (kind: string, list: any[], indent: string) => {
    lines.push(`${indent}${INVENTORY_LABELS[kind] ?? kind} (${list.length})`);
    for (const i of list) lines.push(`${indent}  ${i.id}${i.name ? ` ${c.bold(i.name)}` : ""}  ${c.dim(i.detail)}`);
  };
  const global = Object.entries<any[]>(r.summary.global ?? {});
  if (global.length) {
    lines.push("", c.bold("account-wide (IAM)"));
    for (const [kind, list] of global) items(kind, list, "  ");
  }
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
  lines.push(`Security group: ${r.securityGroupId}${r.securityGroupCreated ? ` (created, no ingress; out: ${r.egress.map((e: any) => `tcp/${e.port} to ${e.cidr}`).join(", ")})` : " (yours)"}`);
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

/** Each endpoint policy that is not AWS's full-access default, one line per statement; then where derived inputs came from. */
function endpointPolicyLines(r: any, c: C): string[] {
  const list = (x: unknown) => (Array.isArray(x) ? x : [x]).join(", ");
  const lines: string[] = [];
  for (const e of r.endpoints ?? []) {
    const doc = e.policyDocument;
    if (e.policy === "full" || !doc || typeof doc !== "object") continue;
    lines.push(`Policy of the ${e.service} endpoint (${e.policy}):`);
    for (const st of doc.Statement ?? []) {
      const p = st.Principal === "*" ? "anyone" : Object.entries(st.Principal ?? {}).map(([k, v]) => `${k} ${list(v)}`).join("; ");
      lines.push(`  ${st.Effect} ${p}: ${list(st.Action ?? st.NotAction)} on ${list(st.Resource ?? "*")}`);
    }
  }
  for (const d of r.derivedPolicyInputs ?? []) {
    const what = [d.principals && "principal(s)", d.resources && "secret(s)"].filter(Boolean).join(" and ");
    for (const f of d.from) lines.push(c.dim(`  ${d.service}: ${what} derived from event source mapping ${f.eventSourceMapping} (function ${f.functionArn.split(":").pop()}, role ${f.role}, secret(s) ${f.secrets.join(", ")}); --principal/--resource override`));
  }
  return lines;
}

export function renderAddEndpoint(r: any, c: C, o: RenderOptions = {}): string {
  if (r.dryRun) return [...dryRunLines(c, r), ...endpointPolicyLines(r, c)].join("\n");
  const lines = [`${c.green("✔")} ${r.endpoints.length} VPC endpoint(s) in ${r.vpcId} — plan ${c.bold(r.plan)} (${stepSummary(r.steps)})`];
  lines.push(table(["service", "type", "endpoint", "state", "where", "private DNS", "policy"], r.endpoints.map((e: any) => [e.service, e.type, e.vpcEndpointId, e.state, e.type === "Gateway" ? e.routeTableIds.join(", ") : e.subnetIds.join(", "), e.type === "Gateway" ? "-" : e.privateDns ? "on" : "off", e.policy]), o));
  if (r.allowFrom.length) lines.push(`Endpoint security group(s) admit 443 only from: ${r.allowFrom.map((a: any) => a.label).join(", ")}`);
  lines.push(...endpointPolicyLines(r, c));
  for (const [svc, azs] of Object.entries(r.skippedAzs ?? {})) if ((azs as string[]).length) lines.push(c.yellow(`${svc} is not offered in ${(azs as string[]).join(", ")}: no endpoint ENI there.`));
  for (const chk of r.clusterChecks ?? []) lines.push(`${chk.ok ? c.green("✔") : c.yellow("✘")} ${chk.check}${chk.detail ? `: ${chk.detail}` : ""}`);
  return lines.join("\n");
}
