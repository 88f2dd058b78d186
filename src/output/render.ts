// What the commands' human renderers share (pure: data in, text out): tables that fit the terminal,
// the subnet order, the dry-run lines. Each renderer sits beside its command (src/commands/<name>.ts,
// `renderX(result: XResult, …)`), typed by the command's result type, which is also its --json document.
import Table from "cli-table3";
import type { Colors } from "./color.js";
import { byText } from "../order.js";

export type C = Colors;

export interface RenderOptions {
  /** Width of the terminal the text goes to (process.stdout.columns); undefined when not a terminal. */
  columns?: number;
  /** "egress-cli" with the invocation's backend flags (src/output/invocation.ts), for "Next: …" hints. */
  cli?: string;
}

// ---------- shared by the commands' renderers (each beside its command, typed by its result) ----------

/** A printed value: ids and counts may be missing in a dry run or an older plan. */
export type Text = string | number | null | undefined;

export interface SubnetRow {
  subnetId: Text;
  tier?: Text;
  az?: Text;
  cidr?: Text;
}

export interface DryRunPart {
  dryRun: boolean;
  steps?: Record<string, string>;
  dryRunChecks?: unknown;
}

const ANSI = /\u001b\[[0-9;]*m/g;
const visible = (s: string) => s.replace(ANSI, "").length;

/**
 * Column widths (padding included) that fit `columns`: the widest columns give way first, down to
 * 8; undefined when the natural widths fit (or there is no terminal width).
 */
export function fitColumns(natural: number[], columns: number | undefined): number[] | undefined {
  const total = (w: number[]) => w.reduce((a, b) => a + b, 0) + w.length + 1; // + borders
  if (!columns || total(natural) <= columns) return undefined;
  const w = [...natural];
  while (total(w) > columns) {
    const i = w.indexOf(Math.max(...w));
    if (w[i] <= 8) break;
    w[i]--;
  }
  return w;
}

export function table(head: string[], rows: (string | number | null | undefined)[][], o: RenderOptions = {}): string {
  const cells = rows.map((r) => r.map((x) => (x === null || x === undefined ? "-" : String(x))));
  const natural = head.map((h, i) => Math.max(visible(h), ...cells.map((r) => Math.max(...String(r[i] ?? "").split("\n").map(visible)))) + 2);
  const fit = fitColumns(natural, o.columns);
  const t = new Table({
    head,
    style: { head: [], border: [], compact: true },
    chars: { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" },
    // Values that do not fit wrap (ids break across lines) rather than being cut off.
    ...(fit ? { colWidths: fit, wordWrap: true, wrapOnWordBoundary: false } : {}),
  });
  for (const r of cells) t.push(r);
  return t.toString();
}

/** Public subnets first, then private; by AZ, then CIDR. */
export function bySubnetOrder(a: SubnetRow, b: SubnetRow): number {
  return (a.tier === "public" ? 0 : 1) - (b.tier === "public" ? 0 : 1) || byText(String(a.az), String(b.az)) || byText(String(a.cidr), String(b.cidr));
}

export function stepSummary(steps: Record<string, string>): string {
  const counts: Record<string, number> = {};
  for (const o of Object.values(steps)) counts[o] = (counts[o] ?? 0) + 1;
  return Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(", ") || "nothing to do";
}

export function dryRunLines(c: C, r: { dryRun: boolean; steps?: Record<string, string>; dryRunChecks?: unknown }): string[] {
  if (!r.dryRun) return [];
  const checks = (r.dryRunChecks ?? []) as Array<{ step: string; result: string; detail?: string }>;
  const lines = [c.bold("Dry run — nothing was changed."), ""];
  for (const [step, outcome] of Object.entries(r.steps ?? {})) {
    const chk = checks.find((x) => x.step === step);
    const mark = outcome === "would-skip" ? c.dim("exists      ") : c.yellow("would create");
    lines.push(`  ${mark} ${step}${chk ? c.dim(`  [permission: ${chk.result}${chk.detail ? `, ${chk.detail}` : ""}]`) : ""}`);
  }
  return lines;
}

/** "kind id (step)"; settings without an id of their own (a VPC attribute) are named by their step alone. */
export function describeResource(r: { step: string; kind: string; id?: string | null }): string {
  return r.id ? `${r.kind} ${r.id} (${r.step})` : `${r.kind} ${r.step}`;
}


