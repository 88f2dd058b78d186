// The one writer behind every --out/--output option. A report file may be a new path or an
// existing regular file — never the plan, its lock, the sandbox state (or their siblings such as
// `.lock`/`.corrupt`), a symlink, a device or a FIFO: `snapshot --out egress-plan.json` once
// replaced the plan, and `--out /dev/…` replaced a device node with a regular file. Identity is
// compared by inode and by real path, not by the string given. The write is atomic (temp file in
// the same folder + fsync + rename), so a reader never sees half a report.
import { lstat, realpath, stat, statfs } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../errors.js";
import { fileTarget, writeFileAtomic } from "../atomic-file.js";

export interface OutputFileContext {
  cwd: string;
  planPath: string;
  sandboxFile: string;
}

/** statfs types of Linux pseudo file systems: proc, sysfs, debugfs, tracefs, securityfs, cgroup, cgroup2, devpts, configfs. */
const PSEUDO_FILE_SYSTEMS = new Set([0x9fa0, 0x62656572, 0x64626720, 0x74726163, 0x73636673, 0x27e0eb, 0x63677270, 0x1cd1, 0x62656570]);

/** Files an output option must never overwrite: the plan and the sandbox state, with their siblings. */
function guarded(ctx: OutputFileContext): { file: string; what: string }[] {
  return [
    { file: ctx.planPath, what: "the plan file" },
    { file: ctx.sandboxFile, what: "the sandbox state file" },
  ];
}

async function realOrResolved(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch {
    // Not there (yet): resolve its folder, so `./x/../egress-plan.json` still matches.
    try {
      return path.join(await realpath(path.dirname(p)), path.basename(p));
    } catch {
      return path.resolve(p);
    }
  }
}

/** A guarded file or one of its siblings (`<name>.lock`, `<name>.corrupt`, …) at this real path? */
function sameOrSibling(candidate: string, guardedReal: string): boolean {
  return candidate === guardedReal || (path.dirname(candidate) === path.dirname(guardedReal) && path.basename(candidate).startsWith(path.basename(guardedReal) + "."));
}

/**
 * Words that name an output format, not a file: `audit --output json` (the AWS CLI's `--output` is a
 * format) once wrote a text report to a file named `json`. A path (a slash, or an extension) is a file.
 */
const FORMAT_WORDS: Record<string, string> = { json: "json", sarif: "sarif", junit: "junit", xml: "junit", markdown: "markdown", md: "markdown", text: "text", txt: "text", table: "text", csv: "", tsv: "", yaml: "", yml: "", html: "", mermaid: "mermaid", dot: "dot" };

/** The command's format option, for the hint: `{ flag: "--format", names: ["text", "json", …] }`; none: the output has one format. */
export interface FormatOption {
  flag: string;
  names: readonly string[];
}

function refuseFormatWord(option: string, file: string, formats: FormatOption | undefined): void {
  const word = file.trim().toLowerCase();
  if (!Object.hasOwn(FORMAT_WORDS, word)) return;
  const format = formats?.names.includes(FORMAT_WORDS[word]!) ? FORMAT_WORDS[word] : formats?.names.includes(word) ? word : undefined;
  const hint = format ? `did you mean ${formats!.flag} ${format}?` : formats ? `the formats are ${formats.names.join(", ")} (${formats.flag}).` : "this command writes one format; pass a file name.";
  throw new UsageError(`${option} ${file} names a format, not a file: ${hint} (a file by that name: ${option} ./${file})`, undefined, "OutputFileRefused");
}

/**
 * Checks an output path before any work is done; returns its absolute path. Throws UsageError
 * (exit 2) naming the option and the path for a format name instead of a path (`--output json`),
 * and for anything but a new file in an existing folder or an existing regular file that is not
 * the plan, its lock or the sandbox state.
 */
export async function checkOutputFile(ctx: OutputFileContext, option: string, file: string, formats?: FormatOption): Promise<string> {
  if (file.trim() === "") throw new UsageError(`${option} needs a file name, got an empty string.`, undefined, "OutputFileRefused");
  refuseFormatWord(option, file, formats);
  const full = path.resolve(ctx.cwd, file);
  const refuse = (why: string) => new UsageError(`${option} ${full}: ${why} — refusing to write there.`, `pass ${option} with a new file name`, "OutputFileRefused");
  let info: import("node:fs").Stats | undefined;
  try {
    info = await lstat(full);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOTDIR") throw refuse("a part of the path is not a folder");
    if (code !== "ENOENT") throw refuse(`cannot be inspected (${code})`);
  }
  if (info) {
    if (info.isSymbolicLink()) throw refuse("is a symbolic link (its target would be replaced)");
    if (info.isDirectory()) throw refuse("is a directory");
    if (!info.isFile()) throw refuse("is not a regular file (a device, FIFO or socket)");
  } else {
    let dir: import("node:fs").Stats;
    try {
      dir = await stat(path.dirname(full));
    } catch {
      throw refuse(`the folder ${path.dirname(full)} does not exist`);
    }
    if (!dir.isDirectory()) throw refuse(`${path.dirname(full)} is not a folder`);
  }
  // /proc/self/mem, /sys/…: regular files on paper, kernel interfaces in fact (a write fails or does harm).
  const fs = await statfs(path.dirname(full)).catch(() => undefined);
  if (fs && PSEUDO_FILE_SYSTEMS.has(fs.type)) throw refuse("is on a kernel pseudo file system (/proc, /sys, …), not a file to hold a report");
  const real = await realOrResolved(full);
  for (const g of guarded(ctx)) {
    const gReal = await realOrResolved(g.file);
    if (sameOrSibling(real, gReal)) throw refuse(`is ${g.what}${real === gReal ? "" : " or one of its companion files"}`);
    // Hard links and bind mounts: the same inode under another name.
    const gInfo = await stat(g.file).catch(() => undefined);
    if (info && gInfo && gInfo.ino === info.ino && gInfo.dev === info.dev) throw refuse(`is ${g.what} (the same file under another name)`);
  }
  return full;
}

/**
 * Checks again (the path may have changed since) and writes `text` atomically. Returns the absolute path.
 * `text` may be chunks (a large document, `jsonChunks`): written one by one to a temporary file beside
 * the target, fsynced and renamed into place, so the whole document is never one string in memory.
 */
export async function writeOutputFile(ctx: OutputFileContext, option: string, file: string, text: string | Iterable<string>, formats?: FormatOption): Promise<string> {
  const full = await checkOutputFile(ctx, option, file, formats);
  try {
    await writeFileAtomic(await fileTarget(full), text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EACCES" || code === "EPERM" || code === "EROFS") throw new UsageError(`${option} ${full}: cannot write there (${code}).`, "check the folder's permissions", "OutputFileRefused");
    throw err;
  }
  return full;
}

/**
 * Writes chunks of a large document to a stream (stdout) in 64 KB writes, waiting for "drain" when the
 * stream asks: a write per line is a system call per line, and the whole document as one string is what
 * chunks avoid. Returns the last non-empty chunk written (callers check how the document ended).
 */
export async function writeChunks(stream: NodeJS.WritableStream, chunks: Iterable<string>): Promise<string> {
  let buf = "";
  let last = "";
  const flush = async () => {
    if (buf && !stream.write(buf)) await new Promise<void>((r) => stream.once("drain", () => r()));
    buf = "";
  };
  for (const chunk of chunks) {
    if (!chunk) continue;
    last = chunk;
    buf += chunk;
    if (buf.length >= 1 << 16) await flush();
  }
  await flush();
  return last;
}

/**
 * `JSON.stringify(value, null, 2) + "\n"`, byte for byte, as chunks: objects and arrays down to `depth`
 * levels one member at a time (what lies deeper is one JSON.stringify each), so a large document (a
 * snapshot; an audit report's findings at depth 1, a SARIF log's results at depth 3) is never one string.
 */
export function* jsonChunks(value: unknown, depth = 2): Generator<string> {
  yield* chunksOf(toJson(value, ""), "", depth);
  yield "\n";
}

/** What JSON.stringify serialises in place of `v` (its toJSON's answer). */
function toJson(v: unknown, key: string): unknown {
  return v !== null && typeof v === "object" && typeof (v as { toJSON?: unknown }).toJSON === "function" ? (v as { toJSON(k: string): unknown }).toJSON(key) : v;
}

const omitted = (v: unknown) => v === undefined || typeof v === "function" || typeof v === "symbol";

function* chunksOf(v: unknown, indent: string, depth: number): Generator<string> {
  const container = v !== null && typeof v === "object" && (Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
  if (!container || depth <= 0) {
    yield (JSON.stringify(v, null, 2) ?? "null").replace(/\n/g, `\n${indent}`);
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (!v.length) return void (yield "[]");
    yield "[\n";
    for (let i = 0; i < v.length; i++) {
      const el = toJson(v[i], String(i));
      yield inner;
      if (omitted(el)) yield "null";
      else yield* chunksOf(el, inner, depth - 1);
      yield i < v.length - 1 ? ",\n" : "\n";
    }
    return void (yield `${indent}]`);
  }
  const members: [string, unknown][] = [];
  for (const k of Object.keys(v as object)) {
    const m = toJson((v as Record<string, unknown>)[k], k);
    if (!omitted(m)) members.push([k, m]);
  }
  if (!members.length) return void (yield "{}");
  yield "{\n";
  for (const [i, [k, m]] of members.entries()) {
    yield `${inner}${JSON.stringify(k)}: `;
    yield* chunksOf(m, inner, depth - 1);
    yield i < members.length - 1 ? ",\n" : "\n";
  }
  yield `${indent}}`;
}
