// The handler contract: what an emulated operation sees (OpContext) and the types that key every handler
// table by the SDK's own commands. `Ops<"ec2">` maps "CreateNatGateway" to
// (ctx: OpContext<CreateNatGatewayCommandInput>) => CreateNatGatewayCommandOutput without $metadata, so an
// unknown operation, a misspelt input field or a wrong output shape is a compile error.
// Type-only imports: no client is loaded at run time by the sandbox.
import type * as EC2 from "@aws-sdk/client-ec2";
import type * as IAM from "@aws-sdk/client-iam";
import type * as Lambda from "@aws-sdk/client-lambda";
import type * as Lattice from "@aws-sdk/client-vpc-lattice";
import type * as SSM from "@aws-sdk/client-ssm";
import type * as RAM from "@aws-sdk/client-ram";
import type * as STS from "@aws-sdk/client-sts";
import type { RegionState, SandboxState } from "./model.js";

/** The emulated services, by the name `plugSandbox(client, sandbox, service)` takes, and their SDK client packages. */
interface Clients {
  ec2: typeof EC2;
  iam: typeof IAM;
  lambda: typeof Lambda;
  "vpc-lattice": typeof Lattice;
  ssm: typeof SSM;
  ram: typeof RAM;
  sts: typeof STS;
}
export type ServiceName = keyof Clients;

type Ctor<T> = abstract new (...args: never[]) => T;
/** The operations a service's SDK client has: every exported `<Op>Command` class. */
export type OperationName<S extends ServiceName> = {
  [C in keyof Clients[S]]: C extends `${infer Op}Command` ? (Clients[S][C] extends Ctor<{ input: unknown; resolveMiddleware: unknown }> ? Op : never) : never;
}[keyof Clients[S]];
type CommandOf<S extends ServiceName, Op extends string> = Clients[S] extends infer M
  ? `${Op}Command` extends keyof M
    ? M[`${Op}Command`] extends Ctor<infer T> ? T : never
    : never
  : never;
/** `<Op>CommandInput` of the service's SDK client. */
export type InputOf<S extends ServiceName, Op extends string> = CommandOf<S, Op> extends { input: infer I } ? I : never;
/** `<Op>CommandOutput` of the service's SDK client, without `$metadata` (plugSandbox adds it). */
export type OutputOf<S extends ServiceName, Op extends string> =
  CommandOf<S, Op> extends { resolveMiddleware(...a: never[]): (...b: never[]) => Promise<{ output: infer O }> } ? Omit<O, "$metadata"> : never;

export interface Timing {
  natCreateMs: number;
  natDeleteMs: number;
  consistencyDelayMs: number;
}

/**
 * An input no one operation owns: what helpers shared by several operations read by field name
 * (Filters, MaxResults, NextToken, TagSpecifications…). A handler's own context is typed by its command;
 * it is assignable to this one, so it can be handed to such a helper. The contract's one loosely typed value.
 */
export type LooseInput = Record<string, any>;

/** What an operation handler sees. */
export interface OpContext<I = LooseInput> {
  service: string;
  operation: string;
  region: string;
  rs: RegionState;
  state: SandboxState;
  input: I;
  now: number;
  accountId: string;
  timing: Timing;
  /** Marks the call as having applied a change (counted, persisted, may trigger crashAfter). */
  mutated(): void;
  /** Throws DryRunOperation when DryRun is set; call it after validation, before any effect. */
  dry(): void;
}

/** One operation's handler, typed by the SDK's command: `OpHandler<"ec2", "CreateNatGateway">`. */
export type OpHandler<S extends ServiceName, Op extends OperationName<S>> = (ctx: OpContext<InputOf<S, Op>>) => OutputOf<S, Op>;

/**
 * The output with every enum widened to `string` (Dates, arrays, nesting and field names kept). For a handler
 * whose output is built from stored records (model.ts types their State/Type fields `string`, as the state
 * file holds them): field names and structure are checked, enum values are not.
 */
export type Wide<T> = T extends Date
  ? T
  : T extends readonly (infer U)[]
    ? Wide<U>[]
    : T extends object
      ? { [K in keyof T]: Wide<T[K]> }
      : T extends string
        ? string
        : T;

/** A handler whose output comes from stored records: `OpHandler` with enums widened (see Wide). */
export type RecordOpHandler<S extends ServiceName, Op extends OperationName<S>> = (ctx: OpContext<InputOf<S, Op>>) => Wide<OutputOf<S, Op>>;

/**
 * One handler serving two operations of the same shape (AuthorizeSecurityGroupIngress/Egress): the union of
 * their inputs in, an output valid for both out.
 */
export type SharedOpHandler<S extends ServiceName, A extends OperationName<S>, B extends OperationName<S>> = (
  ctx: OpContext<InputOf<S, A> | InputOf<S, B>>,
) => OutputOf<S, A> & OutputOf<S, B>;

/**
 * A service's handler table: operation name → handler (only the operations the sandbox emulates). An unknown
 * operation name is a compile error; each handler is checked against its own command where it is declared
 * (`const CreateVpc: OpHandler<"ec2", "CreateVpc"> = …`), the table accepting the record-built form too.
 */
export type Ops<S extends ServiceName> = { [Op in OperationName<S>]?: OpHandler<S, Op> | RecordOpHandler<S, Op> };

/** A handler with its types erased, as the registry stores and calls it (the call's input is the SDK's, as sent). */
export type Handler = (ctx: OpContext) => object;
