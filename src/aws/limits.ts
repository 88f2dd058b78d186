// AWS limits a command can know before its first call (issue 19): what it is about to create is
// checked against them first, every problem at once (exit 2), instead of failing half-way. Pure: no SDK,
// no fs. The numbers are AWS's documented limits and default quotas (adjustable quotas say so); a raised
// quota is not seen from here, so the default is what we hold to.

export const LIMITS = {
  /** EC2 user data: 16 KB in raw form, before base64 encoding. */
  userDataBytes: 16_384,
  /** Tags per resource (user tags), key and value length in Unicode characters. */
  tagsPerResource: 50,
  tagKeyChars: 128,
  tagValueChars: 256,
  /** EC2 security group name and description. */
  securityGroupNameChars: 255,
  securityGroupDescriptionChars: 255,
  /** IAM names. */
  iamRoleNameChars: 64,
  iamInstanceProfileNameChars: 128,
  /** VPC quotas (defaults, adjustable): inbound and outbound rules per security group each. */
  inboundRulesPerGroup: 60,
  outboundRulesPerGroup: 60,
  /** Routes per route table (non-propagated; default, adjustable). */
  routesPerTable: 50,
  /** Interface endpoints per VPC; gateway endpoints per Region (defaults, adjustable). */
  interfaceEndpointsPerVpc: 50,
  gatewayEndpointsPerRegion: 20,
} as const;

/** Problems of the tags one resource would carry: count, key and value length, the reserved aws: prefix. */
export function tagProblems(what: string, tags: ReadonlyArray<{ Key: string; Value: string }>): string[] {
  const out: string[] = [];
  if (tags.length > LIMITS.tagsPerResource) out.push(`${what} would carry ${tags.length} tags; AWS allows ${LIMITS.tagsPerResource} per resource.`);
  for (const t of tags) {
    if ([...t.Key].length > LIMITS.tagKeyChars) out.push(`${what}: tag key "${t.Key.slice(0, 20)}…" is ${[...t.Key].length} characters; AWS allows ${LIMITS.tagKeyChars}.`);
    if ([...t.Value].length > LIMITS.tagValueChars) out.push(`${what}: tag ${t.Key}'s value is ${[...t.Value].length} characters; AWS allows ${LIMITS.tagValueChars}.`);
    if (/^aws:/i.test(t.Key)) out.push(`${what}: tag key ${t.Key} uses the prefix aws:, which AWS reserves.`);
  }
  return out;
}

/** A name or description longer than AWS takes, or undefined. */
export function lengthProblem(what: string, text: string, max: number): string | undefined {
  const n = [...text].length;
  return n > max ? `${what} "${text.slice(0, 30)}…" is ${n} characters; AWS allows ${max}.` : undefined;
}

/** Rules a security group would hold against the per-group quotas (inbound and outbound counted apart). */
export function ruleCountProblems(what: string, inbound: number, outbound: number): string[] {
  const out: string[] = [];
  if (inbound > LIMITS.inboundRulesPerGroup) out.push(`${what} would need ${inbound} inbound rules; a security group holds ${LIMITS.inboundRulesPerGroup} inbound rules (default quota).`);
  if (outbound > LIMITS.outboundRulesPerGroup) out.push(`${what} would need ${outbound} outbound rules; a security group holds ${LIMITS.outboundRulesPerGroup} outbound rules (default quota).`);
  return out;
}

/** Endpoints a command would add against the per-VPC (interface) and per-Region (gateway) quotas. */
export function endpointQuotaProblems(o: { vpcId: string; region: string; interfaceInVpc: number; newInterface: number; gatewayInRegion: number; newGateway: number }): string[] {
  const out: string[] = [];
  if (o.newInterface && o.interfaceInVpc + o.newInterface > LIMITS.interfaceEndpointsPerVpc)
    out.push(`${o.vpcId} has ${o.interfaceInVpc} interface endpoints; ${o.newInterface} more would pass the quota of ${LIMITS.interfaceEndpointsPerVpc} per VPC (default).`);
  if (o.newGateway && o.gatewayInRegion + o.newGateway > LIMITS.gatewayEndpointsPerRegion)
    out.push(`${o.region} has ${o.gatewayInRegion} gateway endpoints; ${o.newGateway} more would pass the quota of ${LIMITS.gatewayEndpointsPerRegion} per Region (default).`);
  return out;
}

/** Route tables that would hold more routes than the quota once `adding` routes are added to each. */
export function routeCountProblems(tables: ReadonlyArray<{ id: string; routes: number; adding: number }>): string[] {
  return tables
    .filter((t) => t.adding && t.routes + t.adding > LIMITS.routesPerTable)
    .map((t) => `Route table ${t.id} holds ${t.routes} routes; ${t.adding} more would pass the quota of ${LIMITS.routesPerTable} per route table (default).`);
}
