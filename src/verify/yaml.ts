// The YAML subset intent files are written in (block mappings and sequences, flow sequences of
// scalars, plain / single- / double-quoted scalars, comments), with the line each node starts on,
// so a report can point at the line that declared an intent. Anything outside the subset (anchors,
// tags, multi-line scalars, flow mappings, several documents) is refused with its line, never
// guessed at. JSON is YAML too: a document starting with `{` or `[` is read with JSON.parse.
// Pure: text in, value out.

export class YamlError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

/** A parsed value and, for every mapping and sequence item, the 1-based line it starts on. */
export interface Parsed {
  value: unknown;
  /** JSON-pointer-like path ("/intents/3") → line. */
  lines: Map<string, number>;
}

interface Line {
  no: number;
  indent: number;
  text: string;
}

export function parseYaml(text: string): Parsed {
  const src = text.replace(/^\uFEFF/, "");
  if (/^\s*[[{]/.test(src)) return parseJsonWithLines(src);
  const lines: Line[] = [];
  src.split(/\r?\n/).forEach((raw, i) => {
    const no = i + 1;
    if (/\t/.test(raw.match(/^\s*/)![0])) throw new YamlError("a tab in the indentation (YAML indents with spaces)", no);
    const text = stripComment(raw, no).trimEnd();
    if (!text.trim()) return;
    if (/^(---|\.\.\.)\s*$/.test(text)) {
      if (lines.length) throw new YamlError("several YAML documents in one file: write one", no);
      return;
    }
    lines.push({ no, indent: text.length - text.trimStart().length, text: text.trimStart() });
  });
  const out = new Map<string, number>();
  if (!lines.length) return { value: null, lines: out };
  const p = { lines, i: 0, out };
  const value = parseNode(p, lines[0]!.indent, "");
  if (p.i < lines.length) throw new YamlError("unexpected indentation", lines[p.i]!.no);
  return { value, lines: out };
}

type P = { lines: Line[]; i: number; out: Map<string, number> };

function parseNode(p: P, indent: number, path: string): unknown {
  const first = p.lines[p.i]!;
  if (first.indent !== indent) throw new YamlError("unexpected indentation", first.no);
  p.out.set(path, first.no);
  return first.text.startsWith("- ") || first.text === "-" ? parseSeq(p, indent, path) : parseMap(p, indent, path);
}

function parseSeq(p: P, indent: number, path: string): unknown[] {
  const arr: unknown[] = [];
  while (p.i < p.lines.length) {
    const l = p.lines[p.i]!;
    if (l.indent < indent) break;
    if (l.indent > indent) throw new YamlError("unexpected indentation", l.no);
    if (!(l.text.startsWith("- ") || l.text === "-")) break;
    const itemPath = `${path}/${arr.length}`;
    p.out.set(itemPath, l.no);
    const rest = l.text === "-" ? "" : l.text.slice(2).trimStart();
    if (!rest) {
      p.i++;
      const next = p.lines[p.i];
      arr.push(next && next.indent > indent ? parseNode(p, next.indent, itemPath) : null);
    } else if (isKeyLine(rest)) {
      // "- key: value" opens a mapping whose keys sit at the column after "- ".
      const col = l.indent + (l.text.length - rest.length);
      p.lines[p.i] = { no: l.no, indent: col, text: rest };
      arr.push(parseMap(p, col, itemPath));
    } else {
      p.i++;
      arr.push(scalar(rest, l.no));
    }
  }
  return arr;
}

function parseMap(p: P, indent: number, path: string): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  while (p.i < p.lines.length) {
    const l = p.lines[p.i]!;
    if (l.indent < indent) break;
    if (l.indent > indent) throw new YamlError("unexpected indentation", l.no);
    const m = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^'"\s][^:]*?)\s*:(?:\s+(.*))?$/.exec(l.text);
    if (!m) throw new YamlError(`expected "key: value", got ${JSON.stringify(l.text)}`, l.no);
    const key = String(scalar(m[1]!, l.no));
    if (Object.hasOwn(obj, key)) throw new YamlError(`key "${key}" given twice`, l.no);
    const keyPath = `${path}/${key}`;
    p.out.set(keyPath, l.no);
    const rest = m[2]?.trim() ?? "";
    p.i++;
    if (rest) obj[key] = scalar(rest, l.no);
    else {
      const next = p.lines[p.i];
      // A sequence may sit at the key's own indentation ("key:\n- a").
      if (next && (next.indent > indent || (next.indent === indent && (next.text.startsWith("- ") || next.text === "-")))) obj[key] = parseNode(p, next.indent, keyPath);
      else obj[key] = null;
    }
  }
  return obj;
}

function isKeyLine(s: string): boolean {
  return /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^'"\s[{][^:]*?)\s*:(\s|$)/.test(s);
}

function stripComment(raw: string, no: number): string {
  let quote: string | null = null;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s[,]/.test(raw[i - 1]!))) quote = c; // an apostrophe inside a plain value opens nothing
    else if (c === "#" && (i === 0 || /\s/.test(raw[i - 1]!))) return raw.slice(0, i);
  }
  if (quote) throw new YamlError("unterminated quoted string (multi-line scalars are not supported)", no);
  return raw;
}

function scalar(s: string, no: number): unknown {
  if (s.startsWith("[")) {
    if (!s.endsWith("]")) throw new YamlError("a flow sequence must close on its line", no);
    const inner = s.slice(1, -1).trim();
    if (!inner) return [];
    return splitFlow(inner, no).map((x) => scalar(x.trim(), no));
  }
  if (s.startsWith('"')) {
    try {
      return JSON.parse(s);
    } catch {
      throw new YamlError(`bad double-quoted string ${s}`, no);
    }
  }
  if (s.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(s)) throw new YamlError(`bad single-quoted string ${s}`, no);
    return s.slice(1, -1).replace(/''/g, "'");
  }
  if (/^[&*!{|>%@`]/.test(s)) throw new YamlError(`"${s[0]}" (anchors, aliases, tags, flow mappings, block scalars) is outside the YAML subset intent files use`, no);
  if (/^(null|~)$/.test(s)) return null;
  if (/^(true|false)$/.test(s)) return s === "true";
  if (/^-?(0|[1-9]\d*)$/.test(s)) return Number(s);
  if (/^-?(0|[1-9]\d*)\.\d+$/.test(s)) return Number(s);
  if (/:\s/.test(s)) throw new YamlError(`":" followed by a space inside a plain value: quote it (${JSON.stringify(s)})`, no);
  return s;
}

function splitFlow(s: string, no: number): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | null = null;
  for (const c of s) {
    if (quote) {
      cur += c;
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
      cur += c;
    } else if (c === "[" || c === "{") throw new YamlError("nested flow collections are outside the YAML subset", no);
    else if (c === ",") {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** JSON with the line of every array item and key (for SARIF locations). */
function parseJsonWithLines(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new YamlError(`not valid JSON: ${(err as Error).message}`, 1);
  }
  const lines = new Map<string, number>();
  jsonArrayItemLines(text, "intents").forEach((line, n) => lines.set(`/intents/${n}`, line));
  return { value, lines };
}

/** The line of each item of the JSON array under `"key": [` (the first such key), found by scanning the text. */
export function jsonArrayItemLines(text: string, key: string): number[] {
  const out: number[] = [];
  const start = text.search(new RegExp(`"${key}"\\s*:\\s*\\[`));
  if (start < 0) return out;
  let depth = 0;
  let inStr = false;
  for (let i = text.indexOf("[", start) + 1; i < text.length; i++) {
    const c = text[i]!;
    if (inStr) {
      if (c === "\\") i++;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === "{" || c === "[") {
      if (depth === 0) out.push(lineAt(text, i));
      depth++;
    } else if (c === "}" || c === "]") {
      if (depth === 0) break;
      depth--;
    }
  }
  return out;
}

function lineAt(text: string, i: number): number {
  let n = 1;
  for (let k = 0; k < i; k++) if (text.charCodeAt(k) === 10) n++;
  return n;
}
