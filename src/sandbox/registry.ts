// The handler registry: service → operation → handler. Tables are typed by the SDK (handler.ts) where they
// are declared; here they are stored with their types erased, and an operation is registered once only.
import type { Handler, Ops, ServiceName } from "./handler.js";

const SERVICES = new Map<string, Map<string, Handler>>();
/** Handlers whose every answer is built anew by the call (see freshOutputs). */
const FRESH = new WeakSet<object>();

/**
 * Adds a service's operations (services.ts registers every table at load). Registering an operation the
 * service already has throws: a later table never silently replaces an earlier one's handler.
 */
export function registerService<S extends ServiceName>(service: S, ops: Ops<S>): void {
  const table = SERVICES.get(service) ?? new Map<string, Handler>();
  const entries = Object.entries(ops) as Array<[string, unknown]>;
  const dup = entries.filter(([op]) => table.has(op)).map(([op]) => op);
  if (dup.length) throw new Error(`sandbox: ${service} ${dup.join(", ")} registered twice (one handler per operation)`);
  // the one erasure: each handler was checked against its own command's types in its table
  for (const [op, h] of entries) if (typeof h === "function") table.set(op, h as Handler);
  SERVICES.set(service, table);
}

/** An emulated operation's handler (the emulated Reachability Analyzer reads the region through them). */
export function handlerFor(service: string, operation: string): Handler | undefined {
  return SERVICES.get(service)?.get(operation);
}

/** Whether the sandbox emulates a service at all. */
export function hasService(service: string): boolean {
  return SERVICES.has(service);
}

/** Operations the emulator implements, per service (for docs and `sandbox show`). */
export function implementedOperations(): Record<string, string[]> {
  return Object.fromEntries([...SERVICES].map(([s, ops]) => [s, [...ops.keys()].sort()]));
}

/**
 * Declares handlers whose output is built anew on every call — every object and array in it made by their
 * views, none of them a piece of the state — so a read answers it as it is, without the deep copy that
 * keeps callers from holding pieces of the state (test/sandbox-fresh.test.ts checks them on a varied
 * account). A handler that may hand out a stored object or array is not declared.
 */
export function freshOutputs(...handlers: object[]): void {
  for (const h of handlers) FRESH.add(h);
}

/** Whether a handler was declared by freshOutputs. */
export function isFreshOutput(handler: object): boolean {
  return FRESH.has(handler);
}
