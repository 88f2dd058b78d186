// The proxies through Systems Manager (launch-proxy's check, proxy allow's reconfigure): wait until the
// SSM agent of each instance is registered and online, then run a shell script on them with Run Command
// (AWS-RunShellScript) and wait for each instance's result.
import type { Context } from "../context.js";
import { CliError, ExitCode } from "../errors.js";
import { errorCode } from "./errors.js";
import { waitWithSpinner } from "./wait.js";
import { ssmOf } from "./ssm-api.js";

/** How long the agent usually takes to register after boot, and a short command to finish. */
const USUAL_MS = { register: 60_000, command: 5_000 };

/** Waits until every instance is a managed instance with PingStatus Online (DescribeInstanceInformation). */
export async function waitRegistered(ctx: Context, instanceIds: string[]): Promise<void> {
  const ssm = await ssmOf(ctx);
  await waitWithSpinner(
    ctx,
    `${instanceIds.join(", ")} to register with Systems Manager`,
    async () => {
      const online = new Set<string>();
      for (const i of await ssm.describeInstanceInformation({ Filters: [{ Key: "InstanceIds", Values: instanceIds }] })) if (i.PingStatus === "Online") online.add(i.InstanceId!);
      const missing = instanceIds.filter((id) => !online.has(id));
      return missing.length ? { done: false, status: `not registered yet: ${missing.join(", ")}` } : { done: true };
    },
    () => `${instanceIds.join(", ")} registered with Systems Manager`,
    USUAL_MS.register,
  );
}

export interface CommandResult {
  instanceId: string;
  status: string;
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `commands` (AWS-RunShellScript) on the instances and waits for every instance's result. */
export async function runShell(ctx: Context, instanceIds: string[], commands: string[], comment: string): Promise<CommandResult[]> {
  const ssm = await ssmOf(ctx);
  const sent = await ssm.sendCommand({ DocumentName: "AWS-RunShellScript", InstanceIds: instanceIds, Parameters: { commands }, Comment: comment.slice(0, 100), TimeoutSeconds: 600 });
  const commandId = sent.Command!.CommandId!;
  const results: CommandResult[] = [];
  for (const instanceId of instanceIds) {
    results.push(
      await waitWithSpinner(
        ctx,
        `Run Command ${commandId} on ${instanceId}`,
        async () => {
          let r;
          try {
            r = await ssm.getCommandInvocation({ CommandId: commandId, InstanceId: instanceId });
          } catch (err) {
            // right after SendCommand the invocation may not be visible yet (eventual consistency)
            if (errorCode(err) === "InvocationDoesNotExist") return { done: false, status: "not visible yet" };
            throw err;
          }
          const status = r.Status ?? "Pending";
          if (["Pending", "InProgress", "Delayed"].includes(status)) return { done: false, status };
          return { done: true, value: { instanceId, status, exitCode: r.ResponseCode ?? -1, stdout: r.StandardOutputContent ?? "", stderr: r.StandardErrorContent ?? "" } };
        },
        (v) => `Run Command on ${instanceId}: ${v.status}`,
        USUAL_MS.command,
      ),
    );
  }
  return results;
}

/**
 * Installs `conf` on every proxy through Run Command (configPushScripts: one command, or the config in
 * parts when it exceeds what one command carries): registered first; a failure is exit 1 naming the
 * instance, the running config left as it was.
 */
export async function pushSquidConfig(ctx: Context, instanceIds: string[], conf: string, what: string, hint: string): Promise<void> {
  const { configPushScripts } = await import("../proxy/squid.js");
  await waitRegistered(ctx, instanceIds);
  const scripts = configPushScripts(conf);
  for (const [n, script] of scripts.entries()) {
    const part = scripts.length > 1 ? ` (part ${n + 1} of ${scripts.length})` : "";
    const results = await runShell(ctx, instanceIds, script, `egress-cli ${what}: squid.conf${part}`);
    const failed = results.filter((r) => r.status !== "Success" || r.exitCode !== 0);
    if (failed.length) throw commandFailure(`Reconfiguring squid${part}`, failed, hint);
  }
}

/** A failed result as an exit-1 error naming the instance and squid's own words. */
export function commandFailure(what: string, failed: CommandResult[], hint: string): CliError {
  const lines = failed.map((f) => `${f.instanceId}: ${f.status} (exit ${f.exitCode})${f.stderr.trim() ? `: ${f.stderr.trim().split("\n").slice(0, 5).join(" | ")}` : ""}`);
  return new CliError(`${what} failed on ${failed.length} instance(s):\n  ${lines.join("\n  ")}`, ExitCode.failure, hint, "ProxyCheckFailed");
}
