// The embedded AWS emulator ("sandbox"): an account persisted to JSON, answered below the SDK v3 clients by a middleware.
// The public entry: what src/ and test/ import. The parts, by concern:
//   handler.ts   the handler contract (OpContext, Ops<S> typed by the SDK's XCommandInput/XCommandOutput)
//   registry.ts  service → operation → handler (a duplicate registration throws); services.ts registers every table
//   faults.ts    EGRESS_SANDBOX_FAULTS / EGRESS_SANDBOX_LATENCY parsing and the seeded RNG
//   store.ts, segments.ts, lazy.ts, tracker.ts  persistence (state file, journal, lock)
//   inventory.ts `sandbox show` and tagged resources
//   plug.ts      the SDK middleware; sandbox.ts the Sandbox class
export { Sandbox, type SandboxOpenOptions } from "./sandbox.js";
export { plugSandbox } from "./plug.js";
export { parseFaults, parseLatency, type FaultConfig } from "./faults.js";
export { handlerFor, registerService, implementedOperations } from "./registry.js";
export { SandboxError, SandboxCrash } from "./errors.js";
export type { CallRecord, SandboxState, RegionState } from "./model.js";
export type { OpContext, Handler, OpHandler, Ops, InputOf, OutputOf, OperationName, ServiceName } from "./handler.js";
// building blocks for other emulated services (Lambda ENIs, analyzers) that live in src/sandbox
export { awsError } from "./errors.js";
export { newId, REGIONS, zonesOf } from "./model.js";
export { get as getResource, allocPrivateIp, isVisible } from "./ec2-core.js";
export { defineIndex, lookup as lookupIndex } from "./indexes.js";
export { SandboxStateError } from "./store.js";
export { registerInventory, type SandboxSummary, type InventoryItem } from "./inventory.js";
