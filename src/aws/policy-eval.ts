// Pure IAM policy helpers: does a set of identity policies allow an action (the question
// attach-lambda asks about a role's ENI permissions, and the sandbox's Lambda asks before a VPC
// update), and is a document a well-formed policy (endpoint policies given as a file).
// Deliberately small: Allow/Deny, Action/NotAction with wildcards, Resource "*"-ish; statements
// with a Condition never count as granting (we cannot evaluate them, so we do not rely on them).

export interface PolicyStatement {
  Sid?: string;
  Effect?: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: unknown;
  Condition?: unknown;
}

export interface PolicyDocument {
  Version?: string;
  Statement?: PolicyStatement | PolicyStatement[];
}

/** The actions a Lambda execution role needs to place hyperplane ENIs in a VPC. */
export const LAMBDA_ENI_ACTIONS = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"] as const;

export const LAMBDA_VPC_ACCESS_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function wildcard(pattern: string): RegExp {
  return new RegExp("^" + pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$", "i");
}

function statements(doc: PolicyDocument): PolicyStatement[] {
  const s = doc.Statement;
  return s === undefined ? [] : Array.isArray(s) ? s : [s];
}

function matchesAction(st: PolicyStatement, action: string): boolean {
  if (st.NotAction !== undefined) return !list(st.NotAction).some((p) => wildcard(p).test(action));
  return list(st.Action).some((p) => wildcard(p).test(action));
}

function coversAnyResource(st: PolicyStatement): boolean {
  if (st.NotResource !== undefined) return false;
  // ENI actions are authorised on arn:aws:ec2:*:*:network-interface/* and subnet/security-group ARNs;
  // we accept "*" and ec2 wildcards that cover them.
  return list(st.Resource).some((r) => r === "*" || /^arn:aws[a-z-]*:ec2:\*?:\*?:\*$/.test(r) || r === "arn:aws:ec2:*:*:*");
}

/** True when the policies allow `action` on any resource and none denies it. */
export function allows(docs: PolicyDocument[], action: string): boolean {
  let allowed = false;
  for (const doc of docs) {
    for (const st of statements(doc)) {
      if (!matchesAction(st, action)) continue;
      if (st.Effect === "Deny" && st.Condition === undefined) return false;
      if (st.Effect === "Allow" && st.Condition === undefined && coversAnyResource(st)) allowed = true;
    }
  }
  return allowed;
}

/** The ENI actions these policies do not grant (empty: the role can attach to a VPC). */
export function missingEniActions(docs: PolicyDocument[]): string[] {
  return LAMBDA_ENI_ACTIONS.filter((a) => !allows(docs, a));
}

/** IAM returns policy documents URL-encoded; SDKs hand them over as is. */
export function decodePolicy(raw: string | undefined): PolicyDocument | undefined {
  if (!raw) return undefined;
  let text = raw;
  if (!text.trimStart().startsWith("{")) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return undefined;
    }
  }
  try {
    return JSON.parse(text) as PolicyDocument;
  } catch {
    return undefined;
  }
}

/**
 * Checks a policy document's shape (a VPC endpoint policy or any resource policy). Returns a list
 * of problems, empty when the document is usable.
 */
export function policyProblems(doc: unknown, opts: { maxChars?: number; text?: string } = {}): string[] {
  const problems: string[] = [];
  if (opts.text !== undefined && opts.maxChars !== undefined && opts.text.replace(/\s+/g, "").length > opts.maxChars) {
    problems.push(`the policy is longer than ${opts.maxChars} characters (whitespace excluded)`);
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) return [...problems, "the policy must be a JSON object"];
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) if (!["Version", "Id", "Statement"].includes(k)) problems.push(`unknown top-level key "${k}"`);
  if (d.Version !== undefined && d.Version !== "2012-10-17" && d.Version !== "2008-10-17") problems.push(`Version must be "2012-10-17" (or "2008-10-17"), got ${JSON.stringify(d.Version)}`);
  if (d.Statement === undefined) return [...problems, "the policy has no Statement"];
  const sts = Array.isArray(d.Statement) ? d.Statement : [d.Statement];
  if (!sts.length) problems.push("Statement is empty");
  sts.forEach((s, i) => {
    const where = `Statement[${i}]`;
    if (!s || typeof s !== "object" || Array.isArray(s)) return problems.push(`${where} must be an object`);
    const st = s as Record<string, unknown>;
    for (const k of Object.keys(st)) {
      if (!["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"].includes(k)) problems.push(`${where}: unknown key "${k}"`);
    }
    if (st.Effect !== "Allow" && st.Effect !== "Deny") problems.push(`${where}: Effect must be "Allow" or "Deny"`);
    const strs = (v: unknown) => typeof v === "string" || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string"));
    if ((st.Action === undefined) === (st.NotAction === undefined)) problems.push(`${where}: exactly one of Action or NotAction is required`);
    else if (!strs(st.Action ?? st.NotAction)) problems.push(`${where}: Action must be a string or a list of strings`);
    else {
      for (const a of list((st.Action ?? st.NotAction) as string | string[])) {
        if (a !== "*" && !/^[a-z0-9-]+:[A-Za-z0-9*?]+$/.test(a)) problems.push(`${where}: "${a}" is not an action (expected service:Action)`);
      }
    }
    if (st.Resource !== undefined && !strs(st.Resource)) problems.push(`${where}: Resource must be a string or a list of strings`);
    if (st.NotResource !== undefined && !strs(st.NotResource)) problems.push(`${where}: NotResource must be a string or a list of strings`);
    if (st.Condition !== undefined && (typeof st.Condition !== "object" || st.Condition === null || Array.isArray(st.Condition))) problems.push(`${where}: Condition must be an object`);
  });
  return problems;
}
