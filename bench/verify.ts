// verify at account scale (issue 23; not a test: it prints figures). The 10× generated account of
// bench/lib.ts (1,000 VPCs, 10,000 subnets, 52,000 ENIs) as a snapshot file; 1,000 intents, one per
// VPC ("its private subnets leave only through a NAT gateway, never straight to the internet
// gateway": 40 ENIs each, so 40,000 paths), and the audit of the same file; each the built CLI in its
// own process (wall, CPU, peak RSS). Also 100 intents, to show the cost is linear in intents × sources.
// Run: npm run build && node --import tsx bench/verify.ts [--vpcs 1000]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { account, ENV, measure, SUBNETS_PER_VPC, type Measure } from "./lib.js";

const BIN = path.join(path.resolve(import.meta.dirname, ".."), "bin", "egress-cli");
const arg = process.argv.indexOf("--vpcs");
const vpcs = arg > 0 ? Number(process.argv[arg + 1]) : 1000;
const cwd = mkdtempSync(path.join(tmpdir(), "egress-verify-bench-"));
const doc = account(vpcs);
// What a snapshot of a real account holds: BPA off, no exclusions. Without them no internet path is
// proven (unknown, NOT_IN_SNAPSHOT), and the bench would time paths that stop at the first gateway.
Object.assign(doc, {
  vpcBlockPublicAccessOptions: { InternetGatewayBlockMode: "off", State: "default-state", ExclusionsAllowed: "allowed" },
  vpcBlockPublicAccessExclusions: [],
});
writeFileSync(path.join(cwd, "account.json"), JSON.stringify(doc));

function intents(n: number): string {
  const lines = ["version: 1", "intents:"];
  const subnets = doc.subnets as Array<{ SubnetId: string; VpcId: string }>;
  for (let v = 0; v < n; v++) {
    const priv = subnets.slice(v * SUBNETS_PER_VPC + 2, (v + 1) * SUBNETS_PER_VPC).map((s) => s.SubnetId);
    lines.push(`  - name: "bench-${v}: private subnets leave only through a NAT gateway"`, `    from: [${priv.join(", ")}]`, "    to: internet", "    port: 443", "    expect: reachable", "    via: [nat-gateway]", "    never-via: [internet-gateway]");
  }
  return `${lines.join("\n")}\n`;
}
writeFileSync(path.join(cwd, "intents-1000.yaml"), intents(Math.min(1000, vpcs)));
writeFileSync(path.join(cwd, "intents-100.yaml"), intents(Math.min(100, vpcs)));

const fmt = (m: Measure) => `${(m.wallMs / 1000).toFixed(2)} s wall, ${(m.cpuMs / 1000).toFixed(2)} s CPU, ${m.rssMb.toFixed(0)} MB`;
const audit = measure([BIN, "--sandbox", "audit", "--snapshot", "account.json", "--fail-on", "none", "--format", "json", "--output", "audit.json"], cwd, ENV);
const v100 = measure([BIN, "--sandbox", "verify", "intents-100.yaml", "--snapshot", "account.json", "--format", "json", "--output", "v100.json"], cwd, ENV);
const v1000 = measure([BIN, "--sandbox", "verify", "intents-1000.yaml", "--snapshot", "account.json", "--format", "json", "--output", "v1000.json"], cwd, ENV);
// The bench times proven verdicts: every intent must hold (an unknown would have stopped early).
for (const f of ["v100.json", "v1000.json"]) {
  const { summary } = JSON.parse(readFileSync(path.join(cwd, f), "utf8")) as { summary: { intents: number; holds: number } };
  if (summary.intents === 0 || summary.holds !== summary.intents) throw new Error(`${f}: ${JSON.stringify(summary)} — the bench must time proven paths, every intent holding`);
}
const counts = `${(doc.vpcs as unknown[]).length} VPCs / ${(doc.subnets as unknown[]).length} subnets / ${(doc.networkInterfaces as unknown[]).length} ENIs`;
console.log(`\nNode ${process.version}. Account: ${counts} (bench/lib.ts), read from one snapshot file by both commands.\n`);
console.log("| command | wall, CPU, peak RSS | against the audit |\n|---|---|---|");
console.log(`| \`audit --snapshot\` (all rules) | ${fmt(audit)} | 1.00 |`);
const vs = (m: Measure) => `${(m.cpuMs / audit.cpuMs).toFixed(2)} CPU, ${(m.wallMs / audit.wallMs).toFixed(2)} wall, ${(m.rssMb / audit.rssMb).toFixed(2)} RSS`;
console.log(`| \`verify\`, 100 intents × 40 sources (4,000 paths) | ${fmt(v100)} | ${vs(v100)} |`);
console.log(`| \`verify\`, 1,000 intents × 40 sources (40,000 paths) | ${fmt(v1000)} | ${vs(v1000)} |`);
// Linear in intents × sources: the 36,000 paths between the two runs, per path (reading and indexing the snapshot is the rest).
console.log(`\nPer path (the 36,000 between the two runs): ${(((v1000.cpuMs - v100.cpuMs) / 36_000) * 1000).toFixed(0)} µs CPU.`);
console.log(`1,000 intents within the audit's time and memory at this size: ${v1000.cpuMs <= audit.cpuMs && v1000.rssMb <= audit.rssMb ? "yes" : "no"}.`);
rmSync(cwd, { recursive: true, force: true });
