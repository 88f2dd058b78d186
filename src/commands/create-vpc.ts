// create-vpc: a VPC with DNS on, an internet gateway (when there are public subnets), public and
// private subnets over K AZs in a computed non-overlapping layout, one public route table
// (0.0.0.0/0 → IGW) and one private route table per AZ, all associated and tagged.
import { ec2Api } from "../aws/ec2-api.js";
import type { Context } from "../context.js";
import { CliError, ExitCode, UsageError } from "../errors.js";
import { rm } from "node:fs/promises";
import { assertPlanNameFree, availabilityZones, listVpcs } from "../aws/ec2.js";
import { pickFreeCidr, validateVpcCidr, overlaps } from "../net/cidr.js";
import { layoutSubnets } from "../net/layout.js";
import { ipv6Layout } from "../net/ipv6-layout.js";
import { egressOnlyIgwStep } from "../engine/kinds/egress-only-igw.js";
import type { PlanSpec } from "../plans/schema.js";
import { runSteps, type StepDef } from "../engine/engine.js";
import { openSession } from "../engine/session.js";
import { associationStep } from "../engine/kinds/route-table-association.js";
import { igwAttachmentStep } from "../engine/kinds/igw-attachment.js";
import { internetGatewayStep } from "../engine/kinds/internet-gateway.js";
import { routeStep } from "../engine/kinds/route.js";
import { routeTableStep } from "../engine/kinds/route-table.js";
import { subnetKind, subnetStep } from "../engine/kinds/subnet.js";
import { vpcAttributeStep } from "../engine/kinds/vpc-attribute.js";
import { vpcKind, vpcStep } from "../engine/kinds/vpc.js";
import { recordOf, recordsOf } from "../engine/kinds/kind.js";
import { Problems } from "../cli/options.js";
import type { ActionEnv } from "../cli/spec.js";
import type { Options } from "./create-vpc.spec.js";
import { bySubnetOrder, table, stepSummary, dryRunLines, type Text, type SubnetRow, type DryRunPart, type RenderOptions, type C } from "../output/render.js";
import { planVpc } from "../engine/kinds/views.js";

/** create-vpc's inputs, as plan.spec.vpc records them (the plan schema declares the section). */
export type VpcSpec = NonNullable<PlanSpec["vpc"]>;

export function vpcSteps(spec: VpcSpec): StepDef[] {
  const ipv6 = Boolean(spec.ipv6);
  const v6OnlyPrivate = ipv6 && Boolean(spec.ipv6OnlyPrivate);
  // IPv6-only private subnets take no IPv4 block: the IPv4 layout holds the public ones only
  const layout = layoutSubnets({ vpcCidr: spec.cidr, azs: spec.azs, publicPerAz: spec.publicPerAz, privatePerAz: v6OnlyPrivate ? 0 : spec.privatePerAz, subnetPrefix: spec.subnetPrefix });
  const v4 = new Map(layout.map((s) => [`${s.tier}/${s.az}/${s.index}`, s.cidr]));
  const subnets = ipv6 ? ipv6Layout(spec.azs, spec.publicPerAz, spec.privatePerAz) : layout.map((s) => ({ ...s, slot: undefined }));
  const steps: StepDef[] = [vpcStep(spec.cidr, { ipv6 }), vpcAttributeStep("enableDnsSupport"), vpcAttributeStep("enableDnsHostnames")];
  const hasPublic = spec.publicPerAz > 0;
  // private subnets leave over IPv6 through an egress-only internet gateway: out, and nothing back in
  const eigw = ipv6 && spec.privatePerAz > 0;
  if (eigw) steps.push(egressOnlyIgwStep());
  if (hasPublic) {
    steps.push(internetGatewayStep(), igwAttachmentStep());
    steps.push(routeTableStep({ id: "route-table/public", label: "public route table", tier: "public" }));
    steps.push(
      routeStep({
        id: "route-table/public/default-route",
        label: "public route 0.0.0.0/0 → internet gateway",
        routeTableStep: "route-table/public",
        destination: "0.0.0.0/0",
        target: (run) => ({ GatewayId: run.ref("igw") }),
        dependsOn: ["igw/attachment"],
      }),
    );
    if (ipv6)
      steps.push(
        routeStep({
          id: "route-table/public/default-route-ipv6",
          label: "public route ::/0 → internet gateway",
          routeTableStep: "route-table/public",
          destination: "::/0",
          target: (run) => ({ GatewayId: run.ref("igw") }),
          dependsOn: ["igw/attachment", "vpc"],
        }),
      );
  }
  for (const az of spec.azs) {
    if (spec.privatePerAz <= 0) continue;
    steps.push(routeTableStep({ id: `route-table/private/${az}`, label: `private route table for ${az}`, az, tier: "private" }));
    if (eigw)
      steps.push(
        routeStep({
          id: `route-table/private/${az}/ipv6-egress`,
          label: `private route ::/0 → egress-only internet gateway in ${az}`,
          routeTableStep: `route-table/private/${az}`,
          destination: "::/0",
          target: (run) => ({ EgressOnlyInternetGatewayId: run.ref("eigw") }),
          dependsOn: ["eigw"],
        }),
      );
  }
  for (const s of subnets) {
    const id = `subnet/${s.tier}/${s.az}/${s.index}`;
    steps.push(subnetStep({ id, cidr: v4.get(`${s.tier}/${s.az}/${s.index}`), az: s.az, tier: s.tier, ...(s.slot !== undefined ? { ipv6Slot: s.slot } : {}) }));
    steps.push(associationStep({ id: `${id}/association`, subnetStep: id, routeTableStep: s.tier === "public" ? "route-table/public" : `route-table/private/${s.az}` }));
  }
  return steps;
}

/** Runs that gave way in a same-name race try again this many times (a random pause first) before exit 2. */
const NAME_RACE_ATTEMPTS = 3;

export async function createVpcCommand(ctx: Context, opts: Options, _args: string[], env: Pick<ActionEnv, "given">): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createVpcOnce(ctx, opts, env.given);
    } catch (err) {
      if (!(err instanceof NameRace) || attempt >= NAME_RACE_ATTEMPTS || ctx.signal.aborted) throw err instanceof NameRace ? err.error : err;
      // every racer may have given way at once: pause a random while, then the name check again
      ctx.log.warn(`${err.error.message} Trying again (${attempt + 1}/${NAME_RACE_ATTEMPTS}).`);
      await new Promise((r) => setTimeout(r, (250 + Math.random() * 750) * attempt));
    }
  }
}

/** A run that gave way to another plan created with the same name at the same time (its VPC deleted, no plan file). */
class NameRace extends Error {
  constructor(readonly error: UsageError) {
    super(error.message);
  }
}

async function createVpcOnce(ctx: Context, opts: Options, given: ReadonlySet<string>): Promise<number> {
  // 1. Everything that can be checked offline, every problem at once (each value was parsed by its flag: create-vpc.spec.ts).
  const { azs: azCount, publicSubnets: publicPerAz, privateSubnets: privatePerAz, subnetPrefix } = opts;
  const problems = new Problems();
  if (publicPerAz + privatePerAz === 0) problems.add("--public-subnets 0 and --private-subnets 0 leave nothing to create.");
  // --ipv6-only-private is an IPv6 layout too (it implies --ipv6)
  const ipv6 = Boolean(opts.ipv6 || opts.ipv6OnlyPrivate);
  const ipv6OnlyPrivate = Boolean(opts.ipv6OnlyPrivate);
  if (ipv6OnlyPrivate && privatePerAz === 0) problems.add("--ipv6-only-private with --private-subnets 0: there is no private subnet to make IPv6-only.");
  const givenCidr = opts.cidr;
  if (givenCidr) await problems.check(() => layoutSubnets({ vpcCidr: givenCidr, azs: Array.from({ length: azCount }, (_, i) => `az${i}`), publicPerAz, privatePerAz: ipv6OnlyPrivate ? 0 : privatePerAz, subnetPrefix }));
  problems.throwIfAny();

  // 2. Checks against the account (reads only).
  const aws = await ctx.aws();
  const ec2 = ec2Api(await aws.ec2());
  const { loadPlan, nothingToUndo } = await import("../plans/store.js");
  const loaded = await loadPlan(ctx.planPath);
  // A destroyed plan in the file does not stand in the way of a new one (the session says so).
  const existingPlan = loaded && opts.name !== undefined && loaded.name !== opts.name && nothingToUndo(loaded) ? undefined : loaded;
  const name = opts.name ?? existingPlan?.name;
  if (!name) throw new UsageError("--name is required to start a plan.", "e.g. egress-cli create-vpc --name sms-api");
  const prior = existingPlan?.spec?.vpc;
  // The reads go together: the region's AZs, its VPCs (a new layout's CIDR and name checks) and the
  // account (the session's plan check asks for it next; one answer, kept by the clients).
  const account = aws.accountId();
  account.catch(() => {}); // awaited by openSession
  const [regionAzs, vpcs] = await Promise.all([availabilityZones(ec2), prior ? undefined : listVpcs(ec2)]);
  if (azCount > regionAzs.length) {
    throw new UsageError(`--azs ${azCount}: ${aws.region} has ${regionAzs.length} availability zones (${regionAzs.join(", ")}).`);
  }

  let spec: VpcSpec;
  if (prior) {
    // Re-running (or resuming) the same plan: the recorded spec wins; a conflicting one is refused.
    const conflicts: string[] = [];
    if (givenCidr && givenCidr !== prior.cidr) conflicts.push(`--cidr ${givenCidr} (plan has ${prior.cidr})`);
    if (given.has("azs") && azCount !== prior.azs.length) conflicts.push(`--azs ${azCount} (plan has ${prior.azs.length})`);
    if (given.has("publicSubnets") && publicPerAz !== prior.publicPerAz) conflicts.push(`--public-subnets ${publicPerAz} (plan has ${prior.publicPerAz})`);
    if (given.has("privateSubnets") && privatePerAz !== prior.privatePerAz) conflicts.push(`--private-subnets ${privatePerAz} (plan has ${prior.privatePerAz})`);
    if (subnetPrefix !== undefined && subnetPrefix !== prior.subnetPrefix) conflicts.push(`--subnet-prefix ${subnetPrefix}`);
    if (ipv6 && !prior.ipv6) conflicts.push(`--ipv6 (plan's VPC is IPv4-only)`);
    if (ipv6OnlyPrivate && !prior.ipv6OnlyPrivate) conflicts.push(`--ipv6-only-private (plan's private subnets are ${prior.ipv6 ? "dual-stack" : "IPv4-only"})`);
    if (conflicts.length) {
      throw new UsageError(`Plan "${existingPlan!.name}" already has a VPC laid out differently: ${conflicts.join("; ")}.`, "Changing a VPC in place is not supported: destroy it first, or use another --plan file.");
    }
    spec = prior;
  } else {
    if (!vpcs) throw new Error("internal: the VPCs were not read");
    if (!existingPlan) await assertPlanNameFree(ec2, name, aws.region, vpcs);
    const others = vpcs.map((v) => v.CidrBlock!).filter(Boolean);
    const cidr = givenCidr ?? pickFreeCidr(others, { prefix: 16 });
    const clash = vpcs.filter((v) => v.CidrBlock && overlaps(v.CidrBlock, cidr));
    if (givenCidr && clash.length) {
      ctx.log.warn(`${cidr} overlaps ${clash.map((v) => `${v.VpcId} (${v.CidrBlock})`).join(", ")}: these VPCs can never be peered or routed through a transit gateway. Consider --cidr auto.`);
    }
    if (!validateVpcCidr(cidr).rfc1918) ctx.log.warn(`${cidr} is not a private (RFC 1918) range; addresses in it will shadow the public internet for this VPC.`);
    spec = { cidr, azs: regionAzs.slice(0, azCount), publicPerAz, privatePerAz, ...(subnetPrefix !== undefined ? { subnetPrefix } : {}), ...(ipv6 ? { ipv6 } : {}), ...(ipv6OnlyPrivate ? { ipv6OnlyPrivate } : {}) };
  }
  const steps = vpcSteps(spec); // validates the layout once more against the real AZ names

  // 3. Apply: the plan is written before the first mutating call.
  const session = await openSession(ctx, { createWithName: name }, "create-vpc");
  try {
    session.plan.spec = { ...session.plan.spec, vpc: spec };
    // on disk with the VPC's pending record, before CreateVpc
    session.saveLater();
    // the VPC first: the name check above is a read, and a run with the same --name in another plan
    // file may have passed it at the same moment; the tagged VPC settles it before anything else
    const [vpc, ...rest] = steps;
    // not flushed: the VPC's created record is one a re-run finds by its tags (saveLater); it goes with
    // the next steps' first write, and the second runSteps flushes before the summary
    const first = ctx.opts.dryRun ? undefined : await runSteps(ctx, session, [vpc], { flush: false });
    if (!ctx.opts.dryRun) await claimPlanName(ctx, ec2, session, name, aws.region);
    const report = await runSteps(ctx, session, first ? rest : steps);
    if (first) report.outcomes = { ...first.outcomes, ...report.outcomes };
    const result = summarizeVpc(session.plan, report.outcomes, ctx.opts.dryRun, report.dryRunChecks);
    ctx.emit(result, renderCreateVpc);
    return 0;
  } finally {
    await session.close();
  }
}

/**
 * After the plan's VPC exists (tagged with the name at creation): any other VPC carrying the same
 * name tag means another plan took the name meanwhile. A plan holding nothing but that VPC (it has
 * not passed this check before) gives way: it deletes its own VPC, removes its plan file and exits 2.
 * Every racer sees the ones created before its check, so at most one goes on (possibly none, when
 * they check at the same moment: a re-run then finds the name free). A plan past this point keeps going.
 */
async function claimPlanName(ctx: Context, ec2: ReturnType<typeof ec2Api>, session: import("../engine/session.js").PlanSession, name: string, region: string): Promise<void> {
  const { TAG_PLAN, TAG_PLAN_ID, tagValue } = await import("../aws/tags.js");
  const ours = session.plan.resources.vpc;
  if (!ours?.id || ours.state !== "created") return;
  if (Object.keys(session.plan.resources).some((k) => k !== "vpc")) return;
  const named = await listVpcs(ec2, [{ Name: `tag:${TAG_PLAN}`, Values: [name] }]);
  // Our VPC's state as this answer gives it (CreateVpc answers `pending`): once `available`, status
  // reads no DescribeVpcs for it (src/aws/snapshot.ts collectVpcs). Saved with the next step's record.
  const state = named.find((v) => v.VpcId === ours.id)?.State;
  if (state && state !== planVpc(session.plan)?.state) session.upsert("vpc", { ...ours, attrs: { ...ours.attrs, state } });
  // the tag filter is checked here too: an endpoint that ignores it must not make every plan give way
  const others = named.filter((v) => v.VpcId !== ours.id && tagValue(v.Tags, TAG_PLAN) === name && tagValue(v.Tags, TAG_PLAN_ID) !== session.plan.planId);
  if (!others.length) return;
  try {
    await ec2.deleteVpc({ VpcId: ours.id });
  } catch (err) {
    throw new CliError(`Another plan named "${name}" was created in ${region} at the same time (${others.map((v) => v.VpcId).join(", ")}); deleting this run's VPC ${ours.id} failed: ${(err as Error).message}.`, ExitCode.failure, `Run egress-cli --plan ${ctx.planPath} destroy --yes, then choose another --name.`);
  }
  session.upsert("vpc", { ...ours, state: "deleted" });
  await session.flush();
  await rm(session.path, { force: true });
  const error = new UsageError(
    `Another plan named "${name}" was created in ${region} at the same time: ${others.map((v) => v.VpcId).join(", ")} carries ${TAG_PLAN}=${name}. This run deleted its own VPC ${ours.id} and kept no plan file.`,
    "Choose another --name, or point --plan at that plan's file. If no other run is active, re-run: the name is free again.",
    "PlanNameTaken",
  );
  // a plan file this run did not start (a resumed one) is not retried under a new identity
  throw session.isNew ? new NameRace(error) : error;
}

export function summarizeVpc(plan: import("../plans/schema.js").Plan, outcomes: Record<string, string>, dryRun: boolean, dryRunChecks: unknown[]) {
  const r = plan.resources;
  const subnets = recordsOf(plan, subnetKind, { state: "any" })
    .filter(([, x]) => x.state !== "deleted")
    .map(([step, x]) => ({ step, subnetId: x.id, tier: x.tier, az: x.az, cidr: x.cidr ?? null, ...(x.attrs.ipv6Cidr ? { ipv6Cidr: x.attrs.ipv6Cidr } : {}) }));
  return {
    command: "create-vpc",
    dryRun,
    plan: plan.name,
    region: plan.region,
    vpcId: r.vpc?.id ?? null,
    cidr: plan.spec.vpc?.cidr ?? r.vpc?.cidr,
    internetGatewayId: r.igw?.state === "created" ? r.igw.id : null,
    ...(plan.spec.vpc?.ipv6
      ? { ipv6Cidr: recordOf(plan, vpcKind, "vpc")?.attrs.ipv6Cidr ?? null, egressOnlyInternetGatewayId: r.eigw?.state === "created" ? r.eigw.id : null }
      : {}),
    subnets,
    routeTables: Object.entries(r)
      .filter(([, x]) => x.kind === "route-table" && x.state !== "deleted")
      .map(([step, x]) => ({ step, routeTableId: x.id, tier: x.tier, az: x.az })),
    steps: outcomes,
    ...(dryRun ? { dryRunChecks } : {}),
  };
}

// ---------- the human rendering of the result (--json prints the result itself) ----------

export interface CreateVpcResult extends DryRunPart {
  steps: Record<string, string>;
  plan: string;
  region: string;
  vpcId: Text;
  cidr: Text;
  internetGatewayId: Text;
  /** --ipv6: the VPC's /56 (null until associated) and the egress-only internet gateway of the private subnets. */
  ipv6Cidr?: Text;
  egressOnlyInternetGatewayId?: Text;
  subnets: Array<SubnetRow & { ipv6Cidr?: string }>;
}

export function renderCreateVpc(r: CreateVpcResult, c: C, o: RenderOptions = {}): string {
  if (r.dryRun) return dryRunLines(c, r).join("\n");
  const lines = [
    `${c.green("✔")} VPC ${c.bold(`${r.vpcId}`)} (${r.cidr}) in ${r.region} — plan ${c.bold(r.plan)} (${stepSummary(r.steps)})`,
    r.internetGatewayId ? `  internet gateway ${r.internetGatewayId}` : `  no internet gateway (no public subnets)`,
    ...(r.ipv6Cidr !== undefined ? [`  IPv6 ${r.ipv6Cidr ?? "(not associated yet)"}${r.egressOnlyInternetGatewayId ? `, egress-only internet gateway ${r.egressOnlyInternetGatewayId} (private subnets: ::/0 out, nothing in)` : ""}`] : []),
    r.ipv6Cidr !== undefined
      ? table(["tier", "AZ", "subnet", "IPv4", "IPv6"], [...r.subnets].sort(bySubnetOrder).map((s) => [s.tier, s.az, s.subnetId, s.cidr ?? "(IPv6-only)", s.ipv6Cidr ?? ""]), o)
      : table(["tier", "AZ", "subnet", "CIDR"], [...r.subnets].sort(bySubnetOrder).map((s) => [s.tier, s.az, s.subnetId, s.cidr]), o),
    // A NAT gateway lives in a public subnet: without one, point at what works (issue 8 item 18).
    r.internetGatewayId
      ? `Next: ${o.cli ?? "egress-cli"} add-nat --mode single   (or --mode per-az for one NAT per AZ)`
      : `Next: ${o.cli ?? "egress-cli"} add-endpoint SERVICE…   (no public subnet, so no NAT gateway: private subnets reach AWS services through VPC endpoints)`,
  ];
  return lines.join("\n");
}
