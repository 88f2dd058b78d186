// verify's pure core (src/verify/) on plain data: the intent file (YAML subset with lines, JSON, the
// zod schema and its published JSON Schema), selectors, the three outcomes through the analyzer,
// via / never-via, domains through the proxy's Squid allowlist (dstdomain semantics), NAT (any
// domain, said so) and a Network Firewall endpoint (unknown), and byte-for-byte determinism.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { buildIndex } from "../src/analysis/analyzer.js";
import { parseIntentFile, intentJsonSchemaText, type Intent } from "../src/verify/intent.js";
import { parseYaml } from "../src/verify/yaml.js";
import { checkSelectors, evaluateIntents, expandSelector } from "../src/verify/evaluate.js";
import { analyzeDomain, type ProxyInfo } from "../src/verify/domain.js";
import { s1, s1v6, s2, s3, s5 } from "./fixtures/analysis/build.js";
import { UsageError } from "../src/errors.js";

const intent = (i: Partial<Intent> & Pick<Intent, "name" | "from" | "to" | "expect">): Intent => ({ protocol: "tcp", ...i }) as Intent;

test("intent file: the YAML subset with each intent's line; JSON with lines; every problem at once with its line", () => {
  const yaml = `# egress intent
version: 1
intents:
  - name: private subnets leave only through a NAT gateway
    from: "tier:private"            # or a list
    to: internet
    port: 443
    expect: reachable
    via: [nat-gateway]
    never-via: [internet-gateway]

  - name: "db: never the internet"
    from:
      - eni-aurora
    to: internet
    ports: [80, 443]
    expect: unreachable
`;
  const r = parseIntentFile(yaml);
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.value.lines, [4, 12]);
  assert.deepEqual(r.value.file.intents[0]!.via, ["nat-gateway"]);
  assert.deepEqual(r.value.file.intents[1]!.ports, [80, 443]);
  assert.equal(r.value.file.intents[1]!.name, "db: never the internet");
  assert.equal(r.value.file.intents[0]!.protocol, "tcp");

  const json = JSON.stringify({ version: 1, intents: [{ name: "a", from: "tier:public", to: "igw", expect: "reachable" }, { name: "b", from: "tier:private", to: "internet", expect: "unreachable" }] }, null, 2);
  const j = parseIntentFile(json);
  assert.ok(j.ok);
  assert.deepEqual(j.value.lines, [4, 10]);

  const bad = parseIntentFile(`version: 1
intents:
  - name: x
    from: subnet-1
    to: internet
    expect: maybe
  - name: x
    from: "nothing:here"
    to: lambda:fn
    expect: reachable
    port: 70000
`);
  assert.ok(!bad.ok);
  const text = bad.problems.join("\n");
  assert.match(text, /line 6: intents\.0\.expect/);
  assert.match(text, /line 8: intents\.1\.from/);
  assert.match(text, /line 11: intents\.1\.port/);
  assert.throws(() => parseYaml("a: &x 1\n"), /line 1: .*anchors/);
  assert.deepEqual(parseYaml("a: the cluster's subnets # a comment's apostrophe\nb: 'it''s'\n").value, { a: "the cluster's subnets", b: "it's" });
  assert.throws(() => parseYaml("a: 1\n---\nb: 2\n"), /several YAML documents/);
  const dup = parseIntentFile(`version: 1\nintents:\n  - {name: a}\n`);
  assert.ok(!dup.ok && /line 3/.test(dup.problems[0]!), JSON.stringify(dup));
});

test("the published JSON Schema (schema/intent.schema.json) is the zod schema's", () => {
  const committed = readFileSync(path.join(import.meta.dirname, "..", "schema", "intent.schema.json"), "utf8");
  assert.equal(committed, intentJsonSchemaText(), "run: node --import tsx src/verify/emit-schema.ts");
  const schema = JSON.parse(committed);
  assert.deepEqual(schema.$defs.Intent.properties.expect.enum, ["reachable", "unreachable"]);
});

test("selectors: tier, subnet (its ENIs, else the subnet itself), sg (ENIs, and functions without one), tag; unknown ids are exit 2, all at once", () => {
  const ix = buildIndex(s1().build());
  // Private subnets hold the function's hyperplane ENIs; public ones only the NAT's: the subnet stands for itself.
  assert.deepEqual(expandSelector(ix, "tier:private", "source"), ["eni-lambda-sms-sender-subnet-priv-a", "eni-lambda-sms-sender-subnet-priv-b"]);
  assert.deepEqual(expandSelector(ix, "tier:public", "source"), ["subnet-pub-a", "subnet-pub-b"]);
  assert.deepEqual(expandSelector(ix, "sg-lambda", "source"), ["eni-lambda-sms-sender-subnet-priv-a", "eni-lambda-sms-sender-subnet-priv-b"]);
  const noEnis = buildIndex(s1({ hyperplane: false }).build());
  assert.deepEqual(expandSelector(noEnis, "sg-lambda", "source"), ["lambda:sms-sender"]);
  assert.deepEqual(expandSelector(noEnis, "tier:private", "source"), ["subnet-priv-a", "subnet-priv-b"]);
  const err = (() => {
    try {
      checkSelectors(ix, [intent({ name: "a", from: "subnet-nope", to: "eni-nope", expect: "reachable", via: ["nat-zzz"] })], [7]);
    } catch (e) {
      return e as UsageError;
    }
  })();
  assert.ok(err instanceof UsageError);
  assert.match(err.message, /3 problems/);
  assert.match(err.message, /line 7: intent "a": subnet-nope is not in the snapshot/);
  // an internet gateway named as the destination is an id too: exit 2, not an unknown pair
  assert.throws(() => checkSelectors(ix, [intent({ name: "b", from: "tier:private", to: "igw-typo", expect: "reachable" })], [9]), /line 9: intent "b": igw-typo is not in the snapshot/);
});

test("S1: private tiers leave only through a NAT gateway (holds); routed straight to the IGW: a violation naming the gateway", () => {
  const it = intent({ name: "private via NAT", from: "tier:private", to: "internet", expect: "reachable", via: ["nat-gateway"], "never-via": ["internet-gateway"] });
  const ok = evaluateIntents(buildIndex(s1().build()), [it]);
  assert.equal(ok.outcome, "holds");
  assert.equal(ok.intents[0]!.pairs, 2);
  // The private subnets on the public table: blocked at the internet gateway (no public IP) — and never-via says so first.
  // (tier is the route table's word: on the public table they are public, so they are named by id here)
  const bad = evaluateIntents(buildIndex(s1({ privateAssociation: "public" }).build()), [{ ...it, from: ["subnet-priv-a", "subnet-priv-b"] }]);
  assert.equal(bad.outcome, "violated");
  const v = bad.intents[0]!.violations;
  assert.equal(v.length, 2);
  assert.equal(v[0]!.source, "eni-lambda-sms-sender-subnet-priv-a");
  assert.equal(v[0]!.component!.id, "igw-sms");
  assert.ok(v[0]!.hops.includes("rtb-pub"), v[0]!.hops.join(" → "));
  // No NAT route at all: blocked at the private table.
  const none = evaluateIntents(buildIndex(s1({ natRoute: false }).build()), [it]);
  assert.deepEqual([none.intents[0]!.violations[0]!.kind, none.intents[0]!.violations[0]!.code, none.intents[0]!.violations[0]!.component!.id], ["blocked", "NO_ROUTE_TO_DESTINATION", "rtb-priv-a"]);
  // Public subnets must NOT leave through a NAT: via is violated with the path as hops.
  const pub = evaluateIntents(buildIndex(s1().build()), [intent({ name: "pub", from: "tier:public", to: "internet", expect: "reachable", via: ["nat-gateway"] })]);
  assert.equal(pub.intents[0]!.violations[0]!.kind, "not-via");
  assert.equal(pub.intents[0]!.violations[0]!.component!.id, "igw-sms");
});

test("S5: private instances reach the internet only after the NAT; S3: the database never reaches the internet, the function reaches Secrets Manager without it", () => {
  const it = intent({ name: "private instances apt update", from: ["i-app", "i-db"], to: "internet", port: 80, expect: "reachable" });
  const before = evaluateIntents(buildIndex(s5().build()), [it]);
  assert.equal(before.outcome, "violated");
  assert.deepEqual(before.intents[0]!.violations.map((v) => [v.source, v.code, v.component?.id]), [
    ["i-app", "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", "igw-legacy"],
    ["i-db", "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", "igw-legacy"],
  ]);
  assert.equal(evaluateIntents(buildIndex(s5({ fixed: true }).build()), [it]).outcome, "holds");

  const s3Intents = [
    intent({ name: "rotation reaches Secrets Manager without the internet", from: "lambda:rotate-db-secret", to: "service:secretsmanager", expect: "reachable", via: ["vpc-endpoint"], "never-via": ["internet-gateway", "nat-gateway"] }),
    intent({ name: "database never reaches the internet", from: "eni-aurora", to: ["internet", "internet6"], ports: [80, 443], expect: "unreachable" }),
  ];
  const after = evaluateIntents(buildIndex(s3().build()), s3Intents);
  assert.deepEqual(after.intents.map((i) => i.outcome), ["holds", "holds"]);
  assert.equal(after.intents[0]!.pairs, 2, "one path per subnet of the function");
  assert.equal(after.intents[1]!.pairs, 4);
  const noEp = evaluateIntents(buildIndex(s3({ noEndpoint: true }).build()), s3Intents);
  assert.deepEqual(noEp.intents.map((i) => i.outcome), ["violated", "holds"]);
  assert.match(noEp.intents[0]!.violations[0]!.source, /^lambda:rotate-db-secret \(/);
});

test("unknown is its own outcome: a path leaving the snapshot, a selector matching nothing", () => {
  // A transit gateway whose route tables the snapshot does not hold: where it sends the traffic is not known.
  const b = s1({ natRoute: false }).tgw("tgw-central").tgwAttachment("tgw-attach-sms", "tgw-central", "vpc-sms", ["subnet-priv-a"]);
  b.tweak((s) => {
    s.routeTables.find((r) => r.RouteTableId === "rtb-priv-a")!.Routes!.push({ DestinationCidrBlock: "0.0.0.0/0", TransitGatewayId: "tgw-central", State: "active" } as never);
    delete s.transitGatewayRouteTables;
  });
  const r = evaluateIntents(buildIndex(b.build()), [intent({ name: "u", from: "subnet-priv-a", to: "internet", expect: "reachable" })]);
  assert.equal(r.outcome, "unknown");
  assert.equal(r.intents[0]!.unknowns[0]!.unknownReasons!.length > 0, true);
  const none = evaluateIntents(buildIndex(s3().build()), [intent({ name: "n", from: "tier:public", to: "internet", expect: "unreachable" })]);
  assert.deepEqual([none.outcome, none.intents[0]!.unknowns[0]!.kind], ["unknown", "no-source"]);
});

const PROXY: ProxyInfo = { instanceId: "i-proxy", port: 3128, allowDomains: [".example.com", "api.vendor.io"], origin: "egress-plan.json" };

test("domains through the proxy: Squid's dstdomain (leading dot, case, trailing dot); the consumer's only way out is the proxy", () => {
  const ix = buildIndex(s2().build());
  const d = (domain: string, proxies = [PROXY], source = "i-team1-client") => analyzeDomain(ix, proxies, { source, domain, port: 443 });
  const ok = d("api.vendor.io");
  assert.equal(ok.verdict, "reachable");
  const via = ok.routes.find((r) => r.result.verdict === "reachable")!;
  assert.equal(via.route, "proxy i-proxy via vpce-team1-proxy");
  assert.ok(via.result.hops.some((h) => /dstdomain api\.vendor\.io/.test(h.action)));
  assert.ok(via.result.hops.some((h) => h.component.id === "nat-eg-a"), "the proxy's own way out is analyzed too");
  assert.equal(d("API.Vendor.IO.").verdict, "reachable", "case-insensitive, the host's trailing dot ignored");
  assert.equal(d("example.com").verdict, "reachable", ".example.com covers the domain itself");
  assert.equal(d("deep.sub.example.com").verdict, "reachable");
  assert.equal(d("vendor.io").verdict, "unreachable", "api.vendor.io is that host only");
  assert.equal(d("notexample.com").verdict, "unreachable");
  const denied = d("evil.io");
  assert.equal(denied.verdict, "unreachable");
  const block = denied.routes.find((r) => r.proxy)!.result.explanations[0]!;
  assert.deepEqual([block.code, block.component.id], ["PROXY_DOMAIN_NOT_ALLOWED", "i-proxy"]);
  assert.equal(denied.routes.find((r) => r.route === "direct")!.result.verdict, "unreachable", "team1 has no internet of its own");
  assert.equal(analyzeDomain(ix, [PROXY], { source: "i-team1-client", domain: "api.vendor.io", port: 8443 }).verdict, "unreachable", "the proxy relays 443 and 80 only");
  // No plan, no allowlist: unknown, never a pass.
  const unknown = d("api.vendor.io", [{ ...PROXY, allowDomains: null }]);
  assert.equal(unknown.verdict, "unknown");
  assert.equal(unknown.routes.find((r) => r.proxy)!.result.unknownReasons[0]!.code, "PROXY_ALLOWLIST_NOT_KNOWN");
});

test("domains: through a NAT gateway every domain is reachable (said so); a Network Firewall endpoint on the way is unknown", () => {
  const ix = buildIndex(s1().build());
  const r = analyzeDomain(ix, [], { source: "subnet-priv-a", domain: "anything.example", port: 443 });
  assert.equal(r.verdict, "reachable");
  assert.ok(r.routes[0]!.result.additionalDetails.some((x) => x.startsWith("DOMAIN_NOT_FILTERED:")));
  const fw = s1({ natRoute: false });
  fw.tweak((s) => {
    s.vpcEndpoints.push({ VpcEndpointId: "vpce-firewall", VpcEndpointType: "GatewayLoadBalancer", VpcId: "vpc-sms", ServiceName: "com.amazonaws.vpce.us-east-1.vpce-svc-0firewall", State: "available" } as never);
    s.routeTables.find((t) => t.RouteTableId === "rtb-priv-a")!.Routes!.push({ DestinationCidrBlock: "0.0.0.0/0", GatewayId: "vpce-firewall", State: "active" } as never);
  });
  const fix = buildIndex(fw.build());
  const u = analyzeDomain(fix, [], { source: "subnet-priv-a", domain: "anything.example", port: 443 });
  assert.equal(u.verdict, "unknown");
  assert.equal(u.routes[0]!.result.unknownReasons[0]!.code, "APPLIANCE_NOT_EVALUATED");
  const v = evaluateIntents(fix, [intent({ name: "only allow-listed domains", from: "subnet-priv-a", to: "domain:evil.io", expect: "unreachable" })]);
  assert.equal(v.outcome, "unknown");
});

test("verify with domains: the consumer holds; the egress VPC's own private subnets bypass the proxy through the NAT (violation, said so)", () => {
  const ix = buildIndex(s2().build());
  const intents = [
    intent({ name: "team1 reaches the vendor through the proxy", from: "i-team1-client", to: "domain:api.vendor.io", expect: "reachable", via: ["proxy"] }),
    intent({ name: "team1 reaches no other domain", from: ["i-team1-client", "i-team2-client"], to: "domain:evil.io", expect: "unreachable" }),
    intent({ name: "egress private subnets reach only allow-listed domains", from: "subnet-eg-priv-b", to: "domain:evil.io", expect: "unreachable" }),
  ];
  const r = evaluateIntents(ix, intents, [PROXY]);
  assert.deepEqual(r.intents.map((i) => i.outcome), ["holds", "holds", "violated"]);
  const v = r.intents[2]!.violations[0]!;
  assert.deepEqual([v.route, v.component!.id], ["direct", "igw-eg"]);
  assert.match(v.detail!, /DOMAIN_NOT_FILTERED: .*does not filter by name/);
  // Deterministic: the same input gives the same bytes.
  assert.equal(JSON.stringify(evaluateIntents(ix, intents, [PROXY])), JSON.stringify(r));
});

// Network Access Analyzer scopes (examples/naa/): the documentation's "network interfaces to internet
// gateways" scope (AWS::EC2::NetworkInsightsAccessScope's example) and the same with the NAT gateway
// paths excluded ("the internet only through a NAT gateway"), evaluated exhaustively on plain data.
const naaDoc = (f: string) => readFileSync(path.join(import.meta.dirname, "..", "examples", "naa", f), "utf8");

test("NAA scope: ENIs → internet gateways finds exactly the interfaces that reach one; excluding NAT paths leaves S5's public instances", async () => {
  const { parseNaaScope, evaluateNaaScope, portClasses } = await import("../src/verify/naa.js");
  const all = parseNaaScope(naaDoc("eni-to-igw.json"));
  assert.ok(all.ok, JSON.stringify(all));
  assert.deepEqual(all.value.lines, [3]);
  const legacy = buildIndex(s5().build());
  const r = evaluateNaaScope(legacy, all.value);
  assert.equal(r.outcome, "violated");
  const found = [...new Set(r.intents[0]!.violations.map((v) => v.source))];
  assert.deepEqual(found, ["eni-i-bastion", "eni-i-web"], "the private instances have no public address: no finding");
  assert.ok(r.intents[0]!.violations.every((v) => v.component!.id === "igw-legacy"));
  // Every port is covered: one per range where all rules answer alike (sg-web admits 443, sg-app 8080: ranges cut there).
  const classes = portClasses(legacy, [[1, 65535]]);
  assert.equal(classes[0], 1);
  for (const p of [443, 444, 8080, 8081]) assert.ok(classes.includes(p), classes.join(","));
  assert.deepEqual(portClasses(legacy, [[80, 80]]), [80]);

  const nat = parseNaaScope(naaDoc("internet-only-through-nat.json"));
  assert.ok(nat.ok);
  const s1r = evaluateNaaScope(buildIndex(s1().build()), nat.value);
  assert.equal(s1r.outcome, "holds", JSON.stringify(s1r.intents[0]!.violations.slice(0, 2)));
  assert.equal(evaluateNaaScope(buildIndex(s1().build()), all.value).outcome, "violated", "through the NAT the function's interfaces do reach the internet gateway");
  const fixed = evaluateNaaScope(buildIndex(s5({ fixed: true }).build()), nat.value);
  assert.deepEqual([...new Set(fixed.intents[0]!.violations.map((v) => v.source))], ["eni-i-bastion", "eni-i-web"]);
});

test("NAA scope: what is outside the subset is refused, every item listed", async () => {
  const { parseNaaScope } = await import("../src/verify/naa.js");
  const ingress = parseNaaScope(naaDoc("igw-ingress.json"));
  assert.ok(!ingress.ok);
  assert.match(ingress.problems.join("\n"), /MatchPaths\.0\.Source\.ResourceStatement\.ResourceTypes: AWS::EC2::InternetGateway .*ingress from an internet gateway is outside it/);
  const many = parseNaaScope(JSON.stringify({
    MatchPaths: [{ Source: { PacketHeaderStatement: { SourcePorts: ["22"] }, ResourceStatement: { Resources: ["arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/x/y"] } }, Destination: { ResourceStatement: { ResourceTypes: ["AWS::RDS::DBInstance"] } }, ThroughResources: [{ ResourceStatement: { ResourceTypes: ["AWS::NetworkFirewall::Firewall"] } }] }],
  }));
  assert.ok(!many.ok);
  assert.equal(many.problems.length, 4, many.problems.join("\n"));
});

test("several snapshot files of one Region read as one: the provider's and a consumer's account, a resource in both kept once", async () => {
  const { mergeSnapshots } = await import("../src/verify/merge.js");
  const all = s2().build();
  const provider = { ...all, vpcs: all.vpcs.filter((v) => v.VpcId === "vpc-egress") };
  const consumer = { ...all, accountId: "210987654321", vpcs: all.vpcs.filter((v) => v.VpcId !== "vpc-egress") };
  const m = mergeSnapshots([provider, consumer]);
  assert.ok(m.ok);
  assert.deepEqual(m.value.vpcs.map((v) => v.VpcId).sort(), all.vpcs.map((v) => v.VpcId).sort());
  assert.equal(m.value.subnets.length, all.subnets.length, "subnets in both files are kept once");
  assert.equal(m.value.accountId, "123456789012+210987654321");
  const other = mergeSnapshots([provider, { ...consumer, region: "eu-west-1" }]);
  assert.ok(!other.ok && /several Regions/.test(other.problem));
});

test("reports on plain data: Markdown is cut whole intents at a time before the comment limit; the failing path in Mermaid marks the blocking component", async () => {
  const { renderVerifyMarkdown, pathMermaid } = await import("../src/output/verify.js");
  const ix = buildIndex(s5().build());
  const intents = Array.from({ length: 60 }, (_, i) => intent({ name: `private instances ${i}`, from: ["i-app", "i-db"], to: "internet", ports: [80, 443], expect: "reachable" }));
  const r = evaluateIntents(ix, intents);
  const report = { ...r, command: "verify" as const, schema: "egress-cli/verify-report" as const, version: 1 as const, tool: { name: "egress-cli" as const, version: "0" }, file: "i.yaml", snapshot: { takenAt: "t", region: "us-east-1", accountId: "1" }, proxies: [], intents: r.intents.map((x, i) => ({ ...x, line: i + 3, from: ["i-app", "i-db"], to: ["internet"], ports: [80, 443] })) };
  const md = renderVerifyMarkdown(report, 8000);
  assert.ok(md.length <= 8000, String(md.length));
  assert.match(md, /more failing intent\(s\) left out/);
  assert.match(md, /\| ✗ \| private instances 59 \| 62 \|/, "the table keeps every intent");
  const m = pathMermaid(r.intents[0]!.violations[0]!);
  assert.match(m, /^flowchart LR\n/);
  assert.match(m, /class n_\d+_igw_legacy bad/);
});

test("NAA scope: an ExcludePath's packet headers exclude only their ports, and its ports cut the port classes", async () => {
  const { parseNaaScope, evaluateNaaScope } = await import("../src/verify/naa.js");
  const ix = buildIndex(s5().build());
  const scope = (exclude: object) => {
    const p = parseNaaScope(JSON.stringify({ MatchPaths: [{ Source: { ResourceStatement: { Resources: ["i-web"] } }, Destination: { ResourceStatement: { ResourceTypes: ["AWS::EC2::InternetGateway"] }, PacketHeaderStatement: { Protocols: ["tcp"] } } }], ExcludePaths: [exclude] }));
    assert.ok(p.ok, JSON.stringify(p));
    return evaluateNaaScope(ix, p.value).intents[0]!;
  };
  // i-web's group lets everything out: ports below 1024 excluded still leaves 1024 and above as findings.
  const low = scope({ Destination: { PacketHeaderStatement: { DestinationPorts: ["1-1023"] } } });
  assert.equal(low.outcome, "violated");
  assert.ok(low.violations.every((v) => v.port >= 1024), low.violations.map((v) => v.port).join(","));
  assert.ok(low.violations.some((v) => v.port === 1024));
  const all = scope({ Destination: { PacketHeaderStatement: { DestinationPorts: ["1-65535"] } } });
  assert.equal(all.outcome, "holds");
});

test("domains from a source with an IPv6 address: proven only when its IPv4 way (DNS64/NAT64 when IPv6-only) and its IPv6 way agree; else unknown, never holds", () => {
  const never = intent({ name: "never example.com", from: "i-dual", to: "domain:example.com", expect: "unreachable" });
  // No IPv4 way out (no NAT), ::/0 → egress-only gateway: a name with an AAAA record is reachable.
  const v4blocked = buildIndex(s1v6({ noIgw: true }).build());
  const d = analyzeDomain(v4blocked, [], { source: "i-dual", domain: "example.com", port: 443 });
  assert.equal(d.verdict, "unknown");
  assert.equal(d.routes[0]!.result.unknownReasons[0]!.code, "DOMAIN_ADDRESS_FAMILY_NOT_KNOWN");
  assert.equal(evaluateIntents(v4blocked, [never]).outcome, "unknown");
  // IPv6-only without a NAT64 route: an IPv4-only name (DNS64) is dropped at the egress-only gateway: unknown, not reachable.
  const noNat64 = buildIndex(s1v6({ nat64Route: false }).build());
  assert.equal(analyzeDomain(noNat64, [], { source: "i-v6only", domain: "example.com", port: 443 }).verdict, "unknown");
  // Both families out: reachable; neither: unreachable (proven both ways).
  assert.equal(analyzeDomain(buildIndex(s1v6().build()), [], { source: "i-v6only", domain: "example.com", port: 443 }).verdict, "reachable");
  assert.equal(analyzeDomain(buildIndex(s1v6().build()), [], { source: "i-dual", domain: "example.com", port: 443 }).verdict, "reachable");
  const closed = buildIndex(s1v6({ noIgw: true, privateV6Target: "none" }).build());
  assert.equal(evaluateIntents(closed, [never]).outcome, "holds");
});

test("NAA scope: ids the snapshot does not hold are bad input (every one listed), never pairs skipped into holds", async () => {
  const { parseNaaScope, evaluateNaaScope, checkNaaIds } = await import("../src/verify/naa.js");
  const ix = buildIndex(s5().build());
  const p = parseNaaScope(JSON.stringify({ MatchPaths: [{ Source: { ResourceStatement: { Resources: ["eni-typo"] } }, Destination: { ResourceStatement: { Resources: ["igw-typo"] } } }], ExcludePaths: [{ ThroughResources: [{ ResourceStatement: { Resources: ["nat-typo"] } }] }] }));
  assert.ok(p.ok, JSON.stringify(p));
  assert.throws(() => checkNaaIds(ix, p.value), (e: unknown) => e instanceof UsageError && /3 problems/.test(e.message) && /MatchPaths\.0\.Source: eni-typo/.test(e.message) && /MatchPaths\.0\.Destination: igw-typo/.test(e.message) && /ExcludePaths\.0\.ThroughResources\.0: nat-typo/.test(e.message));
  // the ids S5 holds pass, and the scope is evaluated
  const ok = parseNaaScope(JSON.stringify({ MatchPaths: [{ Source: { ResourceStatement: { Resources: ["i-web"] } }, Destination: { ResourceStatement: { ResourceTypes: ["AWS::EC2::InternetGateway"] } } }] }));
  assert.ok(ok.ok);
  checkNaaIds(ix, ok.value);
  assert.equal(evaluateNaaScope(ix, ok.value).outcome, "violated");
});

test("never-via judges proven paths only: a path through the ruled-out NAT whose onward leg is unknown is unknown, not a violation", () => {
  const snap = s1().build();
  delete (snap as { vpcBlockPublicAccessOptions?: unknown }).vpcBlockPublicAccessOptions; // BPA not read: no internet path past the NAT is proven
  const it = intent({ name: "no NAT", from: "tier:private", to: "internet", expect: "unreachable", "never-via": ["nat-gateway"] });
  const r = evaluateIntents(buildIndex(snap), [it]);
  assert.equal(r.outcome, "unknown");
  assert.equal(r.intents[0]!.violations.length, 0);
  // the same intent on the whole S1 (proven through the NAT): a never-via violation naming the NAT
  const proven = evaluateIntents(buildIndex(s1().build()), [it]);
  assert.equal(proven.outcome, "violated");
  assert.equal(proven.intents[0]!.violations[0]!.kind, "never-via");
  assert.match(proven.intents[0]!.violations[0]!.component!.id, /^nat-/);
});

test("to: internet from a dual-stack source is both families, each row naming the family it proved; an IPv4-only source gets IPv4 rows only; [internet, internet6] asks IPv6 once", () => {
  // The dual-stack private instance with no IPv4 way out (no NAT) but ::/0 → egress-only gateway: it reaches the internet over IPv6.
  const v4blocked = buildIndex(s1v6({ noIgw: true }).build());
  const never = intent({ name: "never the internet", from: "i-dual", to: "internet", expect: "unreachable" });
  const r = evaluateIntents(v4blocked, [never]).intents[0]!;
  assert.equal(r.outcome, "violated", "IPv6 egress through the egress-only gateway is the internet too");
  assert.deepEqual(r.violations.map((v) => v.destination), ["internet (IPv6)"]);
  assert.ok(r.violations[0]!.hops.includes("eigw-v6"), r.violations[0]!.hops.join(" → "));
  assert.equal(r.pairs, 2, "IPv4 (blocked: proven) and IPv6");
  // Both ways out: an expect-reachable intent holds only on both, and proves both.
  const both = evaluateIntents(buildIndex(s1v6().build()), [intent({ name: "out", from: "i-dual", to: "internet", expect: "reachable" })]).intents[0]!;
  assert.deepEqual([both.outcome, both.pairs], ["holds", 2]);
  const v4only = evaluateIntents(buildIndex(s1v6({ noIgw: true }).build()), [intent({ name: "out", from: "i-dual", to: "internet", expect: "reachable" })]).intents[0]!;
  assert.deepEqual(v4only.violations.map((v) => [v.destination, v.code]), [["internet (IPv4)", "NO_ROUTE_TO_DESTINATION"]]);
  // An IPv4-only source: its IPv4 row only (no IPv6 address is not a way out to judge).
  const s1r = evaluateIntents(buildIndex(s1().build()), [intent({ name: "v4", from: "subnet-priv-a", to: "internet", expect: "reachable" })]).intents[0]!;
  assert.deepEqual([s1r.outcome, s1r.pairs], ["holds", 1]);
  // [internet, internet6]: IPv6 once, as internet6 (which an IPv4-only source fails, as asked).
  const twice = evaluateIntents(v4blocked, [intent({ name: "t", from: "i-dual", to: ["internet", "internet6"], expect: "unreachable" })]).intents[0]!;
  assert.equal(twice.pairs, 2);
  assert.deepEqual(twice.violations.map((v) => v.destination), ["internet6"]);
});
