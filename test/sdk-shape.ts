// Checks a request or response against the SDK's own model: every member name must exist in the
// operation's schema (the `…$` schema objects @aws-sdk/client-ec2 exports), nested structures and lists
// included, and members with an enum in the model must hold one of its values. The sandbox answers
// below the SDK's deserializer, so without this a misspelt field would pass silently.
import * as ec2 from "@aws-sdk/client-ec2";

type Schema = unknown;

/** A schema reference as the SDK writes it: a thunk, `[schema, traits]`, a number (simple type) or a struct/list array. */
function resolve(s: Schema): Schema {
  for (;;) {
    if (typeof s === "function") s = (s as () => Schema)();
    else if (Array.isArray(s) && s.length === 2 && (typeof s[0] === "function" || typeof s[0] === "number" || Array.isArray(s[0]))) s = s[0];
    else return s;
  }
}

/** Enums of the model by member name, for the members egress-cli reads or writes on NAT gateways. */
const ENUMS: Record<string, Record<string, string>> = {
  AvailabilityMode: ec2.AvailabilityMode,
  AutoProvisionZones: ec2.AutoProvisionZonesState,
  AutoScalingIps: ec2.AutoScalingIpsState,
  ConnectivityType: ec2.ConnectivityType,
};
/** Enums whose member name is shared by several shapes: keyed by the shape's name. */
const ENUMS_BY_SHAPE: Record<string, Record<string, Record<string, string>>> = {
  NatGateway: { State: ec2.NatGatewayState },
  NatGatewayAddress: { Status: ec2.NatGatewayAddressStatus },
};

/** Problems of `value` against the schema named `shape` (e.g. "CreateNatGatewayRequest"); [] when it conforms. */
export function shapeProblems(shape: string, value: unknown): string[] {
  const schema = (ec2 as unknown as Record<string, Schema>)[`${shape}$`];
  if (!schema) return [`the SDK has no schema ${shape}`];
  const out: string[] = [];
  walk(schema, value, shape, out);
  return out;
}

function walk(s: Schema, v: unknown, path: string, out: string[]): void {
  s = resolve(s);
  if (v === undefined || v === null || !Array.isArray(s)) return;
  if (s[0] === 3) {
    const [, , name, , members, memberSchemas] = s as [number, string, string, unknown, string[], Schema[]];
    if (typeof v !== "object" || Array.isArray(v)) return void out.push(`${path}: expected a ${name} structure`);
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined) continue;
      const i = members.indexOf(k);
      if (i < 0) {
        out.push(`${path}.${k}: not a member of ${name}`);
        continue;
      }
      const e = ENUMS_BY_SHAPE[name]?.[k] ?? ENUMS[k];
      if (e && typeof x === "string" && !Object.values(e).includes(x)) out.push(`${path}.${k}: ${JSON.stringify(x)} is not one of ${Object.values(e).join(", ")}`);
      walk(memberSchemas[i], x, `${path}.${k}`, out);
    }
  } else if (s[0] === 1) {
    if (!Array.isArray(v)) return void out.push(`${path}: expected a list`);
    v.forEach((x, i) => walk((s as Schema[])[4], x, `${path}[${i}]`, out));
  }
}
