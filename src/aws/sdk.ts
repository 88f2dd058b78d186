// The AWS SDK, in one place: everything that talks to AWS takes its clients, commands and paginators
// from here, and nothing imports the SDK at the top of the CLI, so --help and --version load none of it.
// What egress-cli uses of each package is listed in src/aws/sdk/<service>.ts (the types below are those
// lists, so using something unlisted fails the type check).
// The built CLI loads them from dist/sdk/<service>.cjs: just those parts of the SDK's ES build, a file per
// service sharing one copy of the SDK's core (scripts/bundle.mjs), each loaded on first use. That is less
// code to load and run than the packages' CommonJS builds (each a single file with every operation of
// the service): bench/scale.ts measures it. Run from source (tests), the packages' CommonJS builds are required.
import { createRequire } from "node:module";

interface Sdk {
  ec2: typeof import("./sdk/ec2.js");
  sts: typeof import("./sdk/sts.js");
  iam: typeof import("./sdk/iam.js");
  lambda: typeof import("./sdk/lambda.js");
  lattice: typeof import("./sdk/lattice.js");
  ssm: typeof import("./sdk/ssm.js");
  ram: typeof import("./sdk/ram.js");
  retry: typeof import("./sdk/retry.js");
  config: typeof import("./sdk/config.js");
}

/** Set by scripts/bundle.mjs in the built CLI. */
declare const EGRESS_SDK_BUNDLE: boolean | undefined;

const require = createRequire(import.meta.url);
const bundled = typeof EGRESS_SDK_BUNDLE !== "undefined" && EGRESS_SDK_BUNDLE;

/** `built` is the require of the part's file in dist/sdk/, spelled out so that esbuild leaves it alone. */
function part<K extends keyof Sdk>(pkg: string, built: () => unknown): () => Sdk[K] {
  return () => (bundled ? built() : require(pkg)) as Sdk[K];
}

export const ec2Sdk = part<"ec2">("@aws-sdk/client-ec2", () => require("../sdk/ec2.cjs"));
export const stsSdk = part<"sts">("@aws-sdk/client-sts", () => require("../sdk/sts.cjs"));
export const iamSdk = part<"iam">("@aws-sdk/client-iam", () => require("../sdk/iam.cjs"));
export const lambdaSdk = part<"lambda">("@aws-sdk/client-lambda", () => require("../sdk/lambda.cjs"));
export const latticeSdk = part<"lattice">("@aws-sdk/client-vpc-lattice", () => require("../sdk/lattice.cjs"));
export const ssmSdk = part<"ssm">("@aws-sdk/client-ssm", () => require("../sdk/ssm.cjs"));
export const ramSdk = part<"ram">("@aws-sdk/client-ram", () => require("../sdk/ram.cjs"));
export const retrySdk = part<"retry">("@smithy/core/retry", () => require("../sdk/retry.cjs"));
export const configSdk = part<"config">("@smithy/core/config", () => require("../sdk/config.cjs"));
