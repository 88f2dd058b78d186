// STS emulation: GetCallerIdentity for the sandbox account.
import type { OpHandler, Ops } from "./handler.js";

const GetCallerIdentity: OpHandler<"sts", "GetCallerIdentity"> = (ctx) => ({
  UserId: ctx.state.userId,
  Account: ctx.accountId,
  Arn: `arn:aws:iam::${ctx.accountId}:user/sandbox`,
});

export const stsOps: Ops<"sts"> = { GetCallerIdentity };
