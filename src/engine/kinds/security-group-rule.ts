// Kind "security-group-rule": ingress tcp/<port> into a plan group from one source, or egress
// tcp/<port> from it to a CIDR or a group (a relation: adopted when it holds; revoked by destroy or when
// --allow-from no longer asks for it).
import type { IpPermission } from "@aws-sdk/client-ec2";
import * as z from "zod";
import { classifyError, errorCode } from "../../aws/errors.js";
import type { StepDef, StepRun } from "../engine.js";
import { ec2Of } from "./common.js";
import { byRelation, defineKind } from "./kind.js";
import { getSecurityGroup } from "./security-group.js";

const PermissionSchema = z.looseObject({
  IpProtocol: z.string().optional(),
  FromPort: z.number().optional(),
  ToPort: z.number().optional(),
  IpRanges: z.array(z.looseObject({ CidrIp: z.string().optional() })).optional(),
  UserIdGroupPairs: z.array(z.looseObject({ GroupId: z.string().optional() })).optional(),
});

export const securityGroupRuleKind = defineKind({
  kind: "security-group-rule",
  attrs: z.looseObject({ groupId: z.string(), permission: PermissionSchema, direction: z.enum(["ingress", "egress"]).optional() }),
  owner: async (ctx, rec, plan) => byRelation(ctx, plan, [rec.attrs.groupId]),
  // A crash right after Authorize leaves the rule in place with its record pending: the recorded intent
  // says what to revoke, so destroy takes it out before either group (a rule naming a group blocks its deletion).
  undoableWhenPending: (a) => Boolean(a.groupId && a.permission),
  async delete(ctx, rec) {
    try {
      const input = { GroupId: rec.attrs.groupId, IpPermissions: [rec.attrs.permission] };
      const ec2 = await ec2Of(ctx);
      await (rec.attrs.direction === "egress" ? ec2.revokeSecurityGroupEgress(input) : ec2.revokeSecurityGroupIngress(input));
    } catch (err) {
      if (classifyError(err) !== "not-found" && errorCode(err) !== "InvalidPermission.NotFound") throw err;
    }
  },
});

/** The source a rule admits (as the user named it). */
export function ruleSource(rec: { attrs: z.infer<typeof securityGroupRuleKind.attrs> }): string | undefined {
  return rec.attrs.permission.IpRanges?.[0]?.CidrIp ?? rec.attrs.permission.UserIdGroupPairs?.[0]?.GroupId;
}

export type RuleSource = { kind: "sg"; groupId?: string; groupStep?: string; label: string } | { kind: "cidr"; cidr: string; label: string };

function permission(source: RuleSource, groupIdOf: (s: RuleSource) => string, port: number): IpPermission {
  const base = { IpProtocol: "tcp", FromPort: port, ToPort: port };
  return source.kind === "cidr"
    ? { ...base, IpRanges: [{ CidrIp: source.cidr, Description: `egress-cli: ${source.label}` }] }
    : { ...base, UserIdGroupPairs: [{ GroupId: groupIdOf(source), Description: `egress-cli: ${source.label}` }] };
}

function stripDescriptions(p: IpPermission): IpPermission {
  return {
    IpProtocol: p.IpProtocol,
    FromPort: p.FromPort,
    ToPort: p.ToPort,
    ...(p.IpRanges ? { IpRanges: p.IpRanges.map((r) => ({ CidrIp: r.CidrIp })) } : {}),
    ...(p.UserIdGroupPairs ? { UserIdGroupPairs: p.UserIdGroupPairs.map((u) => ({ GroupId: u.GroupId })) } : {}),
  };
}

/** Ingress tcp/<port> into a plan security group from one source (a CIDR, a group, or a plan group). */
export function ingressRuleStep(o: { id: string; groupStep: string; source: RuleSource; port: number }): StepDef {
  const groupIdOf = (run: StepRun) => (s: RuleSource) => (s.kind === "sg" ? (s.groupId ?? run.ref(s.groupStep!)) : "");
  const holds = async (run: StepRun) => {
    const groupId = run.ref(o.groupStep);
    const g = await getSecurityGroup(await ec2Of(run), groupId);
    const want = permission(o.source, groupIdOf(run), o.port);
    const ok = g?.IpPermissions?.some(
      (p) =>
        p.IpProtocol === "tcp" &&
        p.FromPort === o.port &&
        p.ToPort === o.port &&
        (o.source.kind === "cidr" ? p.IpRanges?.some((r) => r.CidrIp === want.IpRanges![0].CidrIp) : p.UserIdGroupPairs?.some((u) => u.GroupId === want.UserIdGroupPairs![0].GroupId)),
    );
    return ok ? { id: `${groupId}|${o.port}|${want.IpRanges?.[0]?.CidrIp ?? want.UserIdGroupPairs?.[0]?.GroupId}`, attrs: { groupId, permission: stripDescriptions(want) } } : undefined;
  };
  return {
    id: o.id,
    kind: securityGroupRuleKind.kind,
    label: `ingress tcp/${o.port} from ${o.source.label}`,
    dependsOn: [o.groupStep, ...(o.source.kind === "sg" && o.source.groupStep ? [o.source.groupStep] : [])],
    changes: [o.groupStep],
    verify: (run) => holds(run),
    discover: (run) => holds(run),
    intent: async (run) => ({ groupId: run.ref(o.groupStep), permission: stripDescriptions(permission(o.source, groupIdOf(run), o.port)) }),
    async create(run) {
      const groupId = run.ref(o.groupStep);
      const want = permission(o.source, groupIdOf(run), o.port);
      try {
        await (await ec2Of(run)).authorizeSecurityGroupIngress({ GroupId: groupId, IpPermissions: [want] });
      } catch (err) {
        if (errorCode(err) !== "InvalidPermission.Duplicate") throw err;
      }
      const key = want.IpRanges?.[0]?.CidrIp ?? want.UserIdGroupPairs?.[0]?.GroupId;
      return { id: `${groupId}|${o.port}|${key}`, attrs: { groupId, permission: stripDescriptions(want) } };
    },
  };
}

/**
 * Egress tcp/<port> from a plan security group to a CIDR (the proxy's 80 and 443 to the internet, a
 * Lambda function's HTTPS) or to another plan group (the resource gateway to the proxy).
 */
export function egressRuleStep(o: { id: string; groupStep: string; to: { cidr: string } | { groupStep: string }; port: number; label: string }): StepDef {
  const peerOf = (run: StepRun) => ("cidr" in o.to ? o.to.cidr : run.ref(o.to.groupStep));
  const wantOf = (peer: string): IpPermission =>
    "cidr" in o.to ? { IpProtocol: "tcp", FromPort: o.port, ToPort: o.port, IpRanges: [{ CidrIp: peer }] } : { IpProtocol: "tcp", FromPort: o.port, ToPort: o.port, UserIdGroupPairs: [{ GroupId: peer }] };
  const result = (groupId: string, peer: string) => ({ id: `${groupId}|egress|${o.port}|${peer}`, attrs: { groupId, permission: wantOf(peer), direction: "egress" } });
  const holds = async (run: StepRun) => {
    const groupId = run.ref(o.groupStep);
    const peer = peerOf(run);
    const g = await getSecurityGroup(await ec2Of(run), groupId);
    const ok = g?.IpPermissionsEgress?.some(
      (p) => p.IpProtocol === "tcp" && p.FromPort === o.port && p.ToPort === o.port && ("cidr" in o.to ? p.IpRanges?.some((r) => r.CidrIp === peer) : p.UserIdGroupPairs?.some((u) => u.GroupId === peer)),
    );
    return ok ? result(groupId, peer) : undefined;
  };
  return {
    id: o.id,
    kind: securityGroupRuleKind.kind,
    label: `egress tcp/${o.port} to ${"cidr" in o.to ? o.to.cidr : o.to.groupStep} (${o.label})`,
    dependsOn: [o.groupStep, ...("groupStep" in o.to ? [o.to.groupStep] : [])],
    changes: [o.groupStep],
    verify: (run) => holds(run),
    discover: (run) => holds(run),
    intent: async (run) => result(run.ref(o.groupStep), peerOf(run)).attrs,
    async create(run) {
      const groupId = run.ref(o.groupStep);
      const peer = peerOf(run);
      const want = wantOf(peer);
      const described: IpPermission = want.IpRanges
        ? { ...want, IpRanges: [{ CidrIp: peer, Description: `egress-cli: ${o.label}` }] }
        : { ...want, UserIdGroupPairs: [{ GroupId: peer, Description: `egress-cli: ${o.label}` }] };
      try {
        await (await ec2Of(run)).authorizeSecurityGroupEgress({ GroupId: groupId, IpPermissions: [described] });
      } catch (err) {
        if (errorCode(err) !== "InvalidPermission.Duplicate") throw err;
      }
      return result(groupId, peer);
    },
  };
}

export default securityGroupRuleKind;
