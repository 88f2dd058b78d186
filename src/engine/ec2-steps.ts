// Step definitions for the EC2 resources egress-cli manages, and how destroy deletes each kind.
// Tagged resources are adopted by their plan/step tags; relations (attachments, associations,
// routes, attributes) are adopted when the relation already holds.
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteNatGatewayCommand,
  DeleteRouteCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeVpcAttributeCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  ModifyVpcAttributeCommand,
  ReleaseAddressCommand,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
  type EC2Client,
  type NatGateway,
  type Route,
} from "@aws-sdk/client-ec2";
import { CliError } from "../errors.js";
import { classifyError, errorCode } from "../aws/errors.js";
import {
  getAddress,
  getInternetGateway,
  getNatGateway,
  isAttachedTo,
  isGoneEndpoint,
  getRouteTable,
  getSubnet,
  getVpc,
  listAddresses,
  listInternetGateways,
  listNatGateways,
  listRouteTables,
  listSubnets,
  listSecurityGroups,
  listVpcEndpoints,
  listVpcs,
} from "../aws/ec2.js";
import { planFilters, tagSpec } from "../aws/tags.js";
import { sleep, waitWithSpinner } from "../aws/wait.js";

/** How long AWS usually takes to make a NAT gateway available / deleted (shown next to the elapsed time). */
const NAT_USUAL_MS = { create: 90_000, delete: 60_000 };
import type { Context } from "../context.js";
import type { ResourceRecord, StepDef, StepRun } from "./engine.js";

const ec2Of = async (run: { ctx: Context }) => (await run.ctx.aws()).ec2();

async function dryRunCall(run: StepRun, send: (ec2: EC2Client) => Promise<unknown>) {
  await send(await ec2Of(run));
}

// ---------- VPC ----------
export function vpcStep(cidr: string): StepDef {
  const input = (run: StepRun) => ({ CidrBlock: cidr, TagSpecifications: tagSpec("vpc", run.tags) });
  return {
    id: "vpc",
    kind: "vpc",
    label: `VPC ${cidr}`,
    meta: { cidr },
    async verify(run, rec) {
      const v = await getVpc(await ec2Of(run), rec.id!);
      return v ? { id: v.VpcId! } : undefined;
    },
    async discover(run) {
      const found = await listVpcs(await ec2Of(run), run.stepFilters);
      return found[0] ? { id: found[0].VpcId! } : undefined;
    },
    async create(run) {
      const r = await (await ec2Of(run)).send(new CreateVpcCommand(input(run)));
      return { id: r.Vpc!.VpcId! };
    },
    dryRun: (run) => dryRunCall(run, (ec2) => ec2.send(new CreateVpcCommand({ ...input(run), DryRun: true }))),
  };
}

export function vpcAttributeStep(attribute: "enableDnsSupport" | "enableDnsHostnames"): StepDef {
  const id = attribute === "enableDnsSupport" ? "vpc/dns-support" : "vpc/dns-hostnames";
  const holds = async (run: StepRun) => {
    const r = await (await ec2Of(run)).send(new DescribeVpcAttributeCommand({ VpcId: run.ref("vpc"), Attribute: attribute }));
    const v = attribute === "enableDnsSupport" ? r.EnableDnsSupport?.Value : r.EnableDnsHostnames?.Value;
    return v ? { id: null } : undefined;
  };
  return {
    id,
    kind: "vpc-attribute",
    label: `VPC attribute ${attribute}`,
    dependsOn: ["vpc"],
    verify: (run) => holds(run),
    discover: (run) => holds(run),
    async create(run) {
      const key = attribute === "enableDnsSupport" ? "EnableDnsSupport" : "EnableDnsHostnames";
      await (await ec2Of(run)).send(new ModifyVpcAttributeCommand({ VpcId: run.ref("vpc"), [key]: { Value: true } }));
      return { id: null, attrs: { attribute } };
    },
  };
}

// ---------- Internet gateway ----------
export function internetGatewayStep(): StepDef {
  return {
    id: "igw",
    kind: "internet-gateway",
    label: "internet gateway",
    async verify(run, rec) {
      const g = await getInternetGateway(await ec2Of(run), rec.id!);
      return g ? { id: g.InternetGatewayId! } : undefined;
    },
    async discover(run) {
      const found = await listInternetGateways(await ec2Of(run), run.stepFilters);
      return found[0] ? { id: found[0].InternetGatewayId! } : undefined;
    },
    async create(run) {
      const r = await (await ec2Of(run)).send(new CreateInternetGatewayCommand({ TagSpecifications: tagSpec("internet-gateway", run.tags) }));
      return { id: r.InternetGateway!.InternetGatewayId! };
    },
    dryRun: (run) => dryRunCall(run, (ec2) => ec2.send(new CreateInternetGatewayCommand({ DryRun: true }))),
  };
}

export function igwAttachmentStep(): StepDef {
  const holds = async (run: StepRun) => {
    const igwId = run.ref("igw");
    const vpcId = run.ref("vpc");
    const g = await getInternetGateway(await ec2Of(run), igwId);
    if (!g || !isAttachedTo(g, vpcId)) {
      const other = g?.Attachments?.find((a) => (a.State as string) === "available" || a.State === "attached");
      if (other) throw new CliError(`Internet gateway ${igwId} is attached to ${other.VpcId}, not ${vpcId}.`);
      return undefined;
    }
    return { id: igwId, attrs: { internetGatewayId: igwId, vpcId } };
  };
  return {
    id: "igw/attachment",
    kind: "igw-attachment",
    label: "internet gateway attachment",
    dependsOn: ["igw", "vpc"],
    verify: (run) => holds(run),
    discover: (run) => holds(run),
    async create(run) {
      const igwId = run.ref("igw");
      const vpcId = run.ref("vpc");
      await (await ec2Of(run)).send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
      return { id: igwId, attrs: { internetGatewayId: igwId, vpcId } };
    },
  };
}

// ---------- Subnet ----------
export function subnetStep(o: { id: string; cidr: string; az: string; tier: "public" | "private"; vpcStep?: string }): StepDef {
  const vpcStepId = o.vpcStep ?? "vpc";
  const input = (run: StepRun, vpcId: string) => ({
    VpcId: vpcId,
    CidrBlock: o.cidr,
    AvailabilityZone: o.az,
    TagSpecifications: tagSpec("subnet", [...run.tags, { Key: "egress-cli:tier", Value: o.tier }]),
  });
  return {
    id: o.id,
    kind: "subnet",
    label: `${o.tier} subnet ${o.cidr} in ${o.az}`,
    dependsOn: [vpcStepId],
    meta: { az: o.az, cidr: o.cidr, tier: o.tier },
    async verify(run, rec) {
      const s = await getSubnet(await ec2Of(run), rec.id!);
      return s ? { id: s.SubnetId! } : undefined;
    },
    async discover(run) {
      const found = await listSubnets(await ec2Of(run), run.stepFilters);
      return found[0] ? { id: found[0].SubnetId! } : undefined;
    },
    async create(run) {
      const r = await (await ec2Of(run)).send(new CreateSubnetCommand(input(run, run.ref(vpcStepId))));
      return { id: r.Subnet!.SubnetId! };
    },
    dryRun: (run) => dryRunCall(run, (ec2) => ec2.send(new CreateSubnetCommand({ ...input(run, run.ref(vpcStepId)), DryRun: true }))),
  };
}

// ---------- Route tables ----------
export function routeTableStep(o: { id: string; label: string; az?: string; tier: "public" | "private" }): StepDef {
  return {
    id: o.id,
    kind: "route-table",
    label: o.label,
    dependsOn: ["vpc"],
    meta: { tier: o.tier, ...(o.az ? { az: o.az } : {}) },
    async verify(run, rec) {
      const t = await getRouteTable(await ec2Of(run), rec.id!);
      return t ? { id: t.RouteTableId! } : undefined;
    },
    async discover(run) {
      const found = await listRouteTables(await ec2Of(run), run.stepFilters);
      return found[0] ? { id: found[0].RouteTableId! } : undefined;
    },
    async create(run) {
      const r = await (await ec2Of(run)).send(
        new CreateRouteTableCommand({ VpcId: run.ref("vpc"), ClientToken: run.clientToken, TagSpecifications: tagSpec("route-table", run.tags) }),
      );
      return { id: r.RouteTable!.RouteTableId! };
    },
    dryRun: (run) =>
      dryRunCall(run, (ec2) => ec2.send(new CreateRouteTableCommand({ VpcId: run.ref("vpc"), TagSpecifications: tagSpec("route-table", run.tags), DryRun: true }))),
  };
}

/** Associates a subnet with a route table; replaces an existing explicit association. */
export function associationStep(o: { id: string; subnetStep: string; routeTableStep: string }): StepDef {
  const current = async (run: StepRun) => {
    const subnetId = run.ref(o.subnetStep);
    const tables = await listRouteTables(await ec2Of(run), [{ Name: "association.subnet-id", Values: [subnetId] }]);
    for (const t of tables) {
      const a = t.Associations?.find((x) => x.SubnetId === subnetId);
      if (a) return { table: t.RouteTableId!, associationId: a.RouteTableAssociationId! };
    }
    return undefined;
  };
  const holds = async (run: StepRun) => {
    const c = await current(run);
    return c && c.table === run.ref(o.routeTableStep) ? { id: c.associationId, attrs: { subnetId: run.ref(o.subnetStep), routeTableId: c.table } } : undefined;
  };
  return {
    id: o.id,
    kind: "route-table-association",
    label: `route table association for ${o.subnetStep}`,
    dependsOn: [o.subnetStep, o.routeTableStep],
    verify: (run) => holds(run),
    discover: (run) => holds(run),
    async intent(run) {
      const c = await current(run);
      return c ? { previousRouteTableId: c.table } : {};
    },
    async create(run) {
      const ec2 = await ec2Of(run);
      const subnetId = run.ref(o.subnetStep);
      const routeTableId = run.ref(o.routeTableStep);
      const c = await current(run);
      if (c) {
        const r = await ec2.send(new ReplaceRouteTableAssociationCommand({ AssociationId: c.associationId, RouteTableId: routeTableId }));
        return { id: r.NewAssociationId!, attrs: { subnetId, routeTableId } };
      }
      const r = await ec2.send(new AssociateRouteTableCommand({ SubnetId: subnetId, RouteTableId: routeTableId }));
      return { id: r.AssociationId!, attrs: { subnetId, routeTableId } };
    },
  };
}

type Target = { GatewayId?: string; NatGatewayId?: string };
const targetOf = (r: Route): Target | undefined =>
  r.NatGatewayId ? { NatGatewayId: r.NatGatewayId } : r.GatewayId && r.GatewayId !== "local" ? { GatewayId: r.GatewayId } : undefined;
const targetId = (t: Target | undefined) => t?.NatGatewayId ?? t?.GatewayId;

/** Ensures `destination → target` in a route table; remembers (before replacing) what it overwrote. */
export function routeStep(o: {
  id: string;
  label: string;
  routeTableStep: string;
  destination: string;
  target: (run: StepRun) => Target;
  dependsOn: string[];
}): StepDef {
  const existing = async (run: StepRun) => {
    const t = await getRouteTable(await ec2Of(run), run.ref(o.routeTableStep));
    return t?.Routes?.find((r) => r.DestinationCidrBlock === o.destination);
  };
  const holds = async (run: StepRun) => {
    const r = await existing(run);
    const want = o.target(run);
    if (r && targetId(targetOf(r)) === targetId(want) && r.State !== "blackhole") {
      return { id: `${run.ref(o.routeTableStep)}|${o.destination}`, attrs: { routeTableId: run.ref(o.routeTableStep), destination: o.destination, target: want } };
    }
    return undefined;
  };
  return {
    id: o.id,
    kind: "route",
    label: o.label,
    dependsOn: [o.routeTableStep, ...o.dependsOn],
    verify: (run) => holds(run),
    discover: (run) => holds(run),
    async intent(run) {
      // Everything destroy needs to undo this route even if a crash hits before it is recorded.
      const r = await existing(run);
      const prev = r && targetOf(r);
      return {
        routeTableId: run.ref(o.routeTableStep),
        destination: o.destination,
        target: o.target(run),
        ...(prev && r?.State !== "blackhole" ? { previousTarget: prev } : {}),
      };
    },
    async create(run) {
      const ec2 = await ec2Of(run);
      const routeTableId = run.ref(o.routeTableStep);
      const want = o.target(run);
      const input = { RouteTableId: routeTableId, DestinationCidrBlock: o.destination, ...want };
      if (await existing(run)) await ec2.send(new ReplaceRouteCommand(input));
      else {
        try {
          await ec2.send(new CreateRouteCommand(input));
        } catch (err) {
          if (errorCode(err) !== "RouteAlreadyExists") throw err;
          await ec2.send(new ReplaceRouteCommand(input));
        }
      }
      return { id: `${routeTableId}|${o.destination}`, attrs: { routeTableId, destination: o.destination, target: want } };
    },
  };
}

// ---------- Elastic IP ----------
export function elasticIpStep(o: { id: string; az: string; byoAllocationId?: string }): StepDef {
  if (o.byoAllocationId) {
    const allocationId = o.byoAllocationId;
    const find = async (run: StepRun) => {
      const a = await getAddress(await ec2Of(run), allocationId);
      return a ? { id: allocationId, attrs: { publicIp: a.PublicIp } } : undefined;
    };
    return {
      id: o.id,
      kind: "elastic-ip",
      label: `your Elastic IP ${allocationId}`,
      owned: false,
      meta: { az: o.az },
      verify: (run) => find(run),
      discover: (run) => find(run),
      async create() {
        throw new CliError(`Elastic IP ${allocationId} no longer exists in this account/region.`);
      },
    };
  }
  return {
    id: o.id,
    kind: "elastic-ip",
    label: `Elastic IP for the NAT gateway in ${o.az}`,
    meta: { az: o.az },
    async verify(run, rec) {
      const a = await getAddress(await ec2Of(run), rec.id!);
      return a ? { id: a.AllocationId!, attrs: { publicIp: a.PublicIp } } : undefined;
    },
    async discover(run) {
      const found = await listAddresses(await ec2Of(run), run.stepFilters);
      return found[0] ? { id: found[0].AllocationId!, attrs: { publicIp: found[0].PublicIp } } : undefined;
    },
    async create(run) {
      const r = await (await ec2Of(run)).send(new AllocateAddressCommand({ Domain: "vpc", TagSpecifications: tagSpec("elastic-ip", run.tags) }));
      return { id: r.AllocationId!, attrs: { publicIp: r.PublicIp } };
    },
    dryRun: (run) => dryRunCall(run, (ec2) => ec2.send(new AllocateAddressCommand({ Domain: "vpc", DryRun: true }))),
  };
}

// ---------- NAT gateway ----------
const natAttrs = (n: NatGateway) => {
  const addr = n.NatGatewayAddresses?.[0];
  return { state: n.State, publicIp: addr?.PublicIp, privateIp: addr?.PrivateIp, allocationId: addr?.AllocationId, subnetId: n.SubnetId };
};
const liveNat = (n: NatGateway | undefined) => n && (n.State === "pending" || n.State === "available");

export function natGatewayStep(o: { id: string; az: string; subnetStep: string; eipStep: string; dependsOn: string[] }): StepDef {
  return {
    id: o.id,
    kind: "nat-gateway",
    label: `NAT gateway in ${o.az}`,
    dependsOn: [o.subnetStep, o.eipStep, ...o.dependsOn],
    meta: { az: o.az },
    async verify(run, rec) {
      const n = await getNatGateway(await ec2Of(run), rec.id!);
      return liveNat(n) ? { id: n!.NatGatewayId!, attrs: natAttrs(n!) } : undefined;
    },
    async discover(run) {
      const found = await listNatGateways(await ec2Of(run), [...run.stepFilters, { Name: "state", Values: ["pending", "available"] }]);
      return found[0] ? { id: found[0].NatGatewayId!, attrs: natAttrs(found[0]) } : undefined;
    },
    async create(run) {
      const r = await (await ec2Of(run)).send(
        new CreateNatGatewayCommand({
          SubnetId: run.ref(o.subnetStep),
          AllocationId: run.ref(o.eipStep),
          ConnectivityType: "public",
          ClientToken: run.clientToken,
          TagSpecifications: tagSpec("natgateway", run.tags),
        }),
      );
      return { id: r.NatGateway!.NatGatewayId!, attrs: natAttrs(r.NatGateway!) };
    },
    async settle(run, result) {
      const ec2 = await ec2Of(run);
      const nat = await waitWithSpinner(
        run.ctx,
        `NAT gateway ${result.id} in ${o.az} to become available`,
        async () => {
          const n = await getNatGateway(ec2, result.id!);
          if (!n) return { done: false, status: "not visible yet" };
          if (n.State === "available") return { done: true, value: n };
          if (n.State === "failed") return { done: false, failure: `went to state failed: ${n.FailureCode ?? ""} ${n.FailureMessage ?? ""}`.trim() };
          if (n.State === "deleting" || n.State === "deleted") return { done: false, failure: `is ${n.State}` };
          return { done: false, status: n.State };
        },
        (n) => `NAT gateway ${result.id} in ${o.az} is available (${natAttrs(n).publicIp})`,
        NAT_USUAL_MS.create,
      );
      return { id: result.id, attrs: natAttrs(nat) };
    },
    dryRun: (run) =>
      dryRunCall(run, (ec2) =>
        ec2.send(new CreateNatGatewayCommand({ SubnetId: run.ref(o.subnetStep), AllocationId: run.ref(o.eipStep), DryRun: true })),
      ),
  };
}

// ---------- Deleting ----------
export type Deleter = (ctx: Context, rec: ResourceRecord) => Promise<void>;

async function ignoreNotFound(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (classifyError(err) !== "not-found") throw err;
  }
}

/** Retries a delete that AWS refuses while a just-deleted dependent is still going away. */
async function retryDependency(ctx: Context, fn: () => Promise<unknown>, attempts = 12) {
  let delay = Math.max(20, ctx.wait.minDelayMs);
  for (let i = 1; ; i++) {
    try {
      return await ignoreNotFound(fn());
    } catch (err) {
      if (classifyError(err) !== "dependency" || i >= attempts || ctx.signal.aborted) throw err;
      await sleep(delay, ctx.signal);
      delay = Math.min(ctx.wait.maxDelayMs, delay * 2);
    }
  }
}

export const deleters: Record<string, Deleter> = {
  "vpc-attribute": async () => {},
  async vpc(ctx, rec) {
    const ec2 = await (await ctx.aws()).ec2();
    await retryDependency(ctx, () => ec2.send(new DeleteVpcCommand({ VpcId: rec.id! })));
  },
  async subnet(ctx, rec) {
    const ec2 = await (await ctx.aws()).ec2();
    await retryDependency(ctx, () => ec2.send(new DeleteSubnetCommand({ SubnetId: rec.id! })));
  },
  async "internet-gateway"(ctx, rec) {
    const ec2 = await (await ctx.aws()).ec2();
    // The gateway is ours: detach it from wherever it is attached, recorded or not (a crash can
    // land between AttachInternetGateway and recording the attachment).
    const g = await getInternetGateway(ec2, rec.id!);
    if (!g) return;
    for (const a of g.Attachments ?? []) {
      if (!a.VpcId || a.State === "detached") continue;
      try {
        await retryDependency(ctx, () => ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: rec.id!, VpcId: a.VpcId })));
      } catch (err) {
        if (errorCode(err) !== "Gateway.NotAttached") throw err;
      }
    }
    await retryDependency(ctx, () => ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: rec.id! })));
  },
  async "igw-attachment"(ctx, rec) {
    const ec2 = await (await ctx.aws()).ec2();
    const a = rec.attrs as { internetGatewayId: string; vpcId: string };
    try {
      await retryDependency(ctx, () => ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: a.internetGatewayId, VpcId: a.vpcId })));
    } catch (err) {
      if (errorCode(err) !== "Gateway.NotAttached") throw err;
    }
  },
  async "route-table"(ctx, rec) {
    const ec2 = await (await ctx.aws()).ec2();
    // The table is ours: drop subnet associations that were made but never recorded.
    const t = await getRouteTable(ec2, rec.id!);
    if (!t) return;
    for (const a of t.Associations ?? []) {
      if (!a.Main && a.RouteTableAssociationId) await ignoreNotFound(ec2.send(new DisassociateRouteTableCommand({ AssociationId: a.RouteTableAssociationId })));
    }
    await retryDependency(ctx, () => ec2.send(new DeleteRouteTableCommand({ RouteTableId: rec.id! })));
  },
  async "route-table-association"(ctx, rec) {
    const ec2 = await (await ctx.aws()).ec2();
    const prev = (rec.attrs as { previousRouteTableId?: string }).previousRouteTableId;
    if (prev) {
      // Put the subnet back on the table it had before egress-cli replaced its association.
      const ok = await getRouteTable(ec2, prev);
      if (ok) {
        await ignoreNotFound(ec2.send(new ReplaceRouteTableAssociationCommand({ AssociationId: rec.id!, RouteTableId: prev })));
        return;
      }
    }
    await ignoreNotFound(ec2.send(new DisassociateRouteTableCommand({ AssociationId: rec.id! })));
  },
  async route(ctx, rec) {
    const ec2 = await (await ctx.aws()).ec2();
    const a = rec.attrs as { routeTableId: string; destination: string; target: Target; previousTarget?: Target; maybeNotApplied?: boolean };
    const table = await getRouteTable(ec2, a.routeTableId);
    const current = table?.Routes?.find((r) => r.DestinationCidrBlock === a.destination);
    if (!current) return;
    if (targetId(targetOf(current)) !== targetId(a.target)) {
      if (a.maybeNotApplied) return; // the interrupted run never got to change it
      ctx.log.warn(`Route ${a.destination} in ${a.routeTableId} now points to ${targetId(targetOf(current))}, not to what egress-cli set; leaving it.`);
      return;
    }
    if (a.previousTarget) {
      try {
        await ec2.send(new ReplaceRouteCommand({ RouteTableId: a.routeTableId, DestinationCidrBlock: a.destination, ...a.previousTarget }));
        return;
      } catch (err) {
        if (classifyError(err) !== "not-found") throw err;
        ctx.log.warn(`The route ${a.destination} in ${a.routeTableId} pointed to ${targetId(a.previousTarget)} before, which no longer exists; removing the route instead.`);
      }
    }
    await ignoreNotFound(ec2.send(new DeleteRouteCommand({ RouteTableId: a.routeTableId, DestinationCidrBlock: a.destination })));
  },
  async "elastic-ip"(ctx, rec) {
    const ec2 = await (await ctx.aws()).ec2();
    await retryDependency(ctx, async () => {
      try {
        await ec2.send(new ReleaseAddressCommand({ AllocationId: rec.id! }));
      } catch (err) {
        // Still associated for a moment after its NAT gateway was deleted.
        if (errorCode(err) === "InvalidIPAddress.InUse") throw Object.assign(new Error((err as Error).message), { name: "DependencyViolation" });
        throw err;
      }
    });
  },
  async "nat-gateway"(ctx, rec) {
    const ec2 = await (await ctx.aws()).ec2();
    const n = await getNatGateway(ec2, rec.id!);
    if (!n || n.State === "deleted") return;
    if (n.State !== "deleting") await ignoreNotFound(ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: rec.id! })));
    await waitWithSpinner(
      ctx,
      `NAT gateway ${rec.id} to be deleted`,
      async () => {
        const cur = await getNatGateway(ec2, rec.id!);
        return !cur || cur.State === "deleted" ? { done: true } : { done: false, status: cur.State };
      },
      () => `NAT gateway ${rec.id} deleted`,
      NAT_USUAL_MS.delete,
    );
  },
  async "security-group"(ctx, rec) {
    const ec2 = await (await ctx.aws()).ec2();
    await retryDependency(ctx, () => ec2.send(new DeleteSecurityGroupCommand({ GroupId: rec.id! })));
  },
};

/** Tagged resource types swept for orphans by destroy, in the order a teardown needs. */
export async function findTaggedResources(ctx: Context, plan: { planId: string }) {
  const ec2 = await (await ctx.aws()).ec2();
  const f = planFilters(plan);
  const [vpcs, subnets, igws, tables, addresses, nats, groups, endpoints] = await Promise.all([
    listVpcs(ec2, f),
    listSubnets(ec2, f),
    listInternetGateways(ec2, f),
    listRouteTables(ec2, f),
    listAddresses(ec2, f),
    listNatGateways(ec2, [...f, { Name: "state", Values: ["pending", "available", "failed", "deleting"] }]),
    listSecurityGroups(ec2, f),
    listVpcEndpoints(ec2, f),
  ]);
  const step = (tags?: { Key?: string; Value?: string }[]) => tags?.find((t) => t.Key === "egress-cli:step")?.Value ?? "unknown";
  return [
    ...endpoints
      .filter((e) => !isGoneEndpoint(e))
      .map((e) => ({ kind: "vpc-endpoint", id: e.VpcEndpointId!, step: step(e.Tags), refs: [e.VpcId, ...(e.SubnetIds ?? []), ...(e.Groups ?? []).map((g) => g.GroupId)] })),
    ...nats.map((n) => ({ kind: "nat-gateway", id: n.NatGatewayId!, step: step(n.Tags), refs: [n.SubnetId, n.NatGatewayAddresses?.[0]?.AllocationId] })),
    ...addresses.map((a) => ({ kind: "elastic-ip", id: a.AllocationId!, step: step(a.Tags), refs: [] as (string | undefined)[] })),
    ...subnets.map((s) => ({ kind: "subnet", id: s.SubnetId!, step: step(s.Tags), refs: [s.VpcId] })),
    ...tables.map((t) => ({ kind: "route-table", id: t.RouteTableId!, step: step(t.Tags), refs: [t.VpcId] })),
    ...igws.map((g) => ({ kind: "internet-gateway", id: g.InternetGatewayId!, step: step(g.Tags), refs: [] as (string | undefined)[], attachedTo: g.Attachments?.[0]?.VpcId })),
    ...groups.map((g) => ({ kind: "security-group", id: g.GroupId!, step: step(g.Tags), refs: [g.VpcId] as (string | undefined)[] })),
    ...vpcs.map((v) => ({ kind: "vpc", id: v.VpcId!, step: step(v.Tags), refs: [] as (string | undefined)[] })),
  ];
}
