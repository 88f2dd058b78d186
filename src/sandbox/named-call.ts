// An operation named at run time (`sandbox call ec2 DescribeVpcs '{…}'`), sent through an SDK client
// the sandbox is plugged into (plugSandbox): the client's own middleware stack runs — its retry
// strategy (the sandbox's injected throttling and 5xx), --verbose's log — and the sandbox answers it
// in its finalizeRequest middleware with the journal, persistence, faults and crash injection of any
// call. The SDK's serializer, deserializer and auth-scheme middleware are left out: they need the
// command class's schema, which the built CLI carries only for the operations egress-cli itself uses,
// and they only shape the HTTP request that the sandbox never needs. (Signing stays in the stack: the
// sandbox answers before it, plugSandbox, so it never runs.)

/** The smithy key under which a command's context carries its service and operation. */
const SMITHY_CONTEXT_KEY = "__smithy_context";
const HTTP_ONLY = ["serializerMiddleware", "deserializerMiddleware", "httpAuthSchemeMiddleware"];

interface StackClient {
  middlewareStack: unknown;
  config: unknown;
  send(command: never, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
}

/** Sends `operation` with `input` through `client` (which must be plugged into a sandbox) and returns its output, `$metadata` removed. */
export async function sendNamed(client: StackClient, clientName: string, operation: string, input: Record<string, unknown>, abortSignal?: AbortSignal): Promise<Record<string, unknown>> {
  const command = {
    input,
    middlewareStack: undefined,
    resolveMiddleware(clientStack: any, config: any, options: any) {
      const stack = clientStack.clone();
      for (const name of HTTP_ONLY) stack.remove(name);
      return stack.resolve((req: { request: unknown }) => config.requestHandler.handle(req.request, options), {
        logger: config.logger,
        clientName,
        commandName: `${operation}Command`,
        [SMITHY_CONTEXT_KEY]: { commandInstance: command, operation },
      });
    },
  };
  const out = (await client.send(command as never, abortSignal ? { abortSignal } : undefined)) as Record<string, unknown>;
  const { $metadata: _, ...rest } = out;
  return rest;
}
