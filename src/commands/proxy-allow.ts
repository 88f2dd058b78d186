// proxy allow (S2, issue 9): changes the running proxies' domain allowlist in place through SSM Run
// Command: the new squid.conf is written next to the old one, `squid -k parse` checks it, only then
// it replaces the old one and squid reconfigures (a config that does not parse never replaces the
// running one). The instances stay; the plan records the new list once every proxy took it.
import type { Options } from "./proxy-allow.spec.js";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { Problems, cidrOption } from "../cli/options.js";
import { destCidrOptions } from "./launch-proxy.js";
import { editDomains, validateDomains } from "../proxy/domains.js";
import { renderSquidConfig } from "../proxy/squid.js";
import { squidInputFor } from "../proxy/launch.js";
import { loadCheckedPlan, openSession } from "../engine/session.js";
import { assertNotLocked } from "../locks/file-lock.js";
import { proxySettings } from "../plans/schema.js";
import { proxyInstances } from "../engine/kinds/ec2-instance.js";
import { planVpc } from "../engine/kinds/views.js";

/** proxy-allow's options: its spec's flags (values as typed; this command checks them, every problem at once). */
export type ProxyAllowOptions = Options;

export async function proxyAllowCommand(ctx: Context, opts: ProxyAllowOptions): Promise<number> {
  // another run holds the plan: exit 5 before judging the input (that run may change the list)
  if (!ctx.opts.dryRun) await assertNotLocked(ctx.planPath);
  const problems = new Problems();
  const add = opts.add ?? [];
  const remove = opts.remove ?? [];
  if (!add.length && !remove.length && !opts.addDestCidr?.length && !opts.removeDestCidr?.length)
    problems.add("proxy allow needs --add D or --remove D, --add-dest-cidr C or --remove-dest-cidr C (repeat any).", "for example: egress-cli proxy allow --add .newvendor.com");
  for (const p of validateDomains(add).filter((p) => !p.problem.startsWith("overlaps"))) problems.add(`--add '${p.pattern}' ${p.problem}.`);
  const plan = await problems.check(() => loadCheckedPlan(ctx));
  const settings = plan && proxySettings(plan);
  const proxies = plan ? proxyInstances(plan) : [];
  if (plan && (!settings || !proxies.length)) problems.add(`Plan "${plan.name}" has no running proxy.`, "Launch one with egress-cli launch-proxy --allow-domain …");
  let next: string[] = [];
  const addDest = await destCidrOptions(problems, "add-dest-cidr", opts.addDestCidr, plan ? planVpc(plan)?.cidr : undefined);
  const removeDest: string[] = [];
  for (const raw of opts.removeDestCidr ?? []) {
    const c = await problems.check(() => cidrOption("remove-dest-cidr", raw));
    if (c !== undefined && settings && !(settings.allowDestCidrs ?? []).includes(c)) problems.add(`--remove-dest-cidr ${c}: the proxy relays to no such range (it has ${(settings.allowDestCidrs ?? []).join(" ") || "none"}).`);
    else if (c !== undefined) removeDest.push(c);
  }
  const nextDest = [...(settings?.allowDestCidrs ?? []).filter((c) => !removeDest.includes(c)), ...addDest.filter((c) => !(settings?.allowDestCidrs ?? []).includes(c))];
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
  const before = settings!.allowDestCidrs ?? [];
  if (next.join(" ") === settings!.allowDomains.join(" ") && nextDest.join(" ") === before.join(" ")) {
    ctx.emit({ ...base, allowDomains: next, allowDestCidrs: nextDest, changed: false }, (r) => `The allowlist already is ${r.allowDomains.join(" ")}${r.allowDestCidrs.length ? ` (internal destinations ${r.allowDestCidrs.join(" ")})` : ""}; nothing to change.`);
    return 0;
  }
  const { allowDestCidrs: _old, ...rest } = settings!;
  const updated = { ...rest, allowDomains: next, ...(nextDest.length ? { allowDestCidrs: nextDest } : {}) };
  const conf = renderSquidConfig(squidInputFor(updated, vpcCidr));
  const session = await openSession(ctx, {}, "proxy allow");
  try {
    const { pushSquidConfig } = await import("../aws/ssm.js");
    await pushSquidConfig(ctx, ids, conf, "proxy allow", "A config that does not parse never replaces the running one; the plan keeps the old list. Re-run after fixing, it resumes.");
    session.plan.proxy = updated;
    await session.save();
    ctx.emit({ ...base, allowDomains: next, allowDestCidrs: nextDest, changed: true }, (r) => `Allowlist on ${r.instances.join(", ")} is now: ${r.allowDomains.join(" ")}${r.allowDestCidrs.length ? `; internal destinations relayed: ${r.allowDestCidrs.join(" ")}` : ""} (in place; squid reconfigured).`);
    return 0;
  } finally {
    await session.close();
  }
}
