// cost: the account's egress bill by VPC (NAT gateway hours and GB, public IPv4 addresses, interface and
// Resource endpoint AZ-hours, egress instances, resource gateways) from a live snapshot or a --snapshot
// FILE, with the savings the audit's cost rules find. One cost model for status, audit and cost:
// src/analysis/cost.ts, fed by src/analysis/rules/bill.ts.
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import type { Options } from "./cost.spec.js";

const COST_RULES = ["cost-shared-egress", "cost-gateway-endpoint", "cost-nat-mode", "eip-unassociated"];

export async function costCommand(ctx: Context, opts: Options): Promise<number> {
  const problems: string[] = [];
  if (opts.snapshot && (opts.allVpcs || opts.vpc?.length)) problems.push("--snapshot prices a file: --all-vpcs/--vpc do not apply.");
  if (opts.allVpcs && opts.vpc?.length) problems.push("--vpc and --all-vpcs both choose the scope; pass one of them.");
  if (problems.length) throw new UsageError(problems.join(" "));
  const gb = opts.gbPerMonth;
  const { readSnapshotFile, takeSnapshot } = await import("./snapshot.js");
  const snap = opts.snapshot ? await readSnapshotFile(ctx, opts.snapshot) : await takeSnapshot(ctx, opts.vpc?.length ? { vpc: opts.vpc } : opts.allVpcs ? { allVpcs: true } : {});
  const { buildIndex } = await import("../analysis/snapshot-index.js");
  const { vpcCosts } = await import("../analysis/rules/bill.js");
  const ix = buildIndex(snap);
  // --gb-per-month is the scope's NAT traffic, split over its NAT gateways (status does the same for its plan's VPC).
  const bill = vpcCosts(ix, gb !== undefined ? { gbPerMonth: gb } : {});
  const vpcs = bill.vpcs.map(({ estimate: _e, input: _i, ...v }) => v);
  const { auditSnapshot, selectRules } = await import("../analysis/audit.js");
  const a = auditSnapshot(snap, selectRules({ rules: COST_RULES }), { source: opts.snapshot ? `snapshot ${opts.snapshot}` : "live" });
  // Fixes as the user can paste them: this run's backend and global flags (as audit's, src/output/invocation.ts).
  const { carryFlags, invocationFlags } = await import("../output/invocation.js");
  const flags = invocationFlags({ ...ctx.opts, region: ctx.opts.region ?? (opts.snapshot ? snap.region : undefined) }, ctx.env);
  const savings = a.findings.filter((f) => f.status === "open").map((f) => ({ ruleId: f.ruleId, resourceId: f.resourceId, message: f.message, fix: carryFlags(f.fix, flags), ...(f.monthlySavings !== undefined ? { monthlySavings: f.monthlySavings } : {}) }));
  const round = (x: number) => Math.round(x * 100) / 100;
  // --compare-nat-modes: each VPC that egresses through NAT, its AZs priced in the three designs.
  const natModes = opts.compareNatModes ? await compareNatModes(ix, vpcs.map((v) => v.vpcId), gb) : undefined;
  const assumptions = [...new Set([...bill.vpcs.flatMap((v) => v.estimate.assumptions), ...bill.idle.assumptions])];
  const unpriced = bill.vpcs.flatMap((v) => v.unpriced.map((u) => ({ vpcId: v.vpcId, ...u })));
  const result = {
    command: "cost",
    region: snap.region,
    accountId: snap.accountId,
    currency: "USD",
    pricesAsOf: bill.idle.pricesAsOf,
    vpcs: vpcs.filter((v) => v.lines.length || v.unpriced.length),
    idleAddresses: { count: bill.input.idlePublicIpv4, monthly: bill.idle.totalMonthly },
    totalMonthly: round(vpcs.reduce((s, v) => s + v.totalMonthly, 0) + bill.idle.totalMonthly),
    /** false: something is unpriced (listed), so the total is a lower bound. */
    complete: bill.vpcs.every((v) => v.complete) && bill.idle.complete,
    unpriced,
    savings,
    savingsMonthly: round(savings.reduce((s, x) => s + (x.monthlySavings ?? 0), 0)),
    assumptions,
    ...(natModes ? { natModes } : {}),
  };
  ctx.emit(result, (r, c) => {
    const out = [c.bold(`Egress bill · ${r.accountId} · ${r.region} (prices as of ${r.pricesAsOf})`), ""];
    for (const v of r.vpcs) {
      out.push(`${v.vpcId}${v.name ? ` (${v.name})` : ""}: ${v.totalMonthly.toFixed(2)} USD/month`);
      for (const l of v.lines) out.push(`  ${l.item.padEnd(60)} ${l.monthly.toFixed(2).padStart(9)}`);
      for (const u of v.unpriced) out.push(c.yellow(`  ${u.item.padEnd(60)}  unpriced: ${u.reason}`));
    }
    if (r.idleAddresses.count) out.push(`Idle Elastic IPs (${r.idleAddresses.count}): ${r.idleAddresses.monthly.toFixed(2)} USD/month`);
    out.push("", c.bold(`Total: ${r.totalMonthly.toFixed(2)} USD/month${r.complete ? "" : " (lower bound: see the unpriced items and assumptions)"}`));
    if (r.savings.length) {
      out.push("", c.bold(`Savings found (${r.savingsMonthly.toFixed(2)} USD/month where a figure is known):`));
      for (const s of r.savings) out.push(`  ${c.green("$")} ${s.ruleId} ${s.resourceId}: ${s.message}`, `    fix: ${s.fix}`);
    }
    if (r.natModes) {
      out.push("", c.bold("NAT designs for each VPC as it is (USD/month):"));
      if (!r.natModes.length) out.push("  no VPC in scope sends 0.0.0.0/0 to a NAT gateway or has private subnets");
      for (const v of r.natModes) {
        out.push(`${v.vpcId}: ${v.azs.length} AZ(s) (${v.azs.join(", ") || "none"}), today ${v.current}${v.natGatewayIds.length ? ` (${v.natGatewayIds.join(", ")})` : ""}`);
        for (const m of v.modes) {
          const mark = (m.mode === v.current ? "* " : "  ") + m.mode.padEnd(9);
          out.push(`  ${mark} ${m.totalMonthly.toFixed(2).padStart(9)}${m.estimate ? " (estimate)" : "           "}${m.mode === v.cheapest ? c.green("  cheapest") : ""}  ${c.gray(m.note)}`);
        }
      }
      out.push(c.gray("  (* today's design; regional NAT gateway prices are an estimate: see the assumptions)"));
      for (const x of r.natModes[0]?.assumptions ?? []) out.push(c.gray(`  · ${x}`));
    }
    out.push("", ...r.assumptions.map((x) => c.gray(`  · ${x}`)));
    return out.join("\n");
  });
  return 0;
}

/** The three NAT designs for each VPC's NAT-served AZs (else its private subnets' AZs), by the one cost model. */
async function compareNatModes(ix: import("../analysis/snapshot-index.js").SnapshotIndex, vpcIds: string[], gb: number | undefined) {
  const { natDesignOf } = await import("../analysis/nat.js");
  const { natModesComparison } = await import("../analysis/cost.js");
  const { tierOf } = await import("../analysis/rules/util.js");
  const out = [];
  for (const vpcId of vpcIds) {
    const d = natDesignOf(ix, vpcId);
    const azs = d.workloadAzs.length ? d.workloadAzs : d.azs.length ? d.azs : [...new Set((ix.subnetsByVpc.get(vpcId) ?? []).filter((s) => tierOf(ix, s) !== "public").map((s) => s.AvailabilityZone).filter((z): z is string => !!z))].sort();
    if (!azs.length) continue;
    const { azs: _n, ...priced } = natModesComparison({ region: ix.snapshot.region, azs: azs.length, ...(gb !== undefined ? { gbPerMonth: gb } : {}) });
    out.push({ ...d, azs, ...priced });
  }
  return out;
}
