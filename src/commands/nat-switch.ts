// add-nat's regional paths: a regional NAT gateway for a plan (automatic, or manual with Elastic IPs per
// AZ), and a change of NAT mode that keeps the plan's Elastic IPs (--reuse-eips): per-az → regional and
// regional → per-az. The Elastic IPs are the identity (plan.spec.nat.eips, by AZ): AWS lets an Elastic IP
// serve one NAT gateway at a time, and frees a zonal gateway's only address only when the gateway is
// deleted (a regional one's when DisassociateNatGatewayAddress has drained it), so an address cannot be
// on the old and the new gateway at once. The switch goes AZ by AZ: an AZ's table is first pointed at
// another gateway that still serves with an address of the set (a route swap, no gap), then its address
// moves; only the AZ whose address moves while no other gateway of the old mode is left has no egress for
// that move (per-az → regional: the last zonal gateway's deletion + the association; regional → per-az:
// the drain + the first zonal gateway's creation). Each step re-reads AWS, so a re-run after kill -9
// resumes where it stopped: nothing is made twice and the addresses stay the same.
import type { NatGateway } from "@aws-sdk/client-ec2";
import { type Ec2Api, ec2Of } from "../aws/ec2-api.js";
import { getNatGateway, listAddresses, listInternetGateways, listNatGateways, listRouteTables } from "../aws/ec2.js";
import { matchesTagFilters, planFilters, stepFilters } from "../aws/tags.js";
import { waitWithSpinner } from "../aws/wait.js";
import { routeCountProblems } from "../aws/limits.js";
import { ipv6OnlyPrivateSubnets } from "./add-nat-nat64.js";
import type { Context } from "../context.js";
import { ExitCode, UsageError } from "../errors.js";
import { runSteps } from "../engine/engine.js";
import { openSession, loadCheckedPlan, type PlanSession } from "../engine/session.js";
import { elasticIpKind } from "../engine/kinds/elastic-ip.js";
import { natGatewayKind, natGatewayStep, regionalAttrs, waitRegional } from "../engine/kinds/nat-gateway.js";
import { type Kind, notOursError, recordOf, recordsOf, typed } from "../engine/kinds/kind.js";
import { routeKind, type Target } from "../engine/kinds/route.js";
import { privateRouteTables, publicSubnetsByAz, requirePlanVpc, routeTableAzs } from "../engine/kinds/views.js";
import type { Plan } from "../plans/schema.js";
import { type NatSpec, type ParsedAddNat, REGIONAL_NAT_STEP, natSteps, parseAzEips, regionalNatSteps, renderAddNat, summarizeNat } from "./nat-plan.js";

/** The plan's egress IPs as recorded: every NAT gateway's address(es). */
function recordedEgressIps(plan: Plan): string[] {
  return recordsOf(plan, natGatewayKind)
    .filter(([, r]) => r.state === "created")
    .flatMap(([, r]) => (r.attrs.availabilityMode === "regional" ? (r.attrs.addresses ?? []).map((a) => a.publicIp) : [r.attrs.publicIp]))
    .filter((x): x is string => Boolean(x))
    .sort();
}

const liveNats = (plan: Plan) => recordsOf(plan, natGatewayKind).filter(([, r]) => r.state === "created" || r.state === "pending");

/** Refuses (exit 2) a change that would give the plan other egress IPs, unless --yes. */
function egressIpChange(plan: Plan, from: string, to: string, hint: string): never {
  const ips = recordedEgressIps(plan);
  throw new UsageError(
    `This changes the plan's static egress IPs: "${plan.name}" egresses from ${ips.join(", ") || "(none recorded)"} (${from}); ${to}. ` +
      "A vendor that allow-lists the current addresses would refuse the new ones.",
    hint,
    "EgressIpChange",
  );
}

export async function regionalOrSwitch(ctx: Context, parsed: ParsedAddNat, wantAzs: string[]): Promise<number> {
  const plan = await loadCheckedPlan(ctx);
  requirePlanVpc(plan);
  const tables = privateRouteTables(plan);
  if (tables.length === 0) throw new UsageError(`Plan "${plan.name}" has no private subnets to route through a NAT gateway.`);
  const privateAzs = [...new Set(tables.flatMap(([, r]) => routeTableAzs(r)))].sort();
  const prior = plan.spec.nat;
  const hasNats = liveNats(plan).length > 0;
  const mode = parsed.mode;
  // NAT64 (add-nat-nat64.ts) is built and proven for zonal NAT gateways only: refuse rather than leave
  // IPv6-only subnets without their 64:ff9b::/96 route or DNS64.
  const v6only = ipv6OnlyPrivateSubnets(plan);
  if (mode === "regional" && v6only.length) throw new UsageError(`Plan "${plan.name}" has IPv6-only private subnets (${v6only.map((s) => s.subnetId).join(", ")}): egress-cli gives them NAT64 (64:ff9b::/96 → NAT, DNS64 on) through zonal NAT gateways only.`, "Use --mode single or --mode per-az for this plan.");

  // A switch under way (kill -9, Ctrl-C) is finished by any add-nat run that asks for the same target.
  const switching = prior?.switchFrom as string | undefined;
  // a replacement with new addresses (--yes) under way is finished by a run asking for the same mode
  if (switching && prior?.replace && mode === prior.mode && !parsed.reuseEips)
    return prior.mode === "regional" ? replaceToAutomatic(ctx) : replaceFromAutomatic(ctx, { mode: prior.mode, azs: prior.azs, ...(prior.eips?.length ? { eips: prior.eips } : {}) });
  if (switching && prior && (mode === prior.mode || parsed.reuseEips)) {
    if (mode !== prior.mode) throw new UsageError(`Plan "${plan.name}" is switching its NAT gateways from ${switching} to ${prior.mode} (an earlier run stopped); re-run add-nat --mode ${prior.mode} --reuse-eips to finish it first.`);
    return switchMode(ctx, prior.mode as "regional" | "per-az");
  }

  if (parsed.reuseEips) {
    if (!prior || !hasNats) throw new UsageError("--reuse-eips moves the Elastic IPs of the plan's NAT gateways to the new mode; the plan has no NAT gateway yet.", "Run add-nat without --reuse-eips.");
    if (parsed.eip.length || parsed.azEip.length) throw new UsageError("--reuse-eips keeps the plan's Elastic IPs: give no --eip/--az-eip with it.");
    if (prior.mode === mode) return mode === "regional" ? regionalFresh(ctx, plan, { azs: prior.azs, eips: prior.eips ?? [] }, privateAzs) : reRunZonal(ctx);
    if (prior.mode === "per-az" && mode === "regional") return switchMode(ctx, "regional");
    if (prior.mode === "regional" && mode === "per-az") return switchMode(ctx, "per-az");
    if (prior.mode === "single") throw new UsageError("--reuse-eips from --mode single: one Elastic IP cannot serve several AZs of a manual-mode regional NAT gateway (an address serves one AZ), and an automatic one uses AWS's addresses.", "Go to --mode per-az first (add-nat --mode per-az adds the other AZs' addresses), or accept new addresses with --yes.");
    if (prior.mode === "regional" && !prior.eips?.length) throw egressIpChange(plan, "a regional NAT gateway in automatic mode: AWS's addresses, which cannot move to another gateway", `--mode ${mode} would use new Elastic IPs`, "Re-run without --reuse-eips and with --yes to accept new addresses.");
    throw new UsageError(`--reuse-eips changes per-az ↔ regional; the plan is ${prior.mode} and this run asks for ${mode}.`);
  }

  if (mode !== "regional") {
    // a regional plan asked for a zonal mode without --reuse-eips
    if (hasNats && !ctx.opts.yes) throw egressIpChange(plan, "its regional NAT gateway", `--mode ${mode} would egress from ${parsed.eip.length ? parsed.eip.join(", ") : "new Elastic IPs"}`, prior?.eips?.length ? `Add --reuse-eips to move these Elastic IPs to the ${mode} NAT gateways instead.` : "Add --yes to accept the change.");
    if (hasNats && prior?.eips?.length) throw new UsageError("Replacing a manual-mode regional NAT gateway with zonal ones on other addresses in place is not supported (its Elastic IP records would be replaced).", "Use --reuse-eips to keep the addresses, or destroy and re-create.");
    if (hasNats) return replaceFromAutomatic(ctx, zonalLayout(plan, mode, wantAzs, parsed.eip));
    throw new UsageError(`Plan "${plan.name}" recorded a regional NAT gateway; re-run add-nat --mode regional to finish it.`);
  }

  // --mode regional: manual with --az-eip or --eip (positional by --az, else the private AZs in order), else automatic
  if (parsed.eip.length && parsed.azEip.length) throw new UsageError("Give the regional NAT gateway's Elastic IPs either with --az-eip AZ=ALLOC,… or with --eip (and --az), not both.");
  let manual = parsed.azEip.length ? parseAzEips(parsed.azEip) : [];
  if (parsed.eip.length) {
    const azs = wantAzs.length ? wantAzs : privateAzs;
    if (parsed.eip.length !== azs.length) throw new UsageError(`--eip gives ${parsed.eip.length} Elastic IP(s) for ${azs.length} AZ(s) (${azs.join(", ")}): a manual-mode regional NAT gateway takes one per AZ.`, "Or name them per AZ: --az-eip us-east-1a=eipalloc-…,us-east-1b=eipalloc-….");
    if (new Set(parsed.eip).size !== parsed.eip.length) throw new UsageError("--eip lists the same allocation id twice.");
    manual = parseAzEips(azs.map((az, i) => `${az}=${parsed.eip[i]}`));
  } else if (wantAzs.length) throw new UsageError("--az with --mode regional only pairs --eip values with AZs: an automatic-mode regional NAT gateway covers the AZs where your workloads are.");
  const problems: string[] = [];
  for (const m of manual) if (!m.az.startsWith(plan.region)) problems.push(`--az-eip ${m.az}: not an AZ of the plan's region ${plan.region}`);
  const missing = privateAzs.filter((az) => manual.length && !manual.some((m) => m.az === az));
  if (missing.length) problems.push(`a manual-mode regional NAT gateway serves only the AZs given, and the plan has private subnets in ${missing.join(", ")} too (their traffic would be dropped): give an Elastic IP for ${missing.length > 1 ? "each of them" : "it"}`);
  if (problems.length) throw new UsageError(problems.join("; ") + ".");
  // no Elastic IPs given on a manual-mode plan: its own (a re-run resumes, as for zonal modes)
  const keep = !manual.length && prior?.mode === "regional" && prior.eips?.length ? { azs: prior.azs, eips: prior.eips } : undefined;
  const want = keep ?? { azs: manual.length ? manual.map((m) => m.az) : privateAzs, eips: manual.map((m) => m.allocationId) };
  if (prior && hasNats && (prior.mode !== "regional" || (prior.eips ?? []).join() !== want.eips.join() || (!want.eips.length && prior.mode === "regional" && (prior.eips ?? []).length > 0))) {
    const to = want.eips.length ? `--mode regional would egress from the Elastic IPs ${want.eips.join(", ")}` : "--mode regional in automatic mode would egress from new addresses AWS allocates";
    if (!ctx.opts.yes) throw egressIpChange(plan, `${prior.mode} NAT gateway(s)`, to, prior.mode === "per-az" ? "Add --reuse-eips to move these Elastic IPs to the regional NAT gateway instead, or --yes to accept the change." : "Add --yes to accept the change.");
    if (prior.mode !== "regional" && !want.eips.length) return replaceToAutomatic(ctx);
    throw new UsageError("Replacing these NAT gateways with other Elastic IPs in place is not supported yet (only zonal → automatic-mode regional is, with --yes).", prior.mode === "per-az" ? "Use --reuse-eips to keep the addresses, or destroy and re-create." : "Destroy and re-create the plan's NAT.");
  }
  return regionalFresh(ctx, plan, want, privateAzs);
}

/** A re-run of a zonal plan with --reuse-eips and its own mode: nothing to move. */
async function reRunZonal(_ctx: Context): Promise<number> {
  throw new UsageError("--reuse-eips with the plan's own mode has nothing to move.", "Run add-nat with the same flags as before (without --reuse-eips) to resume it.");
}

/** Reads shared by the checks: the VPC's internet gateway, route tables and the account's addresses. */
async function preflight(ctx: Context, plan: Plan, eips: string[]) {
  const ec2 = await ec2Of(ctx);
  const vpcId = requirePlanVpc(plan);
  const [igws, tables, addresses] = await Promise.all([
    listInternetGateways(ec2, [{ Name: "attachment.vpc-id", Values: [vpcId] }]),
    listRouteTables(ec2, [{ Name: "vpc-id", Values: [vpcId] }]),
    listAddresses(ec2),
  ]);
  const problems: string[] = [];
  if (!igws.length) problems.push(`VPC ${vpcId} has no internet gateway attached: a public (regional) NAT gateway needs one`);
  // held by this plan's NAT gateways: recorded, or made by a run killed before it recorded them (by tags)
  const tagged = eips.length ? (await listNatGateways(ec2, [...planFilters(plan), { Name: "state", Values: ["pending", "available"] }])).filter((n) => matchesTagFilters(n.Tags, planFilters(plan))) : [];
  const ownNatEips = new Set([
    ...recordsOf(plan, natGatewayKind).flatMap(([, r]) => [r.attrs.allocationId, ...(r.attrs.addresses ?? []).map((a) => a.allocationId)]),
    ...tagged.flatMap((n) => (n.NatGatewayAddresses ?? []).map((a) => a.AllocationId)),
  ]);
  for (const id of eips) {
    const a = addresses.find((x) => x.AllocationId === id);
    if (!a) problems.push(`Elastic IP ${id}: no such allocation in ${plan.region} (InvalidAllocationID.NotFound)`);
    else if (a.AssociationId && !ownNatEips.has(id)) problems.push(`Elastic IP ${id} (${a.PublicIp}) is already associated (${a.AssociationId}${a.NetworkInterfaceId ? ` on ${a.NetworkInterfaceId}` : ""})`);
  }
  const full = routeCountProblems(
    privateRouteTables(plan).flatMap(([, rec]) => {
      const live = tables.find((t) => t.RouteTableId === rec.id);
      return live ? [{ id: live.RouteTableId!, routes: (live.Routes ?? []).filter((r) => r.Origin !== "EnableVgwRoutePropagation").length, adding: live.Routes?.some((r) => r.DestinationCidrBlock === "0.0.0.0/0") ? 0 : 1 }] : [];
    }),
  );
  problems.push(...full);
  if (problems.length) throw new UsageError(problems.join("; ") + ".", "Nothing was changed.");
  return { ec2, addresses };
}

/** --mode regional on a plan without NAT gateways (or its re-run): Elastic IP records, the gateway, the routes. */
async function regionalFresh(ctx: Context, plan: Plan, want: { azs: string[]; eips: string[] }, _privateAzs: string[]): Promise<number> {
  await preflight(ctx, plan, want.eips);
  const spec: NatSpec = { mode: "regional", azs: want.azs, ...(want.eips.length ? { eips: want.eips } : {}) };
  const session = await openSession(ctx, {}, "add-nat");
  try {
    session.plan.spec = { ...session.plan.spec, nat: spec };
    const report = await runSteps(ctx, session, regionalNatSteps(session.plan, spec));
    return await finish(ctx, session, report.outcomes, report.dryRunChecks);
  } finally {
    await session.close();
  }
}

async function finish(ctx: Context, session: PlanSession, outcomes: Record<string, string>, dryRunChecks: unknown[]): Promise<number> {
  const result = summarizeNat(session.plan, ctx.opts.dryRun, outcomes, dryRunChecks);
  if (!ctx.opts.dryRun) {
    session.plan.outputs = { ...session.plan.outputs, egressIps: result.egressIps };
    await session.save();
  }
  ctx.emit(result, renderAddNat);
  return ExitCode.ok;
}

// ---------- the switch ----------

interface Lane {
  az: string;
  /** The private route table step serving this AZ, and its nat-route step. */
  rtStep: string;
  routeStep: string;
  /** The Elastic IP of this AZ (the identity that moves). */
  allocationId: string;
  eipStep: string;
}

/** Per-AZ lanes of a plan whose private tables each serve one AZ, with the Elastic IP recorded for that AZ. */
function lanesOf(plan: Plan, spec: NatSpec): Lane[] {
  const tables = privateRouteTables(plan);
  const multi = tables.filter(([, r]) => routeTableAzs(r).length > 1);
  if (multi.length) throw new UsageError(`--reuse-eips: route table ${multi[0][1].id} (${multi[0][0]}) serves several AZs, so its AZs cannot move one at a time.`, "Give each AZ's private subnets their own route table.");
  return spec.azs.map((az, i) => {
    const [rtStep] = tables.find(([, r]) => routeTableAzs(r)[0] === az) ?? [];
    const allocationId = spec.eips?.[i];
    if (!rtStep || !allocationId) throw new UsageError(`--reuse-eips: the plan records no ${!rtStep ? "private route table" : "Elastic IP"} for ${az}.`);
    return { az, rtStep, routeStep: `${rtStep}/nat-route`, allocationId, eipStep: `nat/${az}/eip` };
  });
}

/** The plan's Elastic IPs by AZ, whatever mode it is in now (the switch's input). */
function eipsByAz(plan: Plan, spec: NatSpec): NatSpec {
  if (spec.eips?.length === spec.azs.length) return spec;
  // a per-az plan that allocated its own: the records nat/<az>/eip
  const eips = spec.azs.map((az) => recordOf(plan, elasticIpKind, `nat/${az}/eip`)?.id ?? "");
  return { ...spec, eips };
}

/**
 * Points a table's 0.0.0.0/0 at `target` (a route swap, ReplaceRoute), recording the switch before the call
 * (`switchFrom`: destroy owns the route whichever of the two it points at after a crash) and the result after.
 */
async function pointRoute(ctx: Context, session: PlanSession, ec2: Ec2Api, lane: Lane, target: Target, targetStep: string): Promise<void> {
  const rec = recordOf(session.plan, routeKind, lane.routeStep);
  const tableId = session.plan.resources[lane.rtStep].id!;
  const live = (await listRouteTables(ec2, undefined, [tableId]))[0]?.Routes?.find((r) => r.DestinationCidrBlock === "0.0.0.0/0");
  if (live?.NatGatewayId === target.NatGatewayId && rec?.attrs.target?.NatGatewayId === target.NatGatewayId && !rec?.attrs.switchFrom) return;
  const base = session.plan.resources[lane.routeStep];
  const prevAttrs = rec?.attrs ?? { routeTableId: tableId, destination: "0.0.0.0/0" };
  const from = live?.NatGatewayId ? { NatGatewayId: live.NatGatewayId } : undefined;
  session.upsert(lane.routeStep, { ...base, state: "created", id: `${tableId}|0.0.0.0/0`, dependsOn: [lane.rtStep, targetStep], attrs: { ...prevAttrs, target, ...(from ? { switchFrom: from } : {}) } });
  await session.save();
  const input = { RouteTableId: tableId, DestinationCidrBlock: "0.0.0.0/0", ...target };
  if (live) await ec2.replaceRoute(input);
  else await ec2.createRoute(input);
  const { switchFrom: _s, ...attrs } = recordOf(session.plan, routeKind, lane.routeStep)!.attrs;
  session.upsert(lane.routeStep, { ...session.plan.resources[lane.routeStep], attrs });
  await session.save();
  ctx.log.info(`  ${tableId} (${lane.az}): 0.0.0.0/0 → ${target.NatGatewayId}`);
}

/** Deletes a NAT gateway of the plan (waiting until deleted: its addresses are free) and marks its record. */
async function deleteNat(ctx: Context, session: PlanSession, step: string): Promise<void> {
  const rec = session.plan.resources[step];
  if (!rec || rec.state === "deleted") return;
  if (rec.id) await deleteOurs(ctx, session, step, natGatewayKind);
  // a new gateway of this step later gets a fresh client token (AWS would hand back this one)
  session.upsert(step, { ...rec, state: "deleted", deletedAt: new Date().toISOString(), generation: rec.generation + 1 });
  await session.save();
}

/**
 * Deletes a recorded resource only once its live tags prove it this plan's, as destroy does (kind.owner):
 * one whose tags now say otherwise is refused (NotOwned, exit 1) and left untouched; one gone is fine.
 */
async function deleteOurs(ctx: Context, session: PlanSession, step: string, kind: Kind): Promise<void> {
  const rec = typed(kind, step, session.plan.resources[step]);
  const owner = await kind.owner(ctx, rec, session.plan);
  if ("ours" in owner && !owner.ours) throw notOursError(step, kind.kind, rec.id, owner.found);
  if (!("gone" in owner)) await kind.delete(ctx, rec, session.plan);
}

/** Waits until an Elastic IP is associated with nothing (a deleted or drained NAT gateway lets go of it). */
async function waitEipFree(ctx: Context, ec2: Ec2Api, allocationId: string): Promise<void> {
  await waitWithSpinner(
    { log: ctx.log, wait: ctx.wait, signal: ctx.signal, clock: ctx.clock },
    `Elastic IP ${allocationId} to be free`,
    async () => {
      const a = (await listAddresses(ec2, [{ Name: "allocation-id", Values: [allocationId] }]))[0];
      if (!a) return { done: false, failure: "no longer exists in this account/region" };
      return a.AssociationId ? { done: false, status: `still associated (${a.AssociationId})` } : { done: true, value: a };
    },
    () => `Elastic IP ${allocationId} is free`,
  );
}

/**
 * A NAT gateway of this step that a run killed before recording it left (pending or available, by the
 * plan's and the step's tags): it holds its Elastic IP, so the run adopts it rather than wait for the address.
 */
async function unrecorded(ec2: Ec2Api, plan: Plan, step: string): Promise<NatGateway | undefined> {
  const found = await listNatGateways(ec2, [...stepFilters(plan, step), { Name: "state", Values: ["pending", "available"] }]);
  return found.find((n) => matchesTagFilters(n.Tags, stepFilters(plan, step)));
}

/** The regional gateway's address holding this Elastic IP (live), if any and not on its way out. */
const addressOf = (n: NatGateway | undefined, allocationId: string) => n?.NatGatewayAddresses?.find((a) => a.AllocationId === allocationId && a.Status !== "disassociating");

/** Refreshes a gateway record's attrs from AWS and its dependsOn (destroy deletes it before its Elastic IPs). */
async function refreshRegional(session: PlanSession, ec2: Ec2Api, lanes: Lane[]): Promise<NatGateway | undefined> {
  const rec = session.plan.resources[REGIONAL_NAT_STEP];
  if (!rec?.id || rec.state !== "created") return undefined;
  const n = await getNatGateway(ec2, rec.id);
  if (n) session.upsert(REGIONAL_NAT_STEP, { ...rec, dependsOn: [...new Set([...rec.dependsOn, ...lanes.map((l) => l.eipStep)])], attrs: { ...rec.attrs, ...regionalAttrs(n) } });
  await session.save();
  return n;
}

/** Changes a per-az plan to regional (or back) keeping the Elastic IPs; resumable. */
async function switchMode(ctx: Context, to: "regional" | "per-az"): Promise<number> {
  const plan = await loadCheckedPlan(ctx);
  const prior = plan.spec.nat!;
  const from = (prior.switchFrom as string | undefined) ?? prior.mode;
  const spec = eipsByAz(plan, { mode: prior.mode, azs: prior.azs, ...(prior.eips ? { eips: prior.eips } : {}) });
  if (spec.eips!.some((x) => !x)) throw new UsageError("--reuse-eips: the plan does not record an Elastic IP for every AZ.");
  const lanes = lanesOf(plan, spec);
  const publicByAz = publicSubnetsByAz(plan);
  if (to === "per-az") {
    const noPublic = lanes.filter((l) => !publicByAz.has(l.az)).map((l) => l.az);
    if (noPublic.length) throw new UsageError(`--mode per-az needs a public subnet in every AZ to hold its NAT gateway; the plan has none in ${noPublic.join(", ")}.`, "Stay regional (no public subnet needed), or add public subnets.");
  }
  if (ctx.opts.dryRun) {
    ctx.emit({ command: "add-nat", dryRun: true, plan: plan.name, switch: { from, to }, eips: lanes.map((l) => ({ az: l.az, allocationId: l.allocationId })) }, (r: any) => `Would move ${r.eips.length} Elastic IP(s) from ${from} to ${to}, AZ by AZ: ${r.eips.map((e: any) => `${e.az} ${e.allocationId}`).join(", ")}.`);
    return ExitCode.ok;
  }
  const { ec2 } = await preflight(ctx, plan, []);
  // The gateways the switch will delete are proven the plan's before anything changes (no route swapped first).
  const old = to === "regional" ? lanes.map((l) => `nat/${l.az}`) : [REGIONAL_NAT_STEP];
  for (const step of old.filter((k) => plan.resources[k]?.state === "created" && plan.resources[k].id)) {
    const owner = await natGatewayKind.owner(ctx, typed(natGatewayKind, step, plan.resources[step]), plan);
    if ("ours" in owner && !owner.ours) throw notOursError(step, "nat-gateway", plan.resources[step].id, owner.found);
  }
  const session = await openSession(ctx, {}, "add-nat");
  try {
    // The plan records the target and the Elastic IPs first: the identity that survives the switch.
    session.plan.spec = { ...session.plan.spec, nat: { mode: to, azs: spec.azs, eips: spec.eips!, switchFrom: from } };
    await session.save();
    const igwAttached = session.plan.resources["igw/attachment"]?.state === "created" ? ["igw/attachment"] : [];
    if (to === "regional") await toRegional(ctx, session, ec2, lanes, igwAttached);
    else await toPerAz(ctx, session, ec2, lanes, publicByAz, igwAttached);
    const { switchFrom: _f, ...done } = session.plan.spec.nat!;
    session.plan.spec = { ...session.plan.spec, nat: done };
    await session.save();
    return await finish(ctx, session, Object.fromEntries(lanes.map((l) => [l.az, "moved"])), []);
  } finally {
    await session.close();
  }
}

async function toRegional(ctx: Context, session: PlanSession, ec2: Ec2Api, lanes: Lane[], igwAttached: string[]): Promise<void> {
  for (const [i, lane] of lanes.entries()) {
    const zonalStep = `nat/${lane.az}`;
    let regional = await refreshRegional(session, ec2, lanes);
    if (addressOf(regional, lane.allocationId)?.Status === "succeeded") {
      await pointRoute(ctx, session, ec2, lane, { NatGatewayId: regional!.NatGatewayId }, REGIONAL_NAT_STEP);
      continue;
    }
    const zonal = session.plan.resources[zonalStep];
    if (zonal && zonal.state !== "deleted") {
      // another zonal gateway still serving (with an address of the set) takes this AZ while its address moves
      const other = lanes.slice(i + 1).map((l) => session.plan.resources[`nat/${l.az}`]).find((r) => r && r.state === "created" && r.id);
      const otherStep = other ? Object.keys(session.plan.resources).find((k) => session.plan.resources[k] === other)! : undefined;
      if (other && otherStep) await pointRoute(ctx, session, ec2, lane, { NatGatewayId: other.id! }, otherStep);
      else ctx.log.warn(`${lane.az}: no other NAT gateway of the old mode is left to carry its traffic: egress from ${lane.az} stops until ${lane.allocationId} serves it on the regional NAT gateway.`);
      await deleteNat(ctx, session, zonalStep);
    }
    regional = await refreshRegional(session, ec2, lanes);
    if (!regional) {
      if (!(await unrecorded(ec2, session.plan, REGIONAL_NAT_STEP))) await waitEipFree(ctx, ec2, lane.allocationId);
      // the first AZ: the regional gateway is created (client token, tags) with this AZ's address
      await runSteps(ctx, session, regionalNatSteps(session.plan, { mode: "regional", azs: [lane.az], eips: [lane.allocationId] }).filter((s) => s.id === REGIONAL_NAT_STEP || s.id === lane.eipStep));
      regional = await refreshRegional(session, ec2, lanes);
    } else if (!addressOf(regional, lane.allocationId)) {
      await waitEipFree(ctx, ec2, lane.allocationId);
      await ec2.associateNatGatewayAddress({ NatGatewayId: regional.NatGatewayId!, AvailabilityZone: lane.az, AllocationIds: [lane.allocationId] });
    }
    const id = session.plan.resources[REGIONAL_NAT_STEP].id!;
    await waitRegional({ ctx }, ec2, id, `to serve ${lane.az} with ${lane.allocationId}`, (n) => addressOf(n, lane.allocationId)?.Status === "succeeded");
    await refreshRegional(session, ec2, lanes);
    await pointRoute(ctx, session, ec2, lane, { NatGatewayId: id }, REGIONAL_NAT_STEP);
  }
}

async function toPerAz(ctx: Context, session: PlanSession, ec2: Ec2Api, lanes: Lane[], publicByAz: Map<string, string>, igwAttached: string[]): Promise<void> {
  for (const lane of lanes) {
    const zonalStep = `nat/${lane.az}`;
    const zonal = session.plan.resources[zonalStep];
    if (zonal?.state === "created" && zonal.id) {
      await runSteps(ctx, session, [natGatewayStep({ id: zonalStep, az: lane.az, subnetStep: publicByAz.get(lane.az)!, eipStep: lane.eipStep, dependsOn: igwAttached })]);
      await pointRoute(ctx, session, ec2, lane, { NatGatewayId: session.plan.resources[zonalStep].id! }, zonalStep);
      continue;
    }
    const regional = await refreshRegional(session, ec2, lanes);
    const held = addressOf(regional, lane.allocationId);
    if (regional && (held || regional.NatGatewayAddresses?.some((a) => a.AllocationId === lane.allocationId))) {
      // a zonal gateway already made takes this AZ while its address moves
      const other = lanes.map((l) => [`nat/${l.az}`, session.plan.resources[`nat/${l.az}`]] as const).find(([, r]) => r?.state === "created" && r.id);
      if (other) await pointRoute(ctx, session, ec2, lane, { NatGatewayId: other[1]!.id! }, other[0]);
      else ctx.log.warn(`${lane.az}: no zonal NAT gateway exists yet to carry its traffic: egress from ${lane.az} stops until ${lane.allocationId} serves it on its own NAT gateway.`);
      const others = (regional.NatGatewayAddresses ?? []).filter((a) => a.AllocationId !== lane.allocationId && a.Status !== "disassociating");
      if (others.length === 0) await deleteNat(ctx, session, REGIONAL_NAT_STEP); // its last address: deleting the gateway frees it
      else if (held) await ec2.disassociateNatGatewayAddress({ NatGatewayId: regional.NatGatewayId!, AssociationIds: [held.AssociationId!], MaxDrainDurationSeconds: 1 });
    }
    if (!(await unrecorded(ec2, session.plan, zonalStep))) await waitEipFree(ctx, ec2, lane.allocationId);
    await runSteps(ctx, session, [natGatewayStep({ id: zonalStep, az: lane.az, subnetStep: publicByAz.get(lane.az)!, eipStep: lane.eipStep, dependsOn: igwAttached })]);
    await pointRoute(ctx, session, ec2, lane, { NatGatewayId: session.plan.resources[zonalStep].id! }, zonalStep);
  }
  if (session.plan.resources[REGIONAL_NAT_STEP]?.state === "created") await deleteNat(ctx, session, REGIONAL_NAT_STEP);
}

/**
 * Zonal (single/per-az) → an automatic-mode regional gateway, accepting AWS's new addresses (--yes): make
 * before break — the regional gateway is made and available first, every private table is then pointed at
 * it (a route swap each), and only then are the zonal gateways deleted and the plan's own Elastic IPs
 * released (yours are kept, left out of the plan). Egress never stops; its addresses change. Resumable.
 */
async function replaceToAutomatic(ctx: Context): Promise<number> {
  const plan = await loadCheckedPlan(ctx);
  const prior = plan.spec.nat!;
  const privateAzs = [...new Set(privateRouteTables(plan).flatMap(([, r]) => routeTableAzs(r)))].sort();
  if (ctx.opts.dryRun) {
    ctx.emit({ command: "add-nat", dryRun: true, plan: plan.name, replace: { from: prior.switchFrom ?? prior.mode, to: "regional (automatic)" } }, () => `Would make an automatic-mode regional NAT gateway, point every private table at it, then delete the ${prior.switchFrom ?? prior.mode} NAT gateway(s) and release the plan's own Elastic IPs.`);
    return ExitCode.ok;
  }
  const { ec2 } = await preflight(ctx, plan, []);
  const session = await openSession(ctx, {}, "add-nat");
  try {
    session.plan.spec = { ...session.plan.spec, nat: { mode: "regional", azs: privateAzs, switchFrom: (prior.switchFrom as string | undefined) ?? prior.mode, replace: true } };
    await session.save();
    const spec: NatSpec = { mode: "regional", azs: privateAzs };
    await runSteps(ctx, session, regionalNatSteps(session.plan, spec).filter((s) => s.id === REGIONAL_NAT_STEP));
    const id = session.plan.resources[REGIONAL_NAT_STEP].id!;
    await waitRegional({ ctx }, ec2, id, "to serve the AZs with workloads");
    for (const [rtStep, rec] of privateRouteTables(session.plan))
      await pointRoute(ctx, session, ec2, { az: routeTableAzs(rec).join("+"), rtStep, routeStep: `${rtStep}/nat-route`, allocationId: "", eipStep: "" }, { NatGatewayId: id }, REGIONAL_NAT_STEP);
    for (const [step, r] of recordsOf(session.plan, natGatewayKind)) if (step !== REGIONAL_NAT_STEP && r.state !== "deleted") await deleteNat(ctx, session, step);
    for (const [step, r] of recordsOf(session.plan, elasticIpKind)) {
      if (r.state === "deleted") continue;
      if (r.owned !== false && r.id) await deleteOurs(ctx, session, step, elasticIpKind);
      session.upsert(step, { ...session.plan.resources[step], state: "deleted", deletedAt: new Date().toISOString(), generation: session.plan.resources[step].generation + 1 });
      await session.save();
    }
    await refreshRegional(session, ec2, []);
    const { switchFrom: _f, replace: _r, ...done } = session.plan.spec.nat!;
    session.plan.spec = { ...session.plan.spec, nat: done };
    await session.save();
    return await finish(ctx, session, { [REGIONAL_NAT_STEP]: "replaced" }, []);
  } finally {
    await session.close();
  }
}

/** The zonal layout add-nat makes on a regional plan (`--mode single|per-az`, `--az`, `--eip`): checked, nothing called. */
function zonalLayout(plan: Plan, mode: "single" | "per-az", wantAzs: string[], eips: string[]): NatSpec {
  const publicByAz = publicSubnetsByAz(plan);
  const tables = privateRouteTables(plan);
  const problems: string[] = [];
  let azs: string[];
  if (mode === "single") {
    if (wantAzs.length > 1) problems.push(`--mode single takes at most one --az, got ${wantAzs.join(", ")}`);
    azs = [wantAzs[0] ?? [...publicByAz.keys()].sort()[0]].filter(Boolean);
  } else {
    for (const [step, r] of tables) if (routeTableAzs(r).length > 1) problems.push(`route table ${r.id} (${step}) serves several AZs (${routeTableAzs(r).join(", ")}), so it cannot point each AZ at its own NAT gateway`);
    azs = [...new Set(tables.flatMap(([, r]) => routeTableAzs(r)))].sort();
  }
  const noPublic = azs.filter((az) => !publicByAz.has(az));
  if (!azs.length || noPublic.length) problems.push(`a zonal NAT gateway sits in a public subnet, and the plan has none in ${noPublic.join(", ") || "any AZ"}`);
  if (eips.length && eips.length !== azs.length) problems.push(`--eip gives ${eips.length} Elastic IP(s) but ${mode} mode needs ${azs.length}`);
  if (problems.length) throw new UsageError(problems.join("; ") + ".", "Nothing was changed.");
  return { mode, azs, ...(eips.length ? { eips } : {}) };
}

/**
 * An automatic-mode regional gateway → zonal (single/per-az) with new addresses (--yes): make before break —
 * the Elastic IPs and zonal gateways are made and available first, each private table is pointed at its
 * gateway (a route swap), then the regional gateway is deleted. Egress never stops; its addresses change.
 */
async function replaceFromAutomatic(ctx: Context, spec: NatSpec): Promise<number> {
  const plan = await loadCheckedPlan(ctx);
  if (ctx.opts.dryRun) {
    ctx.emit({ command: "add-nat", dryRun: true, plan: plan.name, replace: { from: "regional (automatic)", to: spec.mode } }, () => `Would make ${spec.mode} NAT gateway(s) in ${spec.azs.join(", ")}, point every private table at them, then delete the regional NAT gateway.`);
    return ExitCode.ok;
  }
  const { ec2 } = await preflight(ctx, plan, spec.eips ?? []);
  const session = await openSession(ctx, {}, "add-nat");
  try {
    session.plan.spec = { ...session.plan.spec, nat: { ...spec, switchFrom: "regional", replace: true } };
    await session.save();
    const report = await runSteps(ctx, session, natSteps(session.plan, spec).filter((s) => s.kind !== "route"));
    for (const [rtStep, rec] of privateRouteTables(session.plan)) {
      const natAz = spec.mode === "single" ? spec.azs[0] : routeTableAzs(rec)[0];
      await pointRoute(ctx, session, ec2, { az: routeTableAzs(rec).join("+"), rtStep, routeStep: `${rtStep}/nat-route`, allocationId: "", eipStep: "" }, { NatGatewayId: session.plan.resources[`nat/${natAz}`].id! }, `nat/${natAz}`);
    }
    await deleteNat(ctx, session, REGIONAL_NAT_STEP);
    const { switchFrom: _f, replace: _r, ...done } = session.plan.spec.nat!;
    session.plan.spec = { ...session.plan.spec, nat: done };
    await session.save();
    return await finish(ctx, session, report.outcomes, []);
  } finally {
    await session.close();
  }
}
