// Systems Manager through only the operations egress-cli uses (S2's proxies): the public AL2023 AMI
// parameter, managed-instance registration, and Run Command with its per-instance results.
import type * as S from "@aws-sdk/client-ssm";
import { awsOf, over, perClient, type All, type Call, type HasContext } from "./api.js";
import { ssmSdk } from "./sdk.js";

export interface SsmApi {
  describeInstanceInformation: All<S.DescribeInstanceInformationCommandInput, S.InstanceInformation>;
  getParameter: Call<S.GetParameterCommandInput, S.GetParameterCommandOutput>;
  sendCommand: Call<S.SendCommandCommandInput, S.SendCommandCommandOutput>;
  getCommandInvocation: Call<S.GetCommandInvocationCommandInput, S.GetCommandInvocationCommandOutput>;
}

export const ssmApi = perClient((client: S.SSMClient): SsmApi => {
  const s = ssmSdk();
  const { call, all } = over(client);
  return {
    describeInstanceInformation: all(s.paginateDescribeInstanceInformation, (p) => p.InstanceInformationList),
    getParameter: call(s.GetParameterCommand),
    sendCommand: call(s.SendCommandCommand),
    getCommandInvocation: call(s.GetCommandInvocationCommand),
  };
});

export const ssmOf = async (c: HasContext): Promise<SsmApi> => ssmApi(await (await awsOf(c)).ssm());
