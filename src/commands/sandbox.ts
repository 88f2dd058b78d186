// sandbox init/show/reset: manage the embedded AWS emulator's account file.
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";

export async function sandboxInit(ctx: Context, opts: { examples?: boolean; force?: boolean }): Promise<number> {
  const { existsSync } = await import("node:fs");
  const file = sandboxPath(ctx);
  const existed = existsSync(file);
  const sandbox = await ctx.sandbox();
  if (existed && !opts.force && !opts.examples) {
    ctx.log.info(`Sandbox already exists at ${file} (account ${sandbox.accountId}); use --force to start over.`);
  } else if (existed && opts.examples && !opts.force) {
    throw new UsageError(`Sandbox already exists at ${file}; seeding examples needs a fresh account.`, "Run `egress-cli sandbox reset --examples` or `sandbox init --examples --force`.");
  } else if (!existed || opts.force) {
    await sandbox.reset({ examples: Boolean(opts.examples) });
  }
  return show(ctx, { file, created: !existed || Boolean(opts.force) });
}

export async function sandboxReset(ctx: Context, opts: { examples?: boolean }): Promise<number> {
  const sandbox = await ctx.sandbox();
  await sandbox.reset({ examples: Boolean(opts.examples) });
  return show(ctx, { file: sandboxPath(ctx), created: true });
}

export async function sandboxShow(ctx: Context): Promise<number> {
  return show(ctx, { file: sandboxPath(ctx), created: false });
}

function sandboxPath(ctx: Context): string {
  return ctx.opts.sandboxFile ?? ctx.env.EGRESS_SANDBOX_FILE ?? ".egress/sandbox.json";
}

async function show(ctx: Context, info: { file: string; created: boolean }): Promise<number> {
  const sandbox = await ctx.sandbox();
  const doc = { command: "sandbox", file: info.file, created: info.created, accountId: sandbox.accountId, stats: sandbox.stats(), summary: sandbox.summary() };
  if (ctx.opts.json) ctx.printJson(doc);
  else {
    const { renderSandbox } = await import("../output/render.js");
    ctx.print(renderSandbox(doc, ctx.log.color));
  }
  return 0;
}
