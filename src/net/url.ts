// URLs as we store and show them: never with user-info, a query string or a fragment. AWS signs
// requests with credentials, so a `user:password@` in --endpoint-url is never needed, and a query
// (`?X-Amz-Security-Token=…`) or fragment is no part of an endpoint; none of them must end up in a
// plan, an error message or on screen.

/** The URL (or "endpoint:<url>" backend string) without `user:password@`, `?query` and `#fragment`. */
export function redactUrl(text: string): string {
  return text.replace(/^((?:endpoint:)?[a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, "$1").replace(/[?#].*$/s, "");
}

/** True when the URL carries a user name, a password, a query string or a fragment. */
export function hasSecretParts(text: string): boolean {
  return redactUrl(text) !== text;
}
