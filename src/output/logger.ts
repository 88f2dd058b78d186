// Progress and diagnostics for humans, always on stderr (stdout carries only results, so
// `egress-cli ... --json | jq` works). Spinners only on an interactive stderr outside CI.
import { Chalk, type ChalkInstance } from "chalk";

export interface Spinner {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

export interface Logger {
  readonly color: ChalkInstance;
  info(message: string): void;
  success(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  spin(text: string): Spinner;
}

export interface LoggerOptions {
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  color: boolean;
  verbose: boolean;
  interactive: boolean;
  quiet?: boolean;
}

export async function createLogger(opts: LoggerOptions): Promise<Logger> {
  const color = new Chalk({ level: opts.color ? 1 : 0 });
  const write = (s: string) => opts.stderr.write(s + "\n");
  const ora = opts.interactive ? (await import("ora")).default : undefined;
  const active = new Set<{ stop(): void }>();
  return {
    color,
    info: (m) => !opts.quiet && write(m),
    success: (m) => !opts.quiet && write(`${color.green("✔")} ${m}`),
    warn: (m) => write(`${color.yellow("warning:")} ${m}`),
    error: (m) => write(`${color.red("error:")} ${m}`),
    debug: (m) => opts.verbose && write(color.dim(`[debug] ${m}`)),
    spin(text) {
      if (ora) {
        const s = ora({ text, stream: opts.stderr as NodeJS.WritableStream, color: "cyan" }).start();
        active.add(s);
        return {
          update: (t) => (s.text = t),
          succeed: (t) => (active.delete(s), s.succeed(t ?? s.text)),
          fail: (t) => (active.delete(s), s.fail(t ?? s.text)),
          stop: () => (active.delete(s), s.stop()),
        };
      }
      // Not a TTY: one line at the end, no animation.
      return {
        update: () => {},
        succeed: (t) => !opts.quiet && write(`${color.green("✔")} ${t ?? text}`),
        fail: (t) => write(`${color.red("✖")} ${t ?? text}`),
        stop: () => {},
      };
    },
  };
}
