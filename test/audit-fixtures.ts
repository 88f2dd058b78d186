// Snapshot fixtures for the audit rules: a VPC built the way egress-cli builds one (public and
// private subnets in two AZs, a NAT per AZ, gateway endpoints, flow logs, a Lambda, an instance, an
// MSK-mapped cluster, an sts endpoint) on which every rule is silent; each test mutates it to trip one rule.
import { parseSnapshot, type Snapshot } from "../src/analysis/snapshot.js";

const allowAll = (n: number, egress: boolean) => ({ RuleNumber: n, Protocol: "-1", RuleAction: "allow", Egress: egress, CidrBlock: "0.0.0.0/0" });
const denyAll = (egress: boolean) => ({ RuleNumber: 32767, Protocol: "-1", RuleAction: "deny", Egress: egress, CidrBlock: "0.0.0.0/0" });
const egressAll = { IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] };

export function goodSnapshot(): Snapshot {
  const subnet = (id: string, cidr: string, az: string) => ({ SubnetId: id, VpcId: "vpc-good", CidrBlock: cidr, AvailabilityZone: az, MapPublicIpOnLaunch: false, Tags: [{ Key: "Name", Value: id }] });
  const nat = (az: string) => ({
    NatGatewayId: `nat-${az}`,
    VpcId: "vpc-good",
    SubnetId: `subnet-pub-${az}`,
    State: "available",
    ConnectivityType: "public",
    NatGatewayAddresses: [{ AllocationId: `eipalloc-${az}`, PublicIp: az === "a" ? "198.51.100.1" : "198.51.100.2", PrivateIp: az === "a" ? "10.10.0.5" : "10.10.1.5", NetworkInterfaceId: `eni-nat-${az}`, IsPrimary: true, Status: "succeeded" }],
  });
  const natEni = (az: string) => ({ NetworkInterfaceId: `eni-nat-${az}`, SubnetId: `subnet-pub-${az}`, VpcId: "vpc-good", InterfaceType: "nat_gateway", PrivateIpAddress: az === "a" ? "10.10.0.5" : "10.10.1.5", RequesterManaged: true, Groups: [] });
  const broker = (az: string, ip: string) => ({ NetworkInterfaceId: `eni-broker-${az}`, SubnetId: `subnet-priv-${az}`, VpcId: "vpc-good", InterfaceType: "interface", RequesterManaged: true, Description: "Amazon MSK network interface for cluster orders", PrivateIpAddress: ip, Groups: [{ GroupId: "sg-msk" }] });
  return parseSnapshot({
    version: 1,
    takenAt: "2026-11-30T00:00:00.000Z",
    region: "us-east-1",
    accountId: "111111111111",
    vpcs: [{ VpcId: "vpc-good", CidrBlock: "10.10.0.0/16", Tags: [{ Key: "Name", Value: "good" }] }],
    subnets: [subnet("subnet-pub-a", "10.10.0.0/24", "us-east-1a"), subnet("subnet-pub-b", "10.10.1.0/24", "us-east-1b"), subnet("subnet-priv-a", "10.10.10.0/24", "us-east-1a"), subnet("subnet-priv-b", "10.10.11.0/24", "us-east-1b")],
    internetGateways: [{ InternetGatewayId: "igw-good", Attachments: [{ VpcId: "vpc-good", State: "available" }] }],
    routeTables: [
      { RouteTableId: "rtb-main", VpcId: "vpc-good", Routes: [{ DestinationCidrBlock: "10.10.0.0/16", GatewayId: "local", State: "active" }], Associations: [{ Main: true }] },
      { RouteTableId: "rtb-pub", VpcId: "vpc-good", Routes: [{ DestinationCidrBlock: "10.10.0.0/16", GatewayId: "local", State: "active" }, { DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-good", State: "active" }], Associations: [{ SubnetId: "subnet-pub-a" }, { SubnetId: "subnet-pub-b" }] },
      ...["a", "b"].map((az) => ({ RouteTableId: `rtb-priv-${az}`, VpcId: "vpc-good", Routes: [{ DestinationCidrBlock: "10.10.0.0/16", GatewayId: "local", State: "active" }, { DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: `nat-${az}`, State: "active" }, { DestinationPrefixListId: "pl-s3", GatewayId: "vpce-s3", State: "active" }], Associations: [{ SubnetId: `subnet-priv-${az}` }] })),
    ],
    natGateways: [nat("a"), nat("b")],
    addresses: ["a", "b"].map((az) => ({ AllocationId: `eipalloc-${az}`, PublicIp: az === "a" ? "198.51.100.1" : "198.51.100.2", AssociationId: `eipassoc-${az}`, NetworkInterfaceId: `eni-nat-${az}`, Domain: "vpc" })),
    securityGroups: [
      { GroupId: "sg-default", GroupName: "default", VpcId: "vpc-good", IpPermissions: [{ IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: "sg-default" }] }], IpPermissionsEgress: [egressAll] },
      { GroupId: "sg-app", GroupName: "app", VpcId: "vpc-good", IpPermissions: [{ IpProtocol: "tcp", FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: "10.10.0.0/16" }] }], IpPermissionsEgress: [egressAll] },
      { GroupId: "sg-lambda", GroupName: "lambda", VpcId: "vpc-good", IpPermissions: [], IpPermissionsEgress: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] }] },
      { GroupId: "sg-msk", GroupName: "msk", VpcId: "vpc-good", IpPermissions: [{ IpProtocol: "tcp", FromPort: 9098, ToPort: 9098, UserIdGroupPairs: [{ GroupId: "sg-msk" }] }], IpPermissionsEgress: [egressAll] },
      { GroupId: "sg-ep", GroupName: "endpoints", VpcId: "vpc-good", IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "10.10.0.0/16" }] }], IpPermissionsEgress: [] },
    ],
    networkAcls: [{ NetworkAclId: "acl-good", VpcId: "vpc-good", IsDefault: true, Entries: [allowAll(100, true), denyAll(true), allowAll(100, false), denyAll(false)], Associations: [] }],
    networkInterfaces: [
      natEni("a"),
      natEni("b"),
      { NetworkInterfaceId: "eni-app", SubnetId: "subnet-priv-a", VpcId: "vpc-good", InterfaceType: "interface", PrivateIpAddress: "10.10.10.10", Status: "in-use", Groups: [{ GroupId: "sg-app" }], Attachment: { InstanceId: "i-app", DeviceIndex: 0, Status: "attached" } },
      broker("a", "10.10.10.20"),
      broker("b", "10.10.11.20"),
      { NetworkInterfaceId: "eni-sts-a", SubnetId: "subnet-priv-a", VpcId: "vpc-good", InterfaceType: "vpc_endpoint", RequesterManaged: true, PrivateIpAddress: "10.10.10.30", Groups: [{ GroupId: "sg-ep" }] },
    ],
    instances: [{ InstanceId: "i-app", VpcId: "vpc-good", SubnetId: "subnet-priv-a", PrivateIpAddress: "10.10.10.10", State: { Name: "running" }, SecurityGroups: [{ GroupId: "sg-app" }], NetworkInterfaces: [{ NetworkInterfaceId: "eni-app", Attachment: { DeviceIndex: 0 } }], MetadataOptions: { HttpTokens: "required", HttpEndpoint: "enabled" }, Tags: [{ Key: "Name", Value: "app" }] }],
    vpcEndpoints: [
      { VpcEndpointId: "vpce-s3", VpcId: "vpc-good", VpcEndpointType: "Gateway", ServiceName: "com.amazonaws.us-east-1.s3", State: "available", RouteTableIds: ["rtb-priv-a", "rtb-priv-b"], PolicyDocument: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::my-bucket/*" }] }) },
      { VpcEndpointId: "vpce-ddb", VpcId: "vpc-good", VpcEndpointType: "Gateway", ServiceName: "com.amazonaws.us-east-1.dynamodb", State: "available", RouteTableIds: ["rtb-priv-a", "rtb-priv-b"], PolicyDocument: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "dynamodb:*", Resource: "arn:aws:dynamodb:us-east-1:111111111111:table/orders" }] }) },
      { VpcEndpointId: "vpce-sts", VpcId: "vpc-good", VpcEndpointType: "Interface", ServiceName: "com.amazonaws.us-east-1.sts", State: "available", PrivateDnsEnabled: true, SubnetIds: ["subnet-priv-a"], NetworkInterfaceIds: ["eni-sts-a"], Groups: [{ GroupId: "sg-ep" }], PolicyDocument: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:role/worker" }, Action: "sts:AssumeRole", Resource: "*" }] }) },
    ],
    managedPrefixLists: [{ PrefixListId: "pl-s3", PrefixListName: "com.amazonaws.us-east-1.s3", Cidrs: ["52.216.0.0/15"] }],
    lambdaFunctions: [{ FunctionName: "worker", FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:worker", VpcConfig: { SubnetIds: ["subnet-priv-a", "subnet-priv-b"], SecurityGroupIds: ["sg-lambda"], VpcId: "vpc-good" } }],
    eventSourceMappings: [{ UUID: "esm-orders", EventSourceArn: "arn:aws:kafka:us-east-1:111111111111:cluster/orders/abcd-1234-5", FunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:worker", State: "Enabled" }],
    flowLogs: [{ FlowLogId: "fl-good", ResourceId: "vpc-good", TrafficType: "ALL", FlowLogStatus: "ACTIVE" }],
    vpcBlockPublicAccessOptions: { InternetGatewayBlockMode: "off", State: "default-state", ExclusionsAllowed: "allowed" },
    vpcBlockPublicAccessExclusions: [],
  });
}

/** A deep copy to mutate. */
export function good(mutate?: (s: any) => void): Snapshot {
  const s = structuredClone(goodSnapshot()) as any;
  mutate?.(s);
  return parseSnapshot(s);
}

/**
 * The good VPC with one regional NAT gateway (nat-r) instead of a NAT per AZ: registered in the AZs
 * given (an Elastic IP each), its own route table rtb-nat-r (0.0.0.0/0 → igw-good, as AWS creates it),
 * both private tables' 0.0.0.0/0 → nat-r. `manual`: AutoProvisionZones disabled (AvailabilityZoneAddresses).
 */
export function regionalSnapshot(opts: { azs?: string[]; manual?: boolean } = {}, mutate?: (s: any) => void): Snapshot {
  const azs = opts.azs ?? ["a", "b"];
  return good((s) => {
    const ip = (az: string) => (az === "a" ? "198.51.100.11" : "198.51.100.12");
    s.natGateways = [{
      NatGatewayId: "nat-r",
      VpcId: "vpc-good",
      State: "available",
      ConnectivityType: "public",
      AvailabilityMode: "regional",
      AutoProvisionZones: opts.manual ? "disabled" : "enabled",
      AutoScalingIps: opts.manual ? "disabled" : "enabled",
      RouteTableId: "rtb-nat-r",
      NatGatewayAddresses: azs.map((az, i) => ({ AllocationId: `eipalloc-r${az}`, PublicIp: ip(az), PrivateIp: `10.10.${az === "a" ? 10 : 11}.9`, IsPrimary: i === 0, Status: "succeeded", AvailabilityZone: `us-east-1${az}`, AssociationId: `eipassoc-r${az}` })),
    }];
    s.networkInterfaces = s.networkInterfaces.filter((e: any) => !e.NetworkInterfaceId.startsWith("eni-nat-"));
    s.addresses = azs.map((az) => ({ AllocationId: `eipalloc-r${az}`, PublicIp: ip(az), AssociationId: `eipassoc-r${az}`, Domain: "vpc" }));
    for (const t of s.routeTables) for (const r of t.Routes) if (r.NatGatewayId) r.NatGatewayId = "nat-r";
    s.routeTables.push({ RouteTableId: "rtb-nat-r", VpcId: "vpc-good", Routes: [{ DestinationCidrBlock: "10.10.0.0/16", GatewayId: "local", State: "active" }, { DestinationCidrBlock: "0.0.0.0/0", GatewayId: "igw-good", State: "active" }], Associations: [] });
    mutate?.(s);
  });
}
