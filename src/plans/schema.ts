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

/**
 * The plan's zod schemas, built on first use: a run that reads a plan whose text this build already
 * checked builds none (src/plans/checked.ts; status spent ~5 ms of its start-up building them).
 */
export const planSchemas = () => (built ??= buildSchemas());
let built: ReturnType<typeof buildSchemas> | undefined;

function buildSchemas() {
  // Built by every command that checks a plan, and zod makes a node (and runs its classes' set-up)
  // for each step of a chain (`z.string().min(1)` is three), so a schema used in many places is one
  // constant (zod schemas are immutable), and a description goes on the node built for it (`.register`),
  // not through `.meta`, which clones the node first (kept for the shared `count`). Same JSON Schema text
  // (planJsonSchema inlines reused nodes); issue 24's start-up.
  const isoDateTime = z.iso.datetime({ offset: true });
  const text = z.string().min(1);
  const count = z.number().int().nonnegative();

  const ResourceSchema = z
    .looseObject({
      kind: z.union([z.enum(RESOURCE_KINDS), text]).register(z.globalRegistry, { description: "Resource kind; known kinds listed, others allowed" }),
      id: text.nullable().register(z.globalRegistry, { description: "AWS id (vpc-..., subnet-...), null until created" }),
      owned: z.boolean().register(z.globalRegistry, { description: "true: created by egress-cli and deleted by destroy; false: imported, never deleted" }),
      state: z.enum(["pending", "created", "deleted"]),
      dependsOn: z.array(text).register(z.globalRegistry, { description: "Step ids this resource needs first; destroy walks them in reverse" }),
      region: z
        .string()
        .min(1)
        .optional()
        .register(z.globalRegistry, { description: "Region the resource lives in (written at create/import); absent in older plans, which mean the plan's region" }),
      az: text.optional(),
      cidr: text.optional(),
      tier: z.enum(["public", "private"]).optional(),
      clientToken: text.optional(),
      generation: count.meta({ description: "Bumped when the resource is replaced" }),
      attrs: z.record(z.string(), z.unknown()).register(z.globalRegistry, { description: "Kind-specific: routeTableId, destination, previousTarget, publicIp, ..." }),
      createdAt: isoDateTime.optional(),
      deletedAt: isoDateTime.optional(),
    })
    .register(z.globalRegistry, { id: "PlanResource" });

  const JournalEntrySchema = z
    .looseObject({
      step: text,
      action: z.enum(["create", "adopt", "exists", "delete", "update"]),
      status: z.enum(["started", "done", "failed"]),
      resourceId: text.optional(),
      clientToken: text.optional(),
      error: z.string().optional(),
      at: isoDateTime,
    })
    .register(z.globalRegistry, { id: "PlanJournalEntry" });

  const BackendSchema = z
    .string()
    .regex(/^(aws|sandbox|endpoint:\S+)$/, 'backend must be "aws", "sandbox" or "endpoint:<url>"')
    .register(z.globalRegistry, { description: '"aws", "sandbox", or "endpoint:<url>" (LocalStack, moto, --endpoint-url)' });

  /** The egress proxy's settings (launch-proxy writes them, `proxy allow` updates allowDomains). */
  const ProxySettingsSchema = z
    .looseObject({
      port: z.number().int().min(1).max(65535),
      allowDomains: z.array(text).register(z.globalRegistry, { description: "Squid dstdomain patterns the proxy admits" }),
      allowCidrs: z.array(text).register(z.globalRegistry, { description: "Source CIDRs admitted besides the VPC's own (--allow-cidr)" }),
      allowDestCidrs: z.array(text).optional().register(z.globalRegistry, { description: "Internal destination CIDRs relayed after all (--allow-dest-cidr); loopback, link-local and the other private ranges are denied" }),
      verifySni: z.boolean(),
      instanceType: text,
      perAz: z.boolean(),
      skipVerify: z.boolean(),
    })
    .register(z.globalRegistry, { id: "PlanProxy" });

  // plan.spec: each command's inputs, one section per command, so a re-run compares like with like and a
  // reader gets typed values. Sections are loose (a newer version's fields survive) and optional.
  const ids = z.array(text);

  const PlanSpecSchema = z
    .looseObject({
      vpc: z
        .looseObject({
          cidr: text,
          azs: ids,
          publicPerAz: count,
          privatePerAz: count,
          subnetPrefix: z.number().int().optional(),
          /** --ipv6: an Amazon-provided /56, a /64 per subnet, an egress-only internet gateway. */
          ipv6: z.boolean().optional(),
          /** --ipv6-only-private: private subnets without IPv4. */
          ipv6OnlyPrivate: z.boolean().optional(),
        })
        .optional()
        .register(z.globalRegistry, { description: "create-vpc" }),
      import: z.looseObject({ vpcId: text, shared: z.boolean().optional() }).optional().register(z.globalRegistry, { description: "import" }),
      nat: z
        .looseObject({ mode: z.enum(["single", "per-az", "regional"]), azs: ids, eips: ids.optional() })
        .optional()
        .register(z.globalRegistry, { description: "add-nat" }),
      lambda: z
        .record(z.string(), z.looseObject({ subnets: ids, securityGroup: text }))
        .optional()
        .register(z.globalRegistry, { description: "attach-lambda, by function name" }),
      endpoints: z
        .record(
          z.string(),
          z.looseObject({ policy: text, privateDns: z.boolean().optional(), allowFrom: z.array(z.string()), preset: z.string().optional() }),
        )
        .optional()
        .register(z.globalRegistry, { description: "add-endpoint, by service" }),
      share: z.looseObject({ shareWith: z.array(z.string()), domain: z.string().optional() }).optional().register(z.globalRegistry, { description: "share-proxy" }),
      consumers: z
        .record(
          z.string(),
          z.looseObject({ subnets: ids, accountId: z.string().optional(), profile: z.string().optional(), securityGroups: ids.optional() }),
        )
        .optional()
        .register(z.globalRegistry, { description: "connect-proxy, by consumer VPC id" }),
    })
    .register(z.globalRegistry, { id: "PlanSpec", description: "Command inputs, a section per command" });


  const PlanSchema = z
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
      resources: z.record(text, ResourceSchema).register(z.globalRegistry, { description: "Keyed by step id, e.g. nat/us-east-1a/eip" }),
      journal: z.array(JournalEntrySchema),
      outputs: z.looseObject({
        egressIps: z.array(z.string()).optional(),
      }),
      analyses: z.array(z.unknown()),
      proxy: ProxySettingsSchema.optional().register(z.globalRegistry, { description: "The egress proxy (launch-proxy, proxy allow)" }),
    })
    .register(z.globalRegistry, {
      id: "EgressPlan",
      title: "egress-cli plan file",
      description: "State of one egress-cli plan: resources created or imported, step journal, outputs.",
    });
  return { ResourceSchema, JournalEntrySchema, BackendSchema, ProxySettingsSchema, PlanSpecSchema, PlanSchema };
}

type Schemas = ReturnType<typeof buildSchemas>;
export type PlanSpec = z.infer<Schemas["PlanSpecSchema"]>;

export type Plan = z.infer<Schemas["PlanSchema"]>;
export type ProxySettings = z.infer<Schemas["ProxySettingsSchema"]>;

/** The plan's proxy settings, or undefined before launch-proxy. */
export function proxySettings(plan: Pick<Plan, "proxy">): ProxySettings | undefined {
  return plan.proxy;
}
export type PlanResource = z.infer<Schemas["ResourceSchema"]>;
export type JournalEntry = z.infer<Schemas["JournalEntrySchema"]>;
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
  return planSchemas().PlanSchema.parse({
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
  const generated = z.toJSONSchema(planSchemas().PlanSchema, { target: "draft-2020-12", io: "output", reused: "inline" }) as Record<string, unknown>;
  return { ...generated, $id: PLAN_SCHEMA_ID };
}

/** The exact file text: 2-space indent, trailing newline. */
export function planJsonSchemaText(): string {
  return `${JSON.stringify(planJsonSchema(), null, 2)}\n`;
}
