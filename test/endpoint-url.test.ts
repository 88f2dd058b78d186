// --endpoint-url / AWS_ENDPOINT_URL: every AWS call goes to the given endpoint. A loopback HTTP
// server records the requests and answers like an AWS endpoint that denies access.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { execFile } from "node:child_process";
import { BIN, cli, cleanEnv, tempDir } from "./helpers.js";

async function recorder() {
  const requests: Array<{ method?: string; url?: string; host?: string; body: string; auth?: string }> = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      requests.push({ method: req.method, url: req.url, host: req.headers.host, body, auth: req.headers.authorization });
      res.writeHead(403, { "content-type": "text/xml" });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>AuthFailure</Code><Message>recorded by the test server</Message></Error></Errors><RequestID>test</RequestID></Response>`);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { requests, port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const creds = { AWS_ACCESS_KEY_ID: "AKIDEXAMPLETEST", AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", AWS_REGION: "us-east-1" };

test("--endpoint-url sends every call to the given endpoint, and errors come back as AWS errors", async () => {
  const srv = await recorder();
  try {
    const cwd = tempDir();
    const r = await cli(["create-vpc", "--name", "ep", "--endpoint-url", `http://127.0.0.1:${srv.port}`, "--verbose"], { cwd, env: cleanEnv(creds) });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /AuthFailure/);
    assert.ok(srv.requests.length >= 1, "the server saw the call");
    for (const q of srv.requests) {
      assert.equal(q.host, `127.0.0.1:${srv.port}`);
      assert.match(q.auth ?? "", /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLETEST\//, "requests are signed");
    }
    assert.match(srv.requests[0].body, /Action=DescribeAvailabilityZones/);
    assert.ok(!r.stderr.includes(creds.AWS_SECRET_ACCESS_KEY), "never logs the secret key");
    assert.match(r.stderr, /\[debug\] ec2:DescribeAvailabilityZones/, "--verbose logs each call");
  } finally {
    await srv.close();
  }
});

test("AWS_ENDPOINT_URL in the environment does the same", async () => {
  const srv = await recorder();
  try {
    const cwd = tempDir();
    const r = await cli(["create-vpc", "--name", "ep"], { cwd, env: cleanEnv({ ...creds, AWS_ENDPOINT_URL: `http://127.0.0.1:${srv.port}` }) });
    assert.equal(r.code, 1);
    assert.ok(srv.requests.length >= 1);
    assert.ok(srv.requests.every((q) => q.host === `127.0.0.1:${srv.port}`));
  } finally {
    await srv.close();
  }
});

test("the built binary reaches --endpoint-url as well: its bundled SDK loads the HTTP handler (and https) on first use", async () => {
  const srv = await recorder();
  try {
    const cwd = tempDir();
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) =>
      execFile(process.execPath, [BIN, "create-vpc", "--name", "ep", "--endpoint-url", `http://127.0.0.1:${srv.port}`], { cwd, env: cleanEnv(creds) as NodeJS.ProcessEnv, timeout: 60_000 }, (err, _out, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stderr }),
      ),
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /AuthFailure/);
    assert.ok(srv.requests.length >= 1, "the server saw the call");
    assert.match(srv.requests[0]!.auth ?? "", /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLETEST\//, "requests are signed");
  } finally {
    await srv.close();
  }
});
