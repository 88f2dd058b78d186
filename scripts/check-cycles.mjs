#!/usr/bin/env node
// Layers point one way: fails when an import cycle spans two folders of src/.
// The import graph is read with the TypeScript compiler's own parser (already a dev dependency): static
// imports and re-exports, `import type`, dynamic `import()` and `import("…").T` type references all count,
// since a layer that reaches back up through any of them is a cycle in the design even when not at run time.
// Cycles are the strongly connected components of that graph (Tarjan). One whose files sit in two or more
// folders fails the check (exit 1) and is printed, with one concrete cycle through it. One inside a folder
// is listed in ALLOWED below with the reason it stays; an unlisted one is a warning (an error with --strict),
// so that a merge reshaping a folder's cycle does not break `npm test`, but the output says so.
// Usage: node scripts/check-cycles.mjs [--strict] [--all] [--src DIR] (--all: also print the allowed ones)
// Run by `npm test` before the tests. No dependency: the TypeScript compiler is already one.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// --src DIR checks another tree (the test gives it a small one with a cycle); ALLOWED applies to src/ only.
const srcArg = process.argv.indexOf("--src");
const src = srcArg > 0 ? path.resolve(process.argv[srcArg + 1]) : path.join(root, "src");

/** In-folder cycles kept on purpose: the component's files (sorted, space-separated) → why, in one line. */
const ALLOWED = new Map(srcArg > 0 ? [] : [
  ["analysis/path/crossings.ts analysis/path/gateways.ts analysis/path/privatelink.ts analysis/path/walk.ts",
    "one recursive walk split by concern: a path leaving a VPC by a gateway, peering, transit gateway or Resource endpoint continues with walk() beyond it; calls at run time only, none at load"],
  ["sandbox/ec2-peering.ts sandbox/ec2-transit.ts",
    "one feature, routes across VPCs: peering connections live in transit's store (its describe/str helpers), and transit's route functions give pcx- targets their state from peering; calls at run time only, none at load"],
]);

/**
 * A command and its spec (src/commands/X.spec.ts ↔ X.ts): the spec loads the command lazily (`import()`, so
 * --help loads no command body), the command takes its options type from the spec (`import type`). Allowed
 * for that pair shape only; the component may hold several such pairs of one command group (sandbox).
 */
function specPair(comp) {
  if (srcArg > 0) return undefined;
  const names = comp.map(rel);
  const ok = names.every((n) => /^commands\/[\w-]+(\.spec)?\.ts$/.test(n)) && names.some((n) => n.endsWith(".spec.ts"));
  return ok ? "a command and its spec: the spec loads the command lazily (import()), the command takes its options type from the spec (import type)" : undefined;
}

function walk(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

function specifiers(file) {
  const sf = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const specs = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specs.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      specs.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      specs.push(node.argument.literal.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      specs.push(node.moduleReference.expression.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return specs;
}

function resolve(from, spec) {
  if (!spec.startsWith(".")) return undefined; // packages and node: builtins are outside the graph
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base.replace(/\.js$/, ".ts"), base, `${base}.ts`, path.join(base, "index.ts")]) {
    if (c.endsWith(".ts") && fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  }
  return undefined;
}

const files = walk(src).sort();
const graph = new Map(files.map((f) => [f, [...new Set(specifiers(f).map((s) => resolve(f, s)).filter(Boolean))].sort()]));

// Tarjan's strongly connected components, iterative (no recursion limit on deep graphs).
function tarjan(graph) {
  let index = 0;
  const idx = new Map(), low = new Map(), onStack = new Set(), stack = [], sccs = [];
  for (const start of graph.keys()) {
    if (idx.has(start)) continue;
    const work = [[start, 0]];
    idx.set(start, index); low.set(start, index); index++; stack.push(start); onStack.add(start);
    while (work.length) {
      const frame = work[work.length - 1];
      const [v, i] = frame;
      const next = graph.get(v) ?? [];
      if (i < next.length) {
        frame[1]++;
        const w = next[i];
        if (!idx.has(w)) {
          idx.set(w, index); low.set(w, index); index++; stack.push(w); onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
        continue;
      }
      work.pop();
      if (work.length) { const u = work[work.length - 1][0]; low.set(u, Math.min(low.get(u), low.get(v))); }
      if (low.get(v) === idx.get(v)) {
        const comp = [];
        let w;
        do { w = stack.pop(); onStack.delete(w); comp.push(w); } while (w !== v);
        if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) sccs.push(comp.sort());
      }
    }
  }
  return sccs;
}

/** One concrete cycle through the component (BFS back to the first file), for the message. */
function exampleCycle(comp) {
  const inComp = new Set(comp);
  const start = comp[0];
  const prev = new Map([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const v = queue.shift();
    for (const w of graph.get(v) ?? []) {
      if (!inComp.has(w)) continue;
      if (w === start) {
        const pathBack = [];
        for (let x = v; x !== null; x = prev.get(x)) pathBack.unshift(x);
        return [...pathBack, start];
      }
      if (!prev.has(w)) { prev.set(w, v); queue.push(w); }
    }
  }
  return comp;
}

const rel = (f) => path.relative(src, f).split(path.sep).join("/");
const folder = (f) => path.posix.dirname(rel(f));
const showAll = process.argv.includes("--all");
const strict = process.argv.includes("--strict");
let failed = 0;
let warned = 0;
for (const comp of tarjan(graph)) {
  const folders = [...new Set(comp.map(folder))].sort();
  const key = comp.map(rel).join(" ");
  const cycle = exampleCycle(comp).map(rel).join(" → ");
  if (folders.length > 1) {
    failed++;
    console.error(`import cycle across folders ${folders.join(", ")} (${comp.length} files):\n  ${cycle}\n  files: ${key}`);
  } else if (!ALLOWED.has(key) && !specPair(comp)) {
    if (strict) failed++;
    else warned++;
    console.error(`${strict ? "" : "warning: "}import cycle inside ${folders[0]}/ not listed in scripts/check-cycles.mjs ALLOWED (break it, or list it with the reason):\n  ${cycle}\n  key: ${key}`);
  } else if (showAll) {
    console.log(`allowed: ${cycle}\n  why: ${ALLOWED.get(key) ?? specPair(comp)}`);
  }
}
const used = new Set(tarjan(graph).map((c) => c.map(rel).join(" ")));
for (const key of ALLOWED.keys()) {
  if (used.has(key)) continue;
  if (strict) failed++;
  else warned++;
  console.error(`${strict ? "" : "warning: "}scripts/check-cycles.mjs ALLOWED lists a cycle that no longer exists (remove it): ${key}`);
}
if (failed) {
  console.error(`check-cycles: ${failed} problem(s) in ${files.length} files under ${path.relative(root, src) || "."}/`);
  process.exit(1);
}
console.log(`check-cycles: no import cycle across folders (${files.length} files under ${path.relative(root, src) || "."}/; ${ALLOWED.size} in-folder cycles allowed${warned ? `, ${warned} warning(s)` : ""})`);
