// What the sandbox runs on an emulated instance: user data at boot and AWS-RunShellScript commands.
// Not a shell: a line interpreter for the few commands egress-cli's proxy scripts use (package install,
// heredoc writes and appends, cloud-init status, cp/mv/rm, openssl req, squid -k parse|reconfigure, systemctl for squid, echo/set/test -f).
// `squid -k parse` applies the same static check as the pure module (src/proxy/squid.ts). Anything else
// exits 127 "command not emulated", so a script the sandbox cannot judge fails loudly instead of passing.
import { checkSquidConfig, SQUID_CONF_PATH } from "../proxy/squid.js";

export interface InstanceHost {
  files: Record<string, string>;
  packages: string[];
  /** systemd units: enabled/active. */
  units: Record<string, { enabled: boolean; active: boolean }>;
}

export interface ShellResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export const emptyHost = (): InstanceHost => ({ files: {}, packages: [], units: {} });

function words(line: string): string[] {
  return (line.match(/'[^']*'|"[^"]*"|\S+/g) ?? []).map((w) => w.replace(/^['"]|['"]$/g, ""));
}

function run1(host: InstanceHost, w: string[], out: string[], err: string[]): number {
  const [cmd, ...args] = w;
  const squidActive = () => host.units.squid?.active === true;
  switch (cmd) {
    case "set":
    case "true":
      return 0;
    case "false":
      return 1;
    case "echo":
      out.push(args.join(" "));
      return 0;
    case "test":
      if (args[0] === "-f") return host.files[args[1]] !== undefined ? 0 : 1;
      break;
    case "cloud-init":
      // boot (the user data) ran to its end when the instance started
      if (args[0] === "status") {
        out.push("status: done");
        return 0;
      }
      break;
    case "dnf":
    case "yum":
      if (args[0] === "install") {
        for (const p of args.slice(1).filter((a) => !a.startsWith("-"))) {
          if (!host.packages.includes(p)) host.packages.push(p);
          if (p === "squid") host.units.squid ??= { enabled: false, active: false };
        }
        out.push("Complete!");
        return 0;
      }
      break;
    case "cp":
    case "mv": {
      const [from, to] = args.filter((a) => !a.startsWith("-"));
      if (host.files[from] === undefined) {
        err.push(`${cmd}: cannot stat '${from}': No such file or directory`);
        return 1;
      }
      host.files[to] = host.files[from];
      if (cmd === "mv") delete host.files[from];
      return 0;
    }
    case "rm":
      for (const f of args.filter((a) => !a.startsWith("-"))) delete host.files[f];
      return 0;
    case "chmod":
    case "chown":
    case "chgrp":
      return 0;
    case "openssl":
      if (args[0] === "req") {
        for (const flag of ["-out", "-keyout"]) {
          const i = args.indexOf(flag);
          if (i >= 0 && args[i + 1]) host.files[args[i + 1]] = "-----BEGIN CERTIFICATE-----\n(sandbox)\n-----END CERTIFICATE-----\n";
        }
        return 0;
      }
      break;
    case "squid": {
      if (!host.packages.includes("squid")) {
        err.push("bash: squid: command not found");
        return 127;
      }
      const fi = args.indexOf("-f");
      const file = fi >= 0 ? args[fi + 1] : SQUID_CONF_PATH;
      const k = args[args.indexOf("-k") + 1];
      if (k === "parse" || k === "reconfigure") {
        const text = host.files[file];
        if (text === undefined) {
          err.push(`FATAL: Unable to open configuration file: ${file}: (2) No such file or directory`);
          return 1;
        }
        const problems = checkSquidConfig(text);
        if (problems.length) {
          err.push(...problems);
          return 1;
        }
        if (k === "reconfigure" && !squidActive()) {
          err.push("squid: ERROR: No running copy");
          return 1;
        }
        return 0;
      }
      break;
    }
    case "systemctl": {
      const unitArgs = args.filter((a) => !a.startsWith("-"));
      const [verb, unit = ""] = unitArgs;
      const name = unit.replace(/\.service$/, "");
      if (name !== "squid" || !host.units.squid) {
        err.push(`Unit ${unit}.service not found.`);
        return verb === "is-active" ? 4 : 5;
      }
      const u = host.units.squid;
      const startOk = () => {
        const text = host.files[SQUID_CONF_PATH];
        const problems = text === undefined ? ["FATAL: no configuration file"] : checkSquidConfig(text);
        if (problems.length) {
          err.push("Job for squid.service failed because the control process exited with error code.", ...problems);
          u.active = false;
          return 1;
        }
        u.active = true;
        return 0;
      };
      switch (verb) {
        case "enable":
          u.enabled = true;
          return args.includes("--now") ? startOk() : 0;
        case "start":
        case "restart":
        case "reload":
          return startOk();
        case "stop":
          u.active = false;
          return 0;
        case "is-active":
          out.push(u.active ? "active" : "inactive");
          return u.active ? 0 : 3;
      }
      break;
    }
  }
  err.push(`sandbox: command not emulated: ${w.join(" ")}`);
  return 127;
}

/** Runs a script; stops at the first failing command when `set -e` is on (as the proxy's scripts set it). */
export function runScript(host: InstanceHost, script: string): ShellResult {
  const out: string[] = [];
  const err: string[] = [];
  const lines = script.split("\n");
  let errexit = false;
  let code = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line || line.startsWith("#")) continue;
    const here = /^cat\s+(>>?)\s*(\S+)\s+<<-?\s*'?([A-Za-z_]+)'?$/.exec(line);
    if (here) {
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && lines[j] !== here[3]) body.push(lines[j++]);
      if (j >= lines.length) {
        err.push(`bash: warning: here-document at line ${i + 1} delimited by end-of-file (wanted '${here[3]}')`);
      }
      host.files[here[2]] = (here[1] === ">>" ? (host.files[here[2]] ?? "") : "") + body.join("\n") + "\n";
      i = j;
      code = 0;
      continue;
    }
    if (/^set\s+-\w*e/.test(line) || /^set\s.*-o\s+errexit/.test(line)) errexit = true;
    // a || b, a && b: left to right, like bash for these simple lists
    code = 0;
    let skipUntilOr = false;
    for (const part of line.split(/\s*(\|\||&&)\s*/)) {
      if (part === "||") {
        if (code === 0) skipUntilOr = true;
        continue;
      }
      if (part === "&&") {
        if (code !== 0) skipUntilOr = true;
        continue;
      }
      if (skipUntilOr) {
        skipUntilOr = false;
        continue;
      }
      code = run1(host, words(part), out, err);
    }
    if (code !== 0 && errexit) break;
  }
  const text = (a: string[]) => (a.length ? a.join("\n") + "\n" : "");
  return { exitCode: code, stdout: text(out), stderr: text(err) };
}
