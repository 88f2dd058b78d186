// egress-ips (issue 21 item 5): the static egress addresses a vendor allowlist needs, each with the
// workloads the analyzer proves leave from it; the allowlist formats and --check's difference (pure),
// then end to end on the sandbox.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { allowlistDiff, egressIps, parseAllowlist, toCsv } from "../src/analysis/egress-ips.js";
import { buildIndex } from "../src/analysis/snapshot-index.js";
import { good, goodSnapshot, regionalSnapshot } from "./audit-fixtures.js";

const summary = (r: ReturnType<typeof egressIps>) => r.addresses.map((a) => `${a.publicIp} ${a.kind} ${a.via} ${a.availabilityZone} [${a.workloads.map((w) => `${w.source}@${w.subnetId}`).join(" ")}]`);

describe("egress-ips on snapshot fixtures", () => {
  test("zonal NAT per AZ: each Elastic IP with its AZ and the workloads whose proven path leaves from it", () => {
    const r = egressIps(buildIndex(goodSnapshot()));
    assert.deepEqual(summary(r), [
      "198.51.100.1 nat-gateway nat-a us-east-1a [i-app@subnet-priv-a lambda:worker@subnet-priv-a]",
      "198.51.100.2 nat-gateway nat-b us-east-1b [lambda:worker@subnet-priv-b]",
    ]);
    assert.deepEqual(r.noEgress, []);
    assert.equal(r.addresses[0]!.allocationId, "eipalloc-a");
  });

  test("regional NAT: an address per AZ; routes, not names, decide (AZ b routed to nat-a's address)", () => {
    assert.deepEqual(summary(egressIps(buildIndex(regionalSnapshot()))), [
      "198.51.100.11 regional-nat-gateway nat-r us-east-1a [i-app@subnet-priv-a lambda:worker@subnet-priv-a]",
      "198.51.100.12 regional-nat-gateway nat-r us-east-1b [lambda:worker@subnet-priv-b]",
    ]);
    const crossed = egressIps(buildIndex(good((s) => (s.routeTables.find((t: any) => t.RouteTableId === "rtb-priv-b").Routes[1].NatGatewayId = "nat-a"))));
    assert.deepEqual(summary(crossed)[0], "198.51.100.1 nat-gateway nat-a us-east-1a [i-app@subnet-priv-a lambda:worker@subnet-priv-a lambda:worker@subnet-priv-b]");
    assert.deepEqual(crossed.addresses[1]!.workloads, [], "nat-b's address is still a static egress address (listed), with no workload today");
  });

  test("a workload with no proven path is named with the analyzer's reason, never given an address", () => {
    const r = egressIps(buildIndex(regionalSnapshot({ azs: ["a"], manual: true })));
    assert.deepEqual(r.noEgress.map((w) => `${w.source}@${w.subnetId} ${w.verdict}`), ["lambda:worker@subnet-priv-b unreachable"]);
    assert.match(r.noEgress[0]!.reason, /^REGIONAL_NGW_ROUTE_AZ_RESTRICTION at nat-r/);
  });

  test("the files it writes are the files --check reads: JSON document, JSON array, CSV, text; a difference both ways", () => {
    const r = egressIps(buildIndex(goodSnapshot()));
    const ips = ["198.51.100.1", "198.51.100.2"];
    assert.deepEqual(parseAllowlist(JSON.stringify({ command: "egress-ips", addresses: r.addresses })), { ips, problems: [] });
    assert.deepEqual(parseAllowlist(JSON.stringify(ips)), { ips, problems: [] });
    const csv = toCsv(r.addresses);
    assert.match(csv, /^public_ip,allocation_id,via,kind,availability_zone,vpc_id,region,account_id,workloads\n198\.51\.100\.1,eipalloc-a,nat-a,nat-gateway,us-east-1a,vpc-good,us-east-1,111111111111,i-app lambda:worker\n/);
    assert.deepEqual(parseAllowlist(csv), { ips, problems: [] });
    assert.deepEqual(parseAllowlist("# vendor allowlist\n198.51.100.2/32\n\n198.51.100.1   nat-a us-east-1a\n"), { ips, problems: [] });
    assert.deepEqual(parseAllowlist("198.51.100.1\nexample.com\n").problems, ['line 2: "example.com" is not an IPv4 address']);
    assert.match(parseAllowlist("{ nope").problems[0]!, /^not valid JSON/);
    assert.deepEqual(allowlistDiff(["198.51.100.1", "198.51.100.3"], ips), { added: ["198.51.100.3"], removed: ["198.51.100.2"] });
  });
});
