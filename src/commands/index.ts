// Every command's spec, in the order of the program's --help (src/cli.ts walks this list). A new
// command: its <name>.spec.ts here, its action in <name>.ts (docs/CONVENTIONS.md, "A command").
import type { Spec } from "../cli/spec.js";
import { spec as createVpc } from "./create-vpc.spec.js";
import { spec as importVpc } from "./import.spec.js";
import { spec as addNat } from "./add-nat.spec.js";
import { spec as attachLambda } from "./attach-lambda.spec.js";
import { spec as detachLambda } from "./detach-lambda.spec.js";
import { spec as shareProxy } from "./share-proxy.spec.js";
import { spec as connectProxy } from "./connect-proxy.spec.js";
import { spec as addEndpoint } from "./add-endpoint.spec.js";
import { spec as status } from "./status.spec.js";
import { spec as destroy } from "./destroy.spec.js";
import { spec as snapshot } from "./snapshot.spec.js";
import { spec as analyzePath } from "./analyze-path.spec.js";
import { spec as launchProxy } from "./launch-proxy.spec.js";
import { spec as proxy } from "./proxy.spec.js";
import { spec as diagram } from "./diagram.spec.js";
import { spec as audit } from "./audit.spec.js";
import { spec as verify } from "./verify.spec.js";
import { spec as cost } from "./cost.spec.js";
import { spec as egressIps } from "./egress-ips.spec.js";
import { spec as completion } from "./completion.spec.js";
import { spec as sandbox } from "./sandbox.spec.js";

export const COMMANDS: readonly Spec[] = [createVpc, importVpc, addNat, attachLambda, detachLambda, shareProxy, connectProxy, addEndpoint, status, destroy, snapshot, analyzePath, launchProxy, proxy, diagram, audit, verify, cost, egressIps, completion, sandbox];
