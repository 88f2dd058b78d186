// How the per-service interfaces (ec2-api.ts, iam-api.ts, lambda-api.ts, lattice-api.ts) are built
// over an SDK client: one operation = one command class sent through the client (so the retry
// strategy, --verbose, --endpoint-url and the sandbox all apply); a paginated read = every page
// of the SDK's paginator, flattened. One interface per client, built on first use.
import type { AwsClients } from "./clients.js";

/** One operation: its input and output are the SDK's. */
export type Call<I, O> = (input: I) => Promise<O>;
/** Every page of a paginated read, flattened to its items. */
export type All<I, T> = (input: I) => Promise<T[]>;

interface Sends {
  send(command: never): Promise<unknown>;
}

/** Builders for the operations of one client. */
export function over<C extends Sends>(client: C) {
  return {
    call:
      <I, O>(Command: new (input: never) => unknown): Call<I, O> =>
      (input) =>
        client.send(new Command(input as never) as never) as Promise<O>,
    all:
      <I, P, T>(paginate: (config: { client: C }, input: I) => AsyncIterable<P>, items: (page: P) => T[] | undefined): All<I, T> =>
      async (input) => {
        const out: T[] = [];
        for await (const page of paginate({ client }, input)) out.push(...(items(page) ?? []));
        return out;
      },
  };
}

/** `build` once per client (the clients are cached per context already). */
export function perClient<C extends object, A>(build: (client: C) => A): (client: C) => A {
  const built = new WeakMap<C, A>();
  return (client) => {
    let api = built.get(client);
    if (!api) built.set(client, (api = build(client)));
    return api;
  };
}

/** What the interfaces are asked of: a context, or a step run (which carries one). */
export type HasContext = { aws(): Promise<AwsClients> } | { ctx: { aws(): Promise<AwsClients> } };
export const awsOf = (c: HasContext): Promise<AwsClients> => ("aws" in c ? c.aws() : c.ctx.aws());
