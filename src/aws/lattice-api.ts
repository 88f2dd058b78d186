// VPC Lattice through only the operations egress-cli uses: resource gateways and resource
// configurations (S2's PrivateLink sharing) and their tags; List calls return every page
// through the SDK's paginators.
import type * as V from "@aws-sdk/client-vpc-lattice";
import { awsOf, over, perClient, type All, type Call, type HasContext } from "./api.js";
import { latticeSdk } from "./sdk.js";

export interface LatticeApi {
  listResourceGateways: All<V.ListResourceGatewaysCommandInput, V.ResourceGatewaySummary>;
  listResourceConfigurations: All<V.ListResourceConfigurationsCommandInput, V.ResourceConfigurationSummary>;
  getResourceGateway: Call<V.GetResourceGatewayCommandInput, V.GetResourceGatewayCommandOutput>;
  createResourceGateway: Call<V.CreateResourceGatewayCommandInput, V.CreateResourceGatewayCommandOutput>;
  deleteResourceGateway: Call<V.DeleteResourceGatewayCommandInput, V.DeleteResourceGatewayCommandOutput>;
  getResourceConfiguration: Call<V.GetResourceConfigurationCommandInput, V.GetResourceConfigurationCommandOutput>;
  createResourceConfiguration: Call<V.CreateResourceConfigurationCommandInput, V.CreateResourceConfigurationCommandOutput>;
  deleteResourceConfiguration: Call<V.DeleteResourceConfigurationCommandInput, V.DeleteResourceConfigurationCommandOutput>;
  /** share-proxy re-run: a proxy's new address or port, in place. */
  updateResourceConfiguration: Call<V.UpdateResourceConfigurationCommandInput, V.UpdateResourceConfigurationCommandOutput>;
  listTagsForResource: Call<V.ListTagsForResourceCommandInput, V.ListTagsForResourceCommandOutput>;
  // share-proxy --domain: the custom domain's verification (TXT record).
  listDomainVerifications: All<V.ListDomainVerificationsCommandInput, V.DomainVerificationSummary>;
  startDomainVerification: Call<V.StartDomainVerificationCommandInput, V.StartDomainVerificationCommandOutput>;
  getDomainVerification: Call<V.GetDomainVerificationCommandInput, V.GetDomainVerificationCommandOutput>;
  deleteDomainVerification: Call<V.DeleteDomainVerificationCommandInput, V.DeleteDomainVerificationCommandOutput>;
  /** One cheap read (ListResourceGateways, maxResults 1): does this endpoint have VPC Lattice at all? */
  probe(): Promise<void>;
}

export const latticeApi = perClient((client: V.VPCLatticeClient): LatticeApi => {
  const s = latticeSdk();
  const { call, all } = over(client);
  return {
    listResourceGateways: all(s.paginateListResourceGateways, (p) => p.items),
    listResourceConfigurations: all(s.paginateListResourceConfigurations, (p) => p.items),
    getResourceGateway: call(s.GetResourceGatewayCommand),
    createResourceGateway: call(s.CreateResourceGatewayCommand),
    deleteResourceGateway: call(s.DeleteResourceGatewayCommand),
    getResourceConfiguration: call(s.GetResourceConfigurationCommand),
    createResourceConfiguration: call(s.CreateResourceConfigurationCommand),
    deleteResourceConfiguration: call(s.DeleteResourceConfigurationCommand),
    updateResourceConfiguration: call(s.UpdateResourceConfigurationCommand),
    listTagsForResource: call(s.ListTagsForResourceCommand),
    listDomainVerifications: all(s.paginateListDomainVerifications, (p) => p.items),
    startDomainVerification: call(s.StartDomainVerificationCommand),
    getDomainVerification: call(s.GetDomainVerificationCommand),
    deleteDomainVerification: call(s.DeleteDomainVerificationCommand),
    probe: async () => void (await client.send(new s.ListResourceGatewaysCommand({ maxResults: 1 }))),
  };
});

export const latticeOf = async (c: HasContext): Promise<LatticeApi> => latticeApi(await (await awsOf(c)).lattice());
