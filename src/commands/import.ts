// import: adopt an existing VPC into a plan without changing it. Subnets are classified public
// or private from their effective route table (0.0.0.0/0 → igw-… means public). Everything
// imported is recorded `owned: false`, so destroy never deletes it.
import { ec2Api } from "../aws/ec2-api.js";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { assertPlanNameFree, effectiveRouteTable, getVpc, listInternetGateways, listNatGateways, listRouteTables, listSubnets } from "../aws/ec2.js";
import { ipv6TierOf, liveIpv6Association, routesToInternetGateway } from "../net/routes.js";
import type { Subnet } from "@aws-sdk/client-ec2";
import { openSession } from "../engine/session.js";
import type { Options } from "./import.spec.js";
import { bySubnetOrder, table, type Text, type SubnetRow, type RenderOptions, type C } from "../output/render.js";
import type { ResourceRecord } from "../engine/engine.js";
import { typed } from "../engine/kinds/kind.js";
import { subnetKind } from "../engine/kinds/subnet.js";
import { loadPlan, nothingToUndo } from "../plans/store.js";
import { TAG_PLAN, TAG_PLAN_ID, tagValue } from "../aws/tags.js";
import { byText } from "../order.js";

export async function importCommand(ctx: Context, opts: Options): Promise<number> {
  const { vpc: vpcId, name } = opts;
  const loaded = await loadPlan(ctx.planPath);
  // A destroyed plan in the file does not stand in the way of a new one (the session says so).
  const existing = loaded && loaded.name !== name && nothingToUndo(loaded) ? undefined : loaded;
  if (existing) {
    const v = existing.resources.vpc;
    if (v && v.state === "created" && v.id !== vpcId) throw new UsageError(`${ctx.planPath} already holds plan "${existing.name}" for ${v.id}.`, "Pass --plan FILE to import into a separate plan file.");
  }
  const aws = await ctx.aws();
  const ec2 = ec2Api(await aws.ec2());
  const vpc = await getVpc(ec2, vpcId);
  if (!vpc) throw new UsageError(`VPC ${vpcId} does not exist in ${aws.region} (InvalidVpcID.NotFound).`, "Check --region and the id (egress-cli sandbox show lists sandbox VPCs).");
  if (!existing) await assertPlanNameFree(ec2, name, aws.region);
  const f = [{ Name: "vpc-id", Values: [vpcId] }];
  const [allSubnets, tables, igws, nats, eigws] = await Promise.all([
    listSubnets(ec2, f),
    listRouteTables(ec2, f),
    listInternetGateways(ec2, [{ Name: "attachment.vpc-id", Values: [vpcId] }]),
    listNatGateways(ec2, [{ Name: "vpc-id", Values: [vpcId] }, { Name: "state", Values: ["pending", "available"] }]),
    // AWS filters egress-only gateways by tags only: the VPC's are picked from the answer
    (vpc.Ipv6CidrBlockAssociationSet?.length ? ec2.describeEgressOnlyInternetGateways({}) : Promise.resolve([])).then((gs) => gs.filter((g) => g.Attachments?.some((a) => a.VpcId === vpcId))),
  ]);
  // A subnet that holds a public NAT gateway but does not route to an internet gateway is neither
  // tier: as "private", add-nat would route it through another NAT and attach-lambda would place
  // functions there. It stays out of the plan (the audit's nat-subnet-no-igw-route says how to fix it).
  const natHome = new Map(nats.filter((n) => (n.ConnectivityType ?? "public") === "public").map((n) => [n.SubnetId, n.NatGatewayId]));
  const subnets = allSubnets.filter((s) => {
    const misplaced = natHome.has(s.SubnetId) && !effectiveRouteTable(s, tables)?.Routes?.some(routesToInternetGateway);
    if (misplaced) ctx.log.warn(`${s.SubnetId} holds NAT gateway ${natHome.get(s.SubnetId)} but has no route to an internet gateway: left out of the plan (neither public nor private).`);
    return !misplaced;
  });

  // Another plan's resources in this VPC: refused unless --shared (and then never changed: every
  // step refuses to modify a resource tagged with another plan).
  const others = [
    { id: vpcId, tags: vpc.Tags },
    ...subnets.map((s) => ({ id: s.SubnetId!, tags: s.Tags })),
    ...tables.map((t) => ({ id: t.RouteTableId!, tags: t.Tags })),
    ...igws.map((g) => ({ id: g.InternetGatewayId!, tags: g.Tags })),
  ].filter((r) => {
    const planId = tagValue(r.tags, TAG_PLAN_ID);
    return planId && planId !== existing?.planId;
  });
  if (others.length && !opts.shared) {
    const names = [...new Set(others.map((o) => `${tagValue(o.tags, TAG_PLAN) ?? "?"} (${tagValue(o.tags, TAG_PLAN_ID)})`))];
    throw new UsageError(
      `${vpcId} holds resources of another egress-cli plan, ${names.join(", ")}: ${others.map((o) => o.id).join(", ")}.`,
      "Manage it with that plan's file, or pass --shared to import it anyway (no command of this plan will change that plan's resources).",
      "OtherPlan",
    );
  }
  if (others.length) ctx.log.warn(`${vpcId} holds ${others.length} resource(s) of another egress-cli plan; this plan will never change them.`);

  const now = new Date().toISOString();
  const rec = (kind: string, id: string, extra: Partial<ResourceRecord> = {}): ResourceRecord =>
    ({ kind, id, owned: false, state: "created", region: aws.region, dependsOn: [], generation: 0, attrs: {}, createdAt: now, ...extra }) as ResourceRecord;
  const resources: Record<string, ResourceRecord> = { vpc: rec("vpc", vpcId, { cidr: vpc.CidrBlock, ...(vpc.State ? { attrs: { state: vpc.State } } : {}) }) };
  if (igws[0]) resources.igw = rec("internet-gateway", igws[0].InternetGatewayId!);
  if (eigws[0]) resources.eigw = rec("egress-only-igw", eigws[0].EgressOnlyInternetGatewayId!, { attrs: { vpcId } });

  const tableInfo = new Map<string, { tier: "public" | "private"; azs: Set<string>; main: boolean }>();
  const counters = new Map<string, number>();
  const v6Of = (s: Subnet) => s.Ipv6CidrBlockAssociationSet?.find((a) => liveIpv6Association(a.Ipv6CidrBlockState?.State))?.Ipv6CidrBlock;
  for (const s of subnets.slice().sort((a, b) => byText(a.AvailabilityZone! + (a.CidrBlock ?? v6Of(a) ?? ""), b.AvailabilityZone! + (b.CidrBlock ?? v6Of(b) ?? "")))) {
    const table = effectiveRouteTable(s, tables);
    // IPv6 the same way: ::/0 → an internet gateway is public, → an egress-only one private; an
    // IPv6-only subnet has no IPv4 route, so its IPv6 tier is its tier
    const ipv6Tier = v6Of(s) ? ipv6TierOf(table?.Routes) : undefined;
    const isPublic = s.Ipv6Native ? ipv6Tier === "public" : Boolean(table?.Routes?.some(routesToInternetGateway));
    const tier = isPublic ? "public" : "private";
    const key = `${tier}/${s.AvailabilityZone}`;
    const n = counters.get(key) ?? 0;
    counters.set(key, n + 1);
    const v6 = v6Of(s);
    resources[`subnet/${tier}/${s.AvailabilityZone}/${n}`] = rec("subnet", s.SubnetId!, {
      az: s.AvailabilityZone,
      ...(s.CidrBlock ? { cidr: s.CidrBlock } : {}),
      tier,
      attrs: { routeTableId: table?.RouteTableId, ...(v6 ? { ipv6Cidr: v6, ...(s.Ipv6Native ? { ipv6Only: true } : {}), ...(ipv6Tier ? { ipv6Tier } : {}) } : {}) },
    });
    if (table) {
      const info = tableInfo.get(table.RouteTableId!) ?? { tier, azs: new Set<string>(), main: Boolean(table.Associations?.some((a) => a.Main)) };
      info.azs.add(s.AvailabilityZone!);
      tableInfo.set(table.RouteTableId!, info);
    }
  }
  for (const [id, info] of tableInfo) {
    resources[`route-table/${info.tier}/${id}`] = rec("route-table", id, { tier: info.tier, attrs: { azs: [...info.azs].sort(), main: info.main } });
  }
  if (!subnets.length) ctx.log.warn(`${vpcId} has no subnets.`);

  const session = await openSession(ctx, { createWithName: name }, "import");
  try {
    if (!session.isNew && session.plan.resources.vpc?.id === vpcId) {
      // Re-import refreshes the picture of what is not ours; what we created stays as recorded.
      for (const [k, v] of Object.entries(session.plan.resources)) if (!v.owned) delete session.plan.resources[k];
    }
    for (const [k, v] of Object.entries(resources)) if (!session.plan.resources[k] || !session.plan.resources[k].owned) session.upsert(k, v);
    session.plan.spec = { ...session.plan.spec, import: { vpcId, ...(others.length ? { shared: true } : {}) } };
    session.journal({ step: "import", action: "adopt", status: "done", resourceId: vpcId });
    await session.save();
    const result = {
      command: "import",
      dryRun: ctx.opts.dryRun,
      plan: session.plan.name,
      region: aws.region,
      vpcId,
      cidr: vpc.CidrBlock,
      internetGatewayId: igws[0]?.InternetGatewayId ?? null,
      ...(vpc.Ipv6CidrBlockAssociationSet?.length ? { egressOnlyInternetGatewayId: eigws[0]?.EgressOnlyInternetGatewayId ?? null } : {}),
      subnets: Object.entries(resources)
        .filter(([, r]) => r.kind === "subnet")
        .map(([step, r]) => {
          const a = typed(subnetKind, step, r).attrs;
          return { step, subnetId: r.id, tier: r.tier, az: r.az, cidr: r.cidr ?? null, ...(a.ipv6Cidr ? { ipv6Cidr: a.ipv6Cidr, ipv6Tier: a.ipv6Tier ?? null } : {}) };
        }),
      routeTables: [...tableInfo].map(([id, i]) => ({ routeTableId: id, tier: i.tier, azs: [...i.azs].sort(), main: i.main })),
    };
    ctx.emit(result, renderImport);
    return 0;
  } finally {
    await session.close();
  }
}

// ---------- the human rendering of the result (--json prints the result itself) ----------

export interface ImportResult {
  plan: string;
  vpcId: Text;
  cidr: Text;
  subnets: Array<SubnetRow & { ipv6Cidr?: string; ipv6Tier?: string | null }>;
  routeTables: Array<{ routeTableId: Text; tier?: Text; azs: string[]; main?: boolean }>;
}

export function renderImport(r: ImportResult, c: C, o: RenderOptions = {}): string {
  return [
    `${c.green("✔")} Imported ${c.bold(`${r.vpcId}`)} (${r.cidr}) as plan ${c.bold(r.plan)} — nothing imported will ever be deleted by egress-cli`,
    r.subnets.some((s) => s.ipv6Cidr)
      ? table(["tier", "AZ", "subnet", "CIDR", "IPv6", "IPv6 tier"], [...r.subnets].sort(bySubnetOrder).map((s) => [s.tier, s.az, s.subnetId, s.cidr ?? "(IPv6-only)", s.ipv6Cidr ?? "-", s.ipv6Cidr ? (s.ipv6Tier ?? "none (no ::/0)") : "-"]), o)
      : table(["tier", "AZ", "subnet", "CIDR"], [...r.subnets].sort(bySubnetOrder).map((s) => [s.tier, s.az, s.subnetId, s.cidr]), o),
    table(["route table", "tier", "AZs", "main"], r.routeTables.map((t) => [t.routeTableId, t.tier, t.azs.join(","), t.main ? "yes" : ""]), o),
  ].join("\n");
}
