// The built executable's start-up (bin/egress-cli → dist/boot.cjs → dist/egress-cli.cjs): turns on a V8
// compile cache, then runs the bundled CLI. Compiling JavaScript is most of a command's start-up (the
// bundle and the SDK clients it requires, about 4 MB of source: 0.3 s of CPU a run); with the cache a
// run deserialises last run's code instead (bench/scale.ts: `--sandbox status` CPU ÷ 3).
// The cache is ours on every Node, not Node's own (module.enableCompileCache, Node >= 22.1): Node makes
// its entry when a file is compiled, before it runs, so the entry holds only the code V8 compiles eagerly
// (the file's top level), and every function the command then calls is compiled again each run
// (Node 24.22, `--sandbox status`: 145 ms of CPU with Node's cache, 107 ms with this one; docs/CONVENTIONS.md).
// It keeps only egress-cli's own bundles (dist/**/*.cjs: CommonJS, no import()); anything else is
// compiled by Node as usual (with Node's own cache when NODE_COMPILE_CACHE turns it on).
// Any problem with the cache (unwritable directory, rejected data) only means compiling as usual.
// V8 puts in cached data only the functions compiled so far, and the bundle holds every command, so
// entries are per command: a run reads the entry of its own command (named in argv, looked up before
// the CLI has parsed it) and writes it at exit when it had none, and again at the exit of the command's
// next runs until REFRESH_RUNS have written it: each entry then holds what those runs compiled together
// (the first run alone, `status --offline`, would leave out the code of the paths it did not take, and
// every later run would compile that code again). One entry for all commands would grow
// to hold every command's code, and each run would deserialise all of it (status paid ~6 ms for the
// code of the commands run before it).
import Module, { createRequire } from "node:module";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { isAscii } from "node:buffer";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { cacheRoot } from "./cache-root.js";

/** dist/: the bundles the cache keeps (boot.cjs, egress-cli.cjs and dist/sdk/*.cjs) are here. */
const DIST = path.dirname(fileURLToPath(import.meta.url));
/** The CLI bundle: its entries name the commands that have one (guessCommand). */
const BUNDLE = path.join(DIST, "egress-cli.cjs");

/** The executable's entry: the cache first, then the CLI (dist/egress-cli.cjs, next to dist/boot.cjs). */
export function start(): Promise<void> {
  if (process.env.EGRESS_DEBUG) process.setSourceMapsEnabled(true);
  const cache = enableCompileCache();
  const cli = createRequire(import.meta.url)(BUNDLE) as typeof import("./cli.js");
  return cli.main({ onCommand: (name) => cache?.ran(name) });
}

/** One of egress-cli's own bundles (a .cjs file under dist/): CommonJS and ASCII by construction. */
const ours = (filename: string) => filename.startsWith(DIST + path.sep) && filename.endsWith(".cjs");

const DYNAMIC_IMPORT = /(?:^|[^\w$.])import\s*\(/;

type CompileFn = (this: any, content: string, filename: string, ...rest: unknown[]) => unknown;

/** What the CLI tells the cache: the command this run is (none for --help, --version, usage errors). */
export interface CompileCache {
  ran(command: string): void;
}

export function enableCompileCache(env: Record<string, string | undefined> = process.env, argv = process.argv.slice(2)): CompileCache | undefined {
  if (env.EGRESS_NO_COMPILE_CACHE || env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const root = cacheRoot();
  if (!root) return undefined;
  const dir = cacheDir(root);
  if (!dir) return undefined;
  const proto = (Module as any).prototype as { _compile: CompileFn };
  const compile = proto._compile;
  const extensions = (Module as any)._extensions as Record<string, (this: unknown, mod: { _compile: CompileFn }, filename: string) => unknown>;
  const loadJs = extensions[".js"]!;
  // Node reads a CommonJS file as UTF-8 (`.cjs` goes through the `.js` loader); our bundles are ASCII
  // (esbuild escapes everything else), so each is read as bytes and made a one-byte string without the
  // UTF-8 decode: ~1.4 ms of `--sandbox status`, whose bundles are 2.2 MB. Anything else is Node's.
  extensions[".js"] = function (mod, filename) {
    if (!ours(filename)) return loadJs.call(this, mod, filename);
    const bytes = readFileSync(filename);
    return mod._compile(isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8"), filename, "commonjs");
  };
  /** The command's entry name once the CLI has said which it is; until then, argv's best guess. */
  let command: string | undefined;
  const guessed = guessCommand(argv, path.join(dir, entryOf(BUNDLE)));
  /** Files compiled this run: their entry (without the command), version, whether it came from the cache. */
  const compiled: Array<{ entry: string; hash: string; from: string | undefined; runs: number; script: vm.Script }> = [];
  proto._compile = function (content: string, filename: string, ...rest: unknown[]) {
    // only our bundles (CommonJS by construction); anything else, e.g. an ES module required on Node >= 22
    // (the third argument says which format), is Node's to compile
    if (!ours(filename)) return compile.call(this, content, filename, ...rest);
    // import() in a script restored from cached data has no loader: such files compile as usual
    // (the bundles have none: esbuild turns them into require; the SDK's CommonJS build has none).
    const entry = path.join(dir, entryOf(filename));
    // which version of the file: its size, mtime and inode (hashing 4 MB of source each run costs more)
    const hash = version(filename, content);
    const name = command ?? guessed;
    const hit = name === undefined ? undefined : read(`${entry}.${name}`, hash);
    const cached = hit?.data;
    // (an entry is only ever written for a file without import(), so a hit needs no second look)
    if (!cached && DYNAMIC_IMPORT.test(content)) return compile.call(this, content, filename, ...rest);
    let script: vm.Script;
    try {
      script = new vm.Script((Module as any).wrap(content), { filename, cachedData: cached });
    } catch {
      return compile.call(this, content, filename, ...rest); // let Node report the syntax error its own way
    }
    compiled.push({ entry, hash, from: cached && !script.cachedDataRejected ? name : undefined, runs: hit?.runs ?? 0, script });
    const fn = script.runInThisContext({ displayErrors: true }) as (...a: unknown[]) => unknown;
    const mod = this;
    const require = Object.assign((id: string) => mod.require(id), {
      resolve: (request: string, options?: { paths?: string[] }) => (Module as any)._resolveFilename(request, mod, false, options),
      main: process.mainModule,
      cache: (Module as any)._cache,
      extensions: (Module as any)._extensions,
    });
    return fn.call(mod.exports, mod.exports, require, mod, filename, path.dirname(filename));
  };
  // written once the command is done (the code compiled lazily while it ran is then in the cache too)
  process.once("exit", () => {
    // a run that never reached its command (`status --help`, a usage error) is not that command's
    // code: kept only as the no-command entry, and only when argv named no command that has one
    if (command === undefined && guessed !== undefined && guessed !== NO_COMMAND) return;
    const name = command ?? NO_COMMAND;
    const stale = compiled.filter((c) => c.from !== name || c.runs < REFRESH_RUNS);
    for (const c of stale) save(`${c.entry}.${name}`, c.hash, c.from === name ? c.runs + 1 : 1, c.script.createCachedData());
    if (stale.length) prune(dir);
  });
  return {
    ran(name) {
      command = entryName(name);
    },
  };
}

/** Entry name of a run with no command (--help, --version, a usage error). */
const NO_COMMAND = "_";

/** "sandbox init" → "sandbox+init" (a file name). */
const entryName = (command: string) => (command ? command.replace(/ /g, "+") : NO_COMMAND);

/** A file's entry name, without the command: a digest of its path. */
const entryOf = (filename: string) => digest(filename);

/**
 * 28 hex characters from two 53-bit string hashes (cyrb53), not node:crypto: loading crypto costs a
 * run that needs it for nothing else (--help) ~3 ms, and these names only tell files and their versions
 * apart in a directory only this user can write (a collision means a rejected or rewritten entry: the
 * header names the file's size, mtime and inode, and V8 checks the source length and its own version).
 */
function digest(text: string): string {
  const half = (seed: number) => {
    let h1 = 0xdeadbeef ^ seed;
    let h2 = 0x41c6ce57 ^ seed;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, "0");
  };
  return half(1) + half(2);
}

/** Length of an entry's header: the digest naming the file's version, then how many runs wrote it (one digit). */
const HEADER = 28;

/** Runs of a command that write its entry (each adds what it compiled to what the ones before did). */
const REFRESH_RUNS = 3;

/**
 * The command argv names, among those the CLI bundle has an entry for (`bundle` = the entry's path
 * without the command): the first word (or pair of words, for `sandbox init`) that is the name of one;
 * no command when argv holds no word at all (--help). A look per word of argv (the cache directory holds
 * every file's entries, of every build: reading it all cost a run ~4 ms once it held thousands).
 * A wrong guess (an option's value spelt like a command) only means another command's cached code.
 */
function guessCommand(argv: string[], bundle: string): string | undefined {
  if (argv.every((a) => a.startsWith("-"))) return NO_COMMAND;
  const has = (name: string) => /^[\w+-]+$/.test(name) && existsSync(`${bundle}.${name}`);
  // first the words that are not right after an option (`--profile audit status` is status), then all
  // (`--sandbox status`: a flag that takes no value)
  const afterOption = new Set(argv.flatMap((a, i) => (a.startsWith("-") && !a.includes("=") && i + 1 < argv.length ? [i + 1] : [])));
  for (const skip of [true, false]) {
    for (let i = 0; i < argv.length; i++) {
      const word = argv[i]!;
      if (word.startsWith("-") || (skip && afterOption.has(i))) continue;
      const next = argv[i + 1];
      const pair = `${word}+${next}`;
      if (next !== undefined && !next.startsWith("-") && has(pair)) return pair;
      if (has(word)) return word;
    }
  }
  // a command not run yet: the shell's own code (what --help compiled) is still worth having
  return has(NO_COMMAND) ? NO_COMMAND : undefined;
}

/** An entry's cached data and how many runs wrote it, if it is of this version of the file (its header says which). */
function read(entry: string, hash: string): { data: Buffer; runs: number } | undefined {
  try {
    const raw = readFileSync(entry);
    const runs = raw[HEADER]! - 0x30;
    return raw.subarray(0, HEADER).toString("latin1") === hash && runs >= 1 && runs <= 9 ? { data: raw.subarray(HEADER + 1), runs } : undefined;
  } catch {
    return undefined;
  }
}

/** HEADER characters naming this version of a file (the cache entry's header). */
function version(filename: string, content: string): string {
  try {
    const st = statSync(filename);
    return digest(`2:${st.size}:${st.mtimeMs}:${st.ino}:${content.length}`); // 2: entries say how many runs wrote them
  } catch {
    return digest(`2:${content}`);
  }
}


/** The cache's directory for this Node (V8's cached data is only good for the V8 that made it). */
function cacheDir(root: string): string | undefined {
  try {
    const dir = path.join(root, `${process.version}-${process.arch}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  } catch {
    return undefined;
  }
}

/** Entries not written for this long are deleted (a build's renamed SDK chunks leave theirs behind). */
const PRUNE_AFTER_MS = 30 * 24 * 3600_000;

/**
 * After a run wrote entries: deletes the ones older than PRUNE_AFTER_MS (one still in use is written
 * again by its next run), entries of the earlier one-per-file format (no command in the name),
 * temporary files older than an hour (a run killed while writing one), and the entries Node's own cache
 * wrote into <root>/node/ when Node >= 22.1 used it (before issue 24).
 */
function prune(dir: string): void {
  try {
    rmSync(path.join(path.dirname(dir), "node"), { recursive: true, force: true });
    const now = Date.now();
    for (const f of readdirSync(dir)) {
      const file = path.join(dir, f);
      const age = now - statSync(file).mtimeMs;
      if (!f.includes(".") || age > PRUNE_AFTER_MS || (f.endsWith(".tmp") && age > 3600_000)) rmSync(file, { force: true });
    }
  } catch {
    // another run pruning at the same time
  }
}

function save(entry: string, hash: string, runs: number, data: Buffer): void {
  const tmp = `${entry}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, "w", 0o600);
    try {
      writeSync(fd, `${hash}${Math.min(runs, 9)}`, null, "latin1");
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, entry); // whole or not at all: concurrent runs each write their own tmp file
  } catch {
    // no cache this time
  }
}
