// The static egress addresses a vendor allowlist needs (S1): every public address of the NAT gateways
// (zonal and regional, with the AZ each serves), and every Elastic IP a workload's proven path leaves
// from; which workloads leave through each is the analyzer's answer (the internet gateway hop's public
// address on each workload's path to the internet), never a guess from names or tags. Also the
// allowlist file formats `egress-ips` writes and `--check` reads back, and their difference. Pure.
import { analyzePath, type PathResult } from "./analyzer.js";
import { addressAz, isRegionalNat } from "./nat.js";
import type { SnapshotIndex } from "./snapshot-index.js";
import { byText } from "../order.js";

export interface EgressWorkload {
  /** lambda:NAME, i-…, as analyze-path's --from takes it. */
  source: string;
  kind: "lambda" | "instance" | "proxy";
  subnetId: string;
  availabilityZone?: string;
}

export interface EgressAddress {
  publicIp: string;
  allocationId?: string;
  /** nat-… for a NAT gateway's address; the instance or interface an Elastic IP is on otherwise. */
  via: string;
  kind: "nat-gateway" | "regional-nat-gateway" | "elastic-ip";
  /** The AZ whose traffic leaves from it (a regional NAT gateway: per address; zonal: its subnet's). */
  availabilityZone?: string;
  vpcId?: string;
  region: string;
  accountId: string;
  /** The NAT gateway's state, or the address's status on a regional NAT gateway, when not ready. */
  state?: string;
  workloads: EgressWorkload[];
}

export interface EgressIpsResult {
  addresses: EgressAddress[];
  /** Workloads whose proven path leaves from a public address that is not an Elastic IP (it changes). */
  notStatic: Array<EgressWorkload & { publicIp: string; vpcId: string }>;
  /** Workloads with no proven path to the internet (the verdict, and why). */
  noEgress: Array<EgressWorkload & { vpcId: string; verdict: string; reason: string }>;
}

const live = (s: string | undefined) => ["available", "pending"].includes(s ?? "available");

/** The workloads of the VPCs: Lambda functions (each subnet) and running instances (proxies named as such). */
export function workloadsOf(ix: SnapshotIndex, vpcIds: Set<string>): Array<EgressWorkload & { vpcId: string }> {
  const out: Array<EgressWorkload & { vpcId: string }> = [];
  for (const fn of ix.snapshot.lambdaFunctions ?? []) {
    const subnets = fn.VpcConfig?.SubnetIds ?? [];
    const vpcId = fn.VpcConfig?.VpcId ?? ix.subnets.get(subnets[0] ?? "")?.VpcId;
    if (!vpcId || !vpcIds.has(vpcId)) continue;
    for (const s of subnets) out.push({ source: `lambda:${fn.FunctionName}`, kind: "lambda", subnetId: s, availabilityZone: ix.subnets.get(s)?.AvailabilityZone, vpcId });
  }
  for (const i of ix.instances.values()) {
    if (!i.VpcId || !vpcIds.has(i.VpcId) || !["running", "pending"].includes(i.State?.Name ?? "running") || !i.SubnetId) continue;
    const step = i.Tags?.find((t) => t.Key === "egress-cli:step")?.Value ?? "";
    out.push({ source: i.InstanceId, kind: /^proxy\//.test(step) ? "proxy" : "instance", subnetId: i.SubnetId, availabilityZone: ix.subnets.get(i.SubnetId)?.AvailabilityZone, vpcId: i.VpcId });
  }
  return out;
}

/** The internet gateway hop's public address on one path (the analyzer's own answer), if it was proven. */
function egressIpOf(r: Pick<PathResult, "verdict" | "hops">): string | undefined {
  if (r.verdict !== "reachable") return undefined;
  return [...r.hops].reverse().find((h) => h.publicIp)?.publicIp;
}

export function egressIps(ix: SnapshotIndex, opts: { vpcIds?: string[] } = {}): EgressIpsResult {
  const vpcIds = new Set(opts.vpcIds ?? [...ix.vpcs.keys()]);
  const region = ix.snapshot.region;
  const accountId = ix.snapshot.accountId;
  const byIp = new Map<string, EgressAddress>();
  for (const nat of [...ix.natGateways.values()].sort((a, b) => (a.NatGatewayId < b.NatGatewayId ? -1 : 1))) {
    if (!nat.VpcId || !vpcIds.has(nat.VpcId) || !live(nat.State) || (nat.ConnectivityType ?? "public") !== "public") continue;
    for (const a of nat.NatGatewayAddresses) {
      if (!a.PublicIp || ["failed", "unassigning", "disassociating"].includes(a.Status ?? "")) continue;
      const notReady = nat.State === "pending" ? "pending" : a.Status && a.Status !== "succeeded" ? a.Status : undefined;
      byIp.set(a.PublicIp, {
        publicIp: a.PublicIp,
        ...(a.AllocationId ? { allocationId: a.AllocationId } : {}),
        via: nat.NatGatewayId,
        kind: isRegionalNat(nat) ? "regional-nat-gateway" : "nat-gateway",
        availabilityZone: addressAz(ix, nat, a),
        vpcId: nat.VpcId,
        region,
        accountId,
        ...(notReady ? { state: notReady } : {}),
        workloads: [],
      });
    }
  }
  const eips = new Map(ix.snapshot.addresses.filter((a) => a.PublicIp).map((a) => [a.PublicIp!, a]));
  const out: EgressIpsResult = { addresses: [], notStatic: [], noEgress: [] };
  const results = new Map<string, PathResult>();
  const pathOf = (w: EgressWorkload): Pick<PathResult, "verdict" | "hops" | "explanations" | "unknownReasons"> => {
    let r = results.get(w.source);
    if (!r) results.set(w.source, (r = analyzePath(ix, { source: w.source, destination: "internet", port: 443 })));
    // A function may run in any of its subnets: each subnet's path is its own (the analyzer's paths[]).
    // (a subnet's path starts at the function's hyperplane interface there, else at the subnet itself)
    return r.paths?.find((p) => p.source.id === w.subnetId || ix.networkInterfaces.get(p.source.id)?.SubnetId === w.subnetId) ?? r;
  };
  for (const w of workloadsOf(ix, vpcIds)) {
    const r = pathOf(w);
    const { vpcId, ...workload } = w;
    const ip = egressIpOf(r);
    if (!ip) {
      const e = r.explanations[0];
      out.noEgress.push({ ...workload, vpcId, verdict: r.verdict, reason: e ? `${e.code} at ${e.component.id}: ${e.detail}` : r.unknownReasons.map((u) => u.detail).join("; ") || "no path" });
      continue;
    }
    let entry = byIp.get(ip);
    const eip = eips.get(ip);
    if (!entry && eip) {
      entry = { publicIp: ip, ...(eip.AllocationId ? { allocationId: eip.AllocationId } : {}), via: eip.InstanceId ?? eip.NetworkInterfaceId ?? w.source, kind: "elastic-ip", availabilityZone: w.availabilityZone, vpcId, region, accountId, workloads: [] };
      byIp.set(ip, entry);
    }
    if (entry) entry.workloads.push(workload);
    else out.notStatic.push({ ...workload, vpcId, publicIp: ip });
  }
  out.addresses = [...byIp.values()].sort((a, b) => byText(a.vpcId ?? "", b.vpcId ?? "") || byText(a.availabilityZone ?? "", b.availabilityZone ?? "") || byText(a.publicIp, b.publicIp));
  const key = (w: EgressWorkload) => `${w.source} ${w.availabilityZone ?? ""} ${w.subnetId}`;
  for (const a of out.addresses) a.workloads.sort((x, y) => byText(key(x), key(y)));
  return out;
}

// --- The allowlist files: what `egress-ips --format …` writes, what `--check FILE` reads. ---

export const CSV_HEADER = "public_ip,allocation_id,via,kind,availability_zone,vpc_id,region,account_id,workloads";

export function toCsv(addresses: EgressAddress[]): string {
  const q = (v: string | undefined) => (v === undefined ? "" : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const rows = addresses.map((a) => [a.publicIp, a.allocationId, a.via, a.kind, a.availabilityZone, a.vpcId, a.region, a.accountId, [...new Set(a.workloads.map((w) => w.source))].join(" ")].map(q).join(","));
  return [CSV_HEADER, ...rows].join("\n") + "\n";
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * The public IPv4 addresses of an allowlist file: egress-ips's JSON (`addresses[].publicIp`), a JSON
 * array of addresses (strings, or objects with `publicIp`), its CSV (the `public_ip` column), or text
 * (the first word of each line; `#` comments and blank lines skipped; `/32` accepted). Anything else
 * is a problem, named with its line: an allowlist that cannot be read must not pass the check.
 */
export function parseAllowlist(text: string): { ips: string[]; problems: string[] } {
  const problems: string[] = [];
  const ips: string[] = [];
  const take = (v: unknown, where: string) => {
    const s = typeof v === "string" ? v.replace(/\/32$/, "") : undefined;
    if (s && IPV4.test(s)) ips.push(s);
    else problems.push(`${where}: ${JSON.stringify(v)} is not an IPv4 address`);
  };
  const trimmed = text.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch (err) {
      return { ips: [], problems: [`not valid JSON: ${(err as Error).message}`] };
    }
    const list = Array.isArray(doc) ? doc : (doc as { addresses?: unknown }).addresses;
    if (!Array.isArray(list)) return { ips: [], problems: ["a JSON allowlist is an array, or egress-ips's document with addresses[]"] };
    list.forEach((x, i) => take(typeof x === "object" && x ? (x as { publicIp?: unknown }).publicIp : x, `entry ${i + 1}`));
    return { ips: [...new Set(ips)].sort(), problems };
  }
  const lines = text.split(/\r?\n/);
  const csv = lines[0]?.trim().toLowerCase().startsWith("public_ip");
  lines.forEach((line, i) => {
    if (csv && i === 0) return;
    const l = line.trim();
    if (!l || l.startsWith("#")) return;
    take(csv ? l.split(",")[0]!.replace(/^"|"$/g, "") : l.split(/\s+/)[0], `line ${i + 1}`);
  });
  return { ips: [...new Set(ips)].sort(), problems };
}

/** What changed against a committed list: live addresses it lacks, and listed ones no longer live. */
export function allowlistDiff(live: string[], listed: string[]): { added: string[]; removed: string[] } {
  const l = new Set(live);
  const f = new Set(listed);
  return { added: [...l].filter((x) => !f.has(x)).sort(), removed: [...f].filter((x) => !l.has(x)).sort() };
}
