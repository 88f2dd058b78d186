// S4: an MSK/Kafka event source mapping in on-demand mode runs its pollers in the cluster's subnets;
// they must reach Lambda and STS (a NAT gateway or lambda + sts interface endpoints), or the mapping
// sits in "PROBLEM: Connection error" and no record is ever delivered.
import { ComponentType } from "../analyzer.js";
import { pathEvidence, unknownEgress, type Rule } from "./types.js";
import { kafkaMappings } from "./msk.js";
import { vpcPlanFix } from "./util.js";

export const mskEsmNoEgress: Rule = {
  id: "msk-esm-no-egress",
  severity: "high",
  title: "On-demand Kafka event source mapping whose cluster subnets reach neither Lambda nor STS",
  rationale: "In on-demand mode Lambda's pollers use network interfaces in the cluster's subnets with the cluster's security groups and must call Lambda and STS from there. Without a NAT route or lambda + sts interface endpoints the mapping never delivers a record (provisioned mode with its own poller network does not need this).",
  help: "`egress-cli --plan egress-plan-NAME.json import --vpc VPC --name NAME && egress-cli --plan egress-plan-NAME.json add-endpoint --for msk-esm --enable-vpc-dns` (lambda + sts endpoints admitting the cluster group, `--sasl` adds secretsmanager; private DNS needs the VPC's DNS attributes on), or a NAT gateway for the cluster subnets.",
  equivalents: {},
  needs: ["eventSourceMappings", "networkInterfaces"],
  // a generator: each finding is taken (and its path result let go) before the next path is analyzed
  *check(ctx) {
    const { ix } = ctx;
    for (const m of kafkaMappings(ix)) {
      if (!m.onDemand || !m.subnetIds.length) continue;
      const blocked: { service: string; subnetId: string; result: ReturnType<typeof ctx.egress>["result"]; source: string }[] = [];
      let unknown: { v: ReturnType<typeof ctx.egress>; service: string; source: string } | undefined;
      for (const subnetId of m.subnetIds) {
        const eni = m.enis.find((e) => e.SubnetId === subnetId);
        const source = eni?.NetworkInterfaceId ?? subnetId;
        for (const service of ["lambda", "sts"]) {
          const v = ctx.egress(`svc|${subnetId}|${m.groupIds.join(",")}|${service}`, source, `service:${service}`);
          if (v.verdict === "unreachable") blocked.push({ service, subnetId, result: v.result, source });
          else if (v.verdict === "unknown") unknown ??= { v, service, source };
        }
      }
      if (!blocked.length && unknown) {
        const u = unknown;
        yield unknownEgress(u.v, { resourceId: m.id, resourceType: "AWS::Lambda::EventSourceMapping", vpcId: ix.subnets.get(m.subnetIds[0]!)?.VpcId, label: `Kafka mapping ${m.id}'s pollers (${u.source})`, from: u.source, to: `service:${u.service}`, facts: { clusterSubnets: m.subnetIds, clusterSecurityGroups: m.groupIds } });
      }
      if (!blocked.length) continue;
      const first = blocked[0]!;
      const vpcId = ix.subnets.get(first.subnetId)?.VpcId;
      yield {
        resourceId: m.id,
        resourceType: "AWS::Lambda::EventSourceMapping",
        vpcId,
        message: `Kafka mapping ${m.id} (cluster ${m.clusterName}) is on-demand, but its cluster subnets cannot reach ${[...new Set(blocked.map((b) => b.service))].join(" and ")} (${[...new Set(blocked.map((b) => b.subnetId))].join(", ")}): no NAT gateway and no lambda/sts endpoints.`,
        evidence: pathEvidence(first.result, first.source, `service:${first.service}`, 443, { clusterSubnets: m.subnetIds, clusterSecurityGroups: m.groupIds, unreachable: blocked.map((b) => `${b.subnetId} → ${b.service}`), eventSourceArn: m.esm.EventSourceArn ?? "" }),
        fix: mskFix(ix, vpcId, m.esm.SourceAccessConfigurations ?? []),
        pathResult: first.result,
        pathFrom: first.source,
      };
    }
  },
};

/**
 * lambda + sts endpoints for the mapping (+ secretsmanager when it reads SASL/SCRAM secrets), in the
 * cluster VPC's plan. Their private DNS needs enableDnsSupport and enableDnsHostnames: unless the
 * snapshot shows both on, `--enable-vpc-dns` turns on whichever is off (and changes nothing otherwise).
 */
function mskFix(ix: Parameters<Rule["check"]>[0]["ix"], vpcId: string | undefined, access: { Type?: string }[]): string {
  if (!vpcId) return "egress-cli add-endpoint --for msk-esm --enable-vpc-dns";
  const vpc = ix.vpcs.get(vpcId) as { EnableDnsSupport?: boolean; EnableDnsHostnames?: boolean } | undefined;
  const dnsOn = vpc?.EnableDnsSupport === true && vpc?.EnableDnsHostnames === true;
  const sasl = access.some((c) => /^SASL_SCRAM/.test(c.Type ?? ""));
  return vpcPlanFix(ix, vpcId, [`add-endpoint --for msk-esm${sasl ? " --sasl" : ""}${dnsOn ? "" : " --enable-vpc-dns"}`]);
}
