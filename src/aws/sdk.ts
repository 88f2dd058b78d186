// The AWS SDK, in one place: everything that talks to AWS takes its clients, commands and paginators
// from here, and nothing imports the SDK at the top of the CLI, so --help and --version load none of it.
// What egress-cli uses of each package is listed in src/aws/sdk/<service>.ts (the types below are those
// lists, so using something unlisted fails the type check).
// The built CLI loads them from dist/sdk.cjs: one bundle of just those parts of the SDK's ES build
// (scripts/bundle.mjs), each service initialised on first use. That is less code to load and run
// than the packages' CommonJS builds (each a single file with every operation of the service):
// bench/scale.ts measures it. Run from source (tests), the packages' CommonJS builds are required.
import { createRequire } from "node:module";

type Sdk = typeof import("./sdk/bundle.js");

/** Set by scripts/bundle.mjs in the built CLI. */
declare const EGRESS_SDK_BUNDLE: boolean | undefined;

const require = createRequire(import.meta.url);
let bundle: Sdk | undefined;
const fromBundle = (): Sdk => (bundle ??= require("../sdk.cjs") as Sdk);
const bundled = typeof EGRESS_SDK_BUNDLE !== "undefined" && EGRESS_SDK_BUNDLE;

function part<K extends keyof Sdk>(name: K, pkg: string): () => Sdk[K] {
  return () => (bundled ? fromBundle()[name] : require(pkg)) as Sdk[K];
}

export const ec2Sdk = part("ec2", "@aws-sdk/client-ec2");
export const stsSdk = part("sts", "@aws-sdk/client-sts");
export const iamSdk = part("iam", "@aws-sdk/client-iam");
export const lambdaSdk = part("lambda", "@aws-sdk/client-lambda");
export const latticeSdk = part("lattice", "@aws-sdk/client-vpc-lattice");
export const ssmSdk = part("ssm", "@aws-sdk/client-ssm");
export const ramSdk = part("ram", "@aws-sdk/client-ram");
export const retrySdk = part("retry", "@smithy/core/retry");
