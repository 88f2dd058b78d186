// The plan file, version 1: zod schema (the single source of truth), the `Plan` type, a
// constructor for a fresh plan, and the JSON Schema text shipped in schema/plan.schema.json.
//
// Objects are "loose": keys this version does not know are kept, not stripped, so a load/save
// round trip by an older egress-cli never silently drops data a newer one wrote.

import { randomUUID } from "node:crypto";
import * as z from "zod";
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from "../aws/names.js";
import { PLAN_NAME_PATTERN } from "./name.js";

export const PLAN_VERSION = 1;

/**
 * Resource kinds a plan of this version may hold, in sweep order; other strings are accepted for forward
 * compatibility. The plan format owns this list (plain strings, so the schema loads no engine code); the
 * kind registry (engine/kinds/index.ts) is typed by it and test/ownership.test.ts checks they match.
 */
export const RESOURCE_KINDS = [
  "vpc",
  "subnet",
  "internet-gateway",
  "igw-attachment",
  "egress-only-igw",
  "route-table",
  "route-table-association",
  "route",
  "elastic-ip",
  "nat-gateway",
  "security-group",
  "vpc-attribute",
  "subnet-attribute",
  "security-group-rule",
  "iam-role-policy-attachment",
  "lambda-vpc-config",
  "vpc-endpoint",
  "iam-role",
  "iam-instance-profile",
  "lattice-resource-gateway",
  "lattice-resource-configuration",
  "network-interface",
  "ram-resource-share",
  "lattice-domain-verification",
  "ec2-instance",
] as const;

const isoDateTime = z.iso.datetime({ offset: true });

export const ResourceSchema = z
  .looseObject({
    kind: z.union([z.enum(RESOURCE_KINDS), z.string().min(1)]).meta({ description: "Resource kind; known kinds listed, others allowed" }),
    id: z.string().min(1).nullable().meta({ description: "AWS id (vpc-..., subnet-...), null until created" }),
    owned: z.boolean().meta({ description: "true: created by egress-cli and deleted by destroy; false: imported, never deleted" }),
    state: z.enum(["pending", "created", "deleted"]),
    dependsOn: z.array(z.string().min(1)).meta({ description: "Step ids this resource needs first; destroy walks them in reverse" }),
    region: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "Region the resource lives in (written at create/import); absent in older plans, which mean the plan's region" }),
    az: z.string().min(1).optional(),
    cidr: z.string().min(1).optional(),
    tier: z.enum(["public", "private"]).optional(),
    clientToken: z.string().min(1).optional(),
    generation: z.number().int().nonnegative().meta({ description: "Bumped when the resource is replaced" }),
    attrs: z.record(z.string(), z.unknown()).meta({ description: "Kind-specific: routeTableId, destination, previousTarget, publicIp, ..." }),
    createdAt: isoDateTime.optional(),
    deletedAt: isoDateTime.optional(),
  })
  .meta({ id: "PlanResource" });

export const JournalEntrySchema = z
  .looseObject({
    step: z.string().min(1),
    action: z.enum(["create", "adopt", "exists", "delete", "update"]),
    status: z.enum(["started", "done", "failed"]),
    resourceId: z.string().min(1).optional(),
    clientToken: z.string().min(1).optional(),
    error: z.string().optional(),
    at: isoDateTime,
  })
  .meta({ id: "PlanJournalEntry" });

export const BackendSchema = z
  .string()
  .regex(/^(aws|sandbox|endpoint:\S+)$/, 'backend must be "aws", "sandbox" or "endpoint:<url>"')
  .meta({ description: '"aws", "sandbox", or "endpoint:<url>" (LocalStack, moto, --endpoint-url)' });

/** The egress proxy's settings (launch-proxy writes them, `proxy allow` updates allowDomains). */
export const ProxySettingsSchema = z
  .looseObject({
    port: z.number().int().min(1).max(65535),
    allowDomains: z.array(z.string().min(1)).meta({ description: "Squid dstdomain patterns the proxy admits" }),
    allowCidrs: z.array(z.string().min(1)).meta({ description: "Source CIDRs admitted besides the VPC's own (--allow-cidr)" }),
    allowDestCidrs: z.array(z.string().min(1)).optional().meta({ description: "Internal destination CIDRs relayed after all (--allow-dest-cidr); loopback, link-local and the other private ranges are denied" }),
    verifySni: z.boolean(),
    instanceType: z.string().min(1),
    perAz: z.boolean(),
    skipVerify: z.boolean(),
  })
  .meta({ id: "PlanProxy" });

// plan.spec: each command's inputs, one section per command, so a re-run compares like with like and a
// reader gets typed values. Sections are loose (a newer version's fields survive) and optional.
const ids = z.array(z.string().min(1));

export const PlanSpecSchema = z
  .looseObject({
    vpc: z
      .looseObject({
        cidr: z.string().min(1),
        azs: ids,
        publicPerAz: z.number().int().nonnegative(),
        privatePerAz: z.number().int().nonnegative(),
        subnetPrefix: z.number().int().optional(),
        /** --ipv6: an Amazon-provided /56, a /64 per subnet, an egress-only internet gateway. */
        ipv6: z.boolean().optional(),
        /** --ipv6-only-private: private subnets without IPv4. */
        ipv6OnlyPrivate: z.boolean().optional(),
      })
      .optional()
      .meta({ description: "create-vpc" }),
    import: z.looseObject({ vpcId: z.string().min(1), shared: z.boolean().optional() }).optional().meta({ description: "import" }),
    nat: z
      .looseObject({ mode: z.enum(["single", "per-az", "regional"]), azs: ids, eips: ids.optional() })
      .optional()
      .meta({ description: "add-nat" }),
    lambda: z
      .record(z.string(), z.looseObject({ subnets: ids, securityGroup: z.string().min(1) }))
      .optional()
      .meta({ description: "attach-lambda, by function name" }),
    endpoints: z
      .record(
        z.string(),
        z.looseObject({ policy: z.string().min(1), privateDns: z.boolean().optional(), allowFrom: z.array(z.string()), preset: z.string().optional() }),
      )
      .optional()
      .meta({ description: "add-endpoint, by service" }),
    share: z.looseObject({ shareWith: z.array(z.string()), domain: z.string().optional() }).optional().meta({ description: "share-proxy" }),
    consumers: z
      .record(
        z.string(),
        z.looseObject({ subnets: ids, accountId: z.string().optional(), profile: z.string().optional(), securityGroups: ids.optional() }),
      )
      .optional()
      .meta({ description: "connect-proxy, by consumer VPC id" }),
  })
  .meta({ id: "PlanSpec", description: "Command inputs, a section per command" });

export type PlanSpec = z.infer<typeof PlanSpecSchema>;

export const PlanSchema = z
  .looseObject({
    version: z.literal(PLAN_VERSION),
    name: z
      .string()
      .regex(PLAN_NAME_PATTERN, "name must be 1-64 letters, digits, - _ . starting with a letter or digit"),
    planId: z.uuid(),
    backend: BackendSchema,
    region: z.string().regex(REGION_PATTERN, "region must be an AWS region name such as us-east-1"),
    accountId: z.string().regex(ACCOUNT_ID_PATTERN, "accountId must be 12 digits"),
    createdAt: isoDateTime,
    updatedAt: isoDateTime,
    spec: PlanSpecSchema,
    resources: z.record(z.string().min(1), ResourceSchema).meta({ description: "Keyed by step id, e.g. nat/us-east-1a/eip" }),
    journal: z.array(JournalEntrySchema),
    outputs: z.looseObject({
      egressIps: z.array(z.string()).optional(),
    }),
    analyses: z.array(z.unknown()),
    proxy: ProxySettingsSchema.optional().meta({ description: "The egress proxy (launch-proxy, proxy allow)" }),
  })
  .meta({
    id: "EgressPlan",
    title: "egress-cli plan file",
    description: "State of one egress-cli plan: resources created or imported, step journal, outputs.",
  });

export type Plan = z.infer<typeof PlanSchema>;
export type ProxySettings = z.infer<typeof ProxySettingsSchema>;

/** The plan's proxy settings, or undefined before launch-proxy. */
export function proxySettings(plan: Pick<Plan, "proxy">): ProxySettings | undefined {
  return plan.proxy;
}
export type PlanResource = z.infer<typeof ResourceSchema>;
export type JournalEntry = z.infer<typeof JournalEntrySchema>;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export interface NewPlanInput {
  name: string;
  backend: string;
  region: string;
  accountId: string;
  spec?: PlanSpec;
  now?: Date;
  planId?: string;
}

/** A fresh, empty plan (validated, so a bad name/region/account fails here, not at save). */
export function newPlan(input: NewPlanInput): Plan {
  const at = (input.now ?? new Date()).toISOString();
  return PlanSchema.parse({
    version: PLAN_VERSION,
    name: input.name,
    planId: input.planId ?? randomUUID(),
    backend: input.backend,
    region: input.region,
    accountId: input.accountId,
    createdAt: at,
    updatedAt: at,
    spec: input.spec ?? {},
    resources: {},
    journal: [],
    outputs: {},
    analyses: [],
  });
}

export const PLAN_SCHEMA_ID = "https://egress-cli.dev/schema/plan.schema.json";

/** JSON Schema (draft 2020-12) for plan v1, as committed in schema/plan.schema.json. */
export function planJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(PlanSchema, { target: "draft-2020-12", io: "output", reused: "inline" }) as Record<string, unknown>;
  return { ...generated, $id: PLAN_SCHEMA_ID };
}

/** The exact file text: 2-space indent, trailing newline. */
export function planJsonSchemaText(): string {
  return `${JSON.stringify(planJsonSchema(), null, 2)}\n`;
}
