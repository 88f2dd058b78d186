// The handler registry: service → operation → handler. Tables are typed by the SDK (handler.ts) where they
// are declared; here they are stored with their types erased, and an operation is registered once only.
import type { Handler, Ops, ServiceName } from "./handler.js";

const SERVICES = new Map<string, Map<string, Handler>>();

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
