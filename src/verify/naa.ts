// placeholder, replaced by the NAA subset (issue 23 item 4)
import type { IntentResult, VerifyResult } from "./evaluate.js";
export interface NaaScope { matchPaths: unknown[]; excludePaths: unknown[] }
export function parseNaaScope(_text: string): { ok: true; value: NaaScope } | { ok: false; problems: string[] } {
  return { ok: false, problems: ["not implemented yet"] };
}
export function evaluateNaaScope(_ix: unknown, _s: NaaScope): Omit<VerifyResult, "intents"> & { intents: Array<IntentResult & { line: number; from: string[]; to: string[]; ports: number[] }> } {
  throw new Error("not implemented");
}
