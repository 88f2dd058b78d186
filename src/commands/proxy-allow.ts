// proxy allow (S2, issue 9): changes the running proxies' domain allowlist in place through SSM Run
// Command: the new squid.conf is written next to the old one, `squid -k parse` checks it, only then
// it replaces the old one and squid reconfigures (a config that does not parse never replaces the
// running one). The instances stay; the plan records the new list once every proxy took it.
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { Problems } from "./options.js";
import { editDomains, validateDomains } from "../proxy/domains.js";
import { reconfigureScript, renderSquidConfig } from "../proxy/squid.js";
import { squidInputFor } from "../proxy/launch.js";
import { loadCheckedPlan, openSession } from "../engine/session.js";
import { proxySettings } from "../plans/schema.js";
import { proxyInstances } from "../engine/kinds/ec2-instance.js";
import { planVpc } from "../engine/kinds/views.js";

export interface ProxyAllowOptions {
  add?: string[];
  remove?: string[];
}

export async function proxyAllowCommand(ctx: Context, opts: ProxyAllowOptions): Promise<number> {
  const problems = new Problems();
  const add = opts.add ?? [];
  const remove = opts.remove ?? [];
  if (!add.length && !remove.length) problems.add("proxy allow needs --add D or --remove D (repeat either).", "for example: egress-cli proxy allow --add .newvendor.com");
  for (const p of validateDomains(add).filter((p) => !p.problem.startsWith("overlaps"))) problems.add(`--add '${p.pattern}' ${p.problem}.`);
  const plan = await problems.check(() => loadCheckedPlan(ctx));
  const settings = plan && proxySettings(plan);
  const proxies = plan ? proxyInstances(plan) : [];
  if (plan && (!settings || !proxies.length)) problems.add(`Plan "${plan.name}" has no running proxy.`, "Launch one with egress-cli launch-proxy --allow-domain …");
  let next: string[] = [];
  if (settings) {
    for (const r of remove) if (!settings.allowDomains.includes(r)) problems.add(`--remove '${r}': the allowlist has no such entry (it has ${settings.allowDomains.join(" ")}).`);
    next = editDomains(settings.allowDomains, add, remove);
    if (!next.length) problems.add("The allowlist would be empty: the proxy would deny everything.", "Keep at least one domain, or run destroy.");
    for (const p of validateDomains(next).filter((p) => p.problem.startsWith("overlaps"))) problems.add(`'${p.pattern}' ${p.problem}.`, "Squid ignores one of an overlapping pair with only a warning; keep the wider one.");
  }
  problems.throwIfAny();

  const vpcCidr = planVpc(plan!)?.cidr;
  if (!vpcCidr) throw new UsageError(`Plan "${plan!.name}" records no VPC CIDR.`);
  const ids = proxies.map((p) => p.id);
  const base = { command: "proxy allow", plan: plan!.name, added: add.filter((a) => !settings!.allowDomains.includes(a)), removed: remove, instances: ids };
  if (next.join(" ") === settings!.allowDomains.join(" ")) {
    ctx.emit({ ...base, allowDomains: next, changed: false }, (r) => `The allowlist already is ${r.allowDomains.join(" ")}; nothing to change.`);
    return 0;
  }
  const conf = renderSquidConfig(squidInputFor({ ...settings!, allowDomains: next }, vpcCidr));
  const session = await openSession(ctx, {}, "proxy allow");
  try {
    const { waitRegistered, runShell, commandFailure } = await import("./proxy-ssm.js");
    await waitRegistered(ctx, ids);
    const results = await runShell(ctx, ids, ["set -euo pipefail", ...reconfigureScript(conf)], "egress-cli proxy allow: new squid.conf, parse, reconfigure");
    const failed = results.filter((r) => r.status !== "Success" || r.exitCode !== 0);
    if (failed.length) throw commandFailure("Reconfiguring squid", failed, "A config that does not parse never replaces the running one; the plan keeps the old list. Re-run after fixing, it resumes.");
    session.plan.proxy = { ...settings!, allowDomains: next };
    await session.save();
    ctx.emit({ ...base, allowDomains: next, changed: true }, (r) => `Allowlist on ${r.instances.join(", ")} is now: ${r.allowDomains.join(" ")} (in place; squid reconfigured).`);
    return 0;
  } finally {
    await session.close();
  }
}
