// How destroy deletes each resource kind a plan can hold. Every module that adds a kind adds
// its deleter here, so destroy (and its orphan sweep) stays one generic mechanism.
import { deleters as ec2Deleters, type Deleter } from "./ec2-steps.js";
import type { ResourceRecord } from "./engine.js";

export type { Deleter };

// attach-lambda / add-endpoint kinds, loaded on first use (they pull in the IAM and Lambda SDKs).
const lambdaKind = (kind: string): Deleter => async (ctx, rec) => (await import("./lambda-steps.js")).deleters[kind](ctx, rec);

export const deleters: Record<string, Deleter> = {
  ...ec2Deleters,
  "security-group-rule": lambdaKind("security-group-rule"),
  "iam-role-policy-attachment": lambdaKind("iam-role-policy-attachment"),
  "lambda-vpc-config": lambdaKind("lambda-vpc-config"),
  "vpc-endpoint": lambdaKind("vpc-endpoint"),
};

/**
 * Extra deletion order beyond `dependsOn`: steps that must be undone before this record. An ENI
 * policy egress-cli attached to a role waits until no function of the plan on that role (or on a
 * role not recorded) is still in the VPC: another function may rely on the same attachment.
 */
export const deleteAfter: Record<string, (rec: ResourceRecord, resources: Record<string, ResourceRecord>) => string[]> = {
  "iam-role-policy-attachment": (rec, resources) => {
    const role = (rec.attrs as { roleName?: string }).roleName;
    return Object.entries(resources)
      .filter(([, r]) => r.kind === "lambda-vpc-config" && r.state !== "deleted")
      .filter(([, r]) => {
        const arn = (r.attrs as { role?: unknown }).role;
        return typeof arn !== "string" || arn.split("/").pop() === role;
      })
      .map(([step]) => step);
  },
};

/**
 * Kinds whose effect may already be in place when a crash left their record `pending` (the call
 * was made, the result not recorded), and whose deleter can undo it from the facts recorded by
 * the step's `intent`. destroy undoes these instead of dropping the record.
 */
export const undoableWhenPending: Record<string, (attrs: Record<string, unknown>) => boolean> = {
  route: (a) => Boolean(a.routeTableId && a.destination && a.target),
  "lambda-vpc-config": (a) => Boolean(a.functionName) && "previousVpcConfig" in a,
  "iam-role-policy-attachment": (a) => Boolean(a.roleName && a.policyArn),
};
