// Kind "security-group": a plan security group (tagged; adopted by tags). A name clash with a
// group this plan did not create is refused, never adopted.
import type { SecurityGroup } from "@aws-sdk/client-ec2";
import * as z from "zod";
import { CliError } from "../../errors.js";
import { errorCode } from "../../aws/errors.js";
import { listSecurityGroups, orUndefined } from "../../aws/ec2.js";
import { matchesTagFilters, tagSpec } from "../../aws/tags.js";
import type { StepDef, StepRun } from "../engine.js";
import { eventually } from "../../aws/retry.js";
import { ec2Of } from "./common.js";
import { defineKind } from "./kind.js";
import { ec2KindParts, ec2Step, type Ec2Type } from "./tagged.js";

/** The rules EC2 puts in every new group: all traffic out to anywhere (IPv4, and IPv6 in a dual-stack VPC). */
const DEFAULT_EGRESS = [
  { IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
  { IpProtocol: "-1", Ipv6Ranges: [{ CidrIpv6: "::/0" }] },
];
const holdsDefault = (g: SecurityGroup | undefined, d: (typeof DEFAULT_EGRESS)[number]) =>
  Boolean(g?.IpPermissionsEgress?.some((p) => p.IpProtocol === "-1" && (d.IpRanges ? p.IpRanges?.some((r) => r.CidrIp === "0.0.0.0/0") : p.Ipv6Ranges?.some((r) => r.CidrIpv6 === "::/0"))));

export const getSecurityGroup = async (ec2: Awaited<ReturnType<typeof ec2Of>>, id: string) => (await orUndefined(listSecurityGroups(ec2, undefined, [id])))?.[0];
const type: Ec2Type<SecurityGroup> = { kind: "security-group", get: getSecurityGroup, list: (ec2, f) => listSecurityGroups(ec2, f), idOf: (g) => g.GroupId!, refs: (g) => [g.VpcId], resourceType: "security-group" };

export const securityGroupKind = defineKind({
  kind: "security-group",
  attrs: z.looseObject({ groupName: z.string().optional(), vpcId: z.string().optional() }),
  ...ec2KindParts(type, (_ctx, ec2, id) => ec2.deleteSecurityGroup({ GroupId: id })),
});

/**
 * A plan security group, with no egress of its own: EC2's default allow-all egress is revoked in
 * settle, which runs after create, adopt and verify — so kill -9 between CreateSecurityGroup and the
 * revoke is finished by the re-run, and a group an older version left open is narrowed. The command
 * adds the egress its role needs as security-group-rule steps (egressRuleStep). `vpcId`: a VPC
 * other than the plan's (connect-proxy's consumer VPC).
 */
export function securityGroupStep(o: { id: string; groupName: string; description: string; label: string; vpcId?: string }): StepDef {
  const vpcOf = (run: StepRun) => o.vpcId ?? run.ref("vpc");
  const find = async (run: StepRun) => (await listSecurityGroups(await ec2Of(run), run.stepFilters)).filter((g) => matchesTagFilters(g.Tags, run.stepFilters));
  const result = (g: SecurityGroup) => ({ id: g.GroupId!, attrs: { groupName: g.GroupName, vpcId: g.VpcId } });
  return ec2Step(type, {
    id: o.id,
    label: o.label,
    dependsOn: o.vpcId ? [] : ["vpc"],
    result,
    async create(run) {
      const ec2 = await ec2Of(run);
      const input = { VpcId: vpcOf(run), GroupName: o.groupName, Description: o.description, TagSpecifications: tagSpec("security-group", run.tags) };
      try {
        const r = await ec2.createSecurityGroup(input);
        return { GroupId: r.GroupId, GroupName: o.groupName, VpcId: input.VpcId };
      } catch (err) {
        // Same name in the VPC: ours if it carries our step tag (found by discover next time), else a clash.
        if (errorCode(err) === "InvalidGroup.Duplicate") {
          const mine = (await find(run))[0];
          if (mine) return mine;
          throw new CliError(`A security group named "${o.groupName}" already exists in ${input.VpcId} and was not created by this plan.`, 1, "Pass --security-group sg-… to use it, or delete it.");
        }
        throw err;
      }
    },
    async settle(run: StepRun, r: { id: string | null }) {
      const ec2 = await ec2Of(run);
      // Not yet visible right after create is eventual consistency, not "nothing to revoke".
      const g = (await eventually(run.ctx, () => listSecurityGroups(ec2, undefined, [r.id!])))[0];
      const open = DEFAULT_EGRESS.filter((d) => holdsDefault(g, d));
      if (!open.length) return;
      try {
        await ec2.revokeSecurityGroupEgress({ GroupId: r.id!, IpPermissions: open });
      } catch (err) {
        if (errorCode(err) !== "InvalidPermission.NotFound") throw err; // revoked meanwhile (a concurrent re-run)
      }
    },
    dryRun: async (run) => {
      await (await ec2Of(run)).createSecurityGroup({ VpcId: vpcOf(run), GroupName: o.groupName, Description: o.description, DryRun: true });
    },
  });
}

export default securityGroupKind;
