// The one atomic, durable file write (the plan, --output/--out reports): a temporary file beside the
// target, written, given the target's mode (and owner when root writes another user's file), fsynced,
// renamed over the target, then the folder fsynced (a rename is durable only once the directory entry
// is on disk). A reader or a crash sees the old file or the new one, never a torn one.
import { closeSync, fchmodSync, fchownSync, fsync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { promisify } from "node:util";

/** Where a file is written: the file a symlink names (the rename replaces the file, not the link), and the mode and owner it has. */
export interface FileTarget {
  real: string;
  mode?: number;
  owner?: { uid: number; gid: number };
}

/** Resolved once per file a command writes (a plan is written a dozen times a command). */
export async function fileTarget(path: string): Promise<FileTarget> {
  const real = await realpath(path).catch(() => path);
  const st = await stat(real).catch(() => undefined);
  // an existing file keeps its mode, and its owner when root writes another user's file
  const owner = st && process.getuid && (st.uid !== process.getuid() || st.gid !== process.getgid?.()) ? { uid: st.uid, gid: st.gid } : undefined;
  return { real, ...(st ? { mode: st.mode & 0o7777 } : {}), ...(owner ? { owner } : {}) };
}

let temporaries = 0;
const fsyncFd = promisify(fsync);

/**
 * Writes `text` (one string, or chunks of a large document: never joined into one string) to `target`.
 * The fsyncs wait on the disk and go to the thread pool; the rest are page-cache operations of
 * microseconds, made synchronously (an asynchronous one costs ~50 µs of hand-off each).
 */
export async function writeFileAtomic(target: FileTarget, text: string | Iterable<string>): Promise<void> {
  // pid, a counter and random bits: a kill -9 leaves its temporary behind, and pids repeat (pid 1 in every container)
  const tmp = `${target.real}.${process.pid.toString(36)}-${(++temporaries).toString(36)}-${Math.random().toString(36).slice(2, 10)}.tmp`;
  let made = false;
  try {
    const fd = openSync(tmp, "wx", target.mode ?? 0o666);
    made = true;
    try {
      if (typeof text === "string") writeAll(fd, text);
      else {
        let buf = "";
        for (const c of text) {
          buf += c;
          // 64 KB a write: a larger buffer's pieces outlive young-generation collections and are promoted
          if (buf.length >= 1 << 16) {
            writeAll(fd, buf);
            buf = "";
          }
        }
        if (buf) writeAll(fd, buf);
      }
      if (target.owner) {
        try {
          fchownSync(fd, target.owner.uid, target.owner.gid);
        } catch (err) {
          if (process.getuid?.() === 0) throw err; // only root must keep the owner
        }
      }
      if (target.mode !== undefined) fchmodSync(fd, target.mode); // open's mode goes through the umask
      await fsyncFd(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target.real);
  } catch (err) {
    try {
      if (made) unlinkSync(tmp); // only ours: never another writer's file of the same name
    } catch {
      // already renamed
    }
    throw err;
  }
  await fsyncDir(dirname(target.real));
}

/** writeSync may write less than asked (a full disk, a signal): the rest, until all is written. */
function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
}

async function fsyncDir(dir: string): Promise<void> {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    await fsyncFd(fd);
  } catch {
    // Not supported on every platform/file system (e.g. Windows); the rename already happened.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
