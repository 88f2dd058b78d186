// The proxy's pure pieces with plain data: allowlist validation (Squid dstdomain semantics), the
// generated squid.conf, the user data and the reconfigure script, and the static parse check.
import { test } from "node:test";
import assert from "node:assert/strict";
import { validateDomains, domainMatches, editDomains } from "../src/proxy/domains.js";
import { configPushScripts, scriptBytes, destinationCidrProblem, renderSquidConfig, renderUserData, reconfigureScript, checkSquidConfig } from "../src/proxy/squid.js";
import { runScript, emptyHost } from "../src/sandbox/instance-shell.js";

test("domain patterns: wildcards, schemes, paths, ports, IP literals, bad labels and TLDs alone are refused, all at once", () => {
  const bad = ["*.example.com", "https://api.vendor.io", "api.vendor.io/v1", "api.vendor.io:443", "10.0.0.1", "[::1]", "Api.Vendor.io", "a..b.com", "-a.com", "com", ""];
  const problems = validateDomains(bad);
  assert.deepEqual(problems.map((p) => p.pattern), bad);
  assert.match(problems[0].problem, /'\.example\.com'/);
  assert.deepEqual(validateDomains([".example.com", "api.vendor.io", "a.b-c.org"]), []);
});

test("overlapping pairs are refused (Squid ignores one with a warning): .a.com with x.a.com, with a.com, with .x.a.com, duplicates", () => {
  const p = validateDomains([".a.com", "x.a.com", "a.com", ".y.a.com", "b.com", "b.com", "ba.com"]);
  assert.deepEqual(p.map((x) => x.pattern), ["x.a.com", "a.com", ".y.a.com", "b.com"]);
  assert.match(p[0].problem, /overlaps '\.a\.com'/);
  assert.deepEqual(validateDomains(["a.com", "ba.com", ".c.com", "c.org"]), []);
});

test("dstdomain semantics: .example.com is the domain and its subdomains; a bare name only itself", () => {
  assert.ok(domainMatches(".example.com", "example.com"));
  assert.ok(domainMatches(".example.com", "a.b.example.com"));
  assert.ok(!domainMatches(".example.com", "badexample.com"));
  assert.ok(domainMatches("api.vendor.io", "API.vendor.io."));
  // Squid drops every trailing dot of the host, not just one (url.cc), so "api.vendor.io.." is that host too
  assert.ok(domainMatches("api.vendor.io", "api.vendor.io.."));
  assert.ok(!domainMatches("api.vendor.io", "x.api.vendor.io"));
  assert.deepEqual(editDomains(["a.com", "b.com"], ["c.com", "a.com"], ["b.com"]), ["a.com", "c.com"]);
});

test("squid.conf: internal destinations denied by address (loopback, link-local, private, the VPC's CIDR) unless allowed; loopback and link-local can never be opened by the CLI", () => {
  const conf = renderSquidConfig({ port: 3128, allowDomains: ["api.vendor.io"], allowCidrs: ["44.1.0.0/16"], vpcCidrs: ["44.1.0.0/16"], allowDestinations: ["10.20.0.0/16"], verifySni: false });
  assert.match(conf, /^acl egress_to_loopback dst 0\.0\.0\.0\/8 127\.0\.0\.0\/8 ::1\/128 ::\/128$/m);
  assert.match(conf, /^acl egress_to_linklocal dst 169\.254\.0\.0\/16 fe80::\/10$/m);
  assert.match(conf, /^acl egress_to_private dst 10\.0\.0\.0\/8 100\.64\.0\.0\/10 172\.16\.0\.0\/12 192\.168\.0\.0\/16 fc00::\/7 44\.1\.0\.0\/16$/m, "a public-range VPC CIDR is added");
  assert.match(conf, /^acl egress_dst_allowed dst 10\.20\.0\.0\/16$/m);
  assert.match(conf, /^http_access deny egress_to_private !egress_dst_allowed$/m);
  assert.match(conf, /^http_access deny egress_to_linklocal$/m, "an allowed private range does not open link-local");
  assert.deepEqual(checkSquidConfig(conf), []);
  // a VPC CIDR inside RFC 1918 is not listed twice (Squid would warn and drop one)
  assert.match(renderSquidConfig({ port: 3128, allowDomains: ["a.io"], allowCidrs: ["10.0.0.0/16"], vpcCidrs: ["10.0.0.0/16"], verifySni: false }), /^acl egress_to_private dst [^\n]*fc00::\/7$/m);
  assert.equal(destinationCidrProblem("10.20.0.0/16"), undefined);
  assert.equal(destinationCidrProblem("100.64.0.0/16"), undefined);
  assert.equal(destinationCidrProblem("44.1.2.0/24", "44.1.0.0/16"), undefined, "inside the VPC's CIDR");
  for (const c of ["127.0.0.0/8", "169.254.169.254/32", "0.0.0.0/0", "168.0.0.0/6"]) assert.match(destinationCidrProblem(c) ?? "", /never relays/, c);
  for (const c of ["8.8.8.0/24", "44.1.2.0/24"]) assert.match(destinationCidrProblem(c) ?? "", /not inside a private range/, c);
});

test("squid.conf: sources, IP literals and ports denied before the allowlist; deny all last; verify-sni peeks and splices, never bumps", () => {
  const conf = renderSquidConfig({ port: 3128, allowDomains: [".example.com", "api.vendor.io"], allowCidrs: ["10.0.0.0/16", "192.168.1.0/24"], verifySni: false });
  const access = conf.split("\n").filter((l) => l.startsWith("http_access"));
  assert.deepEqual(access, [
    "http_access deny !egress_src",
    "http_access deny egress_ip_literal",
    "http_access deny CONNECT !egress_tls_port",
    "http_access deny !CONNECT !egress_http_port",
    "http_access deny !CONNECT !egress_http_methods",
    "http_access deny !egress_dst",
    "http_access deny to_localhost",
    "http_access deny egress_to_loopback",
    "http_access deny egress_to_linklocal",
    "http_access deny egress_to_private",
    "http_access allow egress_dst",
    "http_access deny all",
  ]);
  assert.match(conf, /^acl egress_http_methods method GET HEAD POST PUT PATCH DELETE OPTIONS$/m);
  assert.match(conf, /^http_port 3128$/m);
  assert.match(conf, /^acl egress_src src 10\.0\.0\.0\/16 192\.168\.1\.0\/24$/m);
  assert.match(conf, /^acl egress_dst dstdomain -n \.example\.com api\.vendor\.io$/m);
  assert.match(conf, /^access_log daemon:\/var\/log\/squid\/access\.log squid$/m);
  assert.doesNotMatch(conf, /ssl_bump/);
  assert.deepEqual(checkSquidConfig(conf), []);
  const sni = renderSquidConfig({ port: 3128, allowDomains: ["api.vendor.io"], allowCidrs: ["10.0.0.0/16"], verifySni: true });
  assert.match(sni, /^http_port 3128 ssl-bump tls-cert=\S+ generate-host-certificates=off$/m);
  assert.deepEqual(sni.split("\n").filter((l) => l.startsWith("ssl_bump")), ["ssl_bump peek egress_step1", "ssl_bump splice egress_sni", "ssl_bump terminate all"]);
  assert.deepEqual(checkSquidConfig(sni), []);
});

test("user data installs squid, writes the config verbatim, checks it and starts it; the emulated host runs it", () => {
  const conf = renderSquidConfig({ port: 3128, allowDomains: [".example.com"], allowCidrs: ["10.0.0.0/16"], verifySni: true });
  const ud = renderUserData(conf, { verifySni: true });
  assert.ok(ud.startsWith("#!/bin/bash\n"));
  assert.ok(ud.includes(conf.trimEnd()));
  assert.ok(ud.indexOf("squid -k parse") < ud.indexOf("systemctl enable --now squid"));
  const host = emptyHost();
  const boot = runScript(host, ud);
  assert.equal(boot.exitCode, 0, boot.stderr);
  assert.equal(host.files["/etc/squid/squid.conf"], conf);
  assert.equal(host.units.squid.active, true);
  // a broken new config stops the reconfigure script before it replaces the running one
  const bad = runScript(host, ["set -e", ...reconfigureScript(conf.replace("http_access deny all", "http_access deny ghost"))].join("\n"));
  assert.equal(bad.exitCode, 1);
  assert.match(bad.stderr, /ACL not found: ghost/);
  assert.equal(host.files["/etc/squid/squid.conf"], conf);
  const unknown = runScript(host, "curl https://example.com");
  assert.equal(unknown.exitCode, 127);
});

test("the static check reports unknown directives, ACL types, undefined ACLs and bad ports", () => {
  const errs = checkSquidConfig(["http_port 99999", "acl x portz 1", "http_access allow y", "frobnicate on", "acl p port 70000"].join("\n"));
  assert.equal(errs.length, 5);
  assert.deepEqual(checkSquidConfig("acl a src 10.0.0.0/8\nhttp_access allow a"), ["FATAL: no http_port: Squid would listen nowhere"]);
});

test("a config longer than one Run Command carries goes in parts: each script under the limit, the result the config itself, the running one untouched until the last part parses", () => {
  const domains = Array.from({ length: 400 }, (_, i) => `host-${i}.vendor-${i % 5}.example.org`);
  const conf = renderSquidConfig({ port: 3128, allowDomains: domains, allowCidrs: ["10.0.0.0/16"], verifySni: true });
  assert.equal(configPushScripts(conf).length, 1, "a config that fits goes in one command");
  const max = 4096;
  const scripts = configPushScripts(conf, max);
  assert.ok(scripts.length >= 4, `${scripts.length} scripts`);
  for (const s of scripts) assert.ok(scriptBytes(s) <= max, `${scriptBytes(s)} bytes`);
  const host = emptyHost();
  host.packages.push("squid");
  host.units.squid = { enabled: true, active: true };
  host.files["/etc/squid/squid.conf"] = "http_port 3128\nhttp_access deny all\n";
  for (const s of scripts.slice(0, -1)) {
    assert.equal(runScript(host, s.join("\n")).exitCode, 0);
    assert.equal(host.files["/etc/squid/squid.conf"], "http_port 3128\nhttp_access deny all\n", "untouched until the last part");
  }
  assert.equal(runScript(host, scripts.at(-1)!.join("\n")).exitCode, 0);
  assert.equal(host.files["/etc/squid/squid.conf"], conf);
  assert.equal(host.files["/etc/squid/squid.conf.part"], undefined);
  // a part lost (a crash between commands): the next push starts the part file afresh
  runScript(host, scripts[0].join("\n"));
  for (const s of scripts) runScript(host, s.join("\n"));
  assert.equal(host.files["/etc/squid/squid.conf"], conf);
  // no domain (a long list's first boot): squid denies everything
  const boot = renderSquidConfig({ port: 3128, allowDomains: [], allowCidrs: ["10.0.0.0/16"], verifySni: true });
  assert.deepEqual(boot.split("\n").filter((l) => l.startsWith("http_access")).at(-1), "http_access deny all");
  assert.doesNotMatch(boot, /^http_access allow/m);
  assert.deepEqual(checkSquidConfig(boot), []);
});
