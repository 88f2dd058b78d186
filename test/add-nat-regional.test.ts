// add-nat --mode regional on the sandbox (issue 21 items 1–2): manual mode with the user's Elastic IPs per
// AZ, automatic mode following the workloads, status live per AZ, destroy keeping the user's addresses;
// per-az → regional and back with --reuse-eips: the egress IP set before == after, and the egress gap each
// AZ sees measured on the sandbox's clock (every second of simulated time, which gateway serves each
// private table and from which address).
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { Sandbox } from "../src/sandbox/index.js";
import { TestClock } from "./clock.js";
import { cleanEnv, cli, readPlan, tempDir } from "./helpers.js";
import { shapeProblems } from "./sdk-shape.js";

async function kit() {
  const cwd = tempDir("egress-rnat-");
  const file = path.join(cwd, "sb.json");
  const clock = new TestClock();
  // unscaled AWS timings (NAT 90 s up, 60 s down) on a TestClock: minutes pass only as the run waits
  const sandbox = await Sandbox.open({ file, env: {}, latency: "realistic", clock });
  // every EC2 request the CLI sends (and every answer) is checked against the SDK's model as it goes
  const shapes: string[] = [];
  const call = sandbox.call.bind(sandbox);
  sandbox.call = async (service, operation, input, region) => {
    if (service === "ec2") shapes.push(...shapeProblems(`${operation}Request`, input));
    const out = await call(service, operation, input, region);
    if (service === "ec2" && /NatGateway/.test(operation)) shapes.push(...shapeProblems(`${operation}Result`, out));
    return out;
  };
  const run = async (...a: string[]) => {
    const r = await cli(["--sandbox-file", file, ...a], { cwd, env: cleanEnv(), sandbox });
    assert.deepEqual(shapes, [], `requests and answers of ${a.join(" ")} match the SDK's model`);
    return r;
  };
  const ec2 = (op: string, input: Record<string, unknown> = {}) => sandbox.call("ec2", op, input, "us-east-1");
  const region = () => sandbox.state().regions["us-east-1"] as any;
  return { cwd, file, clock, sandbox, run, ec2, region };
}

const json = (r: { stdout: string }) => JSON.parse(r.stdout);

test("add-nat --mode regional --az-eip: one regional gateway with your Elastic IPs per AZ, every private table → it; status live per AZ; destroy keeps your addresses", async () => {
  const { cwd, run, ec2, region } = await kit();
  assert.equal((await run("create-vpc", "--name", "rn", "--azs", "2")).code, 0);
  const a = await ec2("AllocateAddress", { Domain: "vpc" });
  const b = await ec2("AllocateAddress", { Domain: "vpc" });
  // bad input changes nothing (exit 2, every problem at once)
  const missing = await run("add-nat", "--mode", "regional", "--az-eip", `us-east-1a=${a.AllocationId}`);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /serves only the AZs given.*us-east-1b/s);
  assert.equal((await run("add-nat", "--mode", "per-az", "--az-eip", `us-east-1a=${a.AllocationId}`)).code, 2);
  assert.equal((await run("add-nat", "--mode", "regional", "--az-eip", `us-east-1a=${a.AllocationId},us-east-1a=${b.AllocationId}`)).code, 2);
  assert.equal((await run("add-nat", "--mode", "regional", "--az-eip", `us-east-1a=${a.AllocationId},us-east-1b=eipalloc-0123456789abcdef0`)).code, 2);
  assert.equal(Object.keys(region().natGateways).length, 0, "nothing was created");

  const r = await run("--json", "add-nat", "--mode", "regional", "--az-eip", `us-east-1a=${a.AllocationId},us-east-1b=${b.AllocationId}`);
  assert.equal(r.code, 0, r.stderr);
  const out = json(r);
  assert.deepEqual(out.egressIps.sort(), [a.PublicIp, b.PublicIp].sort());
  assert.deepEqual(out.natGateways.map((n: any) => [n.az, n.publicIp, n.addressStatus, n.mode, n.eipOwned]), [
    ["us-east-1a", a.PublicIp, "succeeded", "manual", false],
    ["us-east-1b", b.PublicIp, "succeeded", "manual", false],
  ]);
  const plan = readPlan<any>(cwd);
  const nat = plan.resources["nat/regional"];
  assert.equal(nat.kind, "nat-gateway");
  assert.equal(nat.attrs.availabilityMode, "regional");
  assert.deepEqual(plan.spec.nat, { mode: "regional", azs: ["us-east-1a", "us-east-1b"], eips: [a.AllocationId, b.AllocationId] });
  assert.equal(plan.resources["nat/us-east-1a/eip"].owned, false);
  // the live gateway carries the plan's tags and client token (crash-safe like every kind)
  const live = region().natGateways[nat.id];
  assert.equal(live.AvailabilityMode, "regional");
  assert.ok(live.Tags.some((t: any) => t.Key === "egress-cli:step" && t.Value === "nat/regional"));
  for (const [step, rec] of Object.entries<any>(plan.resources)) if (step.endsWith("/nat-route")) assert.equal(rec.attrs.target.NatGatewayId, nat.id);
  // a re-run changes nothing
  const again = await run("--json", "add-nat", "--mode", "regional", "--az-eip", `us-east-1a=${a.AllocationId},us-east-1b=${b.AllocationId}`);
  assert.equal(again.code, 0, again.stderr);
  assert.equal((await run("add-nat", "--mode", "regional")).code, 0, "without --az-eip: the plan's own addresses");
  assert.equal(Object.keys(region().natGateways).length, 1);

  const st = json(await run("--json", "status"));
  assert.deepEqual(st.natGateways.map((n: any) => [n.az, n.publicIp, n.addressStatus]), [["us-east-1a", a.PublicIp, "succeeded"], ["us-east-1b", b.PublicIp, "succeeded"]]);
  assert.deepEqual(st.egressIps.sort(), [a.PublicIp, b.PublicIp].sort());
  assert.ok(st.subnets.filter((s: any) => s.tier === "private").every((s: any) => s.defaultRoute === nat.id));

  const d = await run("destroy", "--yes");
  assert.equal(d.code, 0, d.stderr);
  const left = Object.values<any>(region().addresses).map((x) => x.AllocationId).sort();
  assert.deepEqual(left, [a.AllocationId, b.AllocationId].sort(), "your Elastic IPs stay allocated");
  assert.ok(Object.values<any>(region().addresses).every((x) => !x.AssociationId));
});

test("add-nat --mode regional (automatic): AWS's addresses appear per AZ as workloads do; status shows them live", async () => {
  const { cwd, clock, run, ec2 } = await kit();
  assert.equal((await run("create-vpc", "--name", "auto", "--azs", "2")).code, 0);
  const r = await run("--json", "add-nat", "--mode", "regional");
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(json(r).egressIps, [], "no workload yet: no address yet");
  const plan = readPlan<any>(cwd);
  assert.equal(plan.resources["nat/regional"].attrs.autoProvisionZones, "enabled");
  assert.deepEqual(plan.spec.nat, { mode: "regional", azs: ["us-east-1a", "us-east-1b"] });
  const priv = Object.values<any>(plan.resources).find((x) => x.kind === "subnet" && x.tier === "private" && x.az === "us-east-1b");
  await ec2("CreateNetworkInterface", { SubnetId: priv.id });
  let st = json(await run("--json", "status"));
  assert.deepEqual(st.natGateways.map((n: any) => [n.az, n.addressStatus, n.mode]), [["us-east-1b", "associating", "automatic"]]);
  await clock.sleep(90_000);
  st = json(await run("--json", "status"));
  assert.deepEqual(st.natGateways.map((n: any) => [n.az, n.addressStatus]), [["us-east-1b", "succeeded"]]);
  assert.equal(st.egressIps.length, 1);
  // --offline: the records (no address when add-nat ran) cannot say which AZs AWS has added since: unpriced, not 0
  const offline = json(await run("--json", "status", "--offline")).cost;
  assert.equal(offline.complete, false);
  assert.match(offline.unpriced.map((u: any) => u.item).join("\n"), /Regional NAT gateway nat-\S+ \(automatic mode\)/);
  assert.ok(!offline.lines.some((l: any) => /Regional NAT gateway/.test(l.item)), "no regional NAT line priced from stale records");
});

/** Samples, every simulated second, which address each private table egresses from (undefined: none). */
function egressSampler(clock: TestClock, sandbox: Sandbox, tables: Record<string, string>) {
  const samples: Array<{ t: number; ip: Record<string, string | undefined> }> = [];
  let stop = false;
  const start = clock.now();
  const ipOf = (rs: any, az: string, rtbId: string, t: number): string | undefined => {
    const route = rs.routeTables[rtbId]?.Routes.find((r: any) => r.DestinationCidrBlock === "0.0.0.0/0");
    const n = route?.NatGatewayId && rs.natGateways[route.NatGatewayId];
    if (!n) return undefined;
    const up = (n.State === "available" || (n.State === "pending" && t >= n._readyAt && !n._willFail));
    if (!up) return undefined; // pending, deleting ("may still process traffic": counted as not serving), deleted, failed
    if (n.AvailabilityMode !== "regional") return rs.addresses[n.AllocationId]?.PublicIp;
    // a regional gateway in manual mode serves only the AZs it has an address in
    const a = (n.Addresses ?? []).find((x: any) => x.AvailabilityZone === az && (x.Status === "succeeded" || (x.Status === "associating" && t >= x._readyAt)));
    return a?.PublicIp;
  };
  const tick = () => {
    if (stop) return;
    const rs = sandbox.state().regions["us-east-1"] as any;
    const t = clock.now();
    samples.push({ t: t - start, ip: Object.fromEntries(Object.entries(tables).map(([az, rtb]) => [az, ipOf(rs, az, rtb, t)])) });
    clock.setTimer(tick, 1_000);
  };
  tick();
  return {
    stop: () => void (stop = true),
    /** Per AZ: the seconds without egress, and every address it egressed from. */
    report() {
      const out: Record<string, { gapS: number; ips: string[] }> = {};
      for (const az of Object.keys(tables)) {
        const ips = new Set<string>();
        let gap = 0;
        for (const s of samples) s.ip[az] ? ips.add(s.ip[az]!) : gap++;
        out[az] = { gapS: gap, ips: [...ips].sort() };
      }
      return out;
    },
  };
}

test("per-az → regional → per-az with --reuse-eips: the same egress IPs throughout; one AZ's egress pauses for the move of the last address; --yes needed for new IPs", async () => {
  const { cwd, clock, sandbox, run } = await kit();
  assert.equal((await run("create-vpc", "--name", "sw", "--azs", "3")).code, 0);
  assert.equal((await run("add-nat", "--mode", "per-az")).code, 0);
  let plan = readPlan<any>(cwd);
  const before = [...Object.values<any>(plan.resources).filter((r) => r.kind === "elastic-ip").map((r) => r.attrs.publicIp)].sort();
  assert.equal(before.length, 3);
  const tables = Object.fromEntries(Object.values<any>(plan.resources).filter((r) => r.kind === "route-table" && r.tier === "private").map((r) => [r.az, r.id]));

  // a change that would give new addresses is refused without --yes (exit 2), naming them
  const refused = await run("add-nat", "--mode", "regional");
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /changes the plan's static egress IPs/);
  assert.match(refused.stderr, /--reuse-eips/);

  const calls0 = sandbox.stats().mutatingCalls;
  const sampler = egressSampler(clock, sandbox, tables);
  const t0 = clock.now();
  const r = await run("--json", "add-nat", "--mode", "regional", "--reuse-eips");
  sampler.stop();
  assert.equal(r.code, 0, r.stderr);
  const toRegional = { seconds: (clock.now() - t0) / 1000, calls: sandbox.stats().mutatingCalls - calls0, egress: sampler.report() };
  assert.deepEqual(json(r).egressIps.sort(), before, "the same egress IPs after");
  plan = readPlan<any>(cwd);
  assert.equal(plan.spec.nat.mode, "regional");
  assert.equal(plan.spec.nat.switchFrom, undefined);
  assert.equal(Object.values<any>(sandbox.state().regions["us-east-1"].natGateways).filter((n) => n.State !== "deleted").length, 1, "the zonal gateways are gone");
  for (const [az, e] of Object.entries(toRegional.egress)) assert.ok(e.ips.every((ip) => before.includes(ip)), `${az} egressed only from the plan's addresses: ${e.ips}`);
  const gaps = Object.values(toRegional.egress).map((e) => e.gapS);
  assert.equal(gaps.filter((g) => g > 0).length, 1, `one AZ (the last) pauses: ${JSON.stringify(toRegional.egress)}`);
  assert.ok(Math.max(...gaps) <= 60 + 90 + 10, `its pause is the zonal deletion + the association: ${JSON.stringify(toRegional)}`);
  console.log(`per-az → regional: ${JSON.stringify(toRegional)}`);

  const calls1 = sandbox.stats().mutatingCalls;
  const back = egressSampler(clock, sandbox, tables);
  const t1 = clock.now();
  const r2 = await run("--json", "add-nat", "--mode", "per-az", "--reuse-eips");
  back.stop();
  assert.equal(r2.code, 0, r2.stderr);
  const toPerAz = { seconds: (clock.now() - t1) / 1000, calls: sandbox.stats().mutatingCalls - calls1, egress: back.report() };
  assert.deepEqual(json(r2).egressIps.sort(), before, "the same egress IPs after the way back");
  for (const [az, e] of Object.entries(toPerAz.egress)) assert.ok(e.ips.every((ip) => before.includes(ip)), `${az}: ${e.ips}`);
  assert.equal(Object.values(toPerAz.egress).filter((e) => e.gapS > 0).length, 1, JSON.stringify(toPerAz.egress));
  console.log(`regional → per-az: ${JSON.stringify(toPerAz)}`);
  const d = await run("destroy", "--yes");
  assert.equal(d.code, 0, d.stderr);
  assert.equal(Object.keys(sandbox.state().regions["us-east-1"].addresses).length, 0, "the plan's own Elastic IPs are released by destroy");
});

test("single → regional (automatic) → per-az with --yes: make before break — egress never stops, the addresses change, the plan's own Elastic IPs are released", async () => {
  const { cwd, clock, sandbox, run, ec2 } = await kit();
  assert.equal((await run("create-vpc", "--name", "rp", "--azs", "2")).code, 0);
  assert.equal((await run("add-nat")).code, 0);
  let plan = readPlan<any>(cwd);
  const tables = Object.fromEntries(Object.values<any>(plan.resources).filter((r) => r.kind === "route-table" && r.tier === "private").map((r) => [r.az, r.id]));
  // a workload in each AZ, so the automatic gateway takes an address in both before the routes move
  const workloads: string[] = [];
  for (const r of Object.values<any>(plan.resources).filter((x) => x.kind === "subnet" && x.tier === "private")) workloads.push((await ec2("CreateNetworkInterface", { SubnetId: r.id })).NetworkInterface.NetworkInterfaceId);
  const before = readPlan<any>(cwd).outputs.egressIps;
  const refused = await run("add-nat", "--mode", "regional");
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, new RegExp(`egresses from ${before[0].replace(/\./g, "\\.")}`));
  const sampler = egressSampler(clock, sandbox, tables);
  const r = await run("--json", "--yes", "add-nat", "--mode", "regional");
  sampler.stop();
  assert.equal(r.code, 0, r.stderr);
  const egress = sampler.report();
  assert.deepEqual(Object.values(egress).map((e) => e.gapS), [0, 0], JSON.stringify(egress));
  const after = json(r).egressIps;
  assert.equal(after.length, 2);
  assert.ok(!after.includes(before[0]));
  plan = readPlan<any>(cwd);
  assert.deepEqual(plan.spec.nat, { mode: "regional", azs: ["us-east-1a", "us-east-1b"] });
  assert.equal(Object.keys(sandbox.state().regions["us-east-1"].addresses).length, 0, "the plan's own Elastic IP is released");
  assert.equal(Object.values<any>(sandbox.state().regions["us-east-1"].natGateways).filter((n) => n.State !== "deleted").length, 1);

  // and back to zonal (per-az) with new Elastic IPs: refused without --yes, make before break with it
  assert.equal((await run("add-nat", "--mode", "per-az")).code, 2);
  const back = egressSampler(clock, sandbox, tables);
  const r2 = await run("--json", "--yes", "add-nat", "--mode", "per-az");
  back.stop();
  assert.equal(r2.code, 0, r2.stderr);
  assert.deepEqual(Object.values(back.report()).map((e) => e.gapS), [0, 0], JSON.stringify(back.report()));
  const zonal = json(r2);
  assert.equal(zonal.egressIps.length, 2);
  assert.ok(zonal.egressIps.every((ip: string) => !after.includes(ip)));
  plan = readPlan<any>(cwd);
  assert.deepEqual(plan.spec.nat, { mode: "per-az", azs: ["us-east-1a", "us-east-1b"] });
  const liveNats = Object.values<any>(sandbox.state().regions["us-east-1"].natGateways).filter((n) => n.State !== "deleted");
  assert.deepEqual(liveNats.map((n) => n.AvailabilityMode).sort(), ["zonal", "zonal"]);
  for (const id of workloads) await ec2("DeleteNetworkInterface", { NetworkInterfaceId: id });
  const d = await run("destroy", "--yes");
  assert.equal(d.code, 0, d.stderr);
  assert.equal(Object.keys(sandbox.state().regions["us-east-1"].addresses).length, 0);
});

test("--reuse-eips deletes an old NAT gateway only once its live tags prove it the plan's: a retagged one is refused (NotOwned) and left running", async () => {
  const { cwd, run, ec2, region } = await kit();
  assert.equal((await run("create-vpc", "--name", "own", "--azs", "2")).code, 0);
  assert.equal((await run("add-nat", "--mode", "per-az")).code, 0);
  const plan = readPlan<any>(cwd);
  const natA = plan.resources["nat/us-east-1a"].id as string;
  // someone hands the gateway to another plan (its plan-id tag now says so)
  await ec2("CreateTags", { Resources: [natA], Tags: [{ Key: "egress-cli:plan-id", Value: "someone-else" }] });
  const r = await run("add-nat", "--mode", "regional", "--reuse-eips");
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /not this plan's/);
  assert.equal(region().natGateways[natA].State, "available", "the retagged NAT gateway was not deleted");
  // refused before any change: every private table still points at its own AZ's gateway
  const rts = Object.values<any>(plan.resources).filter((x) => x.kind === "route-table" && x.tier === "private");
  for (const rt of rts) assert.equal(region().routeTables[rt.id].Routes.find((x: any) => x.DestinationCidrBlock === "0.0.0.0/0").NatGatewayId, plan.resources[`nat/${rt.az}`].id);
});

test("the nat-gateway kind's sweep names every Elastic IP of a regional NAT gateway (an orphan's record then waits for each, not only the first)", async () => {
  const { cwd, file, sandbox, run } = await kit();
  assert.equal((await run("create-vpc", "--name", "sweep", "--azs", "2")).code, 0);
  assert.equal((await run("add-nat", "--mode", "per-az")).code, 0);
  assert.equal((await run("add-nat", "--mode", "regional", "--reuse-eips")).code, 0);
  const plan = readPlan<any>(cwd);
  const eips = Object.values<any>(plan.resources).filter((r) => r.kind === "elastic-ip" && r.state === "created").map((r) => r.id as string).sort();
  assert.equal(eips.length, 2);
  const { PassThrough } = await import("node:stream");
  const { createContext } = await import("../src/context.js");
  const { createLogger } = await import("../src/output/logger.js");
  const { natGatewayKind } = await import("../src/engine/kinds/nat-gateway.js");
  const stderr = new PassThrough();
  const log = await createLogger({ stderr, color: false, verbose: false, interactive: false });
  const opts = { sandbox: true, sandboxFile: file, plan: "egress-plan.json", json: false, yes: true, dryRun: false, color: false, verbose: false };
  const ctx = createContext(opts, { cwd, env: cleanEnv(), stdout: new PassThrough(), stderr, log, signal: new AbortController().signal, sandbox, userAgent: "test" });
  const found = (await natGatewayKind.sweep!(ctx, plan)).filter((f) => f.id === plan.resources["nat/regional"]?.id);
  assert.equal(found.length, 1, JSON.stringify(Object.keys(plan.resources)));
  assert.deepEqual(found[0]!.refs.filter((r) => r.startsWith("eipalloc-")).sort(), eips);
});
