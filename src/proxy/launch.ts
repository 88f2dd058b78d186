// What launch-proxy decides before it calls AWS: the image parameter for an instance type, the role's
// trust policy and managed policy, the RunInstances parameters of a proxy, the squid.conf input from
// the plan's proxy settings, and the proxy URLs. Pure: no SDK, no fs (tested with plain data).
import type { SquidConfigInput, SquidPaths } from "./squid.js";

/** The public SSM parameters holding the newest Amazon Linux 2023 AMI ids. */
export const AL2023_PARAMETER = {
  x86_64: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
  arm64: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64",
} as const;

/** Graviton (arm64) instance types: a1, and families whose generation digit is followed by "g" (t4g, m7g, c7gn, r6gd, im4gn, is4gen). */
export function architectureOf(instanceType: string): "x86_64" | "arm64" {
  const family = instanceType.split(".")[0];
  return family === "a1" || /^[a-z]+\d+g[a-z]*$/.test(family) ? "arm64" : "x86_64";
}

export const amiParameterFor = (instanceType: string) => AL2023_PARAMETER[architectureOf(instanceType)];

/** The proxy role is assumed by EC2 only. */
export const EC2_TRUST_POLICY = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
} as const;

/** AWS's managed policy for the SSM agent (registration, Run Command, Session Manager); nothing else is granted. */
export const SSM_CORE_POLICY_ARN = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";

/** The only ports the proxy's group lets out: plain HTTP and TLS to the internet. */
export const PROXY_EGRESS_PORTS = [80, 443] as const;

export interface ProxyLaunch {
  imageId: string;
  instanceType: string;
  subnetId: string;
  securityGroupId: string;
  instanceProfileName: string;
  userData: string;
}

/** The proxy's root volume (gp3, GiB): what its cost is priced with (src/analysis/rules/bill.ts). */
export const PROXY_ROOT_VOLUME_GB = 8;

/**
 * RunInstances parameters of one proxy (without MinCount/MaxCount, ClientToken and tags, which the
 * step adds): no key pair, no public IP, IMDSv2 required with hop limit 1 (a container on the host
 * cannot reach the role's credentials), an encrypted gp3 root volume, the user data base64-encoded.
 */
export function proxyLaunchInput(p: ProxyLaunch) {
  return {
    ImageId: p.imageId,
    InstanceType: p.instanceType,
    IamInstanceProfile: { Name: p.instanceProfileName },
    NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: p.subnetId, Groups: [p.securityGroupId], AssociatePublicIpAddress: false, DeleteOnTermination: true }],
    MetadataOptions: { HttpTokens: "required" as const, HttpPutResponseHopLimit: 1, HttpEndpoint: "enabled" as const },
    BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeType: "gp3" as const, VolumeSize: PROXY_ROOT_VOLUME_GB, Encrypted: true, DeleteOnTermination: true } }],
    UserData: Buffer.from(p.userData, "utf8").toString("base64"),
  };
}

export interface ProxySettingsLike {
  port: number;
  allowDomains: string[];
  allowCidrs: string[];
  /** Internal destinations relayed after all (--allow-dest-cidr); absent in plans written before it existed. */
  allowDestCidrs?: string[];
  verifySni: boolean;
}

/**
 * The squid.conf input of a plan's proxy: sources the VPC's CIDR first, then the --allow-cidr ranges;
 * destinations denied on loopback, link-local, private ranges and the VPC's CIDR but --allow-dest-cidr.
 */
export function squidInputFor(s: ProxySettingsLike, vpcCidr: string, extra: { paths?: Partial<SquidPaths>; upstreamPorts?: SquidConfigInput["upstreamPorts"] } = {}): SquidConfigInput {
  return {
    port: s.port,
    allowDomains: s.allowDomains,
    allowCidrs: [vpcCidr, ...s.allowCidrs.filter((c) => c !== vpcCidr)],
    vpcCidrs: [vpcCidr],
    allowDestinations: s.allowDestCidrs ?? [],
    verifySni: s.verifySni,
    ...extra,
  };
}

export const proxyUrl = (privateIp: string, port: number) => `http://${privateIp}:${port}`;

/** The Run Command script proving a proxy works: squid is running and its config parses. */
export const VERIFY_SCRIPT = ["set -euo pipefail", "systemctl is-active squid", "squid -k parse"];
