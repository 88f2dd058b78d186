// egress-ips: every static egress address of the chosen VPCs (zonal and regional NAT gateways' Elastic IPs
// with the AZ each serves, Elastic IPs a workload leaves from) and which workloads leave through each, as the
// analyzer proves it on a fresh snapshot: the list a vendor allowlist needs (S1). --check FILE compares the
// live set with a committed list (any format this command writes) and exits 3 when they differ: a CI guard
// against an allowlist going stale. Read-only.
import path from "node:path";
import type { Context } from "../context.js";
import { ExitCode, UsageError } from "../errors.js";
import type { EgressAddress, EgressIpsResult } from "../analysis/egress-ips.js";
import type { Snapshot } from "../analysis/snapshot.js";
import type { Colors } from "../output/color.js";
import type { Options } from "./egress-ips.spec.js";

const FORMATS = ["text", "json", "csv"] as const;

export async function egressIpsCommand(ctx: Context, opts: Options): Promise<number> {
  const problems: string[] = [];
  // --format's values are the spec's choices (commander refuses others).
  const format: (typeof FORMATS)[number] = opts.format ?? (ctx.opts.json ? "json" : "text");
  if (ctx.opts.json && opts.format && format !== "json") problems.push(`--json and --format ${format} disagree; pass one of them.`);
  const scopeFlags = [opts.vpc?.length && "--vpc", ctx.opts.planGiven && "--plan", opts.allVpcs && "--all-vpcs"].filter(Boolean);
  if (scopeFlags.length > 1) problems.push(`${scopeFlags.join(" and ")} all choose the VPCs; pass one of them.`);
  if (opts.vpc?.length && opts.allRegions) problems.push("--vpc ids belong to one region; do not combine them with --all-regions.");
  if (ctx.opts.planGiven && opts.allRegions) problems.push("--plan's VPC is in the plan's region; do not combine it with --all-regions.");
  // The committed list is read first: one that cannot be read is bad input, found before any AWS call.
  let listed: string[] | undefined;
  if (opts.check !== undefined) {
    const { parseAllowlist } = await import("../analysis/egress-ips.js");
    const { readFile } = await import("node:fs/promises");
    const full = path.resolve(ctx.cwd, opts.check);
    try {
      const parsed = parseAllowlist(await readFile(full, "utf8"));
      if (parsed.problems.length) problems.push(`--check ${full}: ${parsed.problems.slice(0, 5).join("; ")}${parsed.problems.length > 5 ? ` (and ${parsed.problems.length - 5} more)` : ""}.`);
      listed = parsed.ips;
    } catch (err) {
      problems.push(`--check ${full} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
    }
  }
  if (problems.length) throw new UsageError(problems.length === 1 ? problems[0]! : `${problems.length} problems (nothing was read from AWS): ${problems.map((p, i) => `${i + 1}. ${p}`).join(" ")}`, "egress-ips [--vpc ID…|--plan|--all-vpcs] [--all-regions] [--format text|json|csv] [--check FILE]");
  if (ctx.opts.planGiven) {
    const { loadPlan } = await import("../plans/store.js");
    if (!(await loadPlan(ctx.planPath))) throw new UsageError(`--plan: ${ctx.planPath} does not exist.`, "pass --vpc ID or --all-vpcs");
  }
  const { resolveScope } = await import("./snapshot.js");
  const scope = await resolveScope(ctx, opts.vpc?.length ? { vpc: opts.vpc } : opts.allVpcs || opts.allRegions ? { allVpcs: true } : {});

  // One snapshot per region (the scope's VPCs, or every VPC of each region with --all-regions).
  const aws = await ctx.aws();
  let regions: (string | undefined)[] = [undefined];
  if (opts.allRegions) {
    const { ec2Api } = await import("../aws/ec2-api.js");
    regions = ((await ec2Api(await aws.ec2()).describeRegions({})).Regions ?? []).map((r) => r.RegionName!).filter(Boolean).sort();
  }
  const { collectSnapshot } = await import("../aws/snapshot.js");
  const { bounded } = await import("../dag.js");
  const spinner = ctx.log.spin(`Reading the egress of ${scope.vpcIds?.join(", ") ?? "every VPC"} in ${regions.length > 1 ? `${regions.length} regions` : aws.region}…`);
  let snaps: Snapshot[];
  try {
    snaps = await bounded(
      regions.map((region) => async () => collectSnapshot(region ? await ctx.awsFor({ region }) : aws, { vpcIds: scope.vpcIds }, { concurrency: ctx.concurrency })),
      Math.max(1, Math.min(ctx.concurrency, 8)),
    );
  } catch (err) {
    spinner.fail("Could not read the egress");
    throw err;
  }
  spinner.succeed(`Read ${snaps.reduce((n, s) => n + (s.vpcs?.length ?? 0), 0)} VPC(s) in ${snaps.length} region(s) (${scope.from})`);
  const { buildIndex } = await import("../analysis/snapshot-index.js");
  const { egressIps, allowlistDiff, toCsv } = await import("../analysis/egress-ips.js");
  const found: EgressIpsResult = { addresses: [], notStatic: [], noEgress: [] };
  const omitted: string[] = [];
  for (const snap of snaps) {
    const r = egressIps(buildIndex(snap), scope.vpcIds ? { vpcIds: scope.vpcIds } : {});
    found.addresses.push(...r.addresses);
    found.notStatic.push(...r.notStatic);
    found.noEgress.push(...r.noEgress);
    omitted.push(...(snap as { omitted?: Array<{ resource: string }> }).omitted?.map((o) => `${snap.region}: ${o.resource}`) ?? []);
  }
  if (omitted.length) ctx.log.warn(`egress-ips: not collected (the caller or endpoint cannot read them): ${omitted.join(", ")}; paths through them are unknown and their workloads listed without an address`);
  for (const w of found.noEgress) ctx.log.warn(`egress-ips: ${w.source} in ${w.subnetId} has no proven path to the internet (${w.verdict}): ${w.reason}`);
  for (const w of found.notStatic) ctx.log.warn(`egress-ips: ${w.source} in ${w.subnetId} leaves from ${w.publicIp}, which is not an Elastic IP: it changes when the instance stops (not a static egress address)`);

  const live = found.addresses.map((a) => a.publicIp);
  const check = listed ? { file: opts.check!, ...allowlistDiff(live, listed) } : undefined;
  const matches = check ? !check.added.length && !check.removed.length : undefined;
  const byIp = new Map(found.addresses.map((a) => [a.publicIp, a]));
  const result: EgressIpsResultDoc = {
    command: "egress-ips",
    scope: scope.from,
    regions: snaps.map((s) => s.region),
    accountId: snaps[0]?.accountId,
    addresses: found.addresses,
    notStatic: found.notStatic,
    noEgress: found.noEgress,
    ...(check ? { check: { file: check.file, matches: matches!, added: check.added.map((ip) => byIp.get(ip)!), removed: check.removed } } : {}),
  };
  if (format === "csv" && !check) ctx.print(toCsv(found.addresses));
  else if (format === "json") ctx.printJson(result);
  else ctx.emit(result, renderEgressIps);
  return matches === false ? ExitCode.findings : ExitCode.ok;
}

/** egress-ips's --json document. */
export interface EgressIpsResultDoc {
  command: "egress-ips";
  scope: string;
  regions: string[];
  accountId?: string;
  addresses: EgressAddress[];
  notStatic: EgressIpsResult["notStatic"];
  noEgress: EgressIpsResult["noEgress"];
  check?: { file: string; matches: boolean; added: EgressAddress[]; removed: string[] };
}

export function renderEgressIps(r: EgressIpsResultDoc, c: Colors): string {
  const out: string[] = [];
  const check = r.check;
  if (check) {
    if (check.matches) return c.green(`The live egress IPs match ${check.file} (${r.addresses.length} address(es)).`);
    out.push(c.red(`The live egress IPs differ from ${check.file}:`));
    for (const a of check.added) out.push(c.green(`+ ${a.publicIp}`) + `  live, not in the list: ${describe(a)}`);
    for (const ip of check.removed) out.push(c.red(`- ${ip}`) + "  in the list, no longer an egress address");
    out.push("", c.gray(`Update the vendors' allowlists, then the list: egress-cli egress-ips --format ${check.file.endsWith(".csv") ? "csv" : check.file.endsWith(".json") ? "json" : "text"} > ${check.file}`));
    return out.join("\n");
  }
  // One address a line, first; everything else a `#` comment: the text is an allowlist --check reads back.
  out.push(c.bold(`# Static egress IPs · ${r.accountId ?? "?"} · ${r.regions.join(", ")}`));
  if (!r.addresses.length) out.push("# none: no NAT gateway with an Elastic IP, and no workload leaving from one");
  for (const a of r.addresses) out.push(`${a.publicIp.padEnd(15)}  ${describe(a)}`);
  if (r.noEgress.length) out.push(c.yellow(`# Without a proven path to the internet: ${r.noEgress.map((w) => `${w.source} (${w.subnetId})`).join(", ")}`));
  return out.join("\n");
}

function describe(a: EgressAddress): string {
  const who = [...new Set(a.workloads.map((w) => w.source))];
  return `${a.allocationId ?? "-"}  ${a.kind === "regional-nat-gateway" ? "regional NAT" : a.kind === "nat-gateway" ? "NAT" : "Elastic IP on"} ${a.via}  ${a.availabilityZone ?? "?"}  ${a.vpcId ?? ""}${a.state ? `  (${a.state})` : ""}  ← ${who.length ? who.join(", ") : "no workload today"}`;
}
