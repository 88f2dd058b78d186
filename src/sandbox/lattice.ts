// VPC Lattice in the sandbox (service key "vpc-lattice", per region in rs.ext.lattice): resource
// gateways (one requester-managed ENI per subnet, with the gateway's security groups, Description
// "VPC Lattice resource gateway rgw-…") and SINGLE resource configurations (an IP or DNS resource,
// TCP, port ranges) — what PrivateLink Resource endpoints point at (S2: share the proxy without an
// NLB). Create/Get/List/Delete with Lattice's validation and errors: ValidationException (400),
// ResourceNotFoundException (404), ConflictException (409). Lattice's JSON is camelCase.
import { createHash } from "node:crypto";
import { awsError } from "./errors.js";
import { allocPrivateIp } from "./ec2-core.js";
import type { ResourceConfigurationDefinition } from "@aws-sdk/client-vpc-lattice";
import type { OpContext, OpHandler, Ops, RecordOpHandler } from "./handler.js";
import { newMac, type EniRec, type RegionState } from "./model.js";
import { fingerprint } from "./query.js";
import { byText } from "../order.js";
import { registerInventory } from "./inventory.js";

export interface ResourceGatewayRec {
  id: string;
  arn: string;
  name: string;
  vpcId: string;
  subnetIds: string[];
  securityGroupIds: string[];
  ipAddressType: string;
  networkInterfaceIds: string[];
  tags: Record<string, string>;
  _createdAt: number;
  _readyAt: number;
}

export interface ResourceConfigurationRec {
  id: string;
  arn: string;
  name: string;
  resourceGatewayId: string;
  type: string;
  protocol: string;
  portRanges: string[];
  resourceConfigurationDefinition: ResourceConfigurationDefinition;
  allowAssociationToShareableServiceNetwork: boolean;
  customDomainName?: string;
  domainVerificationId?: string;
  tags: Record<string, string>;
  _createdAt: number;
  _readyAt: number;
}

export interface DomainVerificationRec {
  id: string;
  arn: string;
  domainName: string;
  txtName: string;
  txtValue: string;
  tags: Record<string, string>;
  _createdAt: number;
}

export interface LatticeStore {
  gateways: Record<string, ResourceGatewayRec>;
  configurations: Record<string, ResourceConfigurationRec>;
  domainVerifications: Record<string, DomainVerificationRec>;
}

/** Real gateways take a few minutes to become ACTIVE; scaled like the NAT timing (0 without realistic latency). */
const GATEWAY_CREATE_MS = 120_000;
const NAT_CREATE_MS = 90_000;

export function latticeStore(rs: RegionState): LatticeStore {
  // Every key filled in, not only the object: a read (ListResourceGateways) may create the store in
  // memory unpersisted, and the journal then holds only the keys a later write changed.
  const s = (rs.ext.lattice ??= { gateways: {}, configurations: {} }) as Partial<LatticeStore>;
  s.gateways ??= {};
  s.configurations ??= {};
  s.domainVerifications ??= {};
  return s as LatticeStore;
}

const validation = (message: string, fieldList?: Array<{ name: string; message: string }>) => {
  const e = awsError("ValidationException", message);
  Object.assign(e, { reason: "fieldValidationFailed", ...(fieldList ? { fieldList } : {}) });
  return e;
};
const notFound = (type: string, id: string) => {
  const e = awsError("ResourceNotFoundException", `The ${type} '${id}' was not found.`, 404);
  Object.assign(e, { resourceId: id, resourceType: type });
  return e;
};
const conflict = (message: string, id: string, type: string) => {
  const e = awsError("ConflictException", message, 409);
  Object.assign(e, { resourceId: id, resourceType: type });
  return e;
};

const NAME = /^(?!rgw-|rcfg-)[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$/;

function checkName(name: unknown, what: string): string {
  if (typeof name !== "string" || !name) throw validation(`1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null`, [{ name: "name", message: "required" }]);
  if (!NAME.test(name) || name.includes("--")) {
    throw validation(`Invalid ${what} name '${name}': 3-40 characters, lowercase letters, numbers and hyphens, starting and ending with a letter or number, no consecutive hyphens, not starting with rgw- or rcfg-.`, [{ name: "name", message: "invalid" }]);
  }
  return name;
}

function stringList(v: unknown, field: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw validation(`'${field}' must be a list of strings`, [{ name: field, message: "invalid" }]);
  return v as string[];
}

const latticeId = (prefix: string, seed: string) => `${prefix}-${createHash("sha256").update(seed).digest("hex").slice(0, 17)}`;

function statusOf(ctx: OpContext, rec: { _readyAt: number }): string {
  return ctx.now < rec._readyAt ? "CREATE_IN_PROGRESS" : "ACTIVE";
}

function gatewayView(ctx: OpContext, g: ResourceGatewayRec, summary = false) {
  return {
    id: g.id,
    arn: g.arn,
    name: g.name,
    status: statusOf(ctx, g),
    ...(summary ? { vpcIdentifier: g.vpcId } : { vpcId: g.vpcId }),
    subnetIds: [...g.subnetIds],
    securityGroupIds: [...g.securityGroupIds],
    ipAddressType: g.ipAddressType,
    createdAt: new Date(g._createdAt),
    lastUpdatedAt: new Date(g._createdAt),
  };
}

function configurationView(ctx: OpContext, c: ResourceConfigurationRec, summary = false) {
  return {
    id: c.id,
    arn: c.arn,
    name: c.name,
    resourceGatewayId: c.resourceGatewayId,
    type: c.type,
    status: statusOf(ctx, c),
    amazonManaged: false,
    createdAt: new Date(c._createdAt),
    lastUpdatedAt: new Date(c._createdAt),
    ...(summary
      ? {}
      : {
          protocol: c.protocol,
          portRanges: [...c.portRanges],
          resourceConfigurationDefinition: structuredClone(c.resourceConfigurationDefinition),
          allowAssociationToShareableServiceNetwork: c.allowAssociationToShareableServiceNetwork,
        }),
    ...(c.customDomainName ? { customDomainName: c.customDomainName, domainVerificationId: c.domainVerificationId, domainVerificationStatus: "PENDING" } : {}),
  };
}

function findGateway(ctx: OpContext, identifier: unknown): ResourceGatewayRec {
  if (typeof identifier !== "string" || !identifier) throw validation("resourceGatewayIdentifier is required", [{ name: "resourceGatewayIdentifier", message: "required" }]);
  const store = latticeStore(ctx.rs);
  const g = store.gateways[identifier] ?? Object.values(store.gateways).find((x) => x.arn === identifier);
  if (!g) throw notFound("RESOURCE_GATEWAY", identifier);
  return g;
}

function findConfiguration(ctx: OpContext, identifier: unknown): ResourceConfigurationRec {
  if (typeof identifier !== "string" || !identifier) throw validation("resourceConfigurationIdentifier is required", [{ name: "resourceConfigurationIdentifier", message: "required" }]);
  const store = latticeStore(ctx.rs);
  const c = store.configurations[identifier] ?? Object.values(store.configurations).find((x) => x.arn === identifier);
  if (!c) throw notFound("RESOURCE_CONFIGURATION", identifier);
  return c;
}

/** Lattice's list pagination (maxResults 1–100, opaque nextToken). */
function page<T>(items: T[], input: { nextToken?: string; maxResults?: number }, op: string): { items: T[]; nextToken?: string } {
  let start = 0;
  if (input.nextToken !== undefined) {
    try {
      const t = JSON.parse(Buffer.from(String(input.nextToken), "base64url").toString("utf8"));
      if (t.op !== op || !Number.isInteger(t.o)) throw new Error("bad");
      start = t.o;
    } catch {
      throw validation(`Invalid nextToken '${input.nextToken}'`, [{ name: "nextToken", message: "invalid" }]);
    }
  }
  const max = input.maxResults === undefined ? 100 : Number(input.maxResults);
  if (!Number.isInteger(max) || max < 1 || max > 100) throw validation(`maxResults must be between 1 and 100`, [{ name: "maxResults", message: "invalid" }]);
  const out = items.slice(start, start + max);
  return start + max < items.length ? { items: out, nextToken: Buffer.from(JSON.stringify({ op, o: start + max })).toString("base64url") } : { items: out };
}

/** Idempotency by clientToken: the same request returns the same resource; another request with the token conflicts. */
function replay<T>(ctx: OpContext, op: string, lookup: (id: string) => T | undefined): T | undefined {
  const token = ctx.input.clientToken;
  if (!token) return undefined;
  const prior = ctx.rs.clientTokens[`${op}:${token}`];
  if (!prior) return undefined;
  if (prior.fingerprint !== fingerprint(ctx.input)) throw conflict(`The client token '${token}' was already used for a different request.`, prior.id, op);
  return lookup(prior.id);
}

function remember(ctx: OpContext, op: string, id: string): void {
  if (ctx.input.clientToken) ctx.rs.clientTokens[`${op}:${ctx.input.clientToken}`] = { fingerprint: fingerprint(ctx.input), id };
}

const CreateResourceGateway: RecordOpHandler<"vpc-lattice", "CreateResourceGateway"> = (ctx) => {
  const i = ctx.input;
  const store = latticeStore(ctx.rs);
  const again = replay(ctx, "CreateResourceGateway", (id) => store.gateways[id]);
  if (again) return gatewayView(ctx, again);
  const name = checkName(i.name, "resource gateway");
  if (typeof i.vpcIdentifier !== "string" || !i.vpcIdentifier) throw validation("vpcIdentifier is required", [{ name: "vpcIdentifier", message: "required" }]);
  const vpc = ctx.rs.vpcs[i.vpcIdentifier];
  if (!vpc) throw notFound("VPC", i.vpcIdentifier);
  const subnetIds = stringList(i.subnetIds, "subnetIds");
  if (subnetIds.length === 0) throw validation("subnetIds must contain at least one subnet", [{ name: "subnetIds", message: "required" }]);
  if (new Set(subnetIds).size !== subnetIds.length) throw validation("subnetIds contains duplicates", [{ name: "subnetIds", message: "duplicate" }]);
  const azs = new Set<string>();
  for (const s of subnetIds) {
    const subnet = ctx.rs.subnets[s];
    if (!subnet) throw notFound("SUBNET", s);
    if (subnet.VpcId !== vpc.VpcId) throw validation(`Subnet ${s} is not in VPC ${vpc.VpcId}`, [{ name: "subnetIds", message: "invalid" }]);
    if (azs.has(subnet.AvailabilityZone)) throw validation(`Only one subnet per Availability Zone is allowed (${subnet.AvailabilityZone})`, [{ name: "subnetIds", message: "invalid" }]);
    azs.add(subnet.AvailabilityZone);
  }
  const sgs = stringList(i.securityGroupIds, "securityGroupIds");
  if (sgs.length > 5) throw validation("securityGroupIds can contain at most 5 security groups", [{ name: "securityGroupIds", message: "invalid" }]);
  for (const g of sgs) {
    const sg = ctx.rs.securityGroups[g];
    if (!sg) throw notFound("SECURITY_GROUP", g);
    if (sg.VpcId !== vpc.VpcId) throw validation(`Security group ${g} is not in VPC ${vpc.VpcId}`, [{ name: "securityGroupIds", message: "invalid" }]);
  }
  const ipAddressType = i.ipAddressType ?? "IPV4";
  if (ipAddressType !== "IPV4") throw validation(`ipAddressType ${ipAddressType} is not supported by the sandbox (IPV4 only)`, [{ name: "ipAddressType", message: "invalid" }]);
  if (Object.values(store.gateways).some((g) => g.name === name)) throw conflict(`A resource gateway named '${name}' already exists.`, name, "RESOURCE_GATEWAY");
  ctx.dry();
  const id = latticeId("rgw", `${ctx.accountId}|${ctx.region}|${name}|${ctx.now}|${Math.random()}`);
  // The gateway's ENIs: one per subnet, requester-managed, carrying its security groups.
  const enis: string[] = [];
  for (const s of subnetIds) {
    const subnet = ctx.rs.subnets[s]!;
    const eni: EniRec = {
      NetworkInterfaceId: latticeId("eni", `${id}|${s}`),
      SubnetId: s,
      VpcId: vpc.VpcId,
      AvailabilityZone: subnet.AvailabilityZone,
      InterfaceType: "interface",
      Description: `VPC Lattice resource gateway ${id}`,
      PrivateIpAddress: allocPrivateIp(ctx.rs, subnet),
      MacAddress: newMac(),
      Groups: [...sgs],
      RequesterManaged: true,
      Tags: [],
      _createdAt: ctx.now,
      _visibleAt: ctx.now,
    };
    ctx.rs.networkInterfaces[eni.NetworkInterfaceId] = eni;
    enis.push(eni.NetworkInterfaceId);
  }
  const rec: ResourceGatewayRec = {
    id,
    arn: `arn:aws:vpc-lattice:${ctx.region}:${ctx.accountId}:resourcegateway/${id}`,
    name,
    vpcId: vpc.VpcId,
    subnetIds,
    securityGroupIds: sgs,
    ipAddressType,
    networkInterfaceIds: enis,
    tags: { ...(i.tags ?? {}) },
    _createdAt: ctx.now,
    _readyAt: ctx.now + Math.round(GATEWAY_CREATE_MS * (ctx.timing.natCreateMs / NAT_CREATE_MS)),
  };
  store.gateways[id] = rec;
  remember(ctx, "CreateResourceGateway", id);
  ctx.mutated();
  return gatewayView(ctx, rec);
};

const GetResourceGateway: RecordOpHandler<"vpc-lattice", "GetResourceGateway"> = (ctx) => gatewayView(ctx, findGateway(ctx, ctx.input.resourceGatewayIdentifier));

const ListResourceGateways: RecordOpHandler<"vpc-lattice", "ListResourceGateways"> = (ctx) => {
  const all = Object.values(latticeStore(ctx.rs).gateways).sort((a, b) => a._createdAt - b._createdAt || byText(a.id, b.id));
  const p = page(all, ctx.input, "ListResourceGateways");
  return { items: p.items.map((g) => gatewayView(ctx, g, true)), ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
};

const DeleteResourceGateway: OpHandler<"vpc-lattice", "DeleteResourceGateway"> = (ctx) => {
  const g = findGateway(ctx, ctx.input.resourceGatewayIdentifier);
  const store = latticeStore(ctx.rs);
  const used = Object.values(store.configurations).filter((c) => c.resourceGatewayId === g.id);
  if (used.length) throw conflict(`Resource gateway ${g.id} has resource configurations (${used.map((c) => c.id).join(", ")}); delete them first.`, g.id, "RESOURCE_GATEWAY");
  ctx.dry();
  for (const id of g.networkInterfaceIds) delete ctx.rs.networkInterfaces[id];
  delete store.gateways[g.id];
  ctx.mutated();
  return { id: g.id, arn: g.arn, name: g.name, status: "DELETE_IN_PROGRESS" };
};

const PORT_RANGE = /^(\d{1,5})(?:-(\d{1,5}))?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

function checkDefinition(def: ResourceConfigurationDefinition | undefined): ResourceConfigurationDefinition {
  const members = def && typeof def === "object" ? Object.entries(def).filter(([, v]) => v !== undefined).map(([k]) => k) : [];
  if (members.length !== 1) throw validation("resourceConfigurationDefinition must set exactly one of ipResource, dnsResource, arnResource", [{ name: "resourceConfigurationDefinition", message: "invalid" }]);
  const [m] = members;
  if (m === "ipResource") {
    const ip = def?.ipResource?.ipAddress;
    if (typeof ip !== "string" || !IPV4.test(ip)) throw validation(`ipResource.ipAddress '${ip}' is not a valid IPv4 address`, [{ name: "ipAddress", message: "invalid" }]);
    return { ipResource: { ipAddress: ip } };
  }
  if (m === "dnsResource") {
    const name = def?.dnsResource?.domainName;
    if (typeof name !== "string" || !/^(?=.{1,255}$)[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\.?$/.test(name)) throw validation(`dnsResource.domainName '${name}' is not a valid domain name`, [{ name: "domainName", message: "invalid" }]);
    return { dnsResource: { domainName: name, ipAddressType: def?.dnsResource?.ipAddressType ?? "IPV4" } };
  }
  throw validation(`resourceConfigurationDefinition.${m} is not supported by the sandbox (ipResource, dnsResource)`, [{ name: "resourceConfigurationDefinition", message: "invalid" }]);
}

const CreateResourceConfiguration: RecordOpHandler<"vpc-lattice", "CreateResourceConfiguration"> = (ctx) => {
  const i = ctx.input;
  const store = latticeStore(ctx.rs);
  const again = replay(ctx, "CreateResourceConfiguration", (id) => store.configurations[id]);
  if (again) return configurationView(ctx, again);
  const name = checkName(i.name, "resource configuration");
  if (!i.type) throw validation("type is required", [{ name: "type", message: "required" }]);
  if (!["SINGLE", "GROUP", "CHILD", "ARN"].includes(i.type)) throw validation(`type '${i.type}' is not one of SINGLE, GROUP, CHILD, ARN`, [{ name: "type", message: "invalid" }]);
  if (i.type !== "SINGLE") throw validation(`type ${i.type} is not supported by the sandbox (SINGLE only)`, [{ name: "type", message: "invalid" }]);
  const gw = findGateway(ctx, i.resourceGatewayIdentifier);
  const portRanges = stringList(i.portRanges, "portRanges");
  if (portRanges.length === 0) throw validation("portRanges is required for a SINGLE resource configuration", [{ name: "portRanges", message: "required" }]);
  for (const r of portRanges) {
    const m = PORT_RANGE.exec(r);
    const from = m ? Number(m[1]) : NaN;
    const to = m?.[2] ? Number(m[2]) : from;
    if (!m || from < 1 || to > 65535 || from > to) throw validation(`Invalid port range '${r}': use a port (3128) or a range (8000-8080) within 1-65535`, [{ name: "portRanges", message: "invalid" }]);
  }
  const protocol = i.protocol ?? "TCP";
  if (protocol !== "TCP") throw validation(`protocol '${protocol}' is not supported (TCP)`, [{ name: "protocol", message: "invalid" }]);
  const definition = checkDefinition(i.resourceConfigurationDefinition);
  let custom: { customDomainName: string; domainVerificationId?: string } | undefined;
  if (i.customDomainName !== undefined) {
    const name = String(i.customDomainName).toLowerCase();
    if (!DOMAIN.test(name)) throw validation(`customDomainName '${i.customDomainName}' is not a valid domain name`, [{ name: "customDomainName", message: "invalid" }]);
    custom = { customDomainName: name };
    if (i.domainVerificationIdentifier !== undefined) {
      const dv = findVerification(ctx, i.domainVerificationIdentifier);
      // the verified domain covers itself and its subdomains
      if (name !== dv.domainName && !name.endsWith(`.${dv.domainName}`)) throw validation(`customDomainName ${name} is not ${dv.domainName} or one of its subdomains`, [{ name: "customDomainName", message: "invalid" }]);
      custom.domainVerificationId = dv.id;
    }
  } else if (i.domainVerificationIdentifier !== undefined) throw validation("domainVerificationIdentifier needs customDomainName", [{ name: "domainVerificationIdentifier", message: "invalid" }]);
  if (Object.values(store.configurations).some((c) => c.name === name)) throw conflict(`A resource configuration named '${name}' already exists.`, name, "RESOURCE_CONFIGURATION");
  ctx.dry();
  const id = latticeId("rcfg", `${ctx.accountId}|${ctx.region}|${name}|${ctx.now}|${Math.random()}`);
  const rec: ResourceConfigurationRec = {
    id,
    arn: `arn:aws:vpc-lattice:${ctx.region}:${ctx.accountId}:resourceconfiguration/${id}`,
    name,
    resourceGatewayId: gw.id,
    type: i.type,
    protocol,
    portRanges: [...portRanges],
    resourceConfigurationDefinition: definition,
    allowAssociationToShareableServiceNetwork: i.allowAssociationToShareableServiceNetwork ?? true,
    ...(custom ?? {}),
    tags: { ...(i.tags ?? {}) },
    _createdAt: ctx.now,
    _readyAt: ctx.now,
  };
  store.configurations[id] = rec;
  remember(ctx, "CreateResourceConfiguration", id);
  ctx.mutated();
  return configurationView(ctx, rec);
};

const GetResourceConfiguration: RecordOpHandler<"vpc-lattice", "GetResourceConfiguration"> = (ctx) => configurationView(ctx, findConfiguration(ctx, ctx.input.resourceConfigurationIdentifier));

const ListResourceConfigurations: RecordOpHandler<"vpc-lattice", "ListResourceConfigurations"> = (ctx) => {
  let all = Object.values(latticeStore(ctx.rs).configurations).sort((a, b) => a._createdAt - b._createdAt || byText(a.id, b.id));
  if (ctx.input.resourceGatewayIdentifier !== undefined) {
    const gw = findGateway(ctx, ctx.input.resourceGatewayIdentifier);
    all = all.filter((c) => c.resourceGatewayId === gw.id);
  }
  const p = page(all, ctx.input, "ListResourceConfigurations");
  return { items: p.items.map((c) => configurationView(ctx, c, true)), ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
};

/** The target and ports of an existing configuration, checked as CreateResourceConfiguration checks them. */
const UpdateResourceConfiguration: RecordOpHandler<"vpc-lattice", "UpdateResourceConfiguration"> = (ctx) => {
  const c = findConfiguration(ctx, ctx.input.resourceConfigurationIdentifier);
  const i = ctx.input;
  const definition = i.resourceConfigurationDefinition === undefined ? undefined : checkDefinition(i.resourceConfigurationDefinition);
  const portRanges = i.portRanges === undefined ? undefined : stringList(i.portRanges, "portRanges");
  for (const r of portRanges ?? []) {
    const m = PORT_RANGE.exec(r);
    const from = m ? Number(m[1]) : NaN;
    const to = m?.[2] ? Number(m[2]) : from;
    if (!m || from < 1 || to > 65535 || from > to) throw validation(`Invalid port range '${r}': use a port (3128) or a range (8000-8080) within 1-65535`, [{ name: "portRanges", message: "invalid" }]);
  }
  if (portRanges && !portRanges.length) throw validation("portRanges must not be empty for a SINGLE resource configuration", [{ name: "portRanges", message: "invalid" }]);
  ctx.dry();
  if (definition) c.resourceConfigurationDefinition = definition;
  if (portRanges) c.portRanges = [...portRanges];
  if (i.allowAssociationToShareableServiceNetwork !== undefined) c.allowAssociationToShareableServiceNetwork = Boolean(i.allowAssociationToShareableServiceNetwork);
  ctx.mutated();
  return configurationView(ctx, c);
};

const DeleteResourceConfiguration: OpHandler<"vpc-lattice", "DeleteResourceConfiguration"> = (ctx) => {
  const c = findConfiguration(ctx, ctx.input.resourceConfigurationIdentifier);
  // A Resource VPC endpoint still pointing at it blocks the delete.
  const endpoints = Object.values((ctx.rs.ext.vpcEndpoints ?? {}) as Record<string, { VpcEndpointId: string; ResourceConfigurationArn?: string; State?: string }>).filter(
    (e) => e.ResourceConfigurationArn === c.arn && e.State !== "deleting",
  );
  if (endpoints.length) throw conflict(`Resource configuration ${c.id} is associated with VPC endpoints (${endpoints.map((e) => e.VpcEndpointId).join(", ")}); delete them first.`, c.id, "RESOURCE_CONFIGURATION");
  ctx.dry();
  delete latticeStore(ctx.rs).configurations[c.id];
  ctx.mutated();
  return {};
};

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

function findVerification(ctx: OpContext, identifier: unknown): DomainVerificationRec {
  if (typeof identifier !== "string" || !identifier) throw validation("domainVerificationIdentifier is required", [{ name: "domainVerificationIdentifier", message: "required" }]);
  const store = latticeStore(ctx.rs);
  const d = store.domainVerifications[identifier] ?? Object.values(store.domainVerifications).find((x) => x.arn === identifier);
  if (!d) throw notFound("DOMAIN_VERIFICATION", identifier);
  return d;
}

/** No DNS here: a verification stays PENDING (the sandbox cannot see the TXT record being published). */
function verificationView(d: DomainVerificationRec) {
  return { id: d.id, arn: d.arn, domainName: d.domainName, status: "PENDING", txtMethodConfig: { name: d.txtName, value: d.txtValue }, createdAt: new Date(d._createdAt) };
}

const StartDomainVerification: RecordOpHandler<"vpc-lattice", "StartDomainVerification"> = (ctx) => {
  const store = latticeStore(ctx.rs);
  const again = replay(ctx, "StartDomainVerification", (id) => store.domainVerifications[id]);
  if (again) return verificationView(again);
  const name = typeof ctx.input.domainName === "string" ? ctx.input.domainName.toLowerCase() : "";
  if (!DOMAIN.test(name)) throw validation(`domainName '${String(ctx.input.domainName)}' is not a valid domain name`, [{ name: "domainName", message: "invalid" }]);
  if (Object.values(store.domainVerifications).some((d) => d.domainName === name)) throw conflict(`A domain verification for ${name} already exists.`, name, "DOMAIN_VERIFICATION");
  ctx.dry();
  const id = latticeId("dv", `${ctx.accountId}|${ctx.region}|${name}|${ctx.now}|${Math.random()}`);
  const d: DomainVerificationRec = {
    id,
    arn: `arn:aws:vpc-lattice:${ctx.region}:${ctx.accountId}:domainverification/${id}`,
    domainName: name,
    txtName: `_vpc-lattice-verification.${name}`,
    txtValue: `vpc-lattice-verification=${createHash("sha256").update(id).digest("hex").slice(0, 32)}`,
    tags: { ...(ctx.input.tags ?? {}) },
    _createdAt: ctx.now,
  };
  store.domainVerifications[id] = d;
  remember(ctx, "StartDomainVerification", id);
  ctx.mutated();
  return verificationView(d);
};

const GetDomainVerification: RecordOpHandler<"vpc-lattice", "GetDomainVerification"> = (ctx) => ({ ...verificationView(findVerification(ctx, ctx.input.domainVerificationIdentifier)), tags: { ...findVerification(ctx, ctx.input.domainVerificationIdentifier).tags } });

const ListDomainVerifications: RecordOpHandler<"vpc-lattice", "ListDomainVerifications"> = (ctx) => {
  const all = Object.values(latticeStore(ctx.rs).domainVerifications).sort((a, b) => a._createdAt - b._createdAt || byText(a.id, b.id));
  const p = page(all, ctx.input, "ListDomainVerifications");
  return { items: p.items.map(verificationView), ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
};

const DeleteDomainVerification: OpHandler<"vpc-lattice", "DeleteDomainVerification"> = (ctx) => {
  const d = findVerification(ctx, ctx.input.domainVerificationIdentifier);
  const store = latticeStore(ctx.rs);
  const used = Object.values(store.configurations).filter((c) => c.domainVerificationId === d.id);
  if (used.length) throw conflict(`Domain verification ${d.id} is used by resource configurations (${used.map((c) => c.id).join(", ")}).`, d.id, "DOMAIN_VERIFICATION");
  ctx.dry();
  delete store.domainVerifications[d.id];
  ctx.mutated();
  return {};
};

export const latticeOps: Ops<"vpc-lattice"> = {
  StartDomainVerification,
  GetDomainVerification,
  ListDomainVerifications,
  DeleteDomainVerification,
  CreateResourceGateway,
  GetResourceGateway,
  ListResourceGateways,
  DeleteResourceGateway,
  CreateResourceConfiguration,
  GetResourceConfiguration,
  UpdateResourceConfiguration,
  ListResourceConfigurations,
  DeleteResourceConfiguration,
};

/** Loads a snapshot's resource gateways and configurations (`sandbox load`); their ENIs come with the snapshot's ENIs. */
export function importLattice(
  rs: RegionState,
  now: number,
  gateways: Array<Record<string, any>>,
  configurations: Array<Record<string, any>>,
  region: string,
  accountId: string,
): void {
  const store = latticeStore(rs);
  for (const g of gateways) {
    const eniIds: string[] =
      g.networkInterfaceIds ?? Object.values(rs.networkInterfaces).filter((e) => e.Description?.includes(g.id)).map((e) => e.NetworkInterfaceId);
    store.gateways[g.id] = {
      id: g.id,
      arn: g.arn ?? `arn:aws:vpc-lattice:${region}:${accountId}:resourcegateway/${g.id}`,
      name: g.name ?? g.id,
      vpcId: g.vpcId ?? g.vpcIdentifier ?? "",
      subnetIds: [...(g.subnetIds ?? [])],
      securityGroupIds: [...(g.securityGroupIds ?? [])],
      ipAddressType: g.ipAddressType ?? "IPV4",
      networkInterfaceIds: eniIds,
      tags: {},
      _createdAt: now,
      // An imported gateway that was still being created stays so.
      _readyAt: (g.status ?? "ACTIVE") === "ACTIVE" ? now : Number.MAX_SAFE_INTEGER,
    };
  }
  for (const c of configurations) {
    store.configurations[c.id] = {
      id: c.id,
      arn: c.arn ?? `arn:aws:vpc-lattice:${region}:${accountId}:resourceconfiguration/${c.id}`,
      name: c.name ?? c.id,
      resourceGatewayId: c.resourceGatewayId ?? "",
      type: c.type ?? "SINGLE",
      protocol: c.protocol ?? "TCP",
      portRanges: [...(c.portRanges ?? [])],
      resourceConfigurationDefinition: structuredClone(c.resourceConfigurationDefinition ?? {}) as ResourceConfigurationDefinition,
      allowAssociationToShareableServiceNetwork: c.allowAssociationToShareableServiceNetwork ?? true,
      tags: {},
      _createdAt: now,
      _readyAt: (c.status ?? "ACTIVE") === "ACTIVE" ? now : Number.MAX_SAFE_INTEGER,
    };
  }
}

// `sandbox show`: resource gateways in their VPC, resource configurations beside them (a leftover
// check after destroy looks here).
registerInventory("resourceGateways", (rs, _state, now) =>
  Object.values(((rs.ext.lattice as Partial<LatticeStore> | undefined)?.gateways ?? {}) as Record<string, ResourceGatewayRec>).map((g) => ({
    vpcId: g.vpcId,
    item: { id: g.id, name: g.name, state: now >= g._readyAt ? "ACTIVE" : "CREATING", detail: `subnets ${g.subnetIds.join(", ")}; groups ${g.securityGroupIds.join(", ") || "none"}` },
  })),
);
registerInventory("resourceConfigurations", (rs) => {
  const lattice = rs.ext.lattice as Partial<LatticeStore> | undefined;
  return Object.values((lattice?.configurations ?? {}) as Record<string, ResourceConfigurationRec>).map((c) => ({
    vpcId: lattice?.gateways?.[c.resourceGatewayId]?.vpcId,
    item: { id: c.id, name: c.name, detail: `${c.type} ${c.protocol} ports ${c.portRanges.join(",")} on ${c.resourceGatewayId}` },
  }));
});
