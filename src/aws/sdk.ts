// The AWS SDK, loaded from its CommonJS build. `import()` of the SDK's ES build costs about twice the CPU
// (hundreds of small modules, each also lexed for ESM↔CJS interop, since most @smithy packages load as
// CommonJS anyway); require() of the CJS build reads one bundled file per package (bench/scale.ts).
// Everything that talks to AWS takes the SDK from here, so one copy is loaded; nothing imports it at the
// top of the CLI, so --help and --version load no SDK module.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export const ec2Sdk = (): typeof import("@aws-sdk/client-ec2") => require("@aws-sdk/client-ec2");
export const stsSdk = (): typeof import("@aws-sdk/client-sts") => require("@aws-sdk/client-sts");
export const iamSdk = (): typeof import("@aws-sdk/client-iam") => require("@aws-sdk/client-iam");
export const lambdaSdk = (): typeof import("@aws-sdk/client-lambda") => require("@aws-sdk/client-lambda");
export const latticeSdk = (): typeof import("@aws-sdk/client-vpc-lattice") => require("@aws-sdk/client-vpc-lattice");
export const ssmSdk = (): typeof import("@aws-sdk/client-ssm") => require("@aws-sdk/client-ssm");
export const ramSdk = (): typeof import("@aws-sdk/client-ram") => require("@aws-sdk/client-ram");
export const retrySdk = (): typeof import("@smithy/core/retry") => require("@smithy/core/retry");
