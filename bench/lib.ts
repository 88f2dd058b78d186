// The bench's shared pieces: the generated account (a snapshot document of N VPCs, loaded with
// `sandbox load` or read with --snapshot) and the measurement of one built-CLI process (wall, CPU,
// peak RSS). Used by bench/scale.ts and bench/verify.ts.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

export const ENV = { PATH: process.env.PATH, HOME: process.env.HOME, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" } as NodeJS.ProcessEnv;

export const SUBNETS_PER_VPC = 10; // 2 public + 8 private over 2 AZs
export const ENIS_PER_SUBNET = 5; // + 2 NAT interfaces per VPC = 52
export const SGS_PER_VPC = 10;
export const RULES_PER_SG = 10;

/** A snapshot document of `vpcs` VPCs, loaded with `sandbox load`. */
export function account(vpcs: number) {
  const d: Record<string, any[]> & Record<string, unknown> = {
    version: 1,
    takenAt: new Date().toISOString(),
    region: "us-east-1",
    accountId: "123456789012",
    vpcs: [],
    subnets: [],
    routeTables: [],
    internetGateways: [],
    natGateways: [],
    addresses: [],
    securityGroups: [],
    networkAcls: [],
    networkInterfaces: [],
  } as never;
  const hex = (n: number, w = 17) => n.toString(16).padStart(w, "0");
  const azs = ["us-east-1a", "us-east-1b"];
  let eni = 0;
  for (let v = 0; v < vpcs; v++) {
    const vpc = `vpc-${hex(v)}`;
    const a = Math.floor(v / 250) % 250;
    const b = v % 250;
    const cidr = `10.${a}.${b}`; // a /20 per VPC is not needed: /16s of the 10/8 space repeat, like S2's overlaps
    d.vpcs.push({ VpcId: vpc, CidrBlock: `10.${v % 250}.0.0/16`, IsDefault: false, Tags: [{ Key: "Name", Value: `bench-${v}` }] });
    void cidr;
    d.internetGateways.push({ InternetGatewayId: `igw-${hex(v)}`, Attachments: [{ VpcId: vpc, State: "available" }] });
    const sgs = Array.from({ length: SGS_PER_VPC }, (_, i) => `sg-${hex(v * SGS_PER_VPC + i)}`);
    for (const [i, sg] of sgs.entries()) {
      const rules = Array.from({ length: RULES_PER_SG / 2 }, (_, r) => ({
        IpProtocol: "tcp",
        FromPort: 8000 + r,
        ToPort: 8000 + r,
        IpRanges: [{ CidrIp: `172.${16 + r}.0.0/16` }],
        UserIdGroupPairs: r % 3 === 0 ? [{ GroupId: sgs[(i + 1) % SGS_PER_VPC] }] : [],
      }));
      d.securityGroups.push({
        GroupId: sg,
        GroupName: i === 0 ? "default" : `bench-${i}`,
        Description: "bench",
        VpcId: vpc,
        IpPermissions: rules,
        IpPermissionsEgress: [...rules, { IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      });
    }
    const subnetIds: string[] = [];
    for (let s = 0; s < SUBNETS_PER_VPC; s++) {
      const id = `subnet-${hex(v * SUBNETS_PER_VPC + s)}`;
      subnetIds.push(id);
      d.subnets.push({ SubnetId: id, VpcId: vpc, CidrBlock: `10.${v % 250}.${s}.0/24`, AvailabilityZone: azs[s % 2], MapPublicIpOnLaunch: s < 2 });
    }
    const pub = subnetIds.slice(0, 2);
    const priv = subnetIds.slice(2);
    d.routeTables.push({
      RouteTableId: `rtb-${hex(v * 3)}`,
      VpcId: vpc,
      Routes: [
        { DestinationCidrBlock: `10.${v % 250}.0.0/16`, GatewayId: "local", State: "active", Origin: "CreateRouteTable" },
        { DestinationCidrBlock: "0.0.0.0/0", GatewayId: `igw-${hex(v)}`, State: "active", Origin: "CreateRoute" },
      ],
      Associations: [{ Main: true, RouteTableAssociationId: `rtbassoc-${hex(v * 20)}` }, ...pub.map((s, i) => ({ SubnetId: s, RouteTableAssociationId: `rtbassoc-${hex(v * 20 + 1 + i)}` }))],
    });
    for (let az = 0; az < 2; az++) {
      const natEni = `eni-${hex(eni++)}`;
      const ip = `10.${v % 250}.${az}.5`;
      const pubIp = `100.${64 + Math.floor(v / 250)}.${v % 250}.${az + 1}`;
      d.natGateways.push({
        NatGatewayId: `nat-${hex(v * 2 + az)}`,
        VpcId: vpc,
        SubnetId: pub[az],
        State: "available",
        ConnectivityType: "public",
        NatGatewayAddresses: [{ PrivateIp: ip, PublicIp: pubIp, AllocationId: `eipalloc-${hex(v * 2 + az)}`, NetworkInterfaceId: natEni, IsPrimary: true }],
      });
      d.addresses.push({ AllocationId: `eipalloc-${hex(v * 2 + az)}`, PublicIp: pubIp, Domain: "vpc", NetworkInterfaceId: natEni, PrivateIpAddress: ip, AssociationId: `eipassoc-${hex(v * 2 + az)}` });
      d.networkInterfaces.push({ NetworkInterfaceId: natEni, SubnetId: pub[az], VpcId: vpc, InterfaceType: "nat_gateway", PrivateIpAddress: ip, Groups: [], RequesterManaged: true });
      d.routeTables.push({
        RouteTableId: `rtb-${hex(v * 3 + 1 + az)}`,
        VpcId: vpc,
        Routes: [
          { DestinationCidrBlock: `10.${v % 250}.0.0/16`, GatewayId: "local", State: "active", Origin: "CreateRouteTable" },
          { DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: `nat-${hex(v * 2 + az)}`, State: "active", Origin: "CreateRoute" },
        ],
        Associations: priv.filter((_, i) => i % 2 === az).map((s, i) => ({ SubnetId: s, RouteTableAssociationId: `rtbassoc-${hex(v * 20 + 5 + az * 8 + i)}` })),
      });
    }
    d.networkAcls.push({
      NetworkAclId: `acl-${hex(v)}`,
      VpcId: vpc,
      IsDefault: true,
      Entries: [true, false].flatMap((Egress) => [
        { RuleNumber: 100, Protocol: "-1", RuleAction: "allow", Egress, CidrBlock: "0.0.0.0/0" },
        { RuleNumber: 32767, Protocol: "-1", RuleAction: "deny", Egress, CidrBlock: "0.0.0.0/0" },
      ]),
      Associations: subnetIds.map((s, i) => ({ SubnetId: s, NetworkAclId: `acl-${hex(v)}`, NetworkAclAssociationId: `aclassoc-${hex(v * 10 + i)}` })),
    });
    for (const [s, subnetId] of subnetIds.entries()) {
      for (let e = 0; e < ENIS_PER_SUBNET; e++) {
        d.networkInterfaces.push({
          NetworkInterfaceId: `eni-${hex(eni++)}`,
          SubnetId: subnetId,
          VpcId: vpc,
          InterfaceType: "interface",
          PrivateIpAddress: `10.${v % 250}.${s}.${10 + e}`,
          Groups: [{ GroupId: sgs[(s + e) % SGS_PER_VPC] }],
        });
      }
    }
  }
  return d;
}

export interface Measure {
  wallMs: number;
  cpuMs: number;
  rssMb: number;
}

/**
 * Runs the built CLI: wall time, user+sys CPU, peak RSS. CPU comes from bash's `times` (the kernel's
 * rusage of the finished child, to the millisecond; /usr/bin/time prints it in 10 ms steps, too coarse
 * for a 70 ms `node -e 0`), peak RSS from /usr/bin/time around the same run.
 */
export function measure(args: string[], cwd: string, env: NodeJS.ProcessEnv = ENV, node = process.execPath): Measure {
  const tf = path.join(cwd, "time.txt");
  const cpuFile = path.join(cwd, "cpu.txt");
  const t = performance.now();
  const script = '/usr/bin/time -f "%M" -o "$0" "$@"; s=$?; times > "$CPU_FILE"; exit $s';
  // stdin not a pipe: bash takes a socket on stdin for a remote shell (rshd) and then runs ~/.bashrc,
  // which on a developer's machine (pyenv, nvm, …) cost ~130 ms of every command timed here
  const r = spawnSync("/bin/bash", ["-c", script, tf, node, ...args], { cwd, env: { ...env, CPU_FILE: cpuFile }, encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "pipe"] });
  const wallMs = performance.now() - t;
  if (r.status !== 0 && r.status !== 4) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  const m = Number(readFileSync(tf, "utf8").trim().split("\n").at(-1));
  // second line of `times`: the children's user and system time, e.g. "0m0.312s 0m0.041s"
  const [user, sys] = readFileSync(cpuFile, "utf8").trim().split("\n").at(-1)!.split(/\s+/).map((x) => {
    const [, min, sec] = /^(\d+)m([\d.]+)s$/.exec(x)!;
    return Number(min) * 60 + Number(sec);
  });
  return { wallMs, cpuMs: (user! + sys!) * 1000, rssMb: m / 1024 };
}

