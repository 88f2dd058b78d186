// Security groups whose egress is wider than what the interfaces in them can use: an interface or
// Resource endpoint never opens a connection (no egress needed at all), a VPC Lattice resource
// gateway only connects to its resource configurations' ports, and a Lambda function's group with
// all traffic out to the internet is AWS's default, not a choice. A group is judged only when every
// user of it is known (endpoints, resource gateways, Lambda functions); a group that also holds an
// instance or any other interface, or a VPC's default group, has a role we cannot know.
import { ComponentType } from "../analyzer.js";
import type { ParsedPermission, ParsedSecurityGroup, SnapshotIndex } from "../snapshot-index.js";
import { nameTag, type RawFinding, type Rule } from "./types.js";
import { portText } from "./sg-open.js";
import { endpointLive } from "./util.js";

/** An IpPermission as the AWS CLI's --ip-permissions JSON takes it. */
interface IpPermission {
  IpProtocol?: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges?: { CidrIp?: string }[];
  Ipv6Ranges?: { CidrIpv6?: string }[];
  UserIdGroupPairs?: { GroupId?: string }[];
  PrefixListIds?: { PrefixListId?: string }[];
}

type Role = "endpoint" | "resource-gateway" | "lambda" | "other";

interface Users {
  roles: Set<Role>;
  /** Who uses the group, for the message (vpce-…, rgw-…, function names). */
  names: Set<string>;
  /** Port ranges the resource gateways' configurations forward ("3128", "8000-8080"); null: one forwards every port. */
  gatewayPorts: Array<[number, number]> | null;
  /** A resource gateway using the group has no configuration (what it will need is not known yet). */
  gatewayUnknown: boolean;
}

function usersOfGroups(ix: SnapshotIndex): Map<string, Users> {
  const users = new Map<string, Users>();
  const add = (groupId: string | undefined, role: Role, name: string) => {
    if (!groupId) return;
    let u = users.get(groupId);
    if (!u) users.set(groupId, (u = { roles: new Set(), names: new Set(), gatewayPorts: [], gatewayUnknown: false }));
    u.roles.add(role);
    u.names.add(name);
    return u;
  };
  const known = new Set<string>(); // ENIs whose role comes from their owner
  for (const ep of ix.vpcEndpoints.values()) {
    for (const id of ep.NetworkInterfaceIds) known.add(id);
    if (!endpointLive(ep)) continue;
    for (const g of ep.Groups) add(g.GroupId, "endpoint", ep.VpcEndpointId);
  }
  const gateways = new Set([...ix.resourceGateways.values()]);
  const configsByGateway = new Map<string, string[][]>();
  for (const c of new Set(ix.resourceConfigurations.values())) {
    const gwId = c.resourceGatewayId ? (ix.resourceGateways.get(c.resourceGatewayId)?.id ?? c.resourceGatewayId) : undefined; // an id or an ARN
    if (!gwId) continue;
    const list = configsByGateway.get(gwId) ?? [];
    list.push(c.portRanges);
    configsByGateway.set(gwId, list);
  }
  for (const gw of gateways) {
    for (const e of ix.resourceGatewayEnis.get(gw.id) ?? []) known.add(e.NetworkInterfaceId);
    const configs = configsByGateway.get(gw.id) ?? [];
    for (const g of gw.securityGroupIds) {
      const u = add(g, "resource-gateway", gw.id)!;
      if (!configs.length) u.gatewayUnknown = true;
      for (const ranges of configs) {
        if (!ranges.length || u.gatewayPorts === null) u.gatewayPorts = null;
        else
          for (const r of ranges) {
            const [a, b] = r.split("-").map((x) => Number(x.trim()));
            u.gatewayPorts.push([a!, b ?? a!]);
          }
      }
    }
  }
  for (const fn of new Set(ix.lambdaFunctions.values())) for (const g of fn.VpcConfig?.SecurityGroupIds ?? []) add(g, "lambda", `function ${fn.FunctionName}`);
  for (const eni of ix.networkInterfaces.values()) {
    if (known.has(eni.NetworkInterfaceId)) continue;
    // An endpoint's ENI its record does not list is still an endpoint's (requester-managed by the service).
    const role: Role = eni.InterfaceType === "lambda" ? "lambda" : eni.InterfaceType === "vpc_endpoint" ? "endpoint" : "other";
    for (const g of eni.Groups) add(g.GroupId, role, role === "other" ? eni.NetworkInterfaceId : role === "lambda" ? "a Lambda ENI" : `endpoint ENI ${eni.NetworkInterfaceId}`);
  }
  for (const inst of ix.instances.values()) for (const g of inst.SecurityGroups ?? []) add(g.GroupId, "other", inst.InstanceId);
  return users;
}

/** An egress permission as the AWS CLI's --ip-permissions takes it, limited to the peers given. */
function cliPermission(p: ParsedPermission, only?: (peer: string) => boolean): IpPermission {
  const keep = only ?? (() => true);
  const perm = p.perm;
  const v4 = perm.IpRanges.filter((r) => r.CidrIp && keep(r.CidrIp)).map((r) => ({ CidrIp: r.CidrIp }));
  const v6 = perm.Ipv6Ranges.filter((r) => r.CidrIpv6 && keep(r.CidrIpv6)).map((r) => ({ CidrIpv6: r.CidrIpv6 }));
  const groups = perm.UserIdGroupPairs.filter((u) => u.GroupId && keep(u.GroupId)).map((u) => ({ GroupId: u.GroupId }));
  const lists = perm.PrefixListIds.filter((l) => l.PrefixListId && keep(l.PrefixListId)).map((l) => ({ PrefixListId: l.PrefixListId }));
  return {
    IpProtocol: perm.IpProtocol,
    ...(p.proto === "all" || perm.FromPort === undefined ? {} : { FromPort: perm.FromPort, ToPort: perm.ToPort ?? perm.FromPort }),
    ...(v4.length ? { IpRanges: v4 } : {}),
    ...(v6.length ? { Ipv6Ranges: v6 } : {}),
    ...(groups.length ? { UserIdGroupPairs: groups } : {}),
    ...(lists.length ? { PrefixListIds: lists } : {}),
  };
}

const peersOf = (p: IpPermission) => [
  ...(p.IpRanges ?? []).map((r) => r.CidrIp!),
  ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6!),
  ...(p.UserIdGroupPairs ?? []).map((u) => u.GroupId!),
  ...(p.PrefixListIds ?? []).map((l) => l.PrefixListId!),
];
const describe = (p: ParsedPermission, perm: IpPermission) => `${portText(p)} to ${peersOf(perm).join(", ")}`;
const awsCli = (op: "revoke" | "authorize", groupId: string, perms: IpPermission[]) => `aws ec2 ${op}-security-group-egress --group-id ${groupId} --ip-permissions '${JSON.stringify(perms)}'`;

const isWorld = (peer: string) => peer === "0.0.0.0/0" || peer === "::/0";

function judge(sg: ParsedSecurityGroup, u: Users): Omit<RawFinding, "resourceId" | "resourceType" | "vpcId"> | undefined {
  const id = sg.group.GroupId;
  const label = `${id} (${sg.group.GroupName ?? nameTag(sg.group.Tags) ?? ""})`;
  const who = [...u.names].sort().join(", ");
  if (u.roles.has("lambda")) {
    // A function may call anything; only AWS's default — all traffic to the whole internet — is flagged.
    const hits = sg.egress.filter((p) => p.proto === "all" && p.cidrs.some((c) => c.len === 0)).map((p) => ({ p, perm: cliPermission(p, isWorld) }));
    if (!hits.length) return undefined;
    const world = [...new Set(hits.flatMap((h) => peersOf(h.perm)))].sort();
    const https = world.map((w) => ({ IpProtocol: "tcp", FromPort: 443, ToPort: 443, ...(w.includes(":") ? { Ipv6Ranges: [{ CidrIpv6: w }] } : { IpRanges: [{ CidrIp: w }] }) }));
    const hasHttps = (w: string) => sg.egress.some((p) => p.proto === "tcp" && p.from <= 443 && 443 <= p.to && p.cidrs.some((c) => c.text === w));
    const add = https.filter((h) => !hasHttps(peersOf(h)[0]!));
    return {
      severity: "info",
      message: `${label}, the group of ${who}, allows all traffic out to ${world.join(", ")}: AWS's default, wider than a function needs (HTTPS to AWS APIs and the services it calls, plus named ports such as its database's).`,
      evidence: { facts: { role: "lambda", users: [...u.names].sort(), rules: hits.map((h) => describe(h.p, h.perm)) } },
      fix: [...(add.length ? [awsCli("authorize", id, add)] : []), awsCli("revoke", id, hits.map((h) => h.perm))].join(" && "),
    };
  }
  if (u.roles.has("resource-gateway")) {
    if (u.gatewayUnknown || u.gatewayPorts === null) return undefined;
    const ports = u.gatewayPorts;
    const covered = (p: ParsedPermission) => p.proto === "tcp" && ports.some(([a, b]) => a <= p.from && p.to <= b);
    const hits = sg.egress.filter((p) => !covered(p)).map((p) => ({ p, perm: cliPermission(p) }));
    if (!hits.length) return undefined;
    const want = [...new Set(ports.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)))].join(", ");
    return {
      severity: "low",
      message: `${label}, the group of resource gateway ${who}, allows ${hits.map((h) => describe(h.p, h.perm)).join("; ")}: the gateway only connects to its resource configurations' targets on tcp ${want}.`,
      evidence: { facts: { role: "resource-gateway", users: [...u.names].sort(), neededPorts: want, rules: hits.map((h) => describe(h.p, h.perm)) } },
      fix: awsCli("revoke", id, hits.map((h) => h.perm)),
    };
  }
  // Only endpoints: they answer connections (security groups are stateful) and never open one.
  if (!sg.egress.length) return undefined;
  const hits = sg.egress.map((p) => ({ p, perm: cliPermission(p) }));
  return {
    severity: "low",
    message: `${label}, the group of endpoint(s) ${who}, allows ${hits.map((h) => describe(h.p, h.perm)).join("; ")}: an endpoint never opens a connection, so its group needs no egress rule.`,
    evidence: { facts: { role: "endpoint", users: [...u.names].sort(), rules: hits.map((h) => describe(h.p, h.perm)) } },
    fix: awsCli("revoke", id, hits.map((h) => h.perm)),
  };
}

export const sgEgressWiderThanNeeded: Rule = {
  id: "sg-egress-wider-than-needed",
  severity: "low",
  title: "Security group allows more egress than its interfaces need",
  rationale:
    "Egress is the path data leaves by. An interface or Resource endpoint never initiates a connection, a resource gateway only reaches its resource configurations' ports, and a Lambda function's group left with AWS's all-traffic-to-anywhere default lets anything running in it open any port to any address. (info for the Lambda case: what a function calls is the owner's to say.)",
  help: "Revoke the rules the finding names: `aws ec2 revoke-security-group-egress --group-id sg-… --ip-permissions '[…]'` (for a Lambda group, first `authorize-security-group-egress` tcp/443 and the ports the function uses). Groups egress-cli creates get exactly this from the start.",
  equivalents: {},
  needs: ["securityGroups", "vpcEndpoints", "networkInterfaces"],
  check({ ix }) {
    const out: RawFinding[] = [];
    for (const [groupId, u] of usersOfGroups(ix)) {
      if (u.roles.has("other")) continue;
      const sg = ix.securityGroups.get(groupId);
      if (!sg || sg.group.GroupName === "default") continue;
      const f = judge(sg, u);
      if (f) out.push({ resourceId: groupId, resourceType: ComponentType.securityGroup, vpcId: sg.group.VpcId, ...f });
    }
    return out.sort((a, b) => a.resourceId.localeCompare(b.resourceId));
  },
};
