// The intent file of `egress-cli verify`: what a team decided its network does ("private tiers
// leave only through the NAT", "the database never reaches the internet", "the rotation function
// reaches Secrets Manager without the internet", "only allow-listed domains"), as data. The zod
// schema is the one definition: the published JSON Schema (schema/intent.schema.json) is generated
// from it (test/verify-core.test.ts checks the committed file). Pure.
import * as z from "zod";
import { parseYaml, YamlError } from "./yaml.js";

/** Sources (and destinations other than the internet): ids, a Lambda function, a tier or a tag. */
export const SELECTOR = /^(subnet-[0-9a-z-]+|i-[0-9a-z-]+|eni-[0-9a-z-]+|sg-[0-9a-z-]+|vpc-[0-9a-z-]+|vpce-[0-9a-z-]+|lambda:[A-Za-z0-9_-]{1,64}|tier:(private|public)|tag:[^=\s]+=[^\s]*)$/;
/** Destinations that are not selectors. */
export const DESTINATION = /^(internet|internet6|igw|igw-[0-9a-z-]+|service:[a-z0-9.-]+|domain:[A-Za-z0-9.-]+\.?|[0-9a-fA-F.:]+(\/\d{1,3})?)$/;
/** `via` / `never-via` words, or a component id. */
export const VIA_KINDS = ["nat-gateway", "proxy", "vpc-endpoint", "internet-gateway", "transit-gateway", "peering-connection"] as const;
export type ViaKind = (typeof VIA_KINDS)[number];
const VIA = /^(nat-gateway|proxy|vpc-endpoint|internet-gateway|transit-gateway|peering-connection|(igw|nat|vpce|tgw|pcx|eigw|i|eni)-[0-9a-z-]+)$/;

const Selector = z.string().regex(SELECTOR, "a selector: subnet-…, i-…, eni-…, sg-…, vpc-…, vpce-…, lambda:NAME, tier:private|public or tag:KEY=VALUE");
const Target = z
  .string()
  .regex(new RegExp(`${DESTINATION.source}|${SELECTOR.source}`), "internet | internet6 | igw | igw-… | an IP or CIDR | service:NAME | domain:NAME | a selector as in from");
const oneOrMany = <T extends z.ZodType>(t: T) => z.union([t, z.array(t).min(1)]);
const Port = z.number().int().min(1).max(65535);

export const IntentSchema = z
  .strictObject({
    name: z.string().min(1).meta({ description: "What was decided, in words (the JUnit test case, the SARIF rule)" }),
    description: z.string().optional(),
    from: oneOrMany(Selector).meta({ description: "Sources: every ENI they match (a virtual one per subnet that holds none)" }),
    to: oneOrMany(Target).meta({
      description:
        "Destinations: every one is evaluated from every source. internet: every address family the source sends in — IPv4 (through DNS64/NAT64 for an IPv6-only source) and, when the source has an IPv6 address, IPv6 — each result naming its family (internet (IPv4), internet (IPv6)); internet6: IPv6 only (a source without an IPv6 address fails it)",
    }),
    port: Port.optional().meta({ description: "Destination port (default 443)" }),
    ports: z.array(Port).min(1).optional().meta({ description: "Several destination ports (instead of port)" }),
    protocol: z.enum(["tcp", "udp"]).default("tcp"),
    expect: z.enum(["reachable", "unreachable"]),
    via: z.array(z.string().regex(VIA)).min(1).optional().meta({ description: "Every reachable path passes one of these (nat-gateway | proxy | vpc-endpoint | internet-gateway | transit-gateway | peering-connection | an id)" }),
    "never-via": z.array(z.string().regex(VIA)).min(1).optional().meta({ description: "No path passes one of these directly from the source (the first gateway the source's route table leads to)" }),
  })
  .refine((i) => !(i.port !== undefined && i.ports !== undefined), { message: "give port or ports, not both", path: ["ports"] })
  .meta({ id: "Intent" });

export const IntentFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1),
    intents: z.array(IntentSchema).min(1),
  })
  .meta({ id: "IntentFile", title: "egress-cli verify intent file", description: "Egress intent as code: checked exhaustively and offline by `egress-cli verify FILE`." });

export type Intent = z.output<typeof IntentSchema>;
export type IntentFile = z.output<typeof IntentFileSchema>;

export interface LoadedIntents {
  file: IntentFile;
  /** 1-based line of each intent (index → line). */
  lines: number[];
}

/** Every problem of an intent file at once (each with its line), or the file. */
export function parseIntentFile(text: string): { ok: true; value: LoadedIntents } | { ok: false; problems: string[] } {
  let parsed;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    if (err instanceof YamlError) return { ok: false, problems: [err.message] };
    throw err;
  }
  const r = IntentFileSchema.safeParse(parsed.value);
  if (!r.success) {
    const problems = r.error.issues.map((iss) => {
      const p = iss.path.map(String);
      let line: number | undefined;
      for (let k = p.length; k >= 0 && line === undefined; k--) line = parsed.lines.get(k ? `/${p.slice(0, k).join("/")}` : "");
      return `${line ? `line ${line}: ` : ""}${p.join(".") || "(file)"}: ${iss.message}`;
    });
    return { ok: false, problems };
  }
  const names = new Map<string, number>();
  const problems: string[] = [];
  const lines = r.data.intents.map((_, i) => parsed.lines.get(`/intents/${i}`) ?? 1);
  r.data.intents.forEach((it, i) => {
    if (names.has(it.name)) problems.push(`line ${lines[i]}: intents.${i}.name: "${it.name}" is also intent ${names.get(it.name)! + 1}'s name (names identify test cases and SARIF rules)`);
    names.set(it.name, i);
    const tos = Array.isArray(it.to) ? it.to : [it.to];
    if (tos.some((t) => t.startsWith("lambda:"))) problems.push(`line ${lines[i]}: intents.${i}.to: a Lambda function accepts no inbound connections; it cannot be a destination`);
    if (tos.some((t) => t.startsWith("domain:")) && tos.length > 1) problems.push(`line ${lines[i]}: intents.${i}.to: a domain: destination stands alone (one per intent)`);
    if (tos.some((t) => t.startsWith("domain:")) && it.protocol === "udp") problems.push(`line ${lines[i]}: intents.${i}: a domain: destination is reached over tcp (the proxy relays CONNECT 443 and HTTP 80)`);
  });
  if (problems.length) return { ok: false, problems };
  return { ok: true, value: { file: r.data, lines } };
}

export const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
export const portsOf = (i: Intent): number[] => [...new Set(i.ports ?? [i.port ?? 443])].sort((a, b) => a - b);

/** The published JSON Schema (schema/intent.schema.json). */
export function intentJsonSchemaText(): string {
  const schema = z.toJSONSchema(IntentFileSchema, { target: "draft-2020-12", io: "input" });
  return `${JSON.stringify({ ...schema, $id: "https://github.com/egress-cli/egress-cli/schema/intent.schema.json" }, null, 2)}\n`;
}
