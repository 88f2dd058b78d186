// The generated Squid configuration run by the real Squid (Debian's squid-openssl 5.7; AL2023 ships 6.x) on
// 127.0.0.1: a hosts_file maps the test names to 127.0.0.1, where a local HTTP and a TLS server answer.
// Proves what the allowlist promises: allowed names tunnelled, other names, IP literals and sources outside
// the allowed CIDRs refused with 403, with --verify-sni a ClientHello whose SNI is not on the list cut off,
// `proxy allow --add` taking effect on reconfigure, and every generated config passing `squid -k parse`.
// Without squid the tests are skipped (install: apt-get install squid-openssl; .ci/run does).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { renderSquidConfig, checkSquidConfig, type SquidConfigInput } from "../src/proxy/squid.js";
import { squidInputFor } from "../src/proxy/launch.js";
import { cleanEnv, cli, openSandbox } from "./helpers.js";

const SQUID = spawnSync("sh", ["-c", "command -v squid"], { encoding: "utf8" }).stdout.trim();
const OPENSSL = spawnSync("sh", ["-c", "command -v openssl"], { encoding: "utf8" }).stdout.trim();
const hasTls = SQUID ? /--with-openssl/.test(spawnSync(SQUID, ["-v"], { encoding: "utf8" }).stdout) : false;
const skip = !SQUID
  ? "squid is not installed: apt-get install squid-openssl (Debian/Ubuntu) to run the real-Squid tests"
  : !OPENSSL
    ? "openssl is not installed (apt-get install openssl)"
    : !hasTls
      ? "this squid has no OpenSSL (peek and splice): apt-get install squid-openssl"
      : false;

const dir = mkdtempSync(path.join(os.tmpdir(), "egress-squid-"));
chmodSync(dir, 0o777); // squid started as root drops to its own user, which writes logs and the pid here
const children: ChildProcess[] = [];
const servers: net.Server[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  for (const s of servers) s.close();
});

const NAMES = ["api.vendor.io", "new.vendor.io", "www.example.com", "example.com", "evil.test"];
const ALLOW = [".example.com", "api.vendor.io"];

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

let upstream: { tls: number; http: number } | undefined;
/** Connections the origins accepted: a refused request must add none. */
const upstreamHits = { tls: 0, http: 0 };
let peekCert = "";

async function startUpstreams() {
  if (upstream) return upstream;
  const key = path.join(dir, "upstream.key");
  const cert = path.join(dir, "upstream.crt");
  execFileSync(OPENSSL, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=api.vendor.io", "-addext", `subjectAltName=${NAMES.map((n) => `DNS:${n}`).join(",")}`, "-keyout", key, "-out", cert], { stdio: "ignore" });
  peekCert = path.join(dir, "peek.pem");
  execFileSync(OPENSSL, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=egress-proxy-peek", "-keyout", peekCert, "-out", peekCert], { stdio: "ignore" });
  chmodSync(peekCert, 0o644);
  const t = tls.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (s) => {
    s.on("error", () => {});
    s.end("HTTP/1.1 200 OK\r\ncontent-length: 9\r\nconnection: close\r\n\r\ntls-hello");
  });
  const h = http.createServer((_req, res) => res.end("http-hello"));
  t.on("connection", () => upstreamHits.tls++);
  h.on("connection", () => upstreamHits.http++);
  servers.push(t, h);
  await new Promise<void>((r) => t.listen(0, "127.0.0.1", r));
  await new Promise<void>((r) => h.listen(0, "127.0.0.1", r));
  writeFileSync(path.join(dir, "hosts"), NAMES.map((n) => `127.0.0.1 ${n}`).join("\n") + "\n");
  upstream = { tls: (t.address() as net.AddressInfo).port, http: (h.address() as net.AddressInfo).port };
  return upstream;
}

function configFor(name: string, over: Partial<SquidConfigInput>): { file: string; text: string; input: SquidConfigInput } {
  const input: SquidConfigInput = {
    port: 3128,
    allowDomains: ALLOW,
    allowCidrs: ["127.0.0.0/8"],
    // the test's origins listen on loopback, which the proxy denies as a destination unless allowed
    allowDestinations: ["127.0.0.0/8"],
    verifySni: false,
    upstreamPorts: upstream,
    paths: { accessLog: path.join(dir, `${name}-access.log`), cacheLog: path.join(dir, `${name}-cache.log`), pidFile: path.join(dir, `${name}.pid`), peekCert, hostsFile: path.join(dir, "hosts") },
    ...over,
  };
  const text = renderSquidConfig(input);
  const file = path.join(dir, `${name}.conf`);
  writeFileSync(file, text);
  return { file, text, input };
}

function squidParse(file: string): { ok: boolean; output: string } {
  const r = spawnSync(SQUID, ["-k", "parse", "-f", file], { encoding: "utf8" });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

async function startSquid(name: string, over: Partial<SquidConfigInput>) {
  const port = await freePort();
  const c = configFor(name, { port, ...over });
  assert.ok(squidParse(c.file).ok, `squid -k parse ${c.file}`);
  const child = spawn(SQUID, ["-N", "-f", c.file], { stdio: ["ignore", "ignore", "pipe"] });
  children.push(child);
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += d));
  const end = Date.now() + 15_000;
  for (;;) {
    const up = await new Promise<boolean>((r) => {
      const s = net.connect(port, "127.0.0.1", () => (s.destroy(), r(true)));
      s.on("error", () => r(false));
    });
    if (up) break;
    if (child.exitCode !== null || Date.now() > end) throw new Error(`squid did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, file: c.file, input: c.input, child };
}

/** CONNECT host:port through the proxy: the status line's code, and the socket when tunnelled. */
function connect(proxyPort: number, hostPort: string): Promise<{ status: number; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(proxyPort, "127.0.0.1", () => s.write(`CONNECT ${hostPort} HTTP/1.1\r\nHost: ${hostPort}\r\n\r\n`));
    let buf = "";
    const onData = (d: Buffer) => {
      buf += d.toString("latin1");
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      s.off("data", onData);
      resolve({ status: Number(buf.split(" ")[1]), socket: s });
    };
    s.on("data", onData);
    s.on("error", reject);
  });
}

/** TLS over a tunnel with this SNI: the server's body, or the error that cut it. */
function tlsThrough(socket: net.Socket, servername: string): Promise<string> {
  return new Promise((resolve) => {
    const t = tls.connect({ socket, servername, rejectUnauthorized: false }, () => {});
    let body = "";
    t.on("data", (d) => (body += d));
    t.on("end", () => resolve(body.split("\r\n\r\n")[1] ?? body));
    t.on("error", (e) => resolve(`error: ${e.message}`));
    t.on("close", () => resolve(body ? body.split("\r\n\r\n")[1] ?? body : "closed"));
  });
}

function httpGet(proxyPort: number, url: string, method = "GET"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: proxyPort, method, path: url, headers: { host: new URL(url).host } }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("real Squid: allowed names tunnelled, other names and IP literals 403, only the allowed ports", { skip }, async () => {
  const up = await startUpstreams();
  const sq = await startSquid("basic", {});
  const ok = await connect(sq.port, `api.vendor.io:${up.tls}`);
  assert.equal(ok.status, 200);
  assert.equal(await tlsThrough(ok.socket, "api.vendor.io"), "tls-hello");
  const sub = await connect(sq.port, `www.example.com:${up.tls}`);
  assert.equal(sub.status, 200, ".example.com covers its subdomains");
  sub.socket.destroy();
  for (const target of [`evil.test:${up.tls}`, `new.vendor.io:${up.tls}`, `127.0.0.1:${up.tls}`, `[::1]:${up.tls}`, `api.vendor.io:${up.http}`]) {
    const r = await connect(sq.port, target);
    r.socket.destroy();
    assert.equal(r.status, 403, target);
  }
  assert.deepEqual(await httpGet(sq.port, `http://example.com:${up.http}/`), { status: 200, body: "http-hello" });
  assert.equal((await httpGet(sq.port, `http://evil.test:${up.http}/`)).status, 403);
  assert.equal((await httpGet(sq.port, `http://127.0.0.1:${up.http}/`)).status, 403);
  assert.equal((await httpGet(sq.port, `http://example.com:${up.tls}/`)).status, 403, "plain HTTP only to the HTTP port");
  sq.child.kill("SIGKILL");
});

test("real Squid: an allowed name resolving to 127.0.0.1 or 169.254.169.254 (the metadata service) is refused by address, PUT included", { skip }, async () => {
  const up = await startUpstreams();
  // the allowed names point at loopback and at the instance metadata service
  const hosts = path.join(dir, "internal-hosts");
  writeFileSync(hosts, ["127.0.0.1 api.vendor.io", "169.254.169.254 www.example.com", "127.0.0.1 example.com"].join("\n") + "\n");
  const paths = (name: string) => ({ accessLog: path.join(dir, `${name}-access.log`), cacheLog: path.join(dir, `${name}-cache.log`), pidFile: path.join(dir, `${name}.pid`), peekCert, hostsFile: hosts });
  // the generated config denies these destinations by address before any connection: checked on the
  // text first, so a config without the rule never makes Squid connect to 169.254.169.254
  const conf = configFor("internal", { allowDestinations: [], paths: paths("internal") }).text;
  assert.match(conf, /^acl egress_to_loopback dst .*127\.0\.0\.0\/8/m);
  assert.match(conf, /^acl egress_to_linklocal dst 169\.254\.0\.0\/16/m);
  assert.match(conf, /^http_access deny egress_to_linklocal$/m);
  assert.ok(conf.indexOf("http_access deny egress_to_linklocal") < conf.indexOf("http_access allow egress_dst"));

  const sq = await startSquid("internal", { allowDestinations: [], paths: paths("internal") });
  const before = { ...upstreamHits };
  for (const target of [`api.vendor.io:${up.tls}`, `www.example.com:${up.tls}`]) {
    const r = await connect(sq.port, target);
    r.socket.destroy();
    assert.equal(r.status, 403, `CONNECT ${target}`);
  }
  for (const method of ["GET", "PUT", "POST"]) {
    assert.equal((await httpGet(sq.port, `http://example.com:${up.http}/`, method)).status, 403, `${method} to a name on 127.0.0.1`);
    assert.equal((await httpGet(sq.port, `http://www.example.com:${up.http}/latest/api/token`, method)).status, 403, `${method} to a name on 169.254.169.254`);
  }
  assert.deepEqual(upstreamHits, before, "no connection reached an origin");
  sq.child.kill("SIGKILL");

  // --allow-dest-cidr 127.0.0.0/8 opens loopback only: the metadata service stays refused
  const open = await startSquid("internal-open", { allowDestinations: ["127.0.0.0/8"], paths: paths("internal-open") });
  const ok = await connect(open.port, `api.vendor.io:${up.tls}`);
  assert.equal(ok.status, 200);
  assert.equal(await tlsThrough(ok.socket, "api.vendor.io"), "tls-hello");
  assert.deepEqual(await httpGet(open.port, `http://example.com:${up.http}/`, "PUT"), { status: 200, body: "http-hello" });
  const imds = await connect(open.port, `www.example.com:${up.tls}`);
  imds.socket.destroy();
  assert.equal(imds.status, 403);
  assert.equal((await httpGet(open.port, `http://www.example.com:${up.http}/latest/api/token`, "PUT")).status, 403);
  open.child.kill("SIGKILL");
});

test("real Squid: plain HTTP only with the methods an egress proxy needs", { skip }, async () => {
  const up = await startUpstreams();
  const sq = await startSquid("methods", {});
  for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) assert.equal((await httpGet(sq.port, `http://example.com:${up.http}/`, method)).status, 200, method);
  for (const method of ["TRACE", "PROPFIND", "PURGE"]) assert.equal((await httpGet(sq.port, `http://example.com:${up.http}/`, method)).status, 403, method);
  sq.child.kill("SIGKILL");
});

test("real Squid: a source outside the allowed CIDRs gets 403 even for an allowed name", { skip }, async () => {
  const up = await startUpstreams();
  // loopback is 127.0.0.1: a proxy that admits only the VPC's range refuses it
  const sq = await startSquid("cidr", { allowCidrs: ["10.0.0.0/16", "192.168.0.0/24"] });
  const r = await connect(sq.port, `api.vendor.io:${up.tls}`);
  r.socket.destroy();
  assert.equal(r.status, 403);
  assert.equal((await httpGet(sq.port, `http://example.com:${up.http}/`)).status, 403);
  sq.child.kill("SIGKILL");
});

test("real Squid --verify-sni: the tunnel is spliced only when the ClientHello's SNI is on the list", { skip }, async () => {
  const up = await startUpstreams();
  const sq = await startSquid("sni", { verifySni: true });
  const good = await connect(sq.port, `api.vendor.io:${up.tls}`);
  assert.equal(good.status, 200);
  assert.equal(await tlsThrough(good.socket, "api.vendor.io"), "tls-hello");
  // CONNECT names an allowed host, the ClientHello another one: cut off, never decrypted
  const sneaky = await connect(sq.port, `api.vendor.io:${up.tls}`);
  assert.equal(sneaky.status, 200);
  const out = await tlsThrough(sneaky.socket, "evil.test");
  assert.notEqual(out, "tls-hello");
  sq.child.kill("SIGKILL");
});

/** The S2 egress VPC on the sandbox with a proxy allowing ALLOW, then `proxy allow --add new.vendor.io` run by the CLI. */
async function proxyAllowOnSandbox() {
  const cwd = mkdtempSync(path.join(os.tmpdir(), "egress-squid-plan-"));
  const file = path.join(cwd, ".egress", "sandbox.json");
  const sandbox = await openSandbox(file);
  const run = (...args: string[]) => cli(["--sandbox-file", file, ...args], { cwd, env: cleanEnv(), sandbox });
  assert.equal((await run("create-vpc", "--name", "squid", "--cidr", "10.0.0.0/16", "--azs", "2")).code, 0);
  assert.equal((await run("add-nat")).code, 0);
  const launched = await run("launch-proxy", ...ALLOW.flatMap((d) => ["--allow-domain", d]), "--json");
  assert.equal(launched.code, 0, launched.stderr);
  const allowed = await run("proxy", "allow", "--add", "new.vendor.io", "--json");
  assert.equal(allowed.code, 0, allowed.stderr);
  const plan = JSON.parse(readFileSync(path.join(cwd, "egress-plan.json"), "utf8"));
  const [instanceId] = launched.json().proxies.map((p: any) => p.instanceId);
  assert.deepEqual(allowed.json().instances, [instanceId], "the same instance");
  const written = (sandbox.state().regions["us-east-1"] as any).ext.instances[instanceId]._host.files["/etc/squid/squid.conf"];
  return { plan, written };
}

test("real Squid: `proxy allow --add` (the command, on the sandbox) renders a config that parses, and the new name passes after reconfigure", { skip }, async () => {
  const up = await startUpstreams();
  const sq = await startSquid("allow", {});
  const before = await connect(sq.port, `new.vendor.io:${up.tls}`);
  before.socket.destroy();
  assert.equal(before.status, 403);
  const { plan, written } = await proxyAllowOnSandbox();
  assert.deepEqual(plan.proxy.allowDomains, [...ALLOW, "new.vendor.io"], "the plan records the list");
  // what the command wrote on the instance is the plan's config as rendered for the instance
  assert.equal(written, renderSquidConfig(squidInputFor(plan.proxy, plan.resources.vpc.cidr)));
  // the same rendering for this host (loopback source, test ports and paths)
  const next = configFor("allow", { ...sq.input, ...squidInputFor(plan.proxy, "127.0.0.0/8", { paths: sq.input.paths, upstreamPorts: up }), allowDestinations: ["127.0.0.0/8"], port: sq.port });
  assert.ok(squidParse(next.file).ok);
  execFileSync(SQUID, ["-k", "reconfigure", "-f", next.file]);
  let status = 0;
  for (let i = 0; i < 50 && status !== 200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    // while reconfiguring, Squid closes and reopens its port: refused connections are retried
    const r = await connect(sq.port, `new.vendor.io:${up.tls}`).catch(() => undefined);
    r?.socket.destroy();
    status = r?.status ?? 0;
  }
  assert.equal(status, 200);
  const old = await connect(sq.port, `api.vendor.io:${up.tls}`);
  old.socket.destroy();
  assert.equal(old.status, 200, "the names allowed before still pass");
  sq.child.kill("SIGKILL");
});

test("real Squid agrees with the static check: generated configs parse, broken ones fail both", { skip }, async () => {
  await startUpstreams();
  const good = [configFor("p1", {}), configFor("p2", { verifySni: true }), configFor("p3", { port: 8080, allowCidrs: ["10.0.0.0/16", "172.16.0.0/12"], allowDomains: ["a.example.org"] }), configFor("p4", { allowDestinations: ["10.20.0.0/16"], vpcCidrs: ["44.1.0.0/16"] }), configFor("p5-boot", { allowDomains: [], verifySni: true })];
  for (const c of good) {
    const r = squidParse(c.file);
    assert.ok(r.ok, r.output);
    assert.deepEqual(checkSquidConfig(c.text), []);
  }
  const base = good[0].text;
  const broken = [
    base.replace("http_access deny all", "http_access deny nosuchacl"),
    base.replace("acl egress_tls_port port", "acl egress_tls_port portz"),
    base.replace("cache deny all", "cache_size_typo 10"),
  ];
  broken.forEach((text, i) => {
    const file = path.join(dir, `broken-${i}.conf`);
    writeFileSync(file, text);
    assert.equal(squidParse(file).ok, false, `real squid accepted broken config ${i}`);
    assert.ok(checkSquidConfig(text).length > 0, `static check accepted broken config ${i}`);
  });
});
