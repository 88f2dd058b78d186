// Ordinal text order (by UTF-16 code unit): the same on every machine and in every locale, which is
// what sorted ids, names and CIDRs in output and plans need. (localeCompare would also load ICU's
// collator on first use, ~10 ms of a command's start-up.)
export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Levenshtein edit distance: "did you mean" among service and function names. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}
