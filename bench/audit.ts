// Benchmark for `audit`: a synthetic account of 1,000 VPCs / 10,000 subnets / 50,000 ENIs (10×) and a
// tenth of it (1×), every rule, from a snapshot document (parse + validate + index + rules + JSON and
// SARIF reports). Each size runs in its own process for a clean peak RSS. Targets: 10× under 10 s wall
// and 1 GB peak memory; the 1× → 10× ratio about linear (≈10).
// Run: node --import tsx bench/audit.ts   (also run by `npm run bench`)
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { auditSnapshot, buildReport } from "../src/analysis/audit.js";
import { RULES } from "../src/analysis/rules/index.js";
import { parseSnapshot } from "../src/analysis/snapshot.js";
import { renderSarif } from "../src/output/audit-sarif.js";

const SUBNETS_PER_VPC = 10; // 2 public (one per AZ) + 8 private
const ENIS_PER_SUBNET = 5;
const SGS_PER_VPC = 6;

/** One account: every VPC its own /20, a NAT in AZ a, private tables → NAT (every 10th VPC forgot it), a Lambda, an sts endpoint. */
export function synthetic(vpcs: number): unknown {
  const d: any = {
    version: 1, takenAt: new Date(0).toISOString(), region: "us-east-1", accountId: "123456789012",
    vpcs: [], subnets: [], routeTables: [], internetGateways: [], natGateways: [], addresses: [], securityGroups: [], networkAcls: [],
    networkInterfaces: [], instances: [], vpcEndpoints: [], lambdaFunctions: [], eventSourceMappings: [], flowLogs: [],
  };
  const azs = ["us-east-1a", "us-east-1b"];
  for (let v = 0; v < vpcs; v++) {
    const vpc = `vpc-${v}`;
    const o2 = (v >> 4) & 255;
    const o3 = (v & 15) * 16;
    const net = (i: number) => `10.${o2}.${o3 + i}`;
    d.vpcs.push({ VpcId: vpc, CidrBlock: `10.${o2}.${o3}.0/20` });
    d.internetGateways.push({ InternetGatewayId: `igw-${v}`, Attachments: [{ VpcId: vpc, State: "available" }] });
    const sgs = Array.from({ length: SGS_PER_VPC }, (_, i) => `sg-${v}-${i}`);
    d.securityGroups.push({ GroupId: `sg-${v}-default`, GroupName: "default", VpcId: vpc, IpPermissions: [{ IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: `sg-${v}-default` }] }], IpPermissionsEgress: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] });
    for (const [i, sg] of sgs.entries()) {
      d.securityGroups.push({
        GroupId: sg, GroupName: `app-${i}`, VpcId: vpc,
        IpPermissions: Array.from({ length: 8 }, (_, r) => ({ IpProtocol: "tcp", FromPort: 8000 + r, ToPort: 8000 + r, IpRanges: [{ CidrIp: `10.${o2}.${o3}.0/20` }], UserIdGroupPairs: r % 3 === 0 ? [{ GroupId: sgs[(i + 1) % SGS_PER_VPC] }] : [] })),
        IpPermissionsEgress: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      });
    }
    d.networkAcls.push({ NetworkAclId: `acl-${v}`, VpcId: vpc, IsDefault: true, Associations: [], Entries: [true, false].flatMap((egress) => [{ RuleNumber: 100, Protocol: "-1", RuleAction: "allow", Egress: egress, CidrBlock: "0.0.0.0/0" }, { RuleNumber: 32767, Protocol: "-1", RuleAction: "deny", Egress: egress, CidrBlock: "0.0.0.0/0" }]) });
    const subnetIds: string[] = [];
    for (let s = 0; s < SUBNETS_PER_VPC; s++) {
      const id = `subnet-${v}-${s}`;
      subnetIds.push(id);
      d.subnets.push({ SubnetId: id, VpcId: vpc, CidrBlock: `${net(s)}.0/24`, AvailabilityZone: azs[s % 2], MapPublicIpOnLaunch: s < 2 });
      if (s < 2) continue;
      for (let e = 0; e < ENIS_PER_SUBNET; e++) {
        const eni = `eni-${v}-${s}-${e}`;
        d.networkInterfaces.push({ NetworkInterfaceId: eni, SubnetId: id, VpcId: vpc, InterfaceType: "interface", Status: "in-use", PrivateIpAddress: `${net(s)}.${10 + e}`, Groups: [{ GroupId: sgs[(s + e) % SGS_PER_VPC] }] });
      }
    }
    // The public subnets' ENIs: the NAT's, the endpoint's, and instances with public IPs.
    d.natGateways.push({ NatGatewayId: `nat-${v}`, VpcId: vpc, SubnetId: subnetIds[0], State: "available", ConnectivityType: "public", NatGatewayAddresses: [{ AllocationId: `eipalloc-${v}`, PublicIp: `198.${18 + (v >> 16)}.${(v >> 8) & 255}.${v & 255}`, PrivateIp: `${net(0)}.5`, NetworkInterfaceId: `eni-nat-${v}`, IsPrimary: true }] });
    d.addresses.push({ AllocationId: `eipalloc-${v}`, PublicIp: `198.${18 + (v >> 16)}.${(v >> 8) & 255}.${v & 255}`, AssociationId: `eipassoc-${v}`, NetworkInterfaceId: `eni-nat-${v}` });
    for (let e = 0; e < ENIS_PER_SUBNET * 2; e++) {
      const s = e % 2;
      const id = e === 0 ? `eni-nat-${v}` : e === 1 ? `eni-ep-${v}` : `eni-${v}-${s}-${e}`;
      d.networkInterfaces.push({ NetworkInterfaceId: id, SubnetId: subnetIds[s], VpcId: vpc, InterfaceType: e === 0 ? "nat_gateway" : e === 1 ? "vpc_endpoint" : "interface", RequesterManaged: e < 2, Status: "in-use", PrivateIpAddress: `${net(s)}.${e === 0 ? 5 : 20 + e}`, Groups: e === 0 ? [] : [{ GroupId: sgs[e % SGS_PER_VPC] }], ...(e >= 2 ? { Association: { PublicIp: `203.${(v >> 8) & 255}.${v & 255}.${e}` } } : {}) });
    }
    d.routeTables.push({ RouteTableId: `rtb-${v}-main`, VpcId: vpc, Routes: [{ DestinationCidrBlock: `10.${o2}.${o3}.0/20`, GatewayId: "local" }], Associations: [{ Main: true }] });
    d.routeTables.push({ RouteTableId: `rtb-${v}-pub`, VpcId: vpc, Routes: [{ DestinationCidrBlock: `10.${o2}.${o3}.0/20`, GatewayId: "local" }, { DestinationCidrBlock: "0.0.0.0/0", GatewayId: `igw-${v}`, State: "active" }], Associations: subnetIds.slice(0, 2).map((SubnetId) => ({ SubnetId })) });
    // Every 10th VPC forgot the NAT route: its private workloads have no egress (real findings).
    d.routeTables.push({ RouteTableId: `rtb-${v}-priv`, VpcId: vpc, Routes: [{ DestinationCidrBlock: `10.${o2}.${o3}.0/20`, GatewayId: "local" }, ...(v % 10 === 0 ? [] : [{ DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: `nat-${v}`, State: "active" }])], Associations: subnetIds.slice(2).map((SubnetId) => ({ SubnetId })) });
    d.vpcEndpoints.push({ VpcEndpointId: `vpce-${v}`, VpcId: vpc, VpcEndpointType: "Interface", ServiceName: "com.amazonaws.us-east-1.sts", State: "available", PrivateDnsEnabled: true, SubnetIds: [subnetIds[1]], NetworkInterfaceIds: [`eni-ep-${v}`], Groups: [{ GroupId: sgs[1] }] });
    d.lambdaFunctions.push({ FunctionName: `fn-${v}`, FunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:fn-${v}`, VpcConfig: { SubnetIds: subnetIds.slice(2, 4), SecurityGroupIds: [sgs[0]], VpcId: vpc } });
    if (v % 2 === 0) d.flowLogs.push({ FlowLogId: `fl-${v}`, ResourceId: vpc, FlowLogStatus: "ACTIVE" });
  }
  return d;
}

function measure(vpcs: number) {
  const text = JSON.stringify(synthetic(vpcs)); // what --snapshot FILE reads
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const snap = parseSnapshot(JSON.parse(text));
  const tParsed = performance.now();
  const a = auditSnapshot(snap, [...RULES], { source: "bench" });
  const tRules = performance.now();
  const report = buildReport({ scopes: [a.scope], findings: a.findings, rules: [...RULES], version: "bench", now: new Date(0) });
  const json = JSON.stringify(report);
  const sarif = JSON.stringify(renderSarif(report, () => ({ uri: "snap.json" })).log);
  const t1 = performance.now();
  const cpu = process.cpuUsage(c0);
  return {
    cpuMs: (cpu.user + cpu.system) / 1000,
    vpcs, subnets: snap.subnets.length, enis: snap.networkInterfaces.length, findings: report.findings.length, pathAnalyses: a.pathAnalyses,
    parseMs: tParsed - t0, rulesMs: tRules - tParsed, reportMs: t1 - tRules, wallMs: t1 - t0, jsonMB: json.length / 1e6, sarifMB: sarif.length / 1e6,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

if (process.argv[2] === "--child") {
  console.log(JSON.stringify(measure(Number(process.argv[3]))));
} else {
  const self = fileURLToPath(import.meta.url);
  const rows = [100, 1000].map((n) => JSON.parse(execFileSync(process.execPath, ["--import", "tsx", self, "--child", String(n)], { encoding: "utf8", maxBuffer: 1 << 24 })) as ReturnType<typeof measure>);
  console.log(`Node ${process.version}. audit of a synthetic account, all ${RULES.length} rules, from a snapshot document.\n`);
  console.log("| VPCs | subnets | ENIs | path analyses | findings | parse | rules | reports (JSON+SARIF) | wall | CPU | peak RSS |\n|---|---|---|---|---|---|---|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.vpcs.toLocaleString("en-US")} | ${r.subnets.toLocaleString("en-US")} | ${r.enis.toLocaleString("en-US")} | ${r.pathAnalyses.toLocaleString("en-US")} | ${r.findings.toLocaleString("en-US")} | ${r.parseMs.toFixed(0)} ms | ${r.rulesMs.toFixed(0)} ms | ${r.reportMs.toFixed(0)} ms | ${r.wallMs.toFixed(0)} ms | ${r.cpuMs.toFixed(0)} ms | ${r.peakRssMB.toFixed(0)} MB |`);
  const [a, b] = rows as [ReturnType<typeof measure>, ReturnType<typeof measure>];
  console.log(`\nLoad average ${(await import("node:os")).loadavg()[0]!.toFixed(1)} on ${(await import("node:os")).cpus().length} cores (wall includes waiting for a core; CPU does not).`);
  console.log(`Growth 1× → 10×: wall ×${(b.wallMs / a.wallMs).toFixed(2)}, CPU ×${(b.cpuMs / a.cpuMs).toFixed(2)}, rules ×${(b.rulesMs / a.rulesMs).toFixed(2)}, peak RSS ×${(b.peakRssMB / a.peakRssMB).toFixed(2)}. Targets at 10×: wall ${b.wallMs < 10_000 ? "<" : "≥"} 10 s (${(b.wallMs / 1000).toFixed(2)} s; CPU ${(b.cpuMs / 1000).toFixed(2)} s), peak RSS ${b.peakRssMB < 1024 ? "<" : "≥"} 1 GB.`);
}
