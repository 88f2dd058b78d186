// diagram: the pure renderers (src/output/diagram.ts) on plain fixture data — golden Mermaid and DOT
// for a small S1 topology, the highlighted edges of an analyzed path (reachable and blocked),
// stable output whatever the snapshot's order — and the command on the sandbox.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { analyzePath } from "../src/analysis/analyzer.js";
import type { Snapshot } from "../src/analysis/snapshot.js";
import { buildTopology, renderDiagram, type DiagramPath } from "../src/output/diagram.js";
import { s1, s5 } from "./fixtures/analysis/build.js";
import { cli, cleanEnv, openSandbox, tempDir } from "./helpers.js";

const GOLDEN = path.join(import.meta.dirname, "fixtures", "diagram");
/** UPDATE_GOLDEN=1 rewrites the golden files (review the diff). */
function golden(name: string, text: string) {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
  assert.equal(text, readFileSync(file, "utf8"), `${name} differs from the golden file (UPDATE_GOLDEN=1 to accept)`);
}

const smallS1 = () => s1({ natMode: "single" }).build();
const pathOf = (snap: Snapshot, from: string, to: string): DiagramPath => ({ from, to, result: analyzePath(snap, { source: from, destination: to }) });

/** Mermaid: the edges (as "a --> b" lines) that linkStyle highlights. */
function mermaidHighlighted(text: string): string[] {
  const edges = text.split("\n").filter((l) => /^ {2}\S+ (-->|-\.-|-\.->)/.test(l)).map((l) => l.trim().replace(/\|"[^"]*"\|/, ""));
  const m = text.match(/^ {2}linkStyle ([\d,]+) /m);
  return m ? m[1]!.split(",").map((i) => edges[Number(i)]!) : [];
}

/** DOT: the edges drawn in the highlight colour. */
function dotHighlighted(text: string): string[] {
  return text.split("\n").filter((l) => l.includes(" -> ") && l.includes("#d62728")).map((l) => l.trim().replace(/ \[.*$/, ""));
}

describe("diagram renderers (pure)", () => {
  test("S1 (single NAT) topology: golden Mermaid and DOT", () => {
    const snap = smallS1();
    golden("s1.mmd", renderDiagram(snap, { format: "mermaid" }));
    golden("s1.dot", renderDiagram(snap, { format: "dot" }));
  });

  test("S1 with lambda:sms-sender → igw highlighted: golden files and exactly the path's edges", () => {
    const snap = smallS1();
    const p = pathOf(snap, "lambda:sms-sender", "igw");
    assert.equal(p.result.reachable, true);
    const mmd = renderDiagram(snap, { format: "mermaid", path: p });
    const dot = renderDiagram(snap, { format: "dot", path: p });
    golden("s1-path.mmd", mmd);
    golden("s1-path.dot", dot);
    // Both of the function's subnets → their tables → the NAT → its public subnet → public table → IGW.
    assert.deepEqual(mermaidHighlighted(mmd).sort(), [
      "lambda_sms_sender -.- subnet_priv_a",
      "lambda_sms_sender -.- subnet_priv_b",
      "nat_a -.- subnet_pub_a",
      "rtb_priv_a --> nat_a",
      "rtb_priv_b --> nat_a",
      "rtb_pub --> igw_sms",
      "subnet_priv_a --> rtb_priv_a",
      "subnet_priv_b --> rtb_priv_b",
      "subnet_pub_a --> rtb_pub",
    ]);
    assert.ok(!mermaidHighlighted(mmd).includes("subnet_pub_b --> rtb_pub"), "a subnet the path does not cross stays plain");
    assert.deepEqual(dotHighlighted(dot).sort(), [
      '"lambda:sms-sender" -> "subnet-priv-a"',
      '"lambda:sms-sender" -> "subnet-priv-b"',
      '"nat-a" -> "subnet-pub-a"',
      '"rtb-priv-a" -> "nat-a"',
      '"rtb-priv-b" -> "nat-a"',
      '"rtb-pub" -> "igw-sms"',
      '"subnet-priv-a" -> "rtb-priv-a"',
      '"subnet-priv-b" -> "rtb-priv-b"',
      '"subnet-pub-a" -> "rtb-pub"',
    ]);
    assert.match(mmd, /^ {2}class .*\bigw_sms\b.* path$/m);
    assert.match(dot, /"igw-sms" \[label="igw-sms\\ninternet gateway".*color="#d62728"/);
  });

  test("a blocked path marks the blocking component (S1 without the NAT route)", () => {
    const snap = s1({ natMode: "single", natRoute: false }).build();
    const p = pathOf(snap, "lambda:sms-sender", "igw");
    assert.equal(p.result.reachable, false);
    const mmd = renderDiagram(snap, { format: "mermaid", path: p });
    assert.match(mmd, /^ {2}class rtb_priv_a blocked$/m);
    assert.match(mmd, /%% path lambda:sms-sender → igw: not reachable \(NO_ROUTE_TO_DESTINATION at rtb-priv-a\)/);
    assert.ok(mermaidHighlighted(mmd).includes("subnet_priv_a --> rtb_priv_a"));
    assert.ok(!mermaidHighlighted(mmd).some((e) => e.includes("igw_sms")), "nothing past the block");
    const dot = renderDiagram(snap, { format: "dot", path: p });
    assert.match(dot, /"rtb-priv-a" \[[^\n]*style=dashed/);
  });

  test("S5 fixed: an instance's path through the main table's NAT; instances and tiers are drawn", () => {
    const snap = s5({ fixed: true }).build();
    const p = pathOf(snap, "i-app", "igw");
    assert.equal(p.result.reachable, true);
    const mmd = renderDiagram(snap, { format: "mermaid", path: p });
    assert.match(mmd, /i_app\("i-app<br\/>10\.40\.1\.\d+"\)/);
    assert.match(mmd, /i_web\("i-web<br\/>10\.40\.0\.\d+ · public 54\.1\.1\.1"\)/);
    assert.match(mmd, /subgraph cl_vpc_legacy_private\[/);
    assert.deepEqual(mermaidHighlighted(mmd).sort(), [
      "i_app -.- subnet_legacy_app",
      "nat_legacy -.- subnet_legacy_pub",
      "rtb_legacy_app --> nat_legacy",
      "rtb_legacy_main --> igw_legacy",
      "subnet_legacy_app --> rtb_legacy_app",
      "subnet_legacy_pub --> rtb_legacy_main",
    ]);
  });

  test("stable: the same text whatever the order of the snapshot's arrays; --vpc narrows", () => {
    const snap = smallS1();
    const shuffled = structuredClone(snap) as any;
    for (const k of Object.keys(shuffled)) if (Array.isArray(shuffled[k])) shuffled[k].reverse();
    for (const t of shuffled.routeTables) t.Routes.reverse();
    const p = pathOf(snap, "lambda:sms-sender", "igw");
    for (const format of ["mermaid", "dot"] as const) {
      assert.equal(renderDiagram(shuffled, { format, path: p }), renderDiagram(snap, { format, path: p }));
    }
    const two = s1().tweak((s) => s.vpcs.push({ VpcId: "vpc-other", CidrBlock: "10.9.0.0/16" })).build();
    assert.equal(buildTopology(two).clusters.length, 2);
    assert.deepEqual(buildTopology(two, ["vpc-sms"]).clusters.map((c) => c.key), ["vpc-sms"]);
  });
});

describe("diagram command (sandbox)", () => {
  test("S1 on the sandbox: --path highlights lambda:sms-sender → igw; --format dot; --json; bad flags exit 2", async () => {
    const cwd = tempDir("egress-diagram-");
    const file = path.join(cwd, "sb.json");
    const sandbox = await openSandbox(file);
    await sandbox.reset({ examples: true });
    const run = (...a: string[]) => cli(["--sandbox-file", file, ...a], { cwd, env: cleanEnv(), sandbox });
    assert.equal((await run("create-vpc", "--name", "sms", "--cidr", "10.0.0.0/16", "--azs", "2")).code, 0);
    assert.equal((await run("add-nat", "--mode", "single")).code, 0);
    assert.equal((await run("attach-lambda", "--function", "sms-sender")).code, 0);

    const r = await run("diagram", "--path");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^flowchart TB\n/);
    assert.match(r.stdout, /%% path lambda:sms-sender → igw: reachable/);
    assert.match(r.stdout, /lambda_sms_sender>"λ sms-sender/);
    assert.match(r.stdout, /NAT gateway · EIP \d+\.\d+\.\d+\.\d+/);
    assert.equal(mermaidHighlighted(r.stdout).length, 9, r.stdout);
    assert.ok(!/default VPC|172\.31\./.test(r.stdout), "scoped to the plan's VPC");

    const j = await run("diagram", "--format", "dot", "--path-from", "lambda:sms-sender", "--path-to", "igw", "--json");
    assert.equal(j.code, 0, j.stderr);
    const doc = j.json();
    assert.equal(doc.format, "dot");
    assert.match(doc.diagram, /^digraph egress \{/);
    assert.deepEqual(doc.path, { from: "lambda:sms-sender", to: "igw", reachable: true, verdict: "reachable" });
    assert.equal(dotHighlighted(doc.diagram).length, 9);

    // The same picture from a snapshot file.
    assert.equal((await run("snapshot", "--out", "snap.json")).code, 0);
    const f = await run("diagram", "--snapshot", "snap.json", "--path");
    assert.equal(f.code, 0, f.stderr);
    assert.equal(f.stdout, r.stdout, "same text from the file");

    const calls = sandbox.journal.length;
    for (const bad of [["--format", "svg"], ["--path", "--path-from", "lambda:sms-sender"], ["--path-from", "lambda:sms-sender"], ["--path-from", "sg-1", "--path-to", "igw"], ["--port", "80"]]) {
      const b = await run("diagram", ...bad);
      assert.equal(b.code, 2, `${bad.join(" ")}: ${b.stderr}`);
    }
    assert.equal(sandbox.journal.length, calls, "bad flags make no AWS call");
  });
});
