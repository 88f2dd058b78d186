// sandbox init/show/reset: manage the embedded AWS emulator's account file.
import path from "node:path";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import type { InitOptions, ResetOptions } from "./sandbox.spec.js";

export async function sandboxInit(ctx: Context, opts: InitOptions): Promise<number> {
  const { existsSync } = await import("node:fs");
  const file = sandboxPath(ctx);
  const existed = existsSync(file);
  if (existed && !opts.force) {
    throw new UsageError(`Sandbox already exists at ${file}.`, `Use \`egress-cli sandbox init${opts.examples ? " --examples" : ""} --force\` (or \`sandbox reset\`) to start a fresh account; \`sandbox show\` lists what it holds.`, "SandboxExists");
  }
  const recovered = existed ? await quarantine(ctx, file) : undefined;
  const sandbox = await ctx.sandbox();
  await sandbox.reset({ examples: Boolean(opts.examples) });
  return show(ctx, { file, created: true, recovered });
}

export async function sandboxReset(ctx: Context, opts: ResetOptions): Promise<number> {
  const file = sandboxPath(ctx);
  const recovered = await quarantine(ctx, file);
  const sandbox = await ctx.sandbox();
  await sandbox.reset({ examples: Boolean(opts.examples) });
  return show(ctx, { file, created: true, recovered });
}

export async function sandboxShow(ctx: Context): Promise<number> {
  const { existsSync } = await import("node:fs");
  const file = sandboxPath(ctx);
  if (!existsSync(file)) throw new UsageError(`No sandbox at ${file}.`, "Create one with `egress-cli sandbox init` (add --examples for the demo account).", "NoSandbox");
  return show(ctx, { file, created: false });
}

function sandboxPath(ctx: Context): string {
  return path.resolve(ctx.cwd, ctx.opts.sandboxFile ?? ctx.env.EGRESS_SANDBOX_FILE ?? ".egress/sandbox.json");
}

/** An unreadable state (torn, not JSON, another version) is kept as `<file>.corrupt` so a fresh account can start. */
async function quarantine(ctx: Context, file: string): Promise<string | undefined> {
  const { Sandbox } = await import("../sandbox/index.js");
  return Sandbox.quarantine(file, ctx.signal);
}

async function show(ctx: Context, info: { file: string; created: boolean; recovered?: string }): Promise<number> {
  const sandbox = await ctx.sandbox();
  const doc = {
    command: "sandbox",
    file: info.file,
    created: info.created,
    ...(info.recovered ? { recovered: info.recovered } : {}),
    accountId: sandbox.accountId,
    stats: sandbox.stats(),
    summary: await sandbox.summary(),
  };
  if (ctx.opts.json) ctx.printJson(doc);
  else {
    const { renderSandbox } = await import("../output/render.js");
    ctx.emit(doc, renderSandbox);
  }
  return 0;
}
