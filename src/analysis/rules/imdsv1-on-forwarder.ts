// Proxies and NAT instances (instances that forward other hosts' traffic: source/destination check
// off, a route target, or tagged as a proxy) that still allow IMDSv1: a request-forgery through the
// proxy reads the instance role's credentials.
import { ComponentType } from "../analyzer.js";
import { nameTag, type RawFinding, type Rule } from "./types.js";

export const imdsv1OnForwarder: Rule = {
  id: "imdsv1-on-forwarder",
  severity: "high",
  title: "Proxy or NAT instance allows IMDSv1",
  rationale: "An instance that forwards traffic for others turns any server-side request forgery into `GET http://169.254.169.254/latest/meta-data/iam/security-credentials/…`. IMDSv2 (HttpTokens=required) needs a PUT with a token header that forwarded requests do not carry.",
  help: "`aws ec2 modify-instance-metadata-options --instance-id i-… --http-tokens required --http-put-response-hop-limit 1`.",
  equivalents: { prowler: "ec2_instance_imdsv2_enabled", steampipe: "aws_compliance.control.ec2_instance_uses_imdsv2", checkov: "CKV_AWS_79" },
  needs: ["instances"],
  check({ ix }) {
    const out: RawFinding[] = [];
    const routeTargets = new Set<string>();
    for (const { table } of ix.routeTables.values()) for (const r of table.Routes) for (const t of [r.InstanceId, r.NetworkInterfaceId]) if (t) routeTargets.add(t);
    for (const inst of ix.instances.values()) {
      if ((inst.State?.Name ?? "running") === "terminated") continue;
      const md = (inst as { MetadataOptions?: { HttpTokens?: string; HttpEndpoint?: string } }).MetadataOptions;
      if (!md || md.HttpEndpoint === "disabled" || md.HttpTokens === "required") continue; // unknown (not collected) or safe
      const enis = inst.NetworkInterfaces.map((n) => n.NetworkInterfaceId).filter((x): x is string => !!x);
      const forwarding = inst.SourceDestCheck === false || inst.NetworkInterfaces.some((n) => n.SourceDestCheck === false);
      const routed = routeTargets.has(inst.InstanceId) || enis.some((e) => routeTargets.has(e));
      const tagged = (inst.Tags ?? []).some((t) => /proxy|nat|squid|egress/i.test(`${t.Key}=${t.Value}`) && t.Key !== "egress-cli:example");
      if (!forwarding && !routed && !tagged) continue;
      out.push({
        resourceId: inst.InstanceId,
        resourceType: ComponentType.instance,
        vpcId: inst.VpcId,
        message: `${inst.InstanceId}${nameTag(inst.Tags) ? ` (${nameTag(inst.Tags)})` : ""} forwards traffic (${[forwarding && "source/destination check off", routed && "a route target", tagged && "tagged as a proxy/NAT"].filter(Boolean).join(", ")}) and allows IMDSv1 (HttpTokens=${md.HttpTokens ?? "optional"}).`,
        evidence: { facts: { httpTokens: md.HttpTokens ?? "optional", sourceDestCheck: !forwarding, routeTarget: routed } },
        fix: `aws ec2 modify-instance-metadata-options --instance-id ${inst.InstanceId} --http-tokens required --http-put-response-hop-limit 1`,
      });
    }
    return out;
  },
};
