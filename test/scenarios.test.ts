// The five field scenarios (shared/SCENARIOS.md) proven on the sandbox with analyze-path, in its default
// mode (Reachability Analyzer, emulated by the sandbox) AND --local (the offline analyzer on a fresh
// snapshot): each final state is reachable in both, the two agree, and the starting states that are
// broken (S3 before its endpoint, S4 before its endpoints, S5) are unreachable with the same
// explanation code and blocking component in both.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { s2 } from "./fixtures/analysis/build.js";
import { cli, cleanEnv, exampleSandbox, openSandbox, tempDir } from "./helpers.js";

const setup = () => exampleSandbox("egress-scn-");
type Run = Awaited<ReturnType<typeof setup>>["run"];

interface Verdict {
  reachable: boolean;
  verdict: string;
  code?: string;
  component?: string;
  hops: string[];
}

/** analyze-path in both modes; asserts they agree (verdict, and code + blocking component when blocked). */
async function both(run: Run, from: string, to: string, extra: string[] = []): Promise<Verdict> {
  const one = async (mode: string[]) => {
    const r = await run("analyze-path", "--from", from, "--to", to, ...extra, ...mode, "--json");
    const doc = r.json();
    assert.ok(!doc.error, `${from} → ${to} ${mode.join(" ")}: ${r.stderr}`);
    assert.equal(r.code, doc.verdict === "reachable" ? 0 : doc.verdict === "unknown" ? 6 : 4, r.stderr);
    assert.equal(doc.reachable, doc.verdict === "reachable");
    const e = doc.result.explanations[0];
    if (doc.privateLink && mode.length === 0) {
      // RA proves only the provider half of a path through a Resource endpoint: the path asked is unknown.
      assert.deepEqual([doc.verdict, r.code], ["unknown", 6], r.stderr);
      return null;
    }
    return { reachable: doc.reachable as boolean, verdict: doc.verdict as string, code: e?.code as string | undefined, component: e?.component.id as string | undefined, hops: doc.result.hops.map((h: any) => h.component.id as string) };
  };
  const aws = await one([]);
  const local = (await one(["--local"]))!;
  if (!aws) return local;
  const why = JSON.stringify({ from, to, aws, local });
  assert.equal(aws.verdict, local.verdict, `verdicts differ: ${why}`);
  if (!aws.reachable) assert.deepEqual([aws.code, aws.component], [local.code, local.component], `explanations differ: ${why}`);
  return local;
}

const tagged = (x: any, value: string) => (x.Tags ?? x.TagSet ?? []).some((t: any) => t.Value === value);

test("S1: create-vpc → add-nat → attach-lambda sms-sender → lambda:sms-sender reaches the internet gateway", async () => {
  const { run } = await setup();
  assert.equal((await run("create-vpc", "--name", "sms-api", "--cidr", "10.0.0.0/16", "--azs", "2")).code, 0);
  const nat = await run("add-nat", "--mode", "single", "--json");
  assert.equal(nat.code, 0, nat.stderr);
  const natId = nat.json().natGateways[0].natGatewayId;
  assert.equal((await run("attach-lambda", "--function", "sms-sender")).code, 0);
  const v = await both(run, "lambda:sms-sender", "igw");
  assert.equal(v.reachable, true, JSON.stringify(v));
  assert.ok(v.hops.includes(natId) && v.hops.some((h) => h.startsWith("igw-")), v.hops.join(" → "));
});

test("S3: rotate-db-secret reaches service:secretsmanager only through the interface endpoint", async () => {
  const { run } = await setup();
  assert.equal((await run("create-vpc", "--name", "rotation", "--azs", "2", "--public-subnets", "0")).code, 0);
  assert.equal((await run("attach-lambda", "--function", "rotate-db-secret")).code, 0);
  // Before: no internet by policy and no endpoint — the service's public name leads nowhere.
  const before = await both(run, "lambda:rotate-db-secret", "service:secretsmanager");
  assert.equal(before.reachable, false);
  assert.equal(before.code, "NO_ROUTE_TO_DESTINATION");
  assert.match(before.component!, /^rtb-/);
  const ep = await run("add-endpoint", "secretsmanager", "--allow-from", "lambda:rotate-db-secret", "--json");
  assert.equal(ep.code, 0, ep.stderr);
  const vpce = ep.json().endpoints[0].vpcEndpointId;
  const after = await both(run, "lambda:rotate-db-secret", "service:secretsmanager");
  assert.equal(after.reachable, true, JSON.stringify(after));
  assert.ok(after.hops.includes(vpce), after.hops.join(" → "));
});

test("S4: the MSK cluster's interfaces reach service:lambda and service:sts after add-endpoint --for msk-esm", async () => {
  const { run, region } = await setup();
  const msk = Object.values<any>(region().vpcs).find((v) => tagged(v, "msk"));
  const clusterSg = Object.values<any>(region().securityGroups).find((g) => g.GroupName === "msk-cluster").GroupId;
  // The brokers' ENIs (one per cluster subnet, in the cluster's group) stand for the mapping's pollers,
  // which use the same subnets and group.
  const brokers = Object.values<any>(region().networkInterfaces).filter((e) => e.VpcId === msk.VpcId && e.Description.startsWith("Amazon MSK")).map((e) => e.NetworkInterfaceId).sort();
  assert.equal(brokers.length, 3);
  assert.equal((await run("import", "--vpc", msk.VpcId, "--name", "msk")).code, 0);
  const main = Object.values<any>(region().routeTables).find((t) => t.VpcId === msk.VpcId && t.Associations.some((a: any) => a.Main)).RouteTableId;
  for (const svc of ["lambda", "sts"]) {
    const before = await both(run, brokers[0], `service:${svc}`);
    assert.deepEqual([before.reachable, before.code, before.component], [false, "NO_ROUTE_TO_DESTINATION", main]);
  }
  const ep = await run("add-endpoint", "--for", "msk-esm", "--allow-from", clusterSg, "--enable-vpc-dns", "--json");
  assert.equal(ep.code, 0, ep.stderr);
  for (const eni of brokers) {
    for (const svc of ["lambda", "sts"]) {
      const v = await both(run, eni, `service:${svc}`);
      assert.equal(v.reachable, true, `${eni} → ${svc}: ${JSON.stringify(v)}`);
      assert.ok(v.hops.some((h) => h.startsWith("vpce-")), v.hops.join(" → "));
    }
  }
});

test("S5: the legacy private instances cannot get out (no route in the main table); import + add-nat --mode single fixes it", async () => {
  const { run, region } = await setup();
  const legacy = Object.values<any>(region().vpcs).find((v) => tagged(v, "legacy"));
  const instance = (name: string) => Object.values<any>(region().ext.instances).find((i) => tagged(i, name)).InstanceId as string;
  const [db, app, web] = [instance("legacy-db"), instance("legacy-app"), instance("legacy-web")];
  const main = Object.values<any>(region().routeTables).find((t) => t.VpcId === legacy.VpcId && t.Associations.some((a: any) => a.Main)).RouteTableId;
  // The private subnet has no explicit table: the main one, which has only the local route. (Were it
  // routed to the internet gateway, the code would be IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS — see the
  // analyzer corpus; this seeded VPC is the other classic variant.)
  for (const i of [db, app]) {
    const v = await both(run, i, "0.0.0.0/0");
    assert.deepEqual([v.reachable, v.code, v.component], [false, "NO_ROUTE_TO_DESTINATION", main], i);
  }
  const control = await both(run, web, "0.0.0.0/0");
  assert.equal(control.reachable, true, "the web server has a public IP and a public subnet");
  assert.equal((await run("import", "--vpc", legacy.VpcId, "--name", "legacy")).code, 0);
  const nat = await run("add-nat", "--mode", "single", "--json");
  assert.equal(nat.code, 0, nat.stderr);
  const natId = nat.json().natGateways[0].natGatewayId;
  for (const i of [db, app]) {
    const v = await both(run, i, "0.0.0.0/0");
    assert.equal(v.reachable, true, `${i}: ${JSON.stringify(v)}`);
    assert.ok(v.hops.includes(natId), v.hops.join(" → "));
  }
});

/** The builder's readable ids (subnet-eg-priv-a) as the real-looking ids EC2 (and so the sandbox) accepts. */
function realIds<T>(doc: T): { doc: T; id: (s: string) => string } {
  const prefixes = ["subnet", "vpce", "igw", "rtb", "nat", "acl", "eni", "vpc", "sg", "i", "eipalloc"];
  const id = (s: string) => {
    const p = prefixes.find((x) => s.startsWith(`${x}-`));
    return p && !/^[a-z]+-[0-9a-f]{17}$/.test(s) ? `${p}-${createHash("sha256").update(s).digest("hex").slice(0, 17)}` : s;
  };
  const deep = (v: unknown): unknown => (typeof v === "string" ? id(v) : Array.isArray(v) ? v.map(deep) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deep(x)])) : v);
  return { doc: deep(doc) as T, id };
}

/**
 * S2 is built as a snapshot, not with commands: launch-proxy, share-proxy and connect-proxy do not
 * exist yet, and the sandbox cannot run instances. So the final topology — egress VPC 10.100.0.0/16
 * with public + private subnets in 2 AZs and a NAT gateway per AZ, the Squid proxy i-proxy in a
 * private subnet whose group admits 3128 from the resource gateway's group, the VPC Lattice resource
 * gateway rgw-s2 (an ENI per private subnet) with resource configuration rcfg-proxy (TCP 3128 → the
 * proxy's IP), and two consumer VPCs that both use 10.0.0.0/16, each with a Resource-type endpoint
 * for rcfg-proxy at the same address 10.0.1.70 — is written with the analyzer's fixture builder and
 * loaded with `sandbox load`, the way a snapshot of a real account would be.
 */
async function loadS2(cwd: string, run: Run) {
  const { doc, id } = realIds(s2().build());
  writeFileSync(path.join(cwd, "s2.json"), JSON.stringify(doc));
  const load = await run("sandbox", "load", "s2.json", "--json");
  assert.equal(load.code, 0, load.stderr);
  assert.equal(load.json().vpcs, 3);
  return id;
}

test("S2: the shared proxy reaches the internet gateway and the resource gateway reaches the proxy on 3128 (snapshot loaded into the sandbox)", async () => {
  const { cwd, run } = await setup();
  const id = await loadS2(cwd, run);
  const out = await both(run, id("i-proxy"), "igw");
  assert.equal(out.reachable, true, JSON.stringify(out));
  assert.ok(out.hops.includes(id("nat-eg-a")) && out.hops.includes(id("igw-eg")), "through its own AZ's NAT gateway");
  const toProxy = await both(run, id("eni-rgw-a"), id("i-proxy"), ["--port", "3128"]);
  assert.equal(toProxy.reachable, true, JSON.stringify(toProxy));
  // The group admits the proxy port from the resource gateway only: another port is refused, with the reason.
  const other = await both(run, id("eni-rgw-a"), id("i-proxy"), ["--port", "8080"]);
  assert.deepEqual([other.reachable, other.code], [false, "ENI_SG_RULES_MISMATCH"]);
});

test("S2: consumers reach proxy:3128 through their Resource endpoint ENI across PrivateLink (overlapping consumer CIDRs)", async () => {
  const { cwd, run, sandbox } = await setup();
  const id = await loadS2(cwd, run);
  // The loaded Lattice resources are served by the sandbox's vpc-lattice service, with the gateway's ENIs.
  const lattice = sandbox.state().regions["us-east-1"]!.ext.lattice;
  assert.deepEqual(Object.keys(lattice.gateways), ["rgw-s2"]);
  assert.deepEqual(lattice.gateways["rgw-s2"].networkInterfaceIds.sort(), [id("eni-rgw-1a"), id("eni-rgw-a")].sort());
  const path1 = [id("vpce-team1-proxy"), "rcfg-proxy", "rgw-s2", id("i-proxy")];
  // HTTPS_PROXY=http://10.0.1.70:3128 in team1: the endpoint ENI's address, and the endpoint by id.
  for (const to of ["10.0.1.70", id("vpce-team1-proxy")]) {
    const v = await both(run, id("i-team1-client"), to, ["--port", "3128"]);
    assert.equal(v.reachable, true, `${to}: ${JSON.stringify(v)}`);
    for (const h of path1) assert.ok(v.hops.includes(h), `${h} not in ${v.hops.join(" → ")}`);
    assert.ok(v.hops.indexOf(id("vpce-team1-proxy")) < v.hops.indexOf("rgw-s2"), "PrivateLink crossing before the provider side");
  }
  // team2 reuses team1's CIDR and even the endpoint address: its own endpoint carries it.
  const team2 = await both(run, id("i-team2-client"), "10.0.1.70", ["--port", "3128"]);
  assert.equal(team2.reachable, true, JSON.stringify(team2));
  assert.ok(team2.hops.includes(id("vpce-team2-proxy")) && !team2.hops.includes(id("vpce-team1-proxy")), team2.hops.join(" → "));
  // Another port: the endpoint's group refuses it first (it admits 3128 only), with the same reason in both modes.
  const wrong = await both(run, id("i-team1-client"), "10.0.1.70", ["--port", "8080"]);
  assert.deepEqual([wrong.reachable, wrong.code, wrong.component], [false, "ENI_SG_RULES_MISMATCH", id("sg-team1-proxy-endpoint")]);
});
