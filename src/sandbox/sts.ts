// STS emulation: GetCallerIdentity for the sandbox account.
import type { Handler } from "./ec2-core.js";

const GetCallerIdentity: Handler = (ctx) => ({
  UserId: ctx.state.userId,
  Account: ctx.accountId,
  Arn: `arn:aws:iam::${ctx.accountId}:user/sandbox`,
});

export const stsOps: Record<string, Handler> = { GetCallerIdentity };
