// VPC Lattice ListTagsForResource for resource gateways and configurations (their List calls return
// no tags, as on AWS: the lattice kinds' sweep and ownership check read the tags here).
import { awsError } from "./errors.js";
import type { OpHandler, Ops } from "./handler.js";
import { latticeStore } from "./lattice.js";

const ListTagsForResource: OpHandler<"vpc-lattice", "ListTagsForResource"> = (ctx) => {
  const arn = ctx.input.resourceArn;
  if (typeof arn !== "string" || !arn.startsWith("arn:")) throw awsError("ValidationException", "resourceArn must be an ARN");
  const store = latticeStore(ctx.rs);
  const found = [...Object.values(store.gateways), ...Object.values(store.configurations), ...Object.values(store.domainVerifications)].find((r) => r.arn === arn);
  if (!found) throw awsError("ResourceNotFoundException", `The resource '${arn}' was not found.`, 404);
  return { tags: { ...found.tags } };
};

export const latticeTagOps: Ops<"vpc-lattice"> = { ListTagsForResource };
