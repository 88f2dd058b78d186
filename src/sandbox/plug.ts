// The middleware that puts the sandbox below an SDK v3 client (instead of HTTP).
import { randomUUID } from "node:crypto";
import type { Sandbox } from "./sandbox.js";

/**
 * Plugs the sandbox below an SDK v3 client: a finalizeRequest middleware (after the retry middleware, so
 * throttling and 5xx go through the SDK's real retry strategy) that answers the command without any HTTP.
 */
export function plugSandbox(client: { middlewareStack: any; config: any }, sandbox: Sandbox, service: string): void {
  client.middlewareStack.add(
    (_next: any, context: any) => async (args: any) => {
      const operation = String(context.commandName ?? "").replace(/Command$/, "");
      const r = client.config.region;
      const region = typeof r === "function" ? await r() : r;
      const result = await sandbox.call(service, operation, args.input ?? {}, region);
      return {
        output: { ...result, $metadata: { httpStatusCode: 200, requestId: randomUUID(), attempts: 1, totalRetryDelay: 0 } },
        response: { statusCode: 200, headers: {}, body: undefined },
      };
    },
    { step: "finalizeRequest", priority: "low", name: "egressSandbox", override: true },
  );
}
