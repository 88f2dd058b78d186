// Lambda through only the operations egress-cli uses: reading a function's configuration and
// changing its VPC config (attach-lambda, detach-lambda, destroy, analyze-path), and listing functions
// and event source mappings (snapshot).
import type * as L from "@aws-sdk/client-lambda";
import { awsOf, over, perClient, type All, type Call, type HasContext } from "./api.js";
import { lambdaSdk } from "./sdk.js";

export interface LambdaApi {
  listFunctions: All<L.ListFunctionsCommandInput, L.FunctionConfiguration>;
  listEventSourceMappings: All<L.ListEventSourceMappingsCommandInput, L.EventSourceMappingConfiguration>;
  getFunctionConfiguration: Call<L.GetFunctionConfigurationCommandInput, L.GetFunctionConfigurationCommandOutput>;
  updateFunctionConfiguration: Call<L.UpdateFunctionConfigurationCommandInput, L.UpdateFunctionConfigurationCommandOutput>;
}

export const lambdaApi = perClient((client: L.LambdaClient): LambdaApi => {
  const s = lambdaSdk();
  const { call, all } = over(client);
  return {
    listFunctions: all(s.paginateListFunctions, (p) => p.Functions),
    listEventSourceMappings: all(s.paginateListEventSourceMappings, (p) => p.EventSourceMappings),
    getFunctionConfiguration: call(s.GetFunctionConfigurationCommand),
    updateFunctionConfiguration: call(s.UpdateFunctionConfigurationCommand),
  };
});

export const lambdaOf = async (c: HasContext): Promise<LambdaApi> => lambdaApi(await (await awsOf(c)).lambda());
