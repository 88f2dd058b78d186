// The NAT layouts add-nat builds, as engine steps (zonal: single / per-az; regional: manual or automatic),
// and the summary it prints. Shared by add-nat.ts and its mode switch (nat-switch.ts).
import { UsageError } from "../errors.js";
import type { StepDef } from "../engine/engine.js";
import { elasticIpKind, elasticIpStep } from "../engine/kinds/elastic-ip.js";
import { natGatewayKind, natGatewayStep, regionalNatGatewayStep } from "../engine/kinds/nat-gateway.js";
import { routeKind, routeStep } from "../engine/kinds/route.js";
import { recordOf, recordsOf } from "../engine/kinds/kind.js";
import { privateRouteTables, publicSubnetsByAz, requirePlanVpc, routeTableAzs } from "../engine/kinds/views.js";
import type { Plan, PlanSpec } from "../plans/schema.js";
import { type C, type DryRunPart, type RenderOptions, dryRunLines, stepSummary, table } from "../output/render.js";
import type { Options } from "./add-nat.spec.js";
import { nat64Steps, summarizeNat64 } from "./add-nat-nat64.js";

/** add-nat's inputs, as plan.spec.nat records them (the plan schema declares the section). */
export type NatSpec = NonNullable<PlanSpec["nat"]>;

/** The Elastic IP step of an AZ: the user's (recorded owned: false, never released) or one the plan allocated. */
function eipStepOf(plan: Plan, az: string, allocationId: string | undefined): StepDef {
  const id = `nat/${az}/eip`;
  const rec = plan.resources[id];
  const planAllocated = rec && rec.owned !== false && rec.id === allocationId;
  return elasticIpStep({ id, az, byoAllocationId: planAllocated ? undefined : allocationId });
}

export function natSteps(plan: Plan, spec: NatSpec): StepDef[] {
  if (spec.mode === "regional") return regionalNatSteps(plan, spec);
  const publicByAz = publicSubnetsByAz(plan);
  const steps: StepDef[] = [];
  const igwAttached = plan.resources["igw/attachment"]?.state === "created" ? ["igw/attachment"] : [];
  spec.azs.forEach((az, i) => {
    const eipStep = `nat/${az}/eip`;
    steps.push(eipStepOf(plan, az, spec.eips?.[i]));
    steps.push(natGatewayStep({ id: `nat/${az}`, az, subnetStep: publicByAz.get(az)!, eipStep, dependsOn: igwAttached }));
  });
  for (const [rtStep, rec] of privateRouteTables(plan)) {
    const azs = routeTableAzs(rec);
    const natAz = spec.mode === "single" ? spec.azs[0] : azs[0];
    steps.push(
      routeStep({
        id: `${rtStep}/nat-route`,
        label: `route 0.0.0.0/0 → NAT gateway (${natAz}) in ${rtStep}`,
        routeTableStep: rtStep,
        destination: "0.0.0.0/0",
        target: (run) => ({ NatGatewayId: run.ref(`nat/${natAz}`) }),
        dependsOn: [`nat/${natAz}`],
      }),
    );
  }
  // IPv6-only private subnets: 64:ff9b::/96 → the same NAT (NAT64), then DNS64 on (add-nat-nat64.ts)
  steps.push(...nat64Steps(plan, (rec) => `nat/${spec.mode === "single" ? spec.azs[0] : routeTableAzs(rec)[0]}`));
  return steps;
}

/** The step of the plan's regional NAT gateway. */
export const REGIONAL_NAT_STEP = "nat/regional";

/**
 * --mode regional: the user's (or, after --reuse-eips, the plan's) Elastic IPs per AZ (manual mode) or
 * none (automatic), one regional NAT gateway, and every private table's 0.0.0.0/0 → it.
 */
export function regionalNatSteps(plan: Plan, spec: NatSpec): StepDef[] {
  const igwAttached = plan.resources["igw/attachment"]?.state === "created" ? ["igw/attachment"] : [];
  const manual = (spec.eips ?? []).map((allocationId, i) => ({ az: spec.azs[i], allocationId }));
  const steps: StepDef[] = manual.map((m) => eipStepOf(plan, m.az, m.allocationId));
  steps.push(regionalNatGatewayStep({ id: REGIONAL_NAT_STEP, vpcId: requirePlanVpc(plan), azEips: manual.map((m) => ({ az: m.az, eipStep: `nat/${m.az}/eip` })), dependsOn: igwAttached }));
  for (const [rtStep] of privateRouteTables(plan)) {
    steps.push(
      routeStep({
        id: `${rtStep}/nat-route`,
        label: `route 0.0.0.0/0 → regional NAT gateway in ${rtStep}`,
        routeTableStep: rtStep,
        destination: "0.0.0.0/0",
        target: (run) => ({ NatGatewayId: run.ref(REGIONAL_NAT_STEP) }),
        dependsOn: [REGIONAL_NAT_STEP],
      }),
    );
  }
  return steps;
}

/** --az-eip values: "AZ=ALLOC" pairs, comma-separated and/or repeated; each AZ and each allocation once. */
export function parseAzEips(values: string[]): Array<{ az: string; allocationId: string }> {
  const pairs = values.flatMap((v) => v.split(",")).map((x) => x.trim()).filter(Boolean);
  const problems: string[] = [];
  const out = pairs.flatMap((p) => {
    const m = /^([a-z]{2}(?:-[a-z]+)+-\d+[a-z])=(eipalloc-[0-9a-f]{8}(?:[0-9a-f]{9})?)$/.exec(p);
    if (!m) {
      problems.push(`--az-eip ${p}: expected AZ=ALLOCATION-ID (us-east-1a=eipalloc-0123456789abcdef0)`);
      return [];
    }
    return [{ az: m[1], allocationId: m[2] }];
  });
  const dup = (k: "az" | "allocationId") => out.map((x) => x[k]).filter((x, i, a) => a.indexOf(x) !== i);
  for (const az of new Set(dup("az"))) problems.push(`--az-eip lists ${az} twice (give one Elastic IP per AZ)`);
  for (const id of new Set(dup("allocationId"))) problems.push(`--az-eip lists ${id} twice (an Elastic IP serves one AZ)`);
  if (problems.length) throw new UsageError(problems.join("; ") + ".");
  return out.sort((a, b) => (a.az < b.az ? -1 : a.az > b.az ? 1 : 0));
}

/** One NAT gateway (zonal) or one address of a regional one, as add-nat prints them. */
export interface NatRow {
  step: string;
  natGatewayId: string | null;
  availabilityMode: "zonal" | "regional";
  /** Regional: automatic or manual. */
  mode?: string;
  az?: string;
  subnetId?: string;
  state?: string;
  publicIp?: string;
  allocationId?: string;
  addressStatus?: string;
  eipOwned?: boolean;
}

export function summarizeNat(plan: Plan, dryRun: boolean, steps: Record<string, string>, dryRunChecks: unknown[]) {
  const eipOwned = (allocationId: string | undefined) => {
    const rec = recordsOf(plan, elasticIpKind).find(([, r]) => r.id === allocationId)?.[1];
    return rec ? rec.owned !== false : allocationId === undefined;
  };
  // a regional gateway is one row per address (its AZ, IP and association status)
  const nats = recordsOf(plan, natGatewayKind).flatMap(([step, r]): NatRow[] => {
    const a = r.attrs;
    if (a.availabilityMode === "regional") {
      const base = { step, natGatewayId: r.id, availabilityMode: "regional" as const, mode: a.autoProvisionZones === "enabled" ? "automatic" : "manual", state: a.state };
      if (!a.addresses?.length) return [{ ...base, az: "(none yet)" }];
      return a.addresses.map((x) => ({ ...base, az: x.az, publicIp: x.publicIp, allocationId: x.allocationId, addressStatus: x.status, eipOwned: a.autoProvisionZones === "enabled" ? false : eipOwned(x.allocationId) }));
    }
    const eip = recordOf(plan, elasticIpKind, `${step}/eip`);
    return [{ step, natGatewayId: r.id, availabilityMode: "zonal" as const, az: r.az, subnetId: a.subnetId, state: a.state, publicIp: a.publicIp ?? eip?.attrs.publicIp, allocationId: a.allocationId ?? eip?.id ?? undefined, eipOwned: eip?.owned ?? true }];
  });
  const routes = recordsOf(plan, routeKind)
    .filter(([step]) => step.endsWith("/nat-route"))
    .map(([step, r]) => ({ step, routeTableId: r.attrs.routeTableId, target: r.attrs.target?.NatGatewayId }));
  return {
    command: "add-nat",
    dryRun,
    plan: plan.name,
    region: plan.region,
    mode: plan.spec.nat?.mode,
    natGateways: nats,
    routes,
    egressIps: nats.map((n) => n.publicIp).filter((x): x is string => Boolean(x)),
    ...(summarizeNat64(plan) ? { nat64: summarizeNat64(plan) } : {}),
    steps,
    ...(dryRun ? { dryRunChecks } : {}),
  };
}

/** add-nat's options once parsed (add-nat.spec.ts). */
export type ParsedAddNat = Options;

// ---------- the human rendering of the result (--json prints the result itself) ----------

export type AddNatResult = ReturnType<typeof summarizeNat> & DryRunPart;

export function renderAddNat(r: AddNatResult, c: C, o: RenderOptions = {}): string {
  if (r.dryRun) return dryRunLines(c, r).join("\n");
  const regional = r.natGateways.find((n) => n.mode);
  return [
    `${c.green("✔")} ${new Set(r.natGateways.map((n) => n.natGatewayId)).size} NAT gateway(s), ${r.mode}${regional ? ` (${regional.mode})` : ""} mode — plan ${c.bold(r.plan)} (${stepSummary(r.steps)})`,
    table(
      ["AZ", "NAT gateway", "Elastic IP", "allocation", "state"],
      r.natGateways.map((n) => [n.az ?? "", n.natGatewayId ?? "", n.publicIp ?? "", n.allocationId ? n.allocationId + (n.mode === "automatic" ? " (AWS's)" : n.eipOwned ? "" : " (yours)") : "", n.addressStatus ? `${n.state}, ${n.addressStatus}` : (n.state ?? "")]),
      o,
    ),
    r.egressIps.length ? `Static egress IP(s): ${c.bold(r.egressIps.join(", "))}` : "No egress IP yet: an automatic-mode regional NAT gateway takes an address in an AZ once a workload's network interface is there (status shows them as they come).",
    ...(r.nat64 ? [`NAT64 for IPv6-only subnets: ${r.nat64.routes.map((x) => `${x.destination} → ${x.natGatewayId} in ${x.routeTableId}`).join(", ")}; DNS64 on for ${r.nat64.subnets.filter((x) => x.dns64).map((x) => x.subnetId).join(", ")}`] : []),
  ].join("\n");
}
