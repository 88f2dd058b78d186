// The offline reachability analyzer: evaluates one path over a snapshot hop by hop, the way
// AWS Reachability Analyzer does (source SG egress → subnet NACL out → route table → target:
// IGW / NAT / NAT instance / egress-only IGW / endpoint / peering / local delivery → return
// path NACLs), and explains the first blocking component with Reachability Analyzer's
// explanation codes where one fits. Pure: plain data in, plain data out.
//
// This module is the entry (analyzePath and the public model); the walk lives in path/, one
// concern a module: model (component types, hops, explanation codes), resolve (source → senders,
// destination → target), enis (network interfaces and senders), filters (security groups, network
// ACLs), routing (route tables), walk (the forward walk and the return path), gateways (NAT, NAT
// instance, internet and egress-only gateways, gateway endpoints, leaving the VPC), crossings (VPC
// peering, transit gateways), privatelink (Resource endpoints), explain (why no egress: S5);
// internal holds the types they share.
import { UsageError } from "../errors.js";
import { buildIndex, type SnapshotIndex } from "./snapshot-index.js";
import type { Snapshot } from "./snapshot.js";
import { explainNoEgress } from "./path/explain.js";
import type { Ctx } from "./path/internal.js";
import { combineVerdicts, type PathQuery, type PathResult, type SourcePathResult, type UnknownReason, type Verdict } from "./path/model.js";
import { resolveSource, resolveTarget } from "./path/resolve.js";
import { checkReturnPath, walk } from "./path/walk.js";
import { INBOUND_SOURCES, walkInbound } from "./path/inbound.js";

export { buildIndex, type SnapshotIndex } from "./snapshot-index.js";
export {
  ADDITIONAL_DETAIL_CODES,
  ComponentType,
  EXPLANATION_CODES,
  type ComponentRef,
  type Explanation,
  type ExplanationCode,
  type Hop,
  type PathQuery,
  type PathResult,
  type SourcePathResult,
  type UnknownReason,
  type UnknownReasonCode,
  type Verdict,
  UNKNOWN_REASON_CODES,
  combineVerdicts,
} from "./path/model.js";

const indexCache = new WeakMap<Snapshot, SnapshotIndex>();

function indexOf(input: Snapshot | SnapshotIndex): SnapshotIndex {
  if ("eniByIp" in input && input.eniByIp instanceof Map) return input as SnapshotIndex;
  const snap = input as Snapshot;
  let ix = indexCache.get(snap);
  if (!ix) {
    ix = buildIndex(snap);
    indexCache.set(snap, ix);
  }
  return ix;
}

// ---------------------------------------------------------------------------------------------
// Public entry point

/**
 * Analyzes one path. Pass a SnapshotIndex (from buildIndex) to share indexes across queries;
 * a Snapshot is indexed once and cached per object. Throws UsageError for an unknown source or
 * destination.
 */
export function analyzePath(input: Snapshot | SnapshotIndex, query: PathQuery): PathResult {
  const ix = indexOf(input);
  const proto = query.protocol ?? "tcp";
  const port = query.port ?? 443;
  if (!["tcp", "udp", "icmp"].includes(proto)) throw new UsageError(`unsupported protocol "${proto}"`, "use tcp, udp or icmp");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`invalid port ${port}`, "ports are 0–65535");
  if (INBOUND_SOURCES.test(query.source)) return analyzeInbound(ix, query, proto, port);
  const { sourceRef, senders, notes } = resolveSource(ix, query.source);

  const results: SourcePathResult[] = senders.map((sender) => {
    const ctx: Ctx = {
      ix,
      proto,
      port,
      hops: [],
      explanations: [],
      details: [...notes.get(sender.ref.id)!],
      returns: [],
      crossings: [],
      visited: new Set(),
      unknowns: [],
    };
    const target = resolveTarget(ctx, sender, query.destination, query.ipVersion);
    const ok = walk(ctx, sender, target, 0) && checkReturnPath(ctx);
    const hint = ok ? undefined : explainNoEgress(ctx, sender, target);
    // A blocked path is unreachable whatever else was not evaluated; an unblocked one is proven only
    // when nothing on it was left unevaluated.
    return { source: sender.ref, ...(hint ? { hint } : {}), ...walkOutcome(ctx, ok) };
  });

  // The function may run in any of its subnets: one blocked subnet blocks it; else one unproven leaves it unknown.
  const verdict = combineVerdicts(results.map((r) => r.verdict));
  const primary = results.find((r) => r.verdict === "unreachable") ?? results.find((r) => r.verdict === "unknown") ?? results[0]!;
  const result: PathResult = {
    reachable: verdict === "reachable",
    verdict,
    unknownReasons: verdict === "unknown" ? dedupeReasons(results.flatMap((r) => r.unknownReasons)) : [],
    hops: primary.hops,
    explanations: primary.explanations,
    additionalDetails: dedupe(results.flatMap((r) => r.additionalDetails)),
    source: sourceRef,
    destination: query.destination,
    ...(primary.hint ? { hint: primary.hint } : {}),
  };
  if (results.length > 1) {
    result.paths = results;
    for (const r of results) {
      result.additionalDetails.push(
        `LAMBDA_SUBNET_RESULT: ${r.source.id}: ${r.verdict === "reachable" ? "reachable" : r.verdict === "unknown" ? `unknown (${r.unknownReasons.map((u) => u.code).join(", ")})` : `not reachable (${r.explanations[0]?.code ?? "?"} at ${r.explanations[0]?.component.id ?? "?"})`}`,
      );
    }
  }
  return result;
}

/** A connection opened from the internet (path/inbound.ts). */
function analyzeInbound(ix: SnapshotIndex, query: PathQuery, proto: Ctx["proto"], port: number): PathResult {
  const ctx: Ctx = { ix, proto, port, hops: [], explanations: [], details: [], returns: [], crossings: [], visited: new Set(), unknowns: [] };
  const { ok, sourceRef } = walkInbound(ctx, query.source, query.destination, query.ipVersion);
  return {
    ...walkOutcome(ctx, ok),
    source: sourceRef,
    destination: query.destination,
  };
}

/** One walk's verdict and evidence: reachable only when the walk got through and left nothing unevaluated. */
function walkOutcome(ctx: Ctx, ok: boolean) {
  const verdict: Verdict = !ok ? "unreachable" : ctx.unknowns.length ? "unknown" : "reachable";
  return {
    reachable: verdict === "reachable",
    verdict,
    unknownReasons: verdict === "unknown" ? ctx.unknowns : [],
    hops: ctx.hops,
    explanations: ctx.explanations,
    additionalDetails: dedupe(ctx.details),
  };
}

function dedupeReasons(rs: UnknownReason[]): UnknownReason[] {
  const seen = new Set<string>();
  return rs.filter((r) => {
    const k = `${r.code}|${r.component.id}|${r.detail}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}
