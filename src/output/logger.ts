// Progress and diagnostics for humans, always on stderr (stdout carries only results, so
// `egress-cli ... --json | jq` works). On an interactive stderr outside CI, waits show in ONE
// progress display: a line per step in flight, each with its elapsed time and, where known, the
// usual duration of that wait (NAT gateways ~90 s). Concurrent steps (add-nat --mode per-az) get a
// line each instead of spinners fighting over one line. Log lines are printed above the display.
// The terminal stays in its normal mode (stdin is never put in raw mode), so Ctrl-C is the
// terminal's SIGINT as everywhere else: exit 130.
import { colors, type Colors } from "./color.js";

export interface Spinner {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

export interface SpinOptions {
  /** How long this kind of wait usually takes, shown next to the elapsed time. */
  usualMs?: number;
}

export interface Logger {
  readonly color: Colors;
  info(message: string): void;
  success(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  spin(text: string, opts?: SpinOptions): Spinner;
}

export interface LoggerOptions {
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  color: boolean;
  verbose: boolean;
  interactive: boolean;
  quiet?: boolean;
  /** Redraw interval of the progress display (tests may slow it down). */
  frameMs?: number;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** "12 s", "1 min 30 s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
}

/** One line of the display: "<frame> <text>  12 s (usually ~1 min 30 s)", cut to the terminal width. */
export function progressLine(frame: string, text: string, elapsedMs: number, usualMs: number | undefined, columns: number): string {
  const time = ` ${formatDuration(elapsedMs)}${usualMs ? ` (usually ~${formatDuration(usualMs)})` : ""}`;
  const room = Math.max(10, columns - 1 - frame.length - 1 - time.length);
  const cut = text.length > room ? text.slice(0, room - 1) + "…" : text;
  return `${frame} ${cut}${time}`;
}

interface Line {
  text: string;
  started: number;
  usualMs?: number;
}

/** The one progress display of a run: every active step's line, redrawn in place. */
class ProgressDisplay {
  private lines = new Set<Line>();
  private drawn = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: LoggerOptions["stderr"],
    private readonly color: Colors,
    private readonly frameMs: number,
  ) {}

  add(line: Line): void {
    this.lines.add(line);
    if (!this.timer) {
      this.out.write("\u001b[?25l"); // hide the cursor while drawing
      this.timer = setInterval(() => this.draw(), this.frameMs);
      this.timer.unref();
    }
    this.draw();
  }

  /** Removes a line; `final` (if any) is printed once, above what is still running. */
  remove(line: Line, final?: string): void {
    this.lines.delete(line);
    this.clear();
    if (final !== undefined) this.out.write(final + "\n");
    if (!this.lines.size && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.out.write("\u001b[?25h");
    }
    this.draw();
  }

  /** Prints a log line above the display. */
  print(s: string): void {
    this.clear();
    this.out.write(s + "\n");
    this.draw();
  }

  private clear(): void {
    if (this.drawn) this.out.write(`\u001b[${this.drawn}A\r\u001b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    this.clear();
    if (!this.lines.size) return;
    const columns = this.out.columns ?? 80;
    const f = this.color.cyan(FRAMES[this.frame++ % FRAMES.length]);
    const now = Date.now();
    const text = [...this.lines].map((l) => progressLine(f, l.text, now - l.started, l.usualMs, columns + (f.length - 1))).join("\n");
    this.out.write(text + "\n");
    this.drawn = this.lines.size;
  }
}

export async function createLogger(opts: LoggerOptions): Promise<Logger> {
  const color = colors(Boolean(opts.color));
  const display = opts.interactive ? new ProgressDisplay(opts.stderr, color, opts.frameMs ?? 100) : undefined;
  const write = (s: string) => (display ? display.print(s) : opts.stderr.write(s + "\n"));
  return {
    color,
    info: (m) => !opts.quiet && write(m),
    success: (m) => !opts.quiet && write(`${color.green("✔")} ${m}`),
    warn: (m) => write(`${color.yellow("warning:")} ${m}`),
    error: (m) => write(`${color.red("error:")} ${m}`),
    debug: (m) => opts.verbose && write(color.dim(`[debug] ${m}`)),
    spin(text, spinOpts = {}) {
      if (display) {
        const line: Line = { text, started: Date.now(), usualMs: spinOpts.usualMs };
        display.add(line);
        let done = false;
        const end = (final?: string) => {
          if (done) return;
          done = true;
          display.remove(line, final);
        };
        return {
          update: (t) => void (line.text = t),
          succeed: (t) => end(opts.quiet ? undefined : `${color.green("✔")} ${t ?? line.text}`),
          fail: (t) => end(`${color.red("✖")} ${t ?? line.text}`),
          stop: () => end(),
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
