// Allowlist patterns for the egress proxy, in Squid's `dstdomain` semantics: `api.vendor.io` is that
// host only, `.example.com` is example.com and every subdomain. Pure: no SDK, no fs.
import { domainToUnicode } from "node:url";

export interface DomainProblem {
  pattern: string;
  problem: string;
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The host a pattern names, without the leading dot. */
export const bareDomain = (pattern: string): string => (pattern.startsWith(".") ? pattern.slice(1) : pattern);

/** Whether `pattern` (Squid dstdomain) matches host name `host`. */
export function domainMatches(pattern: string, host: string): boolean {
  const h = host.toLowerCase().replace(/\.+$/, ""); // Squid drops every trailing dot of a host (url.cc)
  const p = pattern.toLowerCase();
  if (!p.startsWith(".")) return h === p;
  return h === p.slice(1) || h.endsWith(p);
}

/** Problems of one pattern (empty: valid). */
function problemOf(raw: string): string | undefined {
  // Taken as given: a pasted CR or a space around the name is refused, never trimmed away.
  const p = raw;
  if (!p) return "is empty";
  if (/[\u0000-\u001f\u007f]/.test(p)) return "contains a control character (a pasted carriage return?)";
  if (p !== p.trim()) return "has white space around it";
  if (/^\.*$/.test(p)) return "has no labels: name a domain (example.com, or .example.com for it and its subdomains)";
  if (p.includes("*")) return "contains '*': Squid has no wildcards; write '.example.com' for a domain and all its subdomains";
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) return "has a scheme: give the host name only (api.example.com)";
  if (p.includes("/")) return "has a path: the proxy allows host names, not URLs";
  if (/^\[?[0-9a-f:]+\]?$/i.test(p) && p.includes(":")) return "is an IPv6 address: the proxy denies IP literals; allow the host name";
  if (p.includes(":")) return "has a port: the proxy allows 443 (CONNECT) and 80 only";
  if (/^\.?[0-9.]+$/.test(p)) return "is an IP address: the proxy denies IP literals; allow the host name";
  if (/\s/.test(p)) return "contains white space";
  if (p !== p.toLowerCase()) return "has upper-case letters: write it in lower case (DNS names are case-insensitive)";
  const bare = bareDomain(p);
  if (bare.startsWith(".") || bare.endsWith(".") || bare.includes("..")) return "has an empty label";
  if (bare.length > 253) return "is longer than 253 characters";
  const labels = bare.split(".");
  const bad = labels.find((l) => !LABEL.test(l));
  if (bad !== undefined) return `has an invalid label '${bad}' (letters, digits and hyphens, 1-63 characters, no leading or trailing hyphen)`;
  if (labels.length < 2) return "is a top-level domain alone: name a registered domain (example.com)";
  // An IDNA A-label must decode (RFC 5891): xn--a is not Punycode for anything.
  const badPuny = labels.find((l) => l.startsWith("xn--") && !/[^\x00-\x7f]/.test(domainToUnicode(l)));
  if (badPuny !== undefined) return `has an invalid Punycode label '${badPuny}' (an xn-- label must decode to an internationalised name)`;
  return undefined;
}

/** Whether two patterns overlap (Squid keeps one of them and only warns): the pattern that is covered and by what. */
function overlap(a: string, b: string): DomainProblem | undefined {
  if (a === b) return { pattern: b, problem: "is listed twice" };
  for (const [wide, narrow] of [
    [a, b],
    [b, a],
  ]) {
    if (wide.startsWith(".") && domainMatches(wide, bareDomain(narrow)))
      return { pattern: narrow, problem: `overlaps '${wide}', which already covers it (Squid would ignore one of them with only a warning)` };
  }
  return undefined;
}

/** Every problem of an allowlist at once: invalid patterns, then overlapping pairs. */
export function validateDomains(patterns: string[]): DomainProblem[] {
  const out: DomainProblem[] = [];
  const valid: string[] = [];
  for (const p of patterns) {
    const problem = problemOf(p);
    if (problem) out.push({ pattern: p, problem });
    else valid.push(p);
  }
  for (let i = 0; i < valid.length; i++)
    for (let j = i + 1; j < valid.length; j++) {
      const o = overlap(valid[i], valid[j]);
      if (o) out.push(o);
    }
  return out;
}

/** The allowlist after adding and removing patterns (order kept, new ones appended). */
export function editDomains(current: string[], add: string[], remove: string[]): string[] {
  const drop = new Set(remove);
  const out = current.filter((d) => !drop.has(d));
  for (const a of add) if (!out.includes(a)) out.push(a);
  return out;
}
