// The middleware that puts the sandbox below an SDK v3 client (instead of HTTP).
import { randomUUID } from "node:crypto";
import type { Sandbox } from "./sandbox.js";

/**
 * Plugs the sandbox below an SDK v3 client: a finalizeRequest middleware that answers the command without
 * any HTTP. After the retry middleware, so throttling and 5xx go through the SDK's real retry strategy;
 * before the signing one, which only hashes a request no endpoint will check (SigV4: a canonical request,
 * a SHA-256 of the body and four HMACs a call).
 */
export function plugSandbox(client: { middlewareStack: any; config: any }, sandbox: Sandbox, service: string): void {
  client.middlewareStack.addRelativeTo(
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
    { relation: "before", toMiddleware: "httpSigningMiddleware", name: "egressSandbox", override: true },
  );
}
