// moto (an independent AWS emulator) for the benches: started on a free loopback port, and a loopback
// proxy in front of it that counts the AWS calls going through (the operation of each request), so a
// CLI run and a plain SDK script are counted the same way. Needs `python3 -m moto.server`.
import { spawn, spawnSync } from "node:child_process";
import { createServer as createHttpServer, request } from "node:http";
import { createServer } from "node:net";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Is moto installed? */
export function hasMoto(): boolean {
  return spawnSync("python3", ["-c", "import moto.server"], { stdio: "ignore" }).status === 0;
}

export async function startMoto(): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const child = spawn("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d) => (stderr += String(d)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`moto exited (${child.exitCode}): ${stderr.slice(-500)} — install it with pip install 'moto[server]'`);
    try {
      await fetch(`${url}/moto-api/`);
      return { url, stop: () => child.kill("SIGTERM") };
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  child.kill("SIGTERM");
  throw new Error(`moto did not answer on ${url}`);
}

/** The operation a request names: the query protocol's Action (EC2, STS, IAM), else the JSON protocol's X-Amz-Target, else method + path. */
function operationOf(method: string, path: string, headers: Record<string, unknown>, body: string): string {
  const action = /(?:^|&)Action=([A-Za-z0-9]+)/.exec(body)?.[1] ?? /[?&]Action=([A-Za-z0-9]+)/.exec(path)?.[1];
  if (action) return action;
  const target = headers["x-amz-target"];
  if (typeof target === "string") return target.split(".").pop()!;
  return `${method} ${path.split("?")[0]}`;
}

/** One forwarded request: its operation, when its body had arrived and when the answer had gone back (ms, performance.now()). */
export interface Span {
  op: string;
  start: number;
  end: number;
}

/** A loopback proxy to `target` that records the operation of every request it forwards. */
export async function countingProxy(target: string): Promise<{ url: string; calls: string[]; spans: Span[]; close: () => Promise<void> }> {
  const to = new URL(target);
  const calls: string[] = [];
  const spans: Span[] = [];
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const op = operationOf(req.method ?? "", req.url ?? "", req.headers, body.toString("utf8"));
      calls.push(op);
      const span: Span = { op, start: performance.now(), end: 0 };
      spans.push(span);
      const fwd = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
        up.on("end", () => (span.end = performance.now()));
      });
      fwd.on("error", (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      fwd.end(body);
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${port}`, calls, spans, close: () => new Promise((r) => server.close(() => r())) };
}
