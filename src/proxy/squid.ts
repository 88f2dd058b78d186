// The egress proxy's Squid configuration and the EC2 user data that installs it. Pure: no SDK, no fs.
// The config must parse on Squid 5.7 (Debian 12, the tests) and 6.x (Amazon Linux 2023, the proxies):
// only directives and options both versions know.
import { cidrContains, cidrOverlaps, parseCidr } from "../net/addr.js";

export interface SquidConfigInput {
  port: number;
  /** Squid dstdomain patterns (validated with validateDomains first). */
  allowDomains: string[];
  /** Source CIDRs admitted (the VPC's CIDR, --allow-cidr…). */
  allowCidrs: string[];
  /** The VPC's own CIDRs: denied as destinations like the other internal ranges. */
  vpcCidrs?: string[];
  /** Internal destinations relayed after all (--allow-dest-cidr); everything else in INTERNAL_DESTINATIONS is denied. */
  allowDestinations?: string[];
  /** Peek at the TLS ClientHello and splice only when the SNI is on the list (never bumps). */
  verifySni: boolean;
  /** Destination ports: CONNECT only to tls (443), plain HTTP only to http (80). Tests serve on unprivileged ports. */
  upstreamPorts?: { tls: number; http: number };
  /** Where things live; the defaults are the Amazon Linux 2023 package's. Tests point them at a temp dir. */
  paths?: Partial<SquidPaths>;
}

export interface SquidPaths {
  accessLog: string;
  cacheLog: string;
  pidFile: string;
  /** The certificate Squid needs on an ssl-bump port even though it never bumps (peek and splice only). */
  peekCert: string;
  /** Extra hosts file (tests map their names to 127.0.0.1); unset: the system's /etc/hosts. */
  hostsFile?: string;
  /** Run as this user (tests); unset: the package's default. */
  effectiveUser?: string;
}

export const DEFAULT_PATHS: SquidPaths = {
  accessLog: "/var/log/squid/access.log",
  cacheLog: "/var/log/squid/cache.log",
  pidFile: "/run/squid.pid",
  peekCert: "/etc/squid/egress-peek.pem",
};

export const SQUID_CONF_PATH = "/etc/squid/squid.conf";

/**
 * Destinations the proxy never relays to unless --allow-dest-cidr names them, by the address a name
 * resolves to (Squid `dst`): an allowed name pointing at one of them would otherwise reach the
 * instance itself, the metadata service (its role's credentials) or the private network. IPv4-mapped
 * IPv6 (::ffff:127.0.0.1) needs no entry: Squid keeps every IPv4 address in that form and matches it.
 */
export const INTERNAL_DESTINATIONS = {
  /** The instance itself ("this network" 0/8 included: Linux connects 0.0.0.0 to itself); with Squid's own to_localhost. */
  loopback: ["0.0.0.0/8", "127.0.0.0/8", "::1/128", "::/128"],
  /** Link-local: the instance metadata service 169.254.169.254 (fd00:ec2::254 is in fc00::/7), the Amazon DNS and time addresses. */
  linklocal: ["169.254.0.0/16", "fe80::/10"],
  /** Private networks: RFC 1918, carrier-grade NAT (RFC 6598), IPv6 unique-local; the VPC's CIDRs are added. */
  private: ["10.0.0.0/8", "100.64.0.0/10", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
} as const;

/**
 * Why --allow-dest-cidr `cidr` (a valid IPv4 block) is refused, or undefined: only private ranges
 * (RFC 1918, 100.64.0.0/10) or the VPC's own CIDR can be opened; loopback and link-local (the
 * metadata service) never, and a public range needs no opening (names on the list reach it).
 */
export function destinationCidrProblem(cidr: string, vpcCidr?: string): string | undefined {
  const overlapping = (ranges: readonly string[]) => ranges.filter((r) => !r.includes(":") && cidrsOverlap(cidr, r));
  const never = [...overlapping(INTERNAL_DESTINATIONS.loopback), ...overlapping(INTERNAL_DESTINATIONS.linklocal)];
  if (never.length) return `overlaps ${never.join(", ")} (loopback or link-local, where the instance itself and its metadata service answer): the proxy never relays there`;
  if (![...INTERNAL_DESTINATIONS.private, ...(vpcCidr ? [vpcCidr] : [])].some((r) => !r.includes(":") && cidrWithin(cidr, r)))
    return "is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10) or the VPC's CIDR: public addresses are reached by name already, only internal ones need opening";
  return undefined;
}

/** Methods relayed as plain HTTP (port 80); TLS goes through CONNECT (port 443) only. TRACE, PURGE, WebDAV… are refused. */
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** The squid.conf the proxy runs: deny by default, every rule says why. */
export function renderSquidConfig(input: SquidConfigInput): string {
  const p = { ...DEFAULT_PATHS, ...(input.paths ?? {}) };
  const allowDst = input.allowDestinations ?? [];
  const internal = { ...INTERNAL_DESTINATIONS, private: [...INTERNAL_DESTINATIONS.private, ...(input.vpcCidrs ?? []).filter((c) => !INTERNAL_DESTINATIONS.private.some((r) => cidrWithin(c, r)))] };
  // a class some --allow-dest-cidr falls in is denied except for those ranges; the others outright
  const denyInternal = (Object.keys(internal) as Array<keyof typeof internal>).flatMap((k) => {
    const except = allowDst.some((d) => internal[k].some((r) => cidrWithin(d, r))) ? " !egress_dst_allowed" : "";
    return k === "loopback" ? [`http_access deny to_localhost${except}`, `http_access deny egress_to_${k}${except}`] : [`http_access deny egress_to_${k}${except}`];
  });
  const lines: string[] = [
    "# Squid for the egress proxy, generated by egress-cli (its `proxy allow` command rewrites it in place)",
    input.verifySni ? `http_port ${input.port} ssl-bump tls-cert=${p.peekCert} generate-host-certificates=off` : `http_port ${input.port}`,
    "",
    `acl egress_src src ${input.allowCidrs.join(" ")}`,
    // no domain yet (a long allowlist's first boot, delivered by Run Command): everything is denied
    ...aclLines("egress_dst dstdomain -n", input.allowDomains),
    // destinations written as IP literals bypass a name allowlist: refuse them outright
    "acl egress_ip_literal dstdom_regex -n -i ^[0-9.]+$ ^0x[0-9a-f.x]+$ ^\\[?[0-9a-f:]*:[0-9a-f:.]*\\]?$",
    `acl egress_tls_port port ${input.upstreamPorts?.tls ?? 443}`,
    `acl egress_http_port port ${input.upstreamPorts?.http ?? 80}`,
    "acl CONNECT method CONNECT",
    `acl egress_http_methods method ${HTTP_METHODS.join(" ")}`,
    // by the address the name resolves to (dst): an allowed name may point anywhere
    ...(Object.keys(internal) as Array<keyof typeof internal>).map((k) => `acl egress_to_${k} dst ${internal[k].join(" ")}`),
    ...(allowDst.length ? [`acl egress_dst_allowed dst ${allowDst.join(" ")}`] : []),
    "",
    "http_access deny !egress_src",
    "http_access deny egress_ip_literal",
    "http_access deny CONNECT !egress_tls_port",
    "http_access deny !CONNECT !egress_http_port",
    "http_access deny !CONNECT !egress_http_methods",
    // names off the list are refused before any DNS lookup; listed ones are then checked by address
    ...(input.allowDomains.length ? ["http_access deny !egress_dst", ...denyInternal, "http_access allow egress_dst"] : []),
    "http_access deny all",
  ];
  if (input.verifySni) {
    lines.push(
      "",
      "# --verify-sni: read the TLS ClientHello, tunnel only names on the list; never decrypt",
      "acl egress_step1 at_step SslBump1",
      ...aclLines("egress_sni ssl::server_name", input.allowDomains),
      "ssl_bump peek egress_step1",
      ...(input.allowDomains.length ? ["ssl_bump splice egress_sni"] : []),
      "ssl_bump terminate all",
    );
  }
  lines.push(
    "",
    `access_log daemon:${p.accessLog} squid`,
    `cache_log ${p.cacheLog}`,
    `pid_filename ${p.pidFile}`,
    ...(p.hostsFile ? [`hosts_file ${p.hostsFile}`] : []),
    ...(p.effectiveUser ? [`cache_effective_user ${p.effectiveUser}`] : []),
    "cache deny all",
    "forwarded_for delete",
    "httpd_suppress_version_string on",
    "visible_hostname egress-proxy",
    "shutdown_lifetime 3 seconds",
    "",
  );
  return lines.join("\n");
}

/** Values per acl line: Squid adds the values of repeated acl lines of one name, and short lines keep a long list in parts that fit a Run Command. */
const ACL_VALUES_PER_LINE = 40;

/** `acl <head> values…` in lines of at most ACL_VALUES_PER_LINE values (none for no values). */
function aclLines(head: string, values: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < values.length; i += ACL_VALUES_PER_LINE) out.push(`acl ${head} ${values.slice(i, i + ACL_VALUES_PER_LINE).join(" ")}`);
  return out;
}

/** Whether IPv4 or IPv6 block `inner` lies within `outer` (same family). */
function cidrWithin(inner: string, outer: string): boolean {
  const a = parseCidr(inner.includes("/") ? inner : `${inner}/${inner.includes(":") ? 128 : 32}`);
  const b = parseCidr(outer.includes("/") ? outer : `${outer}/${outer.includes(":") ? 128 : 32}`);
  return !!a && !!b && cidrContains(b, a);
}

function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return !!x && !!y && cidrOverlaps(x, y);
}

/** Heredoc terminator used by the user data and `proxy allow` (never appears in a config). */
export const CONF_EOF = "EGRESS_SQUID_CONF";

/** Shell lines that write the config, check it, and either reload or put the old one back. */
export function reconfigureScript(conf: string): string[] {
  return [
    `cp ${SQUID_CONF_PATH} ${SQUID_CONF_PATH}.previous`,
    `cat > ${SQUID_CONF_PATH}.new <<'${CONF_EOF}'`,
    ...conf.replace(/\n$/, "").split("\n"),
    CONF_EOF,
    ...applyNewConfig,
  ];
}

const applyNewConfig = [`squid -k parse -f ${SQUID_CONF_PATH}.new`, `mv ${SQUID_CONF_PATH}.new ${SQUID_CONF_PATH}`, "squid -k reconfigure", "systemctl is-active squid"];

/**
 * Run Command: an SSM document's content with the parameters given at run time is at most 64 KB;
 * AWS-RunShellScript itself takes about 2 KB. One command's script (its `commands`, JSON-encoded) is kept
 * under this; a longer config is sent in parts.
 */
export const RUN_COMMAND_SCRIPT_MAX_BYTES = 48 * 1024;

/** The JSON size of a script as the `commands` parameter of SendCommand. */
export const scriptBytes = (commands: string[]) => Buffer.byteLength(JSON.stringify(commands), "utf8");

/**
 * The Run Command scripts that install `conf` on a running proxy, in order: one (reconfigureScript)
 * when it fits a command; otherwise the config is appended to squid.conf.part in parts and the last
 * script moves it to squid.conf.new and applies it (parse, replace, reconfigure). A part-way failure
 * or a crash leaves the running config alone; the next push starts the part file afresh. Each script
 * first waits for cloud-init: at launch the agent may register before the user data has finished.
 */
export function configPushScripts(conf: string, max = RUN_COMMAND_SCRIPT_MAX_BYTES): string[][] {
  const head = ["set -euo pipefail", "cloud-init status --wait || true"];
  const whole = [...head, ...reconfigureScript(conf)];
  if (scriptBytes(whole) <= max) return [whole];
  const part = `${SQUID_CONF_PATH}.part`;
  const scripts: string[][] = [];
  let chunk: string[] = [];
  const open = () => [...head, ...(scripts.length ? [] : [`rm -f ${part}`]), `cat >> ${part} <<'${CONF_EOF}'`];
  const flush = () => {
    scripts.push([...open(), ...chunk, CONF_EOF]);
    chunk = [];
  };
  for (const line of conf.replace(/\n$/, "").split("\n")) {
    if (scriptBytes([...open(), ...chunk, line, CONF_EOF]) > max && chunk.length) flush();
    if (scriptBytes([...open(), line, CONF_EOF]) > max) throw new Error(`internal: a config line of ${line.length} characters does not fit one Run Command`);
    chunk.push(line);
  }
  if (chunk.length) flush();
  scripts.push([...head, `cp ${SQUID_CONF_PATH} ${SQUID_CONF_PATH}.previous`, `mv ${part} ${SQUID_CONF_PATH}.new`, ...applyNewConfig]);
  return scripts;
}

/** The user data (bash, cloud-init) that installs Squid on Amazon Linux 2023 and starts it with conf. */
export function renderUserData(conf: string, opts: { verifySni: boolean; allowlistByRunCommand?: boolean }): string {
  return [
    "#!/bin/bash",
    "# Bootstrap of the egress proxy made by egress-cli (Amazon Linux 2023)",
    ...(opts.allowlistByRunCommand ? ["# The allowlist is too long for user data: squid starts denying everything; egress-cli sends the full config by SSM Run Command"] : []),
    "set -euo pipefail",
    "dnf install -y squid",
    ...(opts.verifySni
      ? [`openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=egress-proxy-peek -keyout ${DEFAULT_PATHS.peekCert} -out ${DEFAULT_PATHS.peekCert}`, `chmod 0640 ${DEFAULT_PATHS.peekCert}`]
      : []),
    `cat > ${SQUID_CONF_PATH} <<'${CONF_EOF}'`,
    ...conf.replace(/\n$/, "").split("\n"),
    CONF_EOF,
    "squid -k parse",
    "systemctl enable --now squid",
    "",
  ].join("\n");
}

// ---------- a static check of what `squid -k parse` rejects (the sandbox's Run Command uses it) ----------

const DIRECTIVES = new Set([
  "http_port", "https_port", "acl", "http_access", "ssl_bump", "access_log", "cache_log", "pid_filename", "hosts_file",
  "cache_effective_user", "cache", "via", "forwarded_for", "httpd_suppress_version_string", "visible_hostname",
  "shutdown_lifetime", "coredump_dir", "dns_nameservers", "logfile_rotate", "cache_dir", "refresh_pattern",
  "sslcrtd_program", "tls_outgoing_options", "connect_timeout", "request_header_access", "max_filedescriptors",
]);
const ACL_TYPES = new Set([
  "src", "dst", "dstdomain", "srcdomain", "dstdom_regex", "url_regex", "urlpath_regex", "port", "localport", "proto",
  "method", "at_step", "ssl::server_name", "ssl::server_name_regex", "http_status", "time", "maxconn", "all-of", "any-of",
]);
const BUILTIN_ACLS = new Set(["all", "localhost", "to_localhost", "manager", "to_linklocal"]);
const ONOFF = new Set(["on", "off"]);

/**
 * Problems `squid -k parse` would report as fatal (unknown directives, unknown ACL types, rules naming
 * undefined ACLs, bad ports, bad on/off values). Not Squid's full grammar: a faithful subset for the
 * configurations this tool writes and their likely corruptions (see the real-Squid test).
 */
export function checkSquidConfig(text: string): string[] {
  const errors: string[] = [];
  const acls = new Set(BUILTIN_ACLS);
  let ports = 0;
  text.split("\n").forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith("#")) return;
    const [directive, ...args] = line.split(/\s+/);
    const at = `line ${i + 1}: ${line}`;
    if (!DIRECTIVES.has(directive)) return errors.push(`FATAL: unknown directive '${directive}' (${at})`);
    switch (directive) {
      case "http_port":
      case "https_port": {
        ports++;
        const m = /^(?:(?:\d+\.){3}\d+:|\[[0-9a-f:]+\]:)?(\d+)$/i.exec(args[0] ?? "");
        const port = m ? Number(m[1]) : NaN;
        if (!(port >= 1 && port <= 65535)) errors.push(`FATAL: invalid port '${args[0] ?? ""}' (${at})`);
        break;
      }
      case "acl": {
        const [name, type, ...values] = args;
        if (!name || !type) return errors.push(`FATAL: acl needs a name and a type (${at})`);
        if (!ACL_TYPES.has(type)) return errors.push(`FATAL: Invalid ACL type '${type}' (${at})`);
        if (!values.filter((v) => !v.startsWith("-")).length) return errors.push(`FATAL: acl ${name} has no values (${at})`);
        if (type === "port" && values.some((v) => !/^\d+(-\d+)?$/.test(v) || Number(v.split("-")[0]) > 65535)) errors.push(`FATAL: invalid port in acl ${name} (${at})`);
        if ((type === "src" || type === "dst") && values.some((v) => !/^[0-9a-f.:]+(\/\d+)?$/i.test(v) && v !== "all")) errors.push(`FATAL: invalid address in acl ${name} (${at})`);
        acls.add(name);
        break;
      }
      case "http_access":
      case "ssl_bump": {
        const [action, ...refs] = args;
        const actions = directive === "http_access" ? ["allow", "deny"] : ["peek", "stare", "splice", "bump", "terminate"];
        if (!actions.includes(action)) return errors.push(`FATAL: ${directive}: unknown action '${action ?? ""}' (${at})`);
        if (!refs.length) return errors.push(`FATAL: ${directive} ${action} names no ACL (${at})`);
        for (const r of refs) if (!acls.has(r.replace(/^!/, ""))) errors.push(`FATAL: ACL not found: ${r.replace(/^!/, "")} (${at})`);
        break;
      }
      case "via":
      case "httpd_suppress_version_string":
        if (!ONOFF.has(args[0] ?? "")) errors.push(`FATAL: expected on or off (${at})`);
        break;
      default:
        if (!args.length) errors.push(`FATAL: ${directive} needs a value (${at})`);
    }
  });
  if (!ports) errors.push("FATAL: no http_port: Squid would listen nowhere");
  return errors;
}
