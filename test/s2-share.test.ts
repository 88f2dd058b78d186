// S2 on the sandbox: share-proxy (resource gateway + one resource configuration per proxy, RAM share)
// and connect-proxy (a Resource endpoint per proxy in each consumer VPC, both 10.0.0.0/16), the paths
// through them (analyze-path --local), the refusals (exit 2, zero mutating calls), an endpoint without
// VPC Lattice (exit 1, nothing changed), and destroy removing all of it.
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { SANDBOX_CREDENTIALS, cli, cleanEnv, fileOrNull, htmlNotFoundServer, openSandbox, plugged, readPlan, s2World, tempDir } from "./helpers.js";


const R = "us-east-1";

const mutating = (sb: Awaited<ReturnType<typeof openSandbox>>) => sb.stats().mutatingCalls;

test("S2: share-proxy → connect-proxy for two 10.0.0.0/16 consumers → analyze-path --local reachable on 3128, 8080 refused → destroy removes it all", async () => {
  const w = await s2World();
  const share = (await w.ok("share-proxy", "--json")).json();
  assert.equal(share.port, 3128);
  assert.match(share.resourceGateway.id, /^rgw-/);
  assert.equal(share.resourceGateway.subnetIds.length, 2, "in the proxies' two subnets");
  assert.deepEqual(share.resourceConfigurations.map((c: any) => c.az), ["us-east-1a", "us-east-1b"], "one configuration per proxy");
  const plan = readPlan(w.cwd);
  for (const c of share.resourceConfigurations) assert.equal(c.ipAddress, plan.resources[`proxy/${c.az}/instance`].attrs.privateIp);
  assert.equal(plan.resources["proxy/sg/ingress/gateway"].kind, "security-group-rule");
  assert.equal(share.share, null, "no --share-with: no RAM share");
  const again = (await w.ok("share-proxy", "--json")).json();
  assert.ok(Object.values(again.steps).every((s) => s === "exists"), JSON.stringify(again.steps));

  const connected = [];
  for (const t of w.teams) {
    const c = (await w.ok("connect-proxy", "--consumer-vpc", t.vpcId, "--subnets", t.subnets.join(","), "--json")).json();
    assert.equal(c.consumer.cidr, "10.0.0.0/16");
    assert.equal(c.endpoints.length, 2);
    for (const e of c.endpoints) {
      assert.equal(e.state, "available");
      assert.deepEqual(e.addresses.map((a: any) => a.subnetId).sort(), t.subnets);
    }
    assert.equal(c.env.length, 2);
    for (const e of c.env) {
      assert.match(e.HTTPS_PROXY, /^http:\/\/10\.0\.\d+\.\d+:3128$/);
      assert.equal(e.HTTP_PROXY, e.HTTPS_PROXY);
      assert.ok(e.NO_PROXY.split(",").includes("169.254.169.254") && e.NO_PROXY.split(",").includes("10.0.0.0/16"), e.NO_PROXY);
      const ep = c.endpoints.find((x: any) => x.vpcEndpointId === e.vpcEndpointId);
      assert.equal(ep.proxyAz, e.az, "each subnet uses the proxy of its own AZ");
    }
    const rec = readPlan(w.cwd).resources[`consumer/${t.vpcId}/endpoint/us-east-1a`];
    assert.equal(rec.attrs.vpcEndpointType, "Resource");
    assert.equal(rec.attrs.accountId, w.sandbox.accountId);
    assert.equal(rec.attrs.region, R);
    connected.push(c);
  }
  const human = await w.ok("connect-proxy", "--consumer-vpc", w.teams[0].vpcId, "--subnets", w.teams[0].subnets.join(","));
  assert.match(human.stdout, /^export HTTPS_PROXY=http:\/\/10\.0\.\d+\.\d+:3128$/m);
  assert.match(human.stdout, /^export NO_PROXY=.*169\.254\.169\.254.*10\.0\.0\.0\/16$/m);

  // Both consumers reach their own endpoint → the gateway → the proxy on 3128; 8080 is refused.
  for (const [i, t] of w.teams.entries()) {
    const env = connected[i].env[0];
    const ip = env.HTTPS_PROXY.replace(/^http:\/\//, "").replace(/:3128$/, "");
    const yes = await w.run("analyze-path", "--local", "--from", env.subnetId, "--to", ip, "--port", "3128", "--json");
    assert.equal(yes.code, 0, yes.stdout + yes.stderr);
    const hops = yes.json().result.hops.map((h: any) => h.component?.id ?? "");
    const p = readPlan(w.cwd);
    for (const id of [env.vpcEndpointId, p.resources[`proxy/${env.az}/config`].id, p.resources["proxy/gateway"].id, p.resources[`proxy/${env.az}/instance`].id]) assert.ok(hops.includes(id), `${id} in ${hops.join(" → ")}`);
    const no = await w.run("analyze-path", "--local", "--from", env.subnetId, "--to", ip, "--port", "8080", "--json");
    assert.equal(no.code, 4, `${t.vpcId}: 8080 is not the proxy port`);
    // the endpoint's group admits only the proxy port (the configuration would refuse 8080 next)
    assert.deepEqual([no.json().result.explanations[0].code, no.json().result.explanations[0].component.id], ["ENI_SG_RULES_MISMATCH", readPlan(w.cwd).resources[`consumer/${t.vpcId}/sg`].id]);
    // SCENARIOS.md's query as typed (--to 10.0.1.70): proven only if an interface really holds that
    // address; otherwise unknown (exit 6), never "reachable" with a footnote.
    const holders = await w.sandbox.call("ec2", "DescribeNetworkInterfaces", { Filters: [{ Name: "vpc-id", Values: [t.vpcId] }, { Name: "addresses.private-ip-address", Values: ["10.0.1.70"] }] }, R);
    const typed = await w.run("analyze-path", "--from", env.subnetId, "--to", "10.0.1.70", "--port", "3128", "--local", "--json");
    if (holders.NetworkInterfaces.length === 0) {
      assert.equal(typed.code, 6, typed.stdout + typed.stderr);
      assert.equal(typed.json().verdict, "unknown");
      assert.equal(typed.json().unknownReasons[0].code, "DESTINATION_NOT_EVALUATED");
    } else assert.equal(typed.code, 0, typed.stdout + typed.stderr);
  }

  // Reachability Analyzer mode: it has no path components for Resource endpoints or Lattice, so it
  // proves the half it sees (the proxy → its NAT gateway → the internet gateway) and says so.
  const env0 = connected[0].env[0];
  const ip0 = env0.HTTPS_PROXY.replace(/^http:\/\//, "").replace(/:3128$/, "");
  const ra = await w.run("analyze-path", "--from", env0.subnetId, "--to", ip0, "--port", "3128", "--json");
  // The half is proven; the path asked is not (RA cannot see PrivateLink): unknown, exit 6, never "reachable".
  assert.equal(ra.code, 6, ra.stderr);
  const raDoc = ra.json();
  assert.deepEqual([raDoc.verdict, raDoc.reachable, raDoc.result.verdict], ["unknown", false, "reachable"]);
  assert.equal(raDoc.unknownReasons[0].code, "PRIVATELINK_NOT_EVALUATED");
  assert.match(raDoc.unknownReasons[0].collect, /--local/);
  const p0 = readPlan(w.cwd);
  assert.equal(raDoc.privateLink.endpointId, env0.vpcEndpointId);
  assert.equal(raDoc.privateLink.target, p0.resources[`proxy/${env0.az}/instance`].id, "the half starts at the proxy");
  assert.deepEqual(raDoc.privateLink.provenHalf, { from: raDoc.privateLink.target, to: "igw", protocol: "tcp", port: 443 });
  const raHops = raDoc.result.hops.map((h: any) => h.component?.id ?? "");
  assert.ok(raHops.includes(p0.resources[`nat/${env0.az}/gateway`]?.id ?? raHops.find((x: string) => x.startsWith("nat-"))), raHops.join(" → "));
  assert.ok(raHops.some((x: string) => x.startsWith("igw-")), raHops.join(" → "));
  assert.match(ra.stderr, /no path components for Resource VPC endpoints/);
  const cmp = await w.run("analyze-path", "--compare", "--from", env0.subnetId, "--to", ip0, "--port", "3128", "--json");
  assert.equal(cmp.code, 0, cmp.stderr);
  assert.deepEqual(cmp.json().disagreements, [], "the unanalyzable half is no disagreement");
  assert.equal(cmp.json().local.reachable, true);
  const cmp8080 = await w.run("analyze-path", "--compare", "--from", env0.subnetId, "--to", ip0, "--port", "8080", "--json");
  assert.equal(cmp8080.code, 4, "the whole path on 8080 is refused (the offline analyzer)");
  assert.deepEqual(cmp8080.json().disagreements, []);

  const d = await w.ok("destroy", "--yes", "--json");
  const kinds = d.json().deleted.map((x: any) => x.kind);
  for (const k of ["vpc-endpoint", "lattice-resource-configuration", "lattice-resource-gateway", "ec2-instance", "security-group"]) assert.ok(kinds.includes(k), k);
  const fresh = await openSandbox(w.file);
  assert.deepEqual(
    (await fresh.taggedResources(R, "egress-cli:plan", "egress")).filter((r) => r.state !== "deleted" && r.state !== "terminated"),
    [],
    "nothing of the egress plan is left",
  );
  const rs = fresh.state().regions[R] as any;
  assert.deepEqual(Object.values(rs.ext.vpcEndpoints ?? {}), [], "the consumer endpoints went");
  assert.equal(Object.values<any>(rs.securityGroups).filter((g) => g.GroupName === "egress-proxy-endpoint").length, 0, "and their groups");
  assert.deepEqual(Object.keys(rs.ext.lattice.gateways), []);
  assert.deepEqual(Object.keys(rs.ext.lattice.configurations), []);
  assert.deepEqual(Object.values<any>(rs.ext.instances ?? {}).map((i) => i.State.Name).filter((x) => x !== "terminated"), [], "the proxies are terminated");
  const iam = fresh.state().ext as any;
  assert.equal(Object.values<any>(iam.iam?.roles ?? {}).filter((r) => r.Path.startsWith("/egress-cli/")).length, 0, "the proxy's role went");
  assert.equal(Object.values<any>(iam.iamInstanceProfiles ?? {}).filter((p) => p.Path.startsWith("/egress-cli/")).length, 0, "and its instance profile");
});

test("share-proxy --share-with: a RAM share of every configuration with the accounts; bad principals and no proxy are refused with exit 2 and no change", async () => {
  const w = await s2World();
  const before = mutating(w.sandbox);
  const planBefore = fileOrNull(path.join(w.cwd, "egress-plan.json"));
  const bad = await w.run("share-proxy", "--share-with", "12345", "--share-with", "arn:aws:organizations::111122223333:ou/bad", "--domain", "not a domain", "--json");
  assert.equal(bad.code, 2);
  const msg = bad.json().error.message;
  assert.match(msg, /3 problems/);
  assert.match(msg, /12345/);
  assert.match(msg, /ou\/bad/);
  const own = await w.run("share-proxy", "--share-with", w.sandbox.accountId);
  assert.equal(own.code, 2);
  assert.match(own.stderr, /own account/);
  assert.equal(mutating(w.sandbox), before, "zero mutating calls");
  assert.equal(fileOrNull(path.join(w.cwd, "egress-plan.json")), planBefore, "plan unchanged");

  const r = (await w.ok("share-proxy", "--share-with", "111122223333", "--share-with", "arn:aws:organizations::111122223333:ou/o-abcd123456/ou-ab12-cdef3456", "--json")).json();
  assert.match(r.share.arn, /^arn:aws:ram:us-east-1:\d{12}:resource-share\//);
  const share = Object.values<any>((w.sandbox.state().regions[R].ext as any).ram.shares)[0];
  assert.deepEqual(share.associations.filter((a: any) => a.associationType === "RESOURCE").map((a: any) => a.associatedEntity).sort(), r.resourceConfigurations.map((c: any) => c.arn).sort());
  assert.deepEqual(share.associations.filter((a: any) => a.associationType === "PRINCIPAL").map((a: any) => a.associatedEntity).sort(), ["111122223333", "arn:aws:organizations::111122223333:ou/o-abcd123456/ou-ab12-cdef3456"]);

  // No proxy yet: exit 2 before any change.
  const cwd = tempDir("egress-s2-noproxy-");
  const file = path.join(cwd, "sb.json");
  const sb = await openSandbox(file);
  await sb.reset();
  const run = (...a: string[]) => cli(["--sandbox-file", file, ...a], { cwd, env: cleanEnv(), sandbox: sb });
  assert.equal((await run("create-vpc", "--name", "bare", "--azs", "2")).code, 0);
  const n = mutating(sb);
  const none = await run("share-proxy");
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no proxy yet/);
  assert.equal(mutating(sb), n);
});

test("connect-proxy refusals: unknown consumer VPC, subnets of another VPC, no shared configuration, two subnets in one AZ — exit 2, zero mutating calls", async () => {
  const w = await s2World();
  const [t1, t2] = w.teams;
  const noShare = await w.run("connect-proxy", "--consumer-vpc", t1.vpcId, "--subnets", t1.subnets.join(","));
  assert.equal(noShare.code, 2);
  assert.match(noShare.stderr, /no shared proxy configuration/);
  await w.ok("share-proxy");
  const before = mutating(w.sandbox);
  const planBefore = fileOrNull(path.join(w.cwd, "egress-plan.json"));
  const cases: Array<[string[], RegExp]> = [
    [["--consumer-vpc", "vpc-0123456789abcdef0", "--subnets", t1.subnets[0]], /does not exist in us-east-1/],
    [["--consumer-vpc", t1.vpcId, "--subnets", `${t1.subnets[0]},${t2.subnets[1]}`], new RegExp(`${t2.subnets[1]} is in ${t2.vpcId}, not in the consumer VPC`)],
    [["--consumer-vpc", t1.vpcId, "--subnets", `${t1.subnets[0]},${t1.subnets[0]}`], /more than once/],
    [["--consumer-vpc", "vpc-nothex", "--subnets", "subnet-x"], /2 problems/],
    [["--consumer-vpc", readPlan(w.cwd).resources.vpc.id!, "--subnets", readPlan(w.cwd).resources["proxy/us-east-1a/instance"].attrs.subnetId as string], /proxy's own VPC/],
  ];
  for (const [args, re] of cases) {
    const r = await w.run("connect-proxy", ...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(" "));
  }
  assert.equal(mutating(w.sandbox), before, "zero mutating calls");
  // A consumer in another Region: its VPC is not in the proxy's Region.
  await w.ok("--plan", "west.json", "--region", "us-west-2", "create-vpc", "--name", "west", "--cidr", "10.0.0.0/16", "--azs", "1", "--public-subnets", "0");
  const west = readPlan(w.cwd, "west.json");
  const beforeWest = mutating(w.sandbox);
  const wr = await w.run("connect-proxy", "--consumer-vpc", west.resources.vpc.id!, "--subnets", Object.values(west.resources).find((r) => r.kind === "subnet")!.id!);
  assert.equal(wr.code, 2);
  assert.match(wr.stderr, /does not exist in us-east-1.*Region/s);
  assert.equal(mutating(w.sandbox), beforeWest, "zero mutating calls");
  assert.equal(fileOrNull(path.join(w.cwd, "egress-plan.json")), planBefore, "plan unchanged");
});

test("share-proxy on an endpoint without VPC Lattice (an HTML 404): exit 1 naming the service, nothing changed", async () => {
  const w = await s2World();
  const { PassThrough } = await import("node:stream");
  const { VPCLatticeClient } = await import("@aws-sdk/client-vpc-lattice");
  const { createContext } = await import("../src/context.js");
  const { createLogger } = await import("../src/output/logger.js");
  const { shareProxyCommand } = await import("../src/commands/share-proxy.js");
  const { CliError } = await import("../src/errors.js");
  const server = await htmlNotFoundServer();
  try {
    const stderr = new PassThrough();
    const log = await createLogger({ stderr, color: false, verbose: false, interactive: false });
    const opts = { sandbox: true, sandboxFile: w.file, plan: "egress-plan.json", json: true, yes: true, dryRun: false, color: false, verbose: false };
    const ctx = createContext(opts, { cwd: w.cwd, env: cleanEnv(), stdout: new PassThrough(), stderr, log, signal: new AbortController().signal, sandbox: w.sandbox, userAgent: "test" });
    const real = await ctx.aws();
    const lattice = new VPCLatticeClient({ region: R, credentials: { accessKeyId: "x", secretAccessKey: "y" }, endpoint: server.url, maxAttempts: 1 });
    const noLattice = { ...real, lattice: async () => lattice };
    const before = mutating(w.sandbox);
    const planBefore = fileOrNull(path.join(w.cwd, "egress-plan.json"));
    const err = await shareProxyCommand({ ...ctx, aws: async () => noLattice }, {}).then(
      () => undefined,
      (e) => e,
    );
    assert.ok(err instanceof CliError, String(err));
    assert.equal(err.exitCode, 1);
    assert.equal(err.code, "ServiceUnavailable");
    assert.match(err.message, /VPC Lattice \(vpc-lattice\) is not available .*nothing was changed/);
    assert.ok(server.hits() >= 1, "Lattice was asked (a read call)");
    assert.equal(mutating(w.sandbox), before, "no mutating call");
    assert.equal(fileOrNull(path.join(w.cwd, "egress-plan.json")), planBefore, "the plan is unchanged");
  } finally {
    server.close();
  }
});

test("connect-proxy --consumer-profile: the consumer's records carry the profile and account, destroy undoes them with that profile", async () => {
  const w = await s2World();
  await w.ok("share-proxy");
  const t = w.teams[0];
  const c = (await w.ok("connect-proxy", "--consumer-vpc", t.vpcId, "--subnets", t.subnets.join(","), "--consumer-profile", "team1-admin", "--json")).json();
  assert.equal(c.consumer.profile, "team1-admin");
  assert.equal(c.consumer.accountId, w.sandbox.accountId, "the sandbox holds one account: STS's answer is recorded");
  const plan = readPlan(w.cwd);
  for (const step of [`consumer/${t.vpcId}/sg`, `consumer/${t.vpcId}/sg/ingress/vpc-cidr`, `consumer/${t.vpcId}/endpoint/us-east-1a`, `consumer/${t.vpcId}/endpoint/us-east-1b`]) {
    assert.deepEqual([plan.resources[step].attrs.profile, plan.resources[step].attrs.accountId, plan.resources[step].attrs.region], ["team1-admin", w.sandbox.accountId, R], step);
  }
  const d = await w.ok("destroy", "--yes", "--verbose", "--json");
  assert.ok(d.json().deleted.some((x: any) => x.step === `consumer/${t.vpcId}/endpoint/us-east-1a`));
  assert.deepEqual(Object.values((w.sandbox.state().regions[R].ext as any).vpcEndpoints ?? {}), []);
});

test("share-proxy --domain: a Lattice domain verification with the TXT record to publish, the configurations' custom domains, private DNS on the consumers' endpoints; destroy removes the verification", async () => {
  const w = await s2World();
  const r = (await w.ok("share-proxy", "--domain", "Proxy.Corp.Example", "--json")).json();
  assert.equal(r.domain.name, "proxy.corp.example");
  assert.deepEqual(r.domain.customDomainNames, ["us-east-1a.proxy.corp.example", "us-east-1b.proxy.corp.example"], "per-AZ proxies: a subdomain each");
  assert.equal(r.domain.txtRecord.type, "TXT");
  assert.ok(r.domain.txtRecord.name.endsWith(".proxy.corp.example") && r.domain.txtRecord.value, JSON.stringify(r.domain));
  const human = await w.ok("share-proxy", "--domain", "proxy.corp.example");
  assert.match(human.stdout, new RegExp(`^  ${r.domain.txtRecord.name.replace(/\./g, "\\.")} TXT "${r.domain.txtRecord.value}"$`, "m"));
  const lattice = (w.sandbox.state().regions[R].ext as any).lattice;
  assert.deepEqual(Object.values<any>(lattice.configurations).map((c) => c.customDomainName).sort(), r.domain.customDomainNames);
  const t = w.teams[0];
  const c = (await w.ok("connect-proxy", "--consumer-vpc", t.vpcId, "--subnets", t.subnets.join(","), "--json")).json();
  for (const e of c.endpoints) {
    assert.equal(e.privateDns, true, "create-vpc turned on the VPC's DNS attributes");
    assert.ok(e.dnsNames.includes(`${e.proxyAz}.proxy.corp.example`), JSON.stringify(e.dnsNames));
  }
  const bad = await w.run("share-proxy", "--domain", "-bad-.example");
  assert.equal(bad.code, 2);
  const other = await w.run("share-proxy");
  assert.equal(other.code, 2, "the domain cannot be dropped in place");
  assert.match(other.stderr, /created with --domain proxy\.corp\.example/);
  await w.ok("destroy", "--yes");
  assert.deepEqual(Object.keys((w.sandbox.state().regions[R].ext as any).lattice.domainVerifications), [], "the verification went");
});

test("connect-proxy: a consumer whose CIDR equals the egress VPC's (10.100.0.0/16), with its own --security-group; the path still goes through PrivateLink", async () => {
  const w = await s2World();
  await w.ok("share-proxy");
  await w.ok("--plan", "same.json", "create-vpc", "--name", "same", "--cidr", "10.100.0.0/16", "--azs", "2", "--public-subnets", "0");
  const p = readPlan(w.cwd, "same.json");
  const vpcId = p.resources.vpc.id!;
  const subnets = Object.values(p.resources).filter((r) => r.kind === "subnet").map((r) => r.id!).sort();
  const { EC2Client, CreateSecurityGroupCommand, AuthorizeSecurityGroupIngressCommand } = await import("@aws-sdk/client-ec2");
  const ec2 = plugged(w.sandbox, new EC2Client({ region: R, credentials: SANDBOX_CREDENTIALS }));
  const sg = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "my-proxy-clients", Description: "mine" }))).GroupId!;
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: sg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 3128, ToPort: 3128, IpRanges: [{ CidrIp: "10.100.0.0/16" }] }] }));
  const c = (await w.ok("connect-proxy", "--consumer-vpc", vpcId, "--subnets", subnets.join(","), "--security-group", sg, "--json")).json();
  assert.equal(c.consumer.cidr, "10.100.0.0/16", "the egress VPC's own CIDR");
  assert.deepEqual(c.securityGroupIds, [sg]);
  assert.equal(readPlan(w.cwd).resources[`consumer/${vpcId}/sg`], undefined, "no group of ours");
  const env = c.env[0];
  const ip = env.HTTPS_PROXY.replace(/^http:\/\//, "").replace(/:3128$/, "");
  const yes = await w.run("analyze-path", "--local", "--from", env.subnetId, "--to", ip, "--port", "3128", "--json");
  assert.equal(yes.code, 0, yes.stdout);
  assert.ok(yes.json().result.hops.some((h: any) => h.component?.id === env.vpcEndpointId), "through the consumer's endpoint, not to the egress VPC's same address");
  const d = await w.ok("destroy", "--yes", "--json");
  assert.ok(d.json().deleted.some((x: any) => x.step === `consumer/${vpcId}/endpoint/us-east-1a`));
  assert.ok(w.sandbox.state().regions[R].securityGroups[sg], "the given group is the user's: kept");
});

test("share-proxy re-run: a configuration whose target drifted (a proxy address changed) is updated in place, not recreated", async () => {
  const w = await s2World();
  const first = (await w.ok("share-proxy", "--json")).json();
  const cfg = first.resourceConfigurations[0];
  const { VPCLatticeClient, UpdateResourceConfigurationCommand, GetResourceConfigurationCommand } = await import("@aws-sdk/client-vpc-lattice");
  const lattice = plugged(w.sandbox, new VPCLatticeClient({ region: R, credentials: SANDBOX_CREDENTIALS }), "vpc-lattice");
  await lattice.send(new UpdateResourceConfigurationCommand({ resourceConfigurationIdentifier: cfg.id, resourceConfigurationDefinition: { ipResource: { ipAddress: "10.100.99.99" } } }));
  const again = (await w.ok("share-proxy", "--json")).json();
  assert.equal(again.resourceConfigurations[0].id, cfg.id, "the same configuration");
  const live = await lattice.send(new GetResourceConfigurationCommand({ resourceConfigurationIdentifier: cfg.id }));
  assert.equal(live.resourceConfigurationDefinition?.ipResource?.ipAddress, cfg.ipAddress, "pointed at the proxy again");
});
