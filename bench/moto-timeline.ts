// Where the time of bench/moto-flow.ts goes: one round of each (after the same warm-up), every AWS
// call as the counting proxy saw it — when it arrived (ms from the start), the gap since the previous
// answer (negative: calls in flight together) and how long moto took — then per flow the time in
// calls, in gaps (the command's own work: start, plan, lock, writes) and after the last answer.
// `node --import tsx bench/moto-timeline.ts` (needs `python3 -m moto.server`).
import { EC2Client, DescribeAvailabilityZonesCommand } from "@aws-sdk/client-ec2";
import { countingProxy, startMoto } from "./moto.js";
import { cliFlow, sdkScript } from "./moto-flow.js";

const moto = await startMoto();
const proxy = await countingProxy(moto.url);
try {
  const warm = new EC2Client({ endpoint: proxy.url, region: "us-east-1", credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
  await warm.send(new DescribeAvailabilityZonesCommand({}));
  warm.destroy();
  await sdkScript(proxy.url, 0);
  await cliFlow(proxy.url, 0);
  for (const [name, flow] of [["egress-cli", cliFlow], ["sdk script", sdkScript]] as const) {
    const from = proxy.spans.length;
    const t0 = performance.now();
    await flow(proxy.url, 1);
    const t1 = performance.now();
    let last = t0;
    let gaps = 0;
    for (const s of proxy.spans.slice(from)) {
      const gap = s.start - last;
      console.log(`${name}  ${(s.start - t0).toFixed(1).padStart(7)} ms  gap ${gap.toFixed(1).padStart(6)}  took ${(s.end - s.start).toFixed(1).padStart(5)}  ${s.op}`);
      gaps += Math.max(0, gap);
      last = Math.max(last, s.end);
    }
    console.log(`${name}: ${(t1 - t0).toFixed(0)} ms, ${proxy.spans.length - from} calls, ${gaps.toFixed(0)} ms between calls, ${(t1 - last).toFixed(0)} ms after the last\n`);
  }
} finally {
  await proxy.close();
  moto.stop();
}
process.exit(0);
