// Resolving a query's source (subnet, ENI, instance, Lambda function, NAT gateway, endpoint) into
// senders and its destination (internet gateway, internet, address, ENI, service) into a target.
import { UsageError } from "../../errors.js";
import { ANY_V4, ANY_V6, cidrContains, NAT64_PREFIX, nat64Of, parseCidr, v4OfNat64, type Cidr } from "../../net/addr.js";
import { lambdaEniKey, type SnapshotIndex } from "../snapshot-index.js";
import { closestServices, isKnownService } from "../services.js";
import { eniForEndpoint, eniForInstance, eniFromRecord, senderFromEni, senderFromNat, subnetOrThrow } from "./enis.js";
import { missing, type Ctx, type Sender, type Target, type TargetKind, type VirtualEni } from "./internal.js";
import { ComponentType, type ComponentRef } from "./model.js";

export function resolveSource(
  ix: SnapshotIndex,
  source: string,
): { sourceRef: ComponentRef; senders: Sender[]; notes: Map<string, string[]> } {
  const notes = new Map<string, string[]>();
  const one = (s: Sender, ...n: string[]) => {
    notes.set(s.ref.id, n);
    return { sourceRef: s.ref, senders: [s], notes };
  };

  if (source.startsWith("lambda:")) {
    const name = source.slice("lambda:".length);
    const fn = ix.lambdaFunctions.get(name);
    if (!fn) throw new UsageError(`Lambda function "${name}" is not in the snapshot`, "check the name, or take a new snapshot");
    const subnetIds = fn.VpcConfig?.SubnetIds ?? [];
    const sgIds = fn.VpcConfig?.SecurityGroupIds ?? [];
    if (subnetIds.length === 0) {
      throw new UsageError(
        `Lambda function "${name}" is not attached to a VPC`,
        "a function outside a VPC uses AWS-managed networking; attach it first (egress-cli attach-lambda)",
      );
    }
    const senders: Sender[] = [];
    for (const subnetId of subnetIds) {
      const subnet = subnetOrThrow(ix, subnetId, `lambda:${name}`);
      const eni = ix.lambdaEnis.get(lambdaEniKey(subnetId, sgIds))?.[0];
      let sender: Sender;
      const n: string[] = [];
      if (eni) {
        sender = senderFromEni(eniFromRecord(ix, eni));
      } else {
        // Hyperplane ENIs may not exist yet (or not be in the snapshot): analyze a virtual one.
        sender = {
          ref: { id: subnetId, type: ComponentType.subnet },
          label: `lambda:${name} in ${subnetId}`,
          subnet,
          az: subnet.AvailabilityZone,
          addr4: parseCidr(subnet.CidrBlock),
          addr6: fn.VpcConfig?.Ipv6AllowedForDualStack
            ? parseCidr(subnet.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock)
            : null,
          sgIds: [...sgIds],
        };
        n.push(`VIRTUAL_LAMBDA_ENI: no hyperplane ENI of lambda:${name} in ${subnetId}; analyzed a virtual ENI with ${sgIds.join(", ") || "no security groups"}`);
      }
      sender.publicIp = undefined; // never a public IP for Lambda
      sender.label = `lambda:${name} (${sender.ref.id})`;
      notes.set(sender.ref.id, n);
      senders.push(sender);
    }
    return { sourceRef: { id: fn.FunctionArn ?? name, type: ComponentType.lambdaFunction }, senders, notes };
  }
  if (source.startsWith("subnet-")) {
    const subnet = subnetOrThrow(ix, source, "source");
    return one(
      {
        ref: { id: subnet.SubnetId, type: ComponentType.subnet },
        label: subnet.SubnetId,
        subnet,
        az: subnet.AvailabilityZone,
        addr4: parseCidr(subnet.CidrBlock),
        addr6: parseCidr(subnet.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock),
        // A subnet source stands for an interface without a public IP unless the subnet
        // auto-assigns one.
        publicIp: subnet.MapPublicIpOnLaunch ? "(auto-assigned public IPv4)" : undefined,
        sgIds: null,
      },
      `SECURITY_GROUPS_NOT_EVALUATED: the source is subnet ${subnet.SubnetId}; no security group was evaluated at the source`,
    );
  }
  if (source.startsWith("eni-")) {
    const eni = ix.networkInterfaces.get(source);
    if (!eni) throw new UsageError(`network interface ${source} is not in the snapshot`);
    const natId = ix.natByEni.get(source);
    if (natId) return one(senderFromNat(ix, ix.natGateways.get(natId)!));
    return one(senderFromEni(eniFromRecord(ix, eni)));
  }
  if (source.startsWith("i-")) {
    const e = eniForInstance(ix, source);
    if (!e) throw new UsageError(`instance ${source} is not in the snapshot`);
    return one(senderFromEni(e));
  }
  if (source.startsWith("nat-")) {
    const nat = ix.natGateways.get(source);
    if (!nat) throw new UsageError(`NAT gateway ${source} is not in the snapshot`);
    return one(senderFromNat(ix, nat), `SECURITY_GROUPS_NOT_EVALUATED: NAT gateways have no security groups`);
  }
  if (source.startsWith("vpce-")) {
    const ep = ix.vpcEndpoints.get(source);
    if (!ep) throw new UsageError(`VPC endpoint ${source} is not in the snapshot`);
    const e = eniForEndpoint(ix, ep);
    if (!e) throw new UsageError(`VPC endpoint ${source} has no network interface (a ${ep.VpcEndpointType ?? "gateway"} endpoint cannot be a source)`);
    return one(senderFromEni(e));
  }
  throw new UsageError(
    `unknown source "${source}"`,
    "use a subnet-…, eni-…, i-…, nat-…, vpce-… id or lambda:FUNCTION_NAME",
  );
}

// ---------------------------------------------------------------------------------------------
// Destinations

export function resolveTarget(ctx: Ctx, sender: Sender, destination: string, ipVersion?: 4 | 6): Target {
  const t = resolveDestination(ctx, sender, destination, ipVersion);
  // An IPv6-only source reaches IPv4 only through DNS64 (a synthesized 64:ff9b::/96 address) and NAT64.
  if (t.family === 4 && !sender.addr4 && (t.kind === "address" || t.kind === "internet") && !t.eni) return viaDns64(ctx, sender, t);
  if (t.family === 6 && t.cidrs.length > 0 && t.cidrs.every((c) => cidrContains(NAT64_PREFIX, c))) {
    const v4 = t.cidrs.map((c) => v4OfNat64(c)!);
    t.nat64 = { kind: v4.every((c) => c.len === 0) ? "internet" : "address", family: 4, cidrs: v4, label: v4.map((c) => c.text.replace(/\/32$/, "")).join(", ") };
  }
  return t;
}

/** An IPv4 destination from an IPv6-only source: the address DNS64 synthesizes for it, when the subnet has DNS64. */
function viaDns64(ctx: Ctx, sender: Sender, t: Target): Target {
  if (!sender.subnet.EnableDns64) return { ...t, noDns64: true };
  const cidrs: Cidr[] = t.cidrs.map(nat64Of);
  ctx.details.push(
    `DNS64_ASSUMED: ${sender.label} has no IPv4 address; the answer assumes the name of ${t.label} resolves through the Route 53 Resolver's DNS64 (subnet ${sender.subnet.SubnetId}) to ${cidrs.map((c) => c.text.replace(/\/128$/, "")).join(", ")} and leaves through NAT64`,
  );
  return { kind: "address", family: 6, cidrs, label: `${t.label} (DNS64: ${cidrs.map((c) => c.text.replace(/\/128$/, "")).join(", ")})`, nat64: t };
}

function resolveDestination(ctx: Ctx, sender: Sender, destination: string, ipVersion?: 4 | 6): Target {
  const { ix } = ctx;
  // An IPv6-only source speaks IPv6: igw / internet / an interface mean their IPv6 side.
  const family: 4 | 6 = destination === "internet6" ? 6 : (ipVersion ?? (sender.addr4 ? 4 : 6));
  const any = family === 6 ? ANY_V6 : ANY_V4;
  if (destination === "internet6") return { kind: "internet", family: 6, cidrs: [ANY_V6], label: "the IPv6 internet (::/0)" };
  if (destination === "igw") return { kind: "igw", family, cidrs: [any], label: "an internet gateway" };
  if (destination.startsWith("igw-")) {
    if (!ix.internetGateways.has(destination)) throw new UsageError(`internet gateway ${destination} is not in the snapshot`);
    return { kind: "igw", family, cidrs: [any], label: destination, igwId: destination };
  }
  if (destination === "internet") return { kind: "internet", family, cidrs: [any], label: family === 6 ? "the internet (::/0)" : "the internet (0.0.0.0/0)" };
  if (destination.startsWith("service:")) return resolveService(ctx, sender, destination.slice("service:".length), family);
  if (destination.startsWith("eni-") || destination.startsWith("i-") || destination.startsWith("vpce-")) {
    let eni: VirtualEni | null = null;
    if (destination.startsWith("eni-")) {
      const rec = ix.networkInterfaces.get(destination);
      eni = rec ? eniFromRecord(ix, rec) : null;
    } else if (destination.startsWith("i-")) {
      eni = eniForInstance(ix, destination);
    } else {
      const ep = ix.vpcEndpoints.get(destination);
      eni = ep ? eniForEndpoint(ix, ep, sender.az) : null;
    }
    if (!eni) throw new UsageError(`destination ${destination} is not in the snapshot (or has no network interface)`);
    const addr = family === 6 ? eni.addr6 : eni.addr4;
    if (!addr) throw new UsageError(`destination ${destination} has no IPv${family} address in the snapshot`);
    return { kind: "eni", family, cidrs: [addr], label: destination, eni };
  }
  const cidr = parseCidr(destination);
  if (cidr) {
    const kind: TargetKind = cidr.len === 0 ? "internet" : "address";
    const target: Target = { kind, family: cidr.v, cidrs: [cidr], label: destination };
    if (cidr.len === (cidr.v === 4 ? 32 : 128)) {
      // An address held by an ENI of the sender's VPC: analyze it as that ENI (SG references apply).
      const rec = ix.eniByIp.get(`${sender.subnet.VpcId}|${cidr.text.slice(0, cidr.text.indexOf("/"))}`);
      if (rec) target.eni = eniFromRecord(ix, rec);
    }
    return target;
  }
  throw new UsageError(
    `unknown destination "${destination}"`,
    "use igw, internet, internet6, an IP address or CIDR, service:NAME, or an eni-…/i-…/vpce-… id",
  );
}

/**
 * service:NAME: an interface endpoint with private DNS in the sender's VPC; else a gateway
 * endpoint route (prefix list) for s3/dynamodb; else the public endpoint over the internet.
 */
function resolveService(ctx: Ctx, sender: Sender, name: string, family: 4 | 6): Target {
  const { ix } = ctx;
  const serviceName = name.startsWith("com.amazonaws.") ? name : `com.amazonaws.${ix.snapshot.region}.${name}`;
  const endpoints = ix.endpointsByService.get(`${sender.subnet.VpcId}|${serviceName}`) ?? [];
  if (!isKnownService(name) && endpoints.length === 0 && !ix.prefixListByName.has(serviceName)) {
    throw new UsageError(`unknown AWS service "${name}"`, `closest names: ${closestServices(name).map((s) => `service:${s}`).join(", ")}`, "UnknownService");
  }
  const iface = endpoints.filter((e) => (e.VpcEndpointType ?? "Interface") === "Interface");
  const withDns = iface.find((e) => e.PrivateDnsEnabled);
  if (withDns) {
    const eni = eniForEndpoint(ix, withDns, sender.az);
    if (eni && eni.addr4) {
      const target: Target = { kind: "eni", family: 4, cidrs: [eni.addr4], label: `${serviceName} via ${withDns.VpcEndpointId}`, eni, service: serviceName };
      target.resolvedVia = {
        component: { id: withDns.VpcEndpointId, type: ComponentType.vpcEndpoint },
        action: `${serviceName} resolves (private DNS) to interface endpoint ${withDns.VpcEndpointId} at ${eni.addr4.text.replace(/\/32$/, "")} in ${eni.subnet.SubnetId}`,
      };
      const state = (withDns.State ?? "available").toLowerCase();
      if (state !== "available") target.badEndpoint = withDns;
      return target;
    }
  }
  if (iface.length > 0) {
    ctx.details.push(
      `SERVICE_ENDPOINT_NO_PRIVATE_DNS: ${iface.map((e) => e.VpcEndpointId).join(", ")} for ${serviceName} has private DNS disabled; the default service name resolves to public addresses`,
    );
  }
  const plId = ix.prefixListByName.get(serviceName);
  const gateway = endpoints.find((e) => e.VpcEndpointType === "Gateway");
  if (plId && gateway) {
    const pl = ix.prefixLists.get(plId)!;
    return { kind: "prefix-list", family: 4, cidrs: pl.cidrs, label: `${serviceName} (${plId})`, prefixListId: plId, service: serviceName };
  }
  ctx.details.push(`SERVICE_VIA_INTERNET: no interface endpoint with private DNS${plId ? " or gateway endpoint" : ""} for ${serviceName} in ${sender.subnet.VpcId}; analyzed the path to its public endpoint`);
  // Without the VPC's endpoints, the service name may resolve to one (whose groups were not evaluated).
  if (!missing(ctx, "vpcEndpoints", { id: sender.subnet.VpcId, type: ComponentType.vpc }, `whether ${sender.subnet.VpcId} has an endpoint for ${serviceName}`)) {
    missing(ctx, "managedPrefixLists", { id: sender.subnet.VpcId, type: ComponentType.vpc }, `whether ${serviceName} has a gateway endpoint prefix list`);
  }
  return { kind: "internet", family, cidrs: [family === 6 ? ANY_V6 : ANY_V4], label: `${serviceName} (public endpoint)`, service: serviceName };
}
