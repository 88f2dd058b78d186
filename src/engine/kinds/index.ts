// The one registry of resource kinds. Adding a kind = its module + one line here. Modules are
// loaded on first use (the IAM, Lambda and Lattice ones pull in their SDK clients). The
// plan owns the list of kind names (plans/schema.ts RESOURCE_KINDS): keying the registry by it makes a
// kind missing on either side a compile error; test/plan-store.test.ts checks the order. The order is the sweep order.
import type { ResourceKind } from "../../plans/schema.js";
import type { Kind } from "./kind.js";

type Loader = () => Promise<{ default: Kind }>;

const registry: Record<ResourceKind, Loader> = {
  vpc: () => import("./vpc.js"),
  subnet: () => import("./subnet.js"),
  "internet-gateway": () => import("./internet-gateway.js"),
  "igw-attachment": () => import("./igw-attachment.js"),
  "egress-only-igw": () => import("./egress-only-igw.js"),
  "route-table": () => import("./route-table.js"),
  "route-table-association": () => import("./route-table-association.js"),
  route: () => import("./route.js"),
  "elastic-ip": () => import("./elastic-ip.js"),
  "nat-gateway": () => import("./nat-gateway.js"),
  "security-group": () => import("./security-group.js"),
  "vpc-attribute": () => import("./vpc-attribute.js"),
  "subnet-attribute": () => import("./subnet-attribute.js"),
  "security-group-rule": () => import("./security-group-rule.js"),
  "iam-role-policy-attachment": () => import("./iam-role-policy-attachment.js"),
  "lambda-vpc-config": () => import("./lambda-vpc-config.js"),
  "vpc-endpoint": () => import("./vpc-endpoint.js"),
  "iam-role": () => import("./iam-role.js"),
  "iam-instance-profile": () => import("./iam-instance-profile.js"),
  "lattice-resource-gateway": () => import("./lattice-resource-gateway.js"),
  "lattice-resource-configuration": () => import("./lattice-resource-configuration.js"),
  "network-interface": () => import("./network-interface.js"),
  "ram-resource-share": () => import("./ram-resource-share.js"),
  "lattice-domain-verification": () => import("./lattice-domain-verification.js"),
  "ec2-instance": () => import("./ec2-instance.js"),
};

/** Every kind the engine implements, in sweep order (the registry's; the plan schema declares the same list). */
export const KIND_NAMES = Object.keys(registry) as ResourceKind[];

export function isKnownKind(name: string): boolean {
  return Object.hasOwn(registry, name);
}

/** The kind's module (loaded on first use); undefined for a kind this version does not know. */
export async function kindOf(name: string): Promise<Kind | undefined> {
  if (!isKnownKind(name)) return undefined;
  let k = loaded.get(name as ResourceKind);
  if (!k) loaded.set(name as ResourceKind, (k = registry[name as ResourceKind]().then((m) => m.default)));
  return k;
}

/** Each kind's module, asked for once: a dynamic import() per lookup costs a module resolution each time. */
const loaded = new Map<ResourceKind, Promise<Kind>>();
