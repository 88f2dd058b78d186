// sandbox load FILE: replaces one region of the sandbox account with a snapshot document, so any
// account (or a test topology) can be analyzed with the emulated Reachability Analyzer and changed
// with the other commands. The snapshot's region is used unless --region is given.
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { readSnapshotFile } from "./snapshot.js";

export async function sandboxLoad(ctx: Context, _opts: object, args: string[]): Promise<number> {
  const file = args[0];
  if (!file) throw new UsageError("sandbox load needs a snapshot FILE.");
  const snap = await readSnapshotFile(ctx, file);
  const sandbox = await ctx.sandbox();
  const region = ctx.opts.region ?? snap.region;
  const { REGIONS } = await import("../sandbox/index.js");
  if (!REGIONS[region]) throw new UsageError(`The sandbox emulates no region named "${region}".`, `emulated regions: ${Object.keys(REGIONS).join(", ")}`);
  await sandbox.importSnapshot(snap, region);
  const result = { command: "sandbox load", file, region, vpcs: snap.vpcs.length, subnets: snap.subnets.length, accountId: sandbox.accountId };
  if (ctx.opts.json) ctx.printJson(result);
  else ctx.print(`Loaded ${file} into the sandbox's ${region}: ${result.vpcs} VPC(s), ${result.subnets} subnets (account ${sandbox.accountId}).`);
  return 0;
}
