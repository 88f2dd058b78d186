// URLs as we store and show them: never with user-info. AWS signs requests with credentials, so a
// `user:password@` in --endpoint-url is never needed, and must not end up in a plan or on screen.

/** The URL (or "endpoint:<url>" backend string) without `user:password@`. */
export function stripUserInfo(text: string): string {
  return text.replace(/^((?:endpoint:)?[a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, "$1");
}

/** True when the URL carries a user name or password. */
export function hasUserInfo(text: string): boolean {
  return stripUserInfo(text) !== text;
}
