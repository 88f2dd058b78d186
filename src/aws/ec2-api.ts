// EC2 through only the operations egress-cli uses. Commands and kinds call these, never
// `client.send(new XCommand)`: the list of what egress-cli does to EC2 is this file. Describe
// calls with a paginator in the SDK return every page (paginateDescribe…). The SDK is loaded (from
// src/aws/sdk.ts) when the first interface is built, so modules importing this load none of it
// (status --offline, --help). Built as src/aws/api.ts describes.
import type * as E from "@aws-sdk/client-ec2";
import { awsOf, over, perClient, type All, type Call, type HasContext } from "./api.js";
import { ec2Sdk } from "./sdk.js";


export interface Ec2Api {
  // Reads (all pages where the SDK has a paginator).
  describeVpcs: All<E.DescribeVpcsCommandInput, E.Vpc>;
  describeSubnets: All<E.DescribeSubnetsCommandInput, E.Subnet>;
  describeInternetGateways: All<E.DescribeInternetGatewaysCommandInput, E.InternetGateway>;
  describeRouteTables: All<E.DescribeRouteTablesCommandInput, E.RouteTable>;
  describeNatGateways: All<E.DescribeNatGatewaysCommandInput, E.NatGateway>;
  describeSecurityGroups: All<E.DescribeSecurityGroupsCommandInput, E.SecurityGroup>;
  describeVpcEndpoints: All<E.DescribeVpcEndpointsCommandInput, E.VpcEndpoint>;
  describeNetworkInterfaces: All<E.DescribeNetworkInterfacesCommandInput, E.NetworkInterface>;
  describeInstances: All<E.DescribeInstancesCommandInput, E.Reservation>;
  describeNetworkAcls: All<E.DescribeNetworkAclsCommandInput, E.NetworkAcl>;
  describeEgressOnlyInternetGateways: All<E.DescribeEgressOnlyInternetGatewaysCommandInput, E.EgressOnlyInternetGateway>;
  describeManagedPrefixLists: All<E.DescribeManagedPrefixListsCommandInput, E.ManagedPrefixList>;
  getManagedPrefixListEntries: All<E.GetManagedPrefixListEntriesCommandInput, E.PrefixListEntry>;
  describeVpcPeeringConnections: All<E.DescribeVpcPeeringConnectionsCommandInput, E.VpcPeeringConnection>;
  describeFlowLogs: All<E.DescribeFlowLogsCommandInput, E.FlowLog>;
  describeTags: All<E.DescribeTagsCommandInput, E.TagDescription>;
  describeTransitGateways: All<E.DescribeTransitGatewaysCommandInput, E.TransitGateway>;
  describeTransitGatewayAttachments: All<E.DescribeTransitGatewayAttachmentsCommandInput, E.TransitGatewayAttachment>;
  describeTransitGatewayVpcAttachments: All<E.DescribeTransitGatewayVpcAttachmentsCommandInput, E.TransitGatewayVpcAttachment>;
  describeTransitGatewayRouteTables: All<E.DescribeTransitGatewayRouteTablesCommandInput, E.TransitGatewayRouteTable>;
  getTransitGatewayRouteTableAssociations: All<E.GetTransitGatewayRouteTableAssociationsCommandInput, E.TransitGatewayRouteTableAssociation>;
  getTransitGatewayRouteTablePropagations: All<E.GetTransitGatewayRouteTablePropagationsCommandInput, E.TransitGatewayRouteTablePropagation>;
  /** One call, not the paginator: its AdditionalRoutesAvailable flag is part of the answer (snapshot records it). */
  searchTransitGatewayRoutes: Call<E.SearchTransitGatewayRoutesCommandInput, E.SearchTransitGatewayRoutesCommandOutput>;
  describeAddresses: Call<E.DescribeAddressesCommandInput, E.DescribeAddressesCommandOutput>;
  describeAvailabilityZones: Call<E.DescribeAvailabilityZonesCommandInput, E.DescribeAvailabilityZonesCommandOutput>;
  describeRegions: Call<E.DescribeRegionsCommandInput, E.DescribeRegionsCommandOutput>;
  describeAccountAttributes: Call<E.DescribeAccountAttributesCommandInput, E.DescribeAccountAttributesCommandOutput>;
  describeVpcAttribute: Call<E.DescribeVpcAttributeCommandInput, E.DescribeVpcAttributeCommandOutput>;
  describeVpcEndpointServices: Call<E.DescribeVpcEndpointServicesCommandInput, E.DescribeVpcEndpointServicesCommandOutput>;
  describeNetworkInsightsAnalyses: Call<E.DescribeNetworkInsightsAnalysesCommandInput, E.DescribeNetworkInsightsAnalysesCommandOutput>;
  describeVpcBlockPublicAccessOptions: Call<E.DescribeVpcBlockPublicAccessOptionsCommandInput, E.DescribeVpcBlockPublicAccessOptionsCommandOutput>;
  describeVpcBlockPublicAccessExclusions: Call<E.DescribeVpcBlockPublicAccessExclusionsCommandInput, E.DescribeVpcBlockPublicAccessExclusionsCommandOutput>;
  // VPC, subnets, gateways, routes.
  createVpc: Call<E.CreateVpcCommandInput, E.CreateVpcCommandOutput>;
  deleteVpc: Call<E.DeleteVpcCommandInput, E.DeleteVpcCommandOutput>;
  modifyVpcAttribute: Call<E.ModifyVpcAttributeCommandInput, E.ModifyVpcAttributeCommandOutput>;
  associateVpcCidrBlock: Call<E.AssociateVpcCidrBlockCommandInput, E.AssociateVpcCidrBlockCommandOutput>;
  createSubnet: Call<E.CreateSubnetCommandInput, E.CreateSubnetCommandOutput>;
  deleteSubnet: Call<E.DeleteSubnetCommandInput, E.DeleteSubnetCommandOutput>;
  modifySubnetAttribute: Call<E.ModifySubnetAttributeCommandInput, E.ModifySubnetAttributeCommandOutput>;
  createEgressOnlyInternetGateway: Call<E.CreateEgressOnlyInternetGatewayCommandInput, E.CreateEgressOnlyInternetGatewayCommandOutput>;
  deleteEgressOnlyInternetGateway: Call<E.DeleteEgressOnlyInternetGatewayCommandInput, E.DeleteEgressOnlyInternetGatewayCommandOutput>;
  createInternetGateway: Call<E.CreateInternetGatewayCommandInput, E.CreateInternetGatewayCommandOutput>;
  deleteInternetGateway: Call<E.DeleteInternetGatewayCommandInput, E.DeleteInternetGatewayCommandOutput>;
  attachInternetGateway: Call<E.AttachInternetGatewayCommandInput, E.AttachInternetGatewayCommandOutput>;
  detachInternetGateway: Call<E.DetachInternetGatewayCommandInput, E.DetachInternetGatewayCommandOutput>;
  createRouteTable: Call<E.CreateRouteTableCommandInput, E.CreateRouteTableCommandOutput>;
  deleteRouteTable: Call<E.DeleteRouteTableCommandInput, E.DeleteRouteTableCommandOutput>;
  associateRouteTable: Call<E.AssociateRouteTableCommandInput, E.AssociateRouteTableCommandOutput>;
  disassociateRouteTable: Call<E.DisassociateRouteTableCommandInput, E.DisassociateRouteTableCommandOutput>;
  replaceRouteTableAssociation: Call<E.ReplaceRouteTableAssociationCommandInput, E.ReplaceRouteTableAssociationCommandOutput>;
  createRoute: Call<E.CreateRouteCommandInput, E.CreateRouteCommandOutput>;
  replaceRoute: Call<E.ReplaceRouteCommandInput, E.ReplaceRouteCommandOutput>;
  deleteRoute: Call<E.DeleteRouteCommandInput, E.DeleteRouteCommandOutput>;
  // Addresses and NAT gateways.
  allocateAddress: Call<E.AllocateAddressCommandInput, E.AllocateAddressCommandOutput>;
  associateNatGatewayAddress: Call<E.AssociateNatGatewayAddressCommandInput, E.AssociateNatGatewayAddressCommandOutput>;
  disassociateNatGatewayAddress: Call<E.DisassociateNatGatewayAddressCommandInput, E.DisassociateNatGatewayAddressCommandOutput>;
  releaseAddress: Call<E.ReleaseAddressCommandInput, E.ReleaseAddressCommandOutput>;
  createNatGateway: Call<E.CreateNatGatewayCommandInput, E.CreateNatGatewayCommandOutput>;
  deleteNatGateway: Call<E.DeleteNatGatewayCommandInput, E.DeleteNatGatewayCommandOutput>;
  // Security groups, endpoints, network interfaces.
  createSecurityGroup: Call<E.CreateSecurityGroupCommandInput, E.CreateSecurityGroupCommandOutput>;
  deleteSecurityGroup: Call<E.DeleteSecurityGroupCommandInput, E.DeleteSecurityGroupCommandOutput>;
  authorizeSecurityGroupIngress: Call<E.AuthorizeSecurityGroupIngressCommandInput, E.AuthorizeSecurityGroupIngressCommandOutput>;
  revokeSecurityGroupIngress: Call<E.RevokeSecurityGroupIngressCommandInput, E.RevokeSecurityGroupIngressCommandOutput>;
  authorizeSecurityGroupEgress: Call<E.AuthorizeSecurityGroupEgressCommandInput, E.AuthorizeSecurityGroupEgressCommandOutput>;
  revokeSecurityGroupEgress: Call<E.RevokeSecurityGroupEgressCommandInput, E.RevokeSecurityGroupEgressCommandOutput>;
  createVpcEndpoint: Call<E.CreateVpcEndpointCommandInput, E.CreateVpcEndpointCommandOutput>;
  modifyVpcEndpoint: Call<E.ModifyVpcEndpointCommandInput, E.ModifyVpcEndpointCommandOutput>;
  deleteVpcEndpoints: Call<E.DeleteVpcEndpointsCommandInput, E.DeleteVpcEndpointsCommandOutput>;
  createNetworkInterface: Call<E.CreateNetworkInterfaceCommandInput, E.CreateNetworkInterfaceCommandOutput>;
  deleteNetworkInterface: Call<E.DeleteNetworkInterfaceCommandInput, E.DeleteNetworkInterfaceCommandOutput>;
  // The proxy's instances (launch-proxy).
  runInstances: Call<E.RunInstancesCommandInput, E.RunInstancesCommandOutput>;
  terminateInstances: Call<E.TerminateInstancesCommandInput, E.TerminateInstancesCommandOutput>;
  // Reachability Analyzer (analyze-path --reachability-analyzer).
  createNetworkInsightsPath: Call<E.CreateNetworkInsightsPathCommandInput, E.CreateNetworkInsightsPathCommandOutput>;
  startNetworkInsightsAnalysis: Call<E.StartNetworkInsightsAnalysisCommandInput, E.StartNetworkInsightsAnalysisCommandOutput>;
  deleteNetworkInsightsAnalysis: Call<E.DeleteNetworkInsightsAnalysisCommandInput, E.DeleteNetworkInsightsAnalysisCommandOutput>;
  deleteNetworkInsightsPath: Call<E.DeleteNetworkInsightsPathCommandInput, E.DeleteNetworkInsightsPathCommandOutput>;
}

/** The interface over one client (built once per client). */
export const ec2Api = perClient((client: E.EC2Client): Ec2Api => {
  const s = ec2Sdk();
  const { call: send, all } = over(client);
  return {
    describeVpcs: all(s.paginateDescribeVpcs, (p) => p.Vpcs),
    describeSubnets: all(s.paginateDescribeSubnets, (p) => p.Subnets),
    describeInternetGateways: all(s.paginateDescribeInternetGateways, (p) => p.InternetGateways),
    describeRouteTables: all(s.paginateDescribeRouteTables, (p) => p.RouteTables),
    describeNatGateways: all(s.paginateDescribeNatGateways, (p) => p.NatGateways),
    describeSecurityGroups: all(s.paginateDescribeSecurityGroups, (p) => p.SecurityGroups),
    describeVpcEndpoints: all(s.paginateDescribeVpcEndpoints, (p) => p.VpcEndpoints),
    describeNetworkInterfaces: all(s.paginateDescribeNetworkInterfaces, (p) => p.NetworkInterfaces),
    describeInstances: all(s.paginateDescribeInstances, (p) => p.Reservations),
    describeNetworkAcls: all(s.paginateDescribeNetworkAcls, (p) => p.NetworkAcls),
    describeEgressOnlyInternetGateways: all(s.paginateDescribeEgressOnlyInternetGateways, (p) => p.EgressOnlyInternetGateways),
    describeManagedPrefixLists: all(s.paginateDescribeManagedPrefixLists, (p) => p.PrefixLists),
    getManagedPrefixListEntries: all(s.paginateGetManagedPrefixListEntries, (p) => p.Entries),
    describeVpcPeeringConnections: all(s.paginateDescribeVpcPeeringConnections, (p) => p.VpcPeeringConnections),
    describeFlowLogs: all(s.paginateDescribeFlowLogs, (p) => p.FlowLogs),
    describeTags: all(s.paginateDescribeTags, (p) => p.Tags),
    describeTransitGateways: all(s.paginateDescribeTransitGateways, (p) => p.TransitGateways),
    describeTransitGatewayAttachments: all(s.paginateDescribeTransitGatewayAttachments, (p) => p.TransitGatewayAttachments),
    describeTransitGatewayVpcAttachments: all(s.paginateDescribeTransitGatewayVpcAttachments, (p) => p.TransitGatewayVpcAttachments),
    describeTransitGatewayRouteTables: all(s.paginateDescribeTransitGatewayRouteTables, (p) => p.TransitGatewayRouteTables),
    getTransitGatewayRouteTableAssociations: all(s.paginateGetTransitGatewayRouteTableAssociations, (p) => p.Associations),
    getTransitGatewayRouteTablePropagations: all(s.paginateGetTransitGatewayRouteTablePropagations, (p) => p.TransitGatewayRouteTablePropagations),
    searchTransitGatewayRoutes: send(s.SearchTransitGatewayRoutesCommand),
    describeAddresses: send(s.DescribeAddressesCommand),
    describeAvailabilityZones: send(s.DescribeAvailabilityZonesCommand),
    describeRegions: send(s.DescribeRegionsCommand),
    describeAccountAttributes: send(s.DescribeAccountAttributesCommand),
    describeVpcAttribute: send(s.DescribeVpcAttributeCommand),
    describeVpcEndpointServices: send(s.DescribeVpcEndpointServicesCommand),
    describeNetworkInsightsAnalyses: send(s.DescribeNetworkInsightsAnalysesCommand),
    describeVpcBlockPublicAccessOptions: send(s.DescribeVpcBlockPublicAccessOptionsCommand),
    describeVpcBlockPublicAccessExclusions: send(s.DescribeVpcBlockPublicAccessExclusionsCommand),
    createVpc: send(s.CreateVpcCommand),
    deleteVpc: send(s.DeleteVpcCommand),
    modifyVpcAttribute: send(s.ModifyVpcAttributeCommand),
    associateVpcCidrBlock: send(s.AssociateVpcCidrBlockCommand),
    createSubnet: send(s.CreateSubnetCommand),
    deleteSubnet: send(s.DeleteSubnetCommand),
    modifySubnetAttribute: send(s.ModifySubnetAttributeCommand),
    createEgressOnlyInternetGateway: send(s.CreateEgressOnlyInternetGatewayCommand),
    deleteEgressOnlyInternetGateway: send(s.DeleteEgressOnlyInternetGatewayCommand),
    createInternetGateway: send(s.CreateInternetGatewayCommand),
    deleteInternetGateway: send(s.DeleteInternetGatewayCommand),
    attachInternetGateway: send(s.AttachInternetGatewayCommand),
    detachInternetGateway: send(s.DetachInternetGatewayCommand),
    createRouteTable: send(s.CreateRouteTableCommand),
    deleteRouteTable: send(s.DeleteRouteTableCommand),
    associateRouteTable: send(s.AssociateRouteTableCommand),
    disassociateRouteTable: send(s.DisassociateRouteTableCommand),
    replaceRouteTableAssociation: send(s.ReplaceRouteTableAssociationCommand),
    createRoute: send(s.CreateRouteCommand),
    replaceRoute: send(s.ReplaceRouteCommand),
    deleteRoute: send(s.DeleteRouteCommand),
    allocateAddress: send(s.AllocateAddressCommand),
    associateNatGatewayAddress: send(s.AssociateNatGatewayAddressCommand),
    disassociateNatGatewayAddress: send(s.DisassociateNatGatewayAddressCommand),
    releaseAddress: send(s.ReleaseAddressCommand),
    createNatGateway: send(s.CreateNatGatewayCommand),
    deleteNatGateway: send(s.DeleteNatGatewayCommand),
    createSecurityGroup: send(s.CreateSecurityGroupCommand),
    deleteSecurityGroup: send(s.DeleteSecurityGroupCommand),
    authorizeSecurityGroupIngress: send(s.AuthorizeSecurityGroupIngressCommand),
    revokeSecurityGroupIngress: send(s.RevokeSecurityGroupIngressCommand),
    authorizeSecurityGroupEgress: send(s.AuthorizeSecurityGroupEgressCommand),
    revokeSecurityGroupEgress: send(s.RevokeSecurityGroupEgressCommand),
    createVpcEndpoint: send(s.CreateVpcEndpointCommand),
    modifyVpcEndpoint: send(s.ModifyVpcEndpointCommand),
    deleteVpcEndpoints: send(s.DeleteVpcEndpointsCommand),
    createNetworkInterface: send(s.CreateNetworkInterfaceCommand),
    deleteNetworkInterface: send(s.DeleteNetworkInterfaceCommand),
    runInstances: send(s.RunInstancesCommand),
    terminateInstances: send(s.TerminateInstancesCommand),
    createNetworkInsightsPath: send(s.CreateNetworkInsightsPathCommand),
    startNetworkInsightsAnalysis: send(s.StartNetworkInsightsAnalysisCommand),
    deleteNetworkInsightsAnalysis: send(s.DeleteNetworkInsightsAnalysisCommand),
    deleteNetworkInsightsPath: send(s.DeleteNetworkInsightsPathCommand),
  };
});

/** The context's EC2 interface (its region, credentials, endpoint or sandbox). */
export const ec2Of = async (c: HasContext): Promise<Ec2Api> => ec2Api(await (await awsOf(c)).ec2());
