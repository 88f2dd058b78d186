// verify --init: a commented starter intent file for the VPCs at hand. Each intent it writes holds
// on today's network (it is evaluated first: the stricter form — through a NAT gateway, never straight
// to the internet gateway — when that holds, else what does), so the file is a baseline the team then
// edits into what it decided. Pure: the snapshot in, YAML text out.
import { buildIndex } from "../analysis/analyzer.js";
import type { Snapshot } from "../analysis/snapshot.js";
import { tierOf } from "../analysis/rules/util.js";
import type { ProxyInfo } from "./domain.js";
import { evaluateIntents } from "./evaluate.js";
import type { Intent } from "./intent.js";

const q = (s: string) => JSON.stringify(s);
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function yamlIntent(i: Intent): string {
  const list = (v: string | string[]) => (Array.isArray(v) ? `[${v.map(q).join(", ")}]` : q(v));
  return [
    `  - name: ${q(i.name)}`,
    `    from: ${list(i.from)}`,
    `    to: ${list(i.to)}`,
    `    port: ${i.port ?? 443}`,
    `    expect: ${i.expect}`,
    ...(i.via ? [`    via: [${i.via.join(", ")}]`] : []),
    ...(i["never-via"] ? [`    never-via: [${i["never-via"].join(", ")}]`] : []),
  ].join("\n");
}

export function starterIntents(snap: Snapshot, proxies: ProxyInfo[]): string {
  const ix = buildIndex(snap);
  const out: string[] = [
    "# egress-cli verify: egress intent as code. Each intent is checked for every source it matches,",
    "# exhaustively and offline (egress-cli verify THIS_FILE; exit 0 all hold, 3 a violation, 6 unknown).",
    "# Schema: schema/intent.schema.json. Written by `egress-cli verify --init` from the snapshot of",
    `# ${snap.accountId}/${snap.region} taken ${snap.takenAt}: every intent below holds today.`,
    "#",
    "# from:  subnet-… | i-… | eni-… | sg-… | vpc-… | lambda:NAME | tier:private|public | tag:KEY=VALUE (or a list)",
    "# to:    internet | internet6 | igw | an IP or CIDR | service:NAME | domain:NAME | a selector as in from",
    "# port: 443 (or ports: [80, 443]); protocol: tcp (default) | udp; expect: reachable | unreachable",
    "# via: [nat-gateway | proxy | vpc-endpoint | internet-gateway | an id]  every reachable path passes one",
    "# never-via: [...]  no path leaves the source directly through one of these",
    "version: 1",
    "intents:",
  ];
  const candidates: Intent[][] = [];
  for (const vpc of [...ix.vpcs.values()].sort((a, b) => byText(a.VpcId, b.VpcId))) {
    const name = vpc.Tags?.find((t) => t.Key === "Name")?.Value;
    const label = name ? `${name} (${vpc.VpcId})` : vpc.VpcId;
    const subnets = (ix.subnetsByVpc.get(vpc.VpcId) ?? []).slice().sort((a, b) => byText(a.SubnetId, b.SubnetId));
    const priv = subnets.filter((s) => tierOf(ix, s) !== "public").map((s) => s.SubnetId);
    const pub = subnets.filter((s) => tierOf(ix, s) === "public").map((s) => s.SubnetId);
    if (priv.length) {
      candidates.push([
        { name: `${label}: private subnets reach the internet only through a NAT gateway`, from: priv, to: "internet", port: 443, protocol: "tcp", expect: "reachable", via: ["nat-gateway"], "never-via": ["internet-gateway"] },
        { name: `${label}: private subnets do not reach the internet`, from: priv, to: "internet", port: 443, protocol: "tcp", expect: "unreachable" },
      ]);
    }
    if (pub.length) candidates.push([{ name: `${label}: public subnets reach the internet gateway`, from: pub, to: "igw", port: 443, protocol: "tcp", expect: "reachable" }]);
    for (const fn of [...new Set(ix.lambdaFunctions.values())].filter((f) => f.VpcConfig?.SubnetIds?.some((s) => ix.subnets.get(s)?.VpcId === vpc.VpcId)).sort((a, b) => byText(a.FunctionName ?? "", b.FunctionName ?? ""))) {
      candidates.push([
        { name: `${label}: lambda:${fn.FunctionName} reaches the internet through a NAT gateway`, from: `lambda:${fn.FunctionName}`, to: "internet", port: 443, protocol: "tcp", expect: "reachable", via: ["nat-gateway"] },
        { name: `${label}: lambda:${fn.FunctionName} does not reach the internet`, from: `lambda:${fn.FunctionName}`, to: "internet", port: 443, protocol: "tcp", expect: "unreachable" },
      ]);
    }
  }
  let written = 0;
  for (const forms of candidates) {
    const holding = forms.find((i) => evaluateIntents(ix, [i], proxies).outcome === "holds");
    if (holding) {
      out.push(yamlIntent(holding), "");
      written++;
    } else {
      out.push(`  # not decided today (neither form holds): ${forms[0]!.name}`, ...yamlIntent(forms[0]!).split("\n").map((l) => `  #${l.slice(1)}`), "");
    }
  }
  const p = proxies.find((x) => x.allowDomains?.length);
  if (p) {
    const d = p.allowDomains![0]!.replace(/^\./, "");
    out.push(
      `  # Domains: through proxy ${p.instanceId} the Squid allowlist decides (dstdomain: .example.com = it and its subdomains).`,
      `  # - name: "the allow-listed ${d} is reachable through the proxy"`,
      `  #   from: "tier:private"`,
      `  #   to: "domain:${d}"`,
      "  #   expect: reachable",
      "  #   via: [proxy]",
      "",
    );
  }
  if (!written) out.push('  - name: "replace me: no intent held on its own on this network"', '    from: "tier:private"', "    to: internet", "    expect: unreachable", "");
  return `${out.join("\n").trimEnd()}\n`;
}
