// add-nat: Elastic IP(s) (or the user's own) and NAT gateway(s) in public subnets, waited until
// available, and 0.0.0.0/0 → NAT in each private route table (same-AZ NAT in per-az mode); or one
// regional NAT gateway (--mode regional: automatic, or manual with Elastic IPs per AZ) that every private
// table points to. A plan that has NAT gateways changes mode with the same Elastic IPs (--reuse-eips,
// nat-switch.ts). Prints the static egress IPs. Everything is validated before the first mutating call.
import { ec2Api, ec2Of } from "../aws/ec2-api.js";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { classifyError } from "../aws/errors.js";
import { effectiveRouteTable, listAddresses, listRouteTables, listSubnets } from "../aws/ec2.js";
import { TAG_PLAN_ID, TAG_STEP } from "../aws/tags.js";
import { routeCountProblems } from "../aws/limits.js";
import { runSteps, type StepDef } from "../engine/engine.js";
import { openSession, loadCheckedPlan } from "../engine/session.js";
import { natGatewayKind } from "../engine/kinds/nat-gateway.js";
import { recordsOf } from "../engine/kinds/kind.js";
import { planVpc, privateRouteTables, publicSubnetsByAz, requirePlanVpc, routeTableAzs } from "../engine/kinds/views.js";
import { regionalOrSwitch } from "./nat-switch.js";
import { type NatSpec, natSteps, summarizeNat } from "./nat-plan.js";
import { routesToInternetGateway } from "../net/routes.js";
import type { Options } from "./add-nat.spec.js";
import { renderAddNat } from "./nat-plan.js";
import { usageFromProblems } from "../cli/options.js";
import { nat64Problems, nat64RoutesAdded } from "./add-nat-nat64.js";

export async function addNatCommand(ctx: Context, opts: Options): Promise<number> {
  // Offline checks of the flags themselves (each value was parsed by its flag: add-nat.spec.ts).
  const mode = opts.mode;
  const eips = [...opts.eip];
  if (new Set(eips).size !== eips.length) throw new UsageError("--eip lists the same allocation id twice.");
  const wantAzs = opts.az ?? [];
  if (opts.azEip.length && mode !== "regional") throw new UsageError("--az-eip is for --mode regional (a manual-mode regional NAT gateway's Elastic IPs per AZ).", "Use --eip with --az for zonal NAT gateways.");
  if (mode === "regional" || opts.reuseEips) return regionalOrSwitch(ctx, opts, wantAzs);
  // Read once here (a regional plan's runs go through nat-switch.ts, which reads it itself). The VPC's route
  // tables and the region's addresses (the checks below) are asked while the account is: reads, whose
  // answers are used only once the plan has passed its check.
  let reads: ReturnType<typeof preflightReads> | undefined;
  let limitEarly: Promise<number | undefined> | undefined;
  const plan = await loadCheckedPlan(ctx, {
    meanwhile: (p) => {
      const vpc = p.spec.nat?.mode === "regional" ? undefined : planVpc(p);
      if (!vpc) return;
      reads = preflightReads(ctx, vpc.id);
      reads.catch(() => {}); // awaited below
      // the Elastic IP limit too, when it is certainly read below (no --eip, no address allocated yet)
      if (!eips.length && !Object.entries(p.resources).some(([step, r]) => /^nat\/[^/]+\/eip$/.test(step) && r.state === "created")) {
        limitEarly = eipLimit(ctx);
        limitEarly.catch(() => {});
      }
    },
  });
  if (plan.spec.nat?.mode === "regional") return regionalOrSwitch(ctx, opts, wantAzs);
  if (mode === "single" && wantAzs.length > 1) throw new UsageError(`--mode single takes at most one --az, got ${wantAzs.join(", ")}.`, "Use --mode per-az for one NAT gateway per AZ.");

  const vpcId = requirePlanVpc(plan);
  const publicByAz = publicSubnetsByAz(plan);
  if (publicByAz.size === 0) {
    throw new UsageError(`Plan "${plan.name}" has no public subnet: a NAT gateway must sit in a subnet routed to an internet gateway.`, "Create the VPC with --public-subnets 1 (or import a VPC that has public subnets).");
  }
  const privateTables = privateRouteTables(plan);
  if (privateTables.length === 0) throw new UsageError(`Plan "${plan.name}" has no private subnets to route through a NAT gateway.`);
  for (const az of wantAzs) if (!publicByAz.has(az)) throw new UsageError(`--az ${az}: the plan has no public subnet in ${az} (public subnets are in ${[...publicByAz.keys()].join(", ")}).`);

  let azs: string[];
  if (mode === "single") azs = [wantAzs[0] ?? [...publicByAz.keys()].sort()[0]];
  else {
    const privateAzs = [...new Set(privateTables.flatMap(([, r]) => routeTableAzs(r)))].sort();
    for (const [step, r] of privateTables) {
      if (routeTableAzs(r).length > 1) {
        throw new UsageError(`--mode per-az: route table ${r.id} (${step}) serves subnets in several AZs (${routeTableAzs(r).join(", ")}), so it cannot point each AZ at its own NAT gateway.`, "Use --mode single, or give each AZ's private subnets their own route table.");
      }
    }
    azs = wantAzs.length ? [...new Set(wantAzs)].sort() : privateAzs;
    if (azs.length !== wantAzs.length && wantAzs.length) throw new UsageError("--az lists the same AZ twice.");
    const missing = privateAzs.filter((az) => !azs.includes(az));
    if (missing.length) throw new UsageError(`--mode per-az needs a NAT gateway in every AZ with private subnets; --az leaves out ${missing.join(", ")}.`);
    const noPublic = azs.filter((az) => !publicByAz.has(az));
    if (noPublic.length) throw new UsageError(`--mode per-az: no public subnet in ${noPublic.join(", ")} to hold that AZ's NAT gateway.`, "Use --mode single, or add public subnets in those AZs.");
  }
  if (eips.length && eips.length !== azs.length) {
    throw new UsageError(`--eip gives ${eips.length} Elastic IP(s) but ${mode} mode needs ${azs.length} (one per NAT gateway in ${azs.join(", ")}).`);
  }
  // Each --eip belongs to the --az given at the same position (customers allowlist these addresses
  // per AZ); without --az, they go to the AZs in alphabetical order.
  if (eips.length && wantAzs.length) {
    const byAz = new Map(wantAzs.map((az, i) => [az, eips[i]]));
    eips.splice(0, eips.length, ...azs.map((az) => byAz.get(az)!));
  }

  const prior = plan.spec.nat;
  if (prior && (prior.mode !== mode || prior.azs.join() !== azs.join() || (eips.length > 0 && (prior.eips ?? []).join() !== eips.join()))) {
    const hasLiveNat = recordsOf(plan, natGatewayKind).length > 0;
    if (hasLiveNat) {
      throw new UsageError(`Plan "${plan.name}" already has NAT gateways (${prior.mode} in ${prior.azs.join(", ")}); this run asks for ${mode} in ${azs.join(", ")}.`, "Changing the NAT layout in place is not supported yet: run destroy and recreate, or re-run add-nat with the same flags to resume.");
    }
  }
  const spec: NatSpec = { mode, azs, ...(eips.length ? { eips } : prior?.eips && !eips.length && prior.mode === mode ? { eips: prior.eips } : {}) };

  // Checks against the account (reads only): the VPC's route tables and the region's addresses. A
  // public subnet explicitly associated with one of those tables is proven there (DeleteSubnet drops
  // its association); only the others are described.
  const aws = await ctx.aws();
  const ec2 = ec2Api(await aws.ec2());
  // The account's Elastic IP limit is read with them when this run may allocate (no --eip, an address not
  // recorded yet); it is used only if the addresses show one is still to allocate (not left by a crash).
  const limitRead = limitEarly ?? (!eips.length && azs.some((az) => plan.resources[`nat/${az}/eip`]?.state !== "created") ? eipLimit(ctx) : undefined);
  limitRead?.catch(() => {}); // awaited below only when needed
  const [tables, addresses] = await (reads ?? preflightReads(ctx, vpcId));
  const associated = new Set(tables.flatMap((t) => (t.Associations ?? []).map((a) => a.SubnetId)));
  const unproven = azs.map((az) => plan.resources[publicByAz.get(az)!].id!).filter((id) => !associated.has(id));
  const subnets = unproven.length ? await listSubnets(ec2, [{ Name: "vpc-id", Values: [vpcId] }]) : [];
  for (const az of azs) {
    const rec = plan.resources[publicByAz.get(az)!];
    const subnet = associated.has(rec.id!) ? { SubnetId: rec.id!, VpcId: vpcId } : subnets.find((s) => s.SubnetId === rec.id);
    if (!subnet) throw new UsageError(`Public subnet ${rec.id} (${az}) recorded in the plan no longer exists.`);
    const table = effectiveRouteTable(subnet, tables);
    // An active route to an internet gateway is one attached to this VPC: AWS shows a route to a
    // gateway not attached to the VPC as "blackhole" (Route.State), which routesToInternetGateway refuses.
    const route = table?.Routes?.find(routesToInternetGateway);
    if (!route) {
      throw new UsageError(`Subnet ${rec.id} (${az}) has no route to an attached internet gateway (its table ${table?.RouteTableId ?? "?"} lacks 0.0.0.0/0 → igw-…), so a NAT gateway there could not reach the internet.`, "Fix the subnet's route table or choose another --az.");
    }
  }
  for (const id of eips) {
    const a = addresses.find((x) => x.AllocationId === id);
    if (!a) throw new UsageError(`--eip ${id}: no such Elastic IP in ${aws.region} (InvalidAllocationID.NotFound).`);
    const ownNat = recordsOf(plan, natGatewayKind).some(([, r]) => r.attrs.allocationId === id);
    if (a.AssociationId && !ownNat) throw new UsageError(`--eip ${id} (${a.PublicIp}) is already associated (${a.AssociationId}${a.NetworkInterfaceId ? ` on ${a.NetworkInterfaceId}` : ""}).`, "Choose a free Elastic IP, or omit --eip to allocate new ones.");
  }
  // Addresses this plan allocated (recorded, or left unrecorded by a crash and about to be adopted)
  // are not new ones: count only the others plus what this plan needs in all.
  const ours = (a: { Tags?: { Key?: string; Value?: string }[] }) => a.Tags?.some((t) => t.Key === TAG_PLAN_ID && t.Value === plan.planId);
  const others = addresses.filter((a) => !ours(a)).length;
  const needed = eips.length ? 0 : azs.length;
  const toAllocate = eips.length ? 0 : azs.filter((az) => plan.resources[`nat/${az}/eip`]?.state !== "created" && !addresses.some((a) => ours(a) && a.Tags?.some((t) => t.Key === TAG_STEP && t.Value === `nat/${az}/eip`))).length;
  if (toAllocate > 0) {
    const limit = await (limitRead ?? eipLimit(ctx));
    if (limit !== undefined && others + needed > limit) {
      throw new UsageError(`Allocating ${toAllocate} Elastic IP(s) would exceed the account's limit of ${limit} in ${aws.region} (${addresses.length} allocated).`, "Release unused Elastic IPs, pass your own with --eip, use --mode single, or request a quota increase.");
    }
  }

  // each private table gets a 0.0.0.0/0 route (none yet there): it must have room under the routes quota
  const full = routeCountProblems(
    privateRouteTables(plan).flatMap(([, rec]) => {
      const live = tables.find((t) => t.RouteTableId === rec.id);
      return live ? [{ id: live.RouteTableId!, routes: (live.Routes ?? []).filter((r) => r.Origin !== "EnableVgwRoutePropagation").length, adding: (live.Routes?.some((r) => r.DestinationCidrBlock === "0.0.0.0/0") ? 0 : 1) + nat64RoutesAdded(plan, live) }] : [];
    }),
  );
  if (full.length) throw new UsageError(full.join(" "), "Remove unused routes from those tables (or request a quota increase) before the NAT gateways are created.", "LimitExceeded");
  const nat64 = nat64Problems(plan, tables);
  if (nat64.length) throw usageFromProblems(nat64.map((message) => ({ message })), "Nat64Refused");

  const session = await openSession(ctx, {}, "add-nat");
  try {
    session.plan.spec = { ...session.plan.spec, nat: spec };
    // runSteps writes the spec once its pre-flight checks pass (a refusal writes no file).
    // not flushed: the outputs' save below puts it all on disk in one write, before the summary
    const report = await runSteps(ctx, session, natSteps(session.plan, spec, tables), { flush: false });
    const result = summarizeNat(session.plan, ctx.opts.dryRun, report.outcomes, report.dryRunChecks);
    if (!ctx.opts.dryRun) {
      session.plan.outputs = { ...session.plan.outputs, egressIps: result.egressIps };
      await session.save();
    }
    ctx.emit(result, renderAddNat);
    return 0;
  } finally {
    await session.close();
  }
}


/** The VPC's route tables and the region's Elastic IPs, read together. */
async function preflightReads(ctx: Context, vpcId: string) {
  const ec2 = ec2Api(await (await ctx.aws()).ec2());
  return Promise.all([listRouteTables(ec2, [{ Name: "vpc-id", Values: [vpcId] }]), listAddresses(ec2)]);
}

export async function eipLimit(ctx: Context): Promise<number | undefined> {
  const ec2 = await ec2Of(ctx);
  try {
    const r = await ec2.describeAccountAttributes({ AttributeNames: ["vpc-max-elastic-ips" as any] });
    const v = r.AccountAttributes?.[0]?.AttributeValues?.[0]?.AttributeValue;
    return v ? Number(v) : undefined;
  } catch (err) {
    if (classifyError(err) === "auth") return undefined; // not allowed to read it: AWS will tell us at allocation time
    throw err;
  }
}

export { renderAddNat, type AddNatResult } from "./nat-plan.js";
