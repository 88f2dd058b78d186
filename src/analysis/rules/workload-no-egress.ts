// Workloads (instances and the network interfaces users attach) that cannot reach the internet:
// S5's "private instances can't apt update". One analyzer run per (subnet, security groups,
// public IP or not), shared by every workload with that shape.
import { ComponentType } from "../analyzer.js";
import { nameTag, pathEvidence, unknownEgress, type Rule } from "./types.js";
import { addNatFix, manualFix, sortedIds, tierOf } from "./util.js";

export const workloadNoEgress: Rule = {
  id: "workload-no-egress",
  severity: "medium",
  title: "Workload has no egress path to the internet",
  rationale:
    "An instance or network interface whose subnet has no usable default route (no NAT, or no public IP behind an internet gateway) cannot reach package mirrors, AWS APIs without endpoints, or any internet service. Per-resource checks miss it: the route table, the security group and the address are each fine on their own.",
  help: "Give the subnet a route out: `egress-cli import --vpc VPC --name NAME && egress-cli add-nat --mode single` (a NAT gateway for the private subnets), or add VPC endpoints for the AWS services the workload calls. Tag the resource `egress-cli:audit-ignore=workload-no-egress` (with `egress-cli:audit-ignore-reason`) when it is isolated on purpose.",
  equivalents: {},
  needs: ["networkInterfaces"],
  // a generator: each finding is taken (and its path result let go) before the next path is analyzed
  *check(ctx) {
    const { ix } = ctx;
    for (const eni of ix.snapshot.networkInterfaces) {
      const type = eni.InterfaceType ?? "interface";
      if (type !== "interface" || (eni as { RequesterManaged?: boolean }).RequesterManaged === true) continue;
      if ((eni.Status ?? "in-use") === "available" && !eni.Attachment?.InstanceId) continue; // detached: nothing runs there
      const subnet = ix.subnets.get(eni.SubnetId);
      if (!subnet) continue;
      const instanceId = eni.Attachment?.InstanceId;
      const inst = instanceId ? ix.instances.get(instanceId) : undefined;
      if (inst && (inst.State?.Name ?? "running") !== "running") continue;
      const publicIp = Boolean(eni.Association?.PublicIp || ix.eipByEni.get(eni.NetworkInterfaceId) || inst?.PublicIpAddress);
      const groups = sortedIds(eni.Groups.map((g) => g.GroupId));
      const key = `eni|${eni.SubnetId}|${groups.join(",")}|${publicIp}`;
      const source = instanceId && inst ? instanceId : eni.NetworkInterfaceId;
      const v = ctx.egress(key, source, "igw");
      if (v.reachable) continue;
      const resourceType = inst ? ComponentType.instance : ComponentType.networkInterface;
      if (v.verdict === "unknown") {
        yield unknownEgress(v, { resourceId: source, resourceType, vpcId: eni.VpcId, label: `${source} in ${eni.SubnetId}`, from: source, to: "igw", facts: { subnetId: eni.SubnetId, securityGroups: groups, publicIp } });
        continue;
      }
      const e = v.result.explanations[0];
      const tier = tierOf(ix, subnet);
      const why =
        tier === "isolated"
          ? "its subnet's route table has no default route (no NAT gateway)"
          : tier === "public" && !publicIp
            ? "it has no public IP and its subnet routes straight to the internet gateway (no NAT)"
            : `${e?.code ?? "blocked"} at ${e?.component.id ?? "?"}`;
      yield {
        resourceId: source,
        resourceType: inst ? ComponentType.instance : ComponentType.networkInterface,
        vpcId: eni.VpcId,
        message: `${source}${nameTag(inst?.Tags ?? eni.TagSet ?? eni.Tags) ? ` (${nameTag(inst?.Tags ?? eni.TagSet ?? eni.Tags)})` : ""} in ${eni.SubnetId} cannot reach the internet: ${publicIp ? "" : "no public IP and "}${why}.`,
        evidence: pathEvidence(v.result, source, "igw", 443, { subnetId: eni.SubnetId, securityGroups: groups, publicIp, tier }),
        fix:
          addNatFix(ix, eni.VpcId, [subnet]) ??
          manualFix(
            tier === "isolated"
              ? `give ${eni.SubnetId} a route out — a NAT gateway in a public subnet of ${eni.VpcId} (egress-cli add-nat, in the VPC's plan) — or interface endpoints for the AWS services ${source} calls (egress-cli add-endpoint SERVICE…).`
              : tier === "public" && !publicIp
                ? `give ${source} a public IP, or move it to a private subnet routed through a NAT gateway.`
                : `the path stops at ${e?.component.id ?? "?"} (${e?.code ?? "blocked"}): change that component so tcp/443 can leave.`,
          ),
        pathResult: v.result,
        pathFrom: source,
      };
    }
  },
};
