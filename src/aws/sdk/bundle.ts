// The entry of dist/sdk.cjs (scripts/bundle.mjs): the parts of the SDK egress-cli uses, one namespace
// per service, sharing one copy of the @smithy and @aws-sdk core. Static re-exports so that esbuild can
// drop everything else (a lazily required module would be kept whole).
export * as ec2 from "./ec2.js";
export * as sts from "./sts.js";
export * as iam from "./iam.js";
export * as lambda from "./lambda.js";
export * as lattice from "./lattice.js";
export * as ssm from "./ssm.js";
export * as ram from "./ram.js";
export * as retry from "./retry.js";
