// A clock the tests drive (src/clock.ts): time stands still while anything is running and moves only
// when the process has nothing left to do but wait for it. Then it jumps to the earliest timer, fires
// it, and looks again. So a NAT gateway's 90 s, a poll's 2 s pause or a call's 20 ms latency pass in
// the order they are due, however slow the machine: no test races the wall clock.
//
// "Nothing left to do" is Node's own list of pending work (process.getActiveResourcesInfo): no file
// request, no queued setImmediate, no module loading. Real timers (a test's own setTimeout) do not hold
// it back.
import type { Clock } from "../src/clock.js";

interface Timer {
  due: number;
  seq: number;
  fn: () => void;
}

/**
 * Pending work that means "not idle yet": file-system and other requests, queued immediates, writes,
 * and a module being loaded (a lazy import() goes to tsx's loader thread through a MessagePort).
 */
const BUSY = /Req|Immediate|WriteWrap|ShutdownWrap|MessagePort/;

export class TestClock implements Clock {
  private t: number;
  private readonly start: number;
  private seq = 0;
  private timers: Timer[] = [];
  private pumping = false;

  constructor(start = Date.now()) {
    this.t = this.start = start;
  }

  now(): number {
    return this.t;
  }

  /** Milliseconds this clock has moved since it was made. */
  elapsed(): number {
    return this.t - this.start;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const timer: Timer = { due: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    this.pump();
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  /** Lets `ms` pass on this clock (everything due before then fires first, in order). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(resolve, ms));
  }

  private pump(): void {
    if (this.pumping || !this.timers.length) return;
    this.pumping = true;
    setImmediate(() => this.step());
  }

  private step(): void {
    this.pumping = false;
    if (!this.timers.length) return;
    if (process.getActiveResourcesInfo().some((r) => BUSY.test(r))) {
      // something is still in flight (a plan being written): look again in a moment
      this.pumping = true;
      setTimeout(() => this.step(), 1);
      return;
    }
    let next = this.timers[0]!;
    for (const x of this.timers) if (x.due < next.due || (x.due === next.due && x.seq < next.seq)) next = x;
    this.timers = this.timers.filter((x) => x !== next);
    this.t = Math.max(this.t, next.due);
    next.fn();
    this.pump();
  }
}
