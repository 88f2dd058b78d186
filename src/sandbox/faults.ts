// Fault injection and latency: EGRESS_SANDBOX_FAULTS / EGRESS_SANDBOX_LATENCY parsing and the seeded RNG.

export interface FaultConfig {
  throttleRate: number;
  serverErrorRate: number;
  consistencyDelayMs: number;
  latencyMs: number;
  crashAfter?: number;
  crashMode: "kill" | "throw";
  seed: number;
  /** Describe* calls ignore tag:, tag-key and tag-value filters (emulators that do: tests of our client-side checks). */
  ignoreTagFilters?: boolean;
  /** Operations the caller's role may not call (EC2's UnauthorizedOperation, 403): a least-privilege role's. */
  deny?: string[];
}

/** mulberry32: a small seeded PRNG so fault sequences are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Parses EGRESS_SANDBOX_FAULTS ("throttleRate=0.3,crashAfter=7,crashMode=kill,seed=1"). */
export function parseFaults(spec: string | undefined): Partial<FaultConfig> {
  const out: Partial<FaultConfig> = {};
  if (!spec) return out;
  for (const part of spec.split(",").map((s) => s.trim()).filter(Boolean)) {
    const [k, v] = part.split("=").map((s) => s.trim());
    switch (k) {
      case "throttleRate":
      case "serverErrorRate":
      case "consistencyDelayMs":
      case "latencyMs":
      case "crashAfter":
      case "seed": {
        const n = Number(v);
        if (!Number.isFinite(n)) throw new Error(`EGRESS_SANDBOX_FAULTS: ${k} must be a number, got '${v}'`);
        out[k] = n;
        break;
      }
      case "ignoreTagFilters":
        if (v !== "true" && v !== "false" && v !== "1" && v !== "0") throw new Error(`EGRESS_SANDBOX_FAULTS: ignoreTagFilters must be true or false, got '${v}'`);
        out.ignoreTagFilters = v === "true" || v === "1";
        break;
      case "deny":
        // operations joined by "+": deny=DescribeTags+DescribeVpcs
        if (!v || !/^[A-Z][A-Za-z0-9]*(\+[A-Z][A-Za-z0-9]*)*$/.test(v)) throw new Error(`EGRESS_SANDBOX_FAULTS: deny must name operations joined by +, got '${v}'`);
        out.deny = v.split("+");
        break;
      case "crashMode":
        if (v !== "kill" && v !== "throw") throw new Error(`EGRESS_SANDBOX_FAULTS: crashMode must be kill or throw, got '${v}'`);
        out.crashMode = v;
        break;
      default:
        throw new Error(`EGRESS_SANDBOX_FAULTS: unknown key '${k}'`);
    }
  }
  return out;
}

/** Parses EGRESS_SANDBOX_LATENCY ("none", "realistic" or "realistic:0.01"). */
export function parseLatency(spec: string | undefined): { latency?: "none" | "realistic"; timeScale?: number } {
  if (!spec) return {};
  const [mode, scale] = spec.split(":");
  if (mode !== "none" && mode !== "realistic") throw new Error(`EGRESS_SANDBOX_LATENCY: expected none or realistic[:scale], got '${spec}'`);
  const out: { latency?: "none" | "realistic"; timeScale?: number } = { latency: mode };
  if (scale !== undefined) {
    const n = Number(scale);
    if (!(n >= 0)) throw new Error(`EGRESS_SANDBOX_LATENCY: bad time scale '${scale}'`);
    out.timeScale = n;
  }
  return out;
}
