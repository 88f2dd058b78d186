// IAM through only the operations egress-cli uses (roles, their policies, instance profiles);
// List calls return every page through the SDK's paginators (Marker/IsTruncated handled there).
import type * as I from "@aws-sdk/client-iam";
import { awsOf, over, perClient, type All, type Call, type HasContext } from "./api.js";
import { iamSdk } from "./sdk.js";

export interface IamApi {
  listRoles: All<I.ListRolesCommandInput, I.Role>;
  listRolePolicies: All<I.ListRolePoliciesCommandInput, string>;
  listAttachedRolePolicies: All<I.ListAttachedRolePoliciesCommandInput, I.AttachedPolicy>;
  listInstanceProfiles: All<I.ListInstanceProfilesCommandInput, I.InstanceProfile>;
  getRole: Call<I.GetRoleCommandInput, I.GetRoleCommandOutput>;
  createRole: Call<I.CreateRoleCommandInput, I.CreateRoleCommandOutput>;
  deleteRole: Call<I.DeleteRoleCommandInput, I.DeleteRoleCommandOutput>;
  getRolePolicy: Call<I.GetRolePolicyCommandInput, I.GetRolePolicyCommandOutput>;
  deleteRolePolicy: Call<I.DeleteRolePolicyCommandInput, I.DeleteRolePolicyCommandOutput>;
  attachRolePolicy: Call<I.AttachRolePolicyCommandInput, I.AttachRolePolicyCommandOutput>;
  detachRolePolicy: Call<I.DetachRolePolicyCommandInput, I.DetachRolePolicyCommandOutput>;
  getPolicy: Call<I.GetPolicyCommandInput, I.GetPolicyCommandOutput>;
  getPolicyVersion: Call<I.GetPolicyVersionCommandInput, I.GetPolicyVersionCommandOutput>;
  getInstanceProfile: Call<I.GetInstanceProfileCommandInput, I.GetInstanceProfileCommandOutput>;
  createInstanceProfile: Call<I.CreateInstanceProfileCommandInput, I.CreateInstanceProfileCommandOutput>;
  deleteInstanceProfile: Call<I.DeleteInstanceProfileCommandInput, I.DeleteInstanceProfileCommandOutput>;
  addRoleToInstanceProfile: Call<I.AddRoleToInstanceProfileCommandInput, I.AddRoleToInstanceProfileCommandOutput>;
  removeRoleFromInstanceProfile: Call<I.RemoveRoleFromInstanceProfileCommandInput, I.RemoveRoleFromInstanceProfileCommandOutput>;
}

export const iamApi = perClient((client: I.IAMClient): IamApi => {
  const s = iamSdk();
  const { call, all } = over(client);
  return {
    listRoles: all(s.paginateListRoles, (p) => p.Roles),
    listRolePolicies: all(s.paginateListRolePolicies, (p) => p.PolicyNames),
    listAttachedRolePolicies: all(s.paginateListAttachedRolePolicies, (p) => p.AttachedPolicies),
    listInstanceProfiles: all(s.paginateListInstanceProfiles, (p) => p.InstanceProfiles),
    getRole: call(s.GetRoleCommand),
    createRole: call(s.CreateRoleCommand),
    deleteRole: call(s.DeleteRoleCommand),
    getRolePolicy: call(s.GetRolePolicyCommand),
    deleteRolePolicy: call(s.DeleteRolePolicyCommand),
    attachRolePolicy: call(s.AttachRolePolicyCommand),
    detachRolePolicy: call(s.DetachRolePolicyCommand),
    getPolicy: call(s.GetPolicyCommand),
    getPolicyVersion: call(s.GetPolicyVersionCommand),
    getInstanceProfile: call(s.GetInstanceProfileCommand),
    createInstanceProfile: call(s.CreateInstanceProfileCommand),
    deleteInstanceProfile: call(s.DeleteInstanceProfileCommand),
    addRoleToInstanceProfile: call(s.AddRoleToInstanceProfileCommand),
    removeRoleFromInstanceProfile: call(s.RemoveRoleFromInstanceProfileCommand),
  };
});

export const iamOf = async (c: HasContext): Promise<IamApi> => iamApi(await (await awsOf(c)).iam());
