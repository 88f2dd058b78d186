// create-vpc + add-nat + destroy on moto (an independent emulator) against a plain AWS SDK script
// building and deleting the same resources (a VPC with DNS hostnames, an internet gateway, a public
// and two private route tables, 2 public + 2 private subnets, an Elastic IP, a NAT gateway and the
// default routes), the way a careful script does it: no reads but the waits (the SDK's own waiter
// for the NAT gateway, which looks at once). Both run in this process through one counting proxy, so
// neither pays a process start-up or the SDK's load; moto is warmed up first and the rounds alternate.
// Issue 24's target: egress-cli ≤ 1.5× the script's calls and ≤ 1.5× its wall time.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import {
  EC2Client,
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteNatGatewayCommand,
  DeleteRouteTableCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeAvailabilityZonesCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  ModifyVpcAttributeCommand,
  ReleaseAddressCommand,
  waitUntilNatGatewayAvailable,
  waitUntilNatGatewayDeleted,
} from "@aws-sdk/client-ec2";
import { createRequire } from "node:module";
import { countingProxy, startMoto } from "./moto.js";

// The CLI as it ships: the built bundle (`npm run bench` builds first). Run from source under tsx, every
// dynamic import of a command's modules costs ~0.4 ms of transform and resolution that users never pay.
const { run } = createRequire(import.meta.url)("../dist/egress-cli.cjs") as typeof import("../src/cli.js");

const REGION = "us-east-1";
const CREDS = { accessKeyId: "testing", secretAccessKey: "testing" };

/** The plain script: create-vpc (2 AZs, 1 public + 1 private subnet each), add-nat (single), destroy. */
export async function sdkScript(url: string, n: number): Promise<void> {
  const ec2 = new EC2Client({ endpoint: url, region: REGION, credentials: CREDS });
  const tags = (type: string) => [{ ResourceType: type as never, Tags: [{ Key: "Name", Value: `sdk-${n}` }] }];
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${100 + (n % 100)}.0.0/16`, TagSpecifications: tags("vpc") }))).Vpc!.VpcId!;
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }));
  const igw = (await ec2.send(new CreateInternetGatewayCommand({ TagSpecifications: tags("internet-gateway") }))).InternetGateway!.InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
  const table = async () => (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc, TagSpecifications: tags("route-table") }))).RouteTable!.RouteTableId!;
  const pub = await table();
  await ec2.send(new CreateRouteCommand({ RouteTableId: pub, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }));
  const azs = ["a", "b"].map((x) => `${REGION}${x}`);
  const privs: string[] = [];
  const subnets: string[] = [];
  const assocs: string[] = [];
  for (const [i, az] of azs.entries()) {
    const priv = await table();
    privs.push(priv);
    for (const [j, rt] of [pub, priv].entries()) {
      const s = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, AvailabilityZone: az, CidrBlock: `10.${100 + (n % 100)}.${i * 2 + j}.0/24`, TagSpecifications: tags("subnet") }))).Subnet!.SubnetId!;
      subnets.push(s);
      assocs.push((await ec2.send(new AssociateRouteTableCommand({ SubnetId: s, RouteTableId: rt }))).AssociationId!);
    }
  }
  // add-nat
  const alloc = (await ec2.send(new AllocateAddressCommand({ Domain: "vpc", TagSpecifications: tags("elastic-ip") }))).AllocationId!;
  const nat = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnets[0], AllocationId: alloc, TagSpecifications: tags("natgateway") }))).NatGateway!.NatGatewayId!;
  await waitUntilNatGatewayAvailable({ client: ec2, maxWaitTime: 600, minDelay: 2 }, { NatGatewayIds: [nat] });
  for (const rt of privs) await ec2.send(new CreateRouteCommand({ RouteTableId: rt, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: nat }));
  // destroy
  await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: nat }));
  await waitUntilNatGatewayDeleted({ client: ec2, maxWaitTime: 600, minDelay: 2 }, { NatGatewayIds: [nat] });
  await ec2.send(new ReleaseAddressCommand({ AllocationId: alloc }));
  for (const a of assocs) await ec2.send(new DisassociateRouteTableCommand({ AssociationId: a }));
  for (const s of subnets) await ec2.send(new DeleteSubnetCommand({ SubnetId: s }));
  for (const rt of [pub, ...privs]) await ec2.send(new DeleteRouteTableCommand({ RouteTableId: rt }));
  await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
  await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igw }));
  await ec2.send(new DeleteVpcCommand({ VpcId: vpc }));
  ec2.destroy();
}

export async function cliFlow(url: string, n: number): Promise<void> {
  const cwd = mkdtempSync(path.join(tmpdir(), "egress-moto-flow-"));
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    AWS_ACCESS_KEY_ID: CREDS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey,
    AWS_CONFIG_FILE: "/nonexistent",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
  };
  try {
    for (const c of [["create-vpc", "--name", `flow-${n}`], ["add-nat"], ["destroy", "--yes"]]) {
      const out = new PassThrough();
      const err = new PassThrough();
      let e = "";
      err.on("data", (d) => (e += d));
      out.resume();
      const code = await run(["--endpoint-url", url, "--region", REGION, ...c], { cwd, env, stdout: out, stderr: err, signal: new AbortController().signal });
      if (code !== 0) throw new Error(`${c.join(" ")} on moto → exit ${code}: ${e.slice(-800)}`);
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

export interface MotoFlow {
  cliCalls: number;
  sdkCalls: number;
  cliMs: number;
  sdkMs: number;
  cliOps: Record<string, number>;
  /** The median of the rounds' egress-cli / script wall-time ratios (each round's two runs back to back). */
  ratio: number;
}

/** `rounds` alternating rounds of both; calls from the last round, times the medians. */
export async function motoFlow(rounds = 3): Promise<MotoFlow> {
  const moto = await startMoto();
  const proxy = await countingProxy(moto.url);
  try {
    // warm-up: moto builds its EC2 backend on the first request; this process loads the SDK and the commands
    const warm = new EC2Client({ endpoint: proxy.url, region: REGION, credentials: CREDS });
    await warm.send(new DescribeAvailabilityZonesCommand({}));
    warm.destroy();
    await sdkScript(proxy.url, 0);
    await cliFlow(proxy.url, 0);
    const cliMs: number[] = [];
    const sdkMs: number[] = [];
    let cliCalls: string[] = [];
    let sdkCalls = 0;
    for (let i = 1; i <= rounds; i++) {
      let from = proxy.calls.length;
      let t = performance.now();
      await cliFlow(proxy.url, i);
      cliMs.push(performance.now() - t);
      cliCalls = proxy.calls.slice(from);
      from = proxy.calls.length;
      t = performance.now();
      await sdkScript(proxy.url, i);
      sdkMs.push(performance.now() - t);
      sdkCalls = proxy.calls.length - from;
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const ratio = median(cliMs.map((c, i) => c / sdkMs[i]!));
    const cliOps: Record<string, number> = {};
    for (const c of cliCalls) cliOps[c] = (cliOps[c] ?? 0) + 1;
    return { cliCalls: cliCalls.length, sdkCalls, cliMs: median(cliMs), sdkMs: median(sdkMs), cliOps, ratio };
  } finally {
    await proxy.close();
    moto.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await motoFlow(Number(process.env.BENCH_RUNS ?? 3));
  console.log(JSON.stringify(r));
  process.exit(0);
}
