// Ordinal text order (by UTF-16 code unit): the same on every machine and in every locale, which is
// what sorted ids, names and CIDRs in output and plans need. (localeCompare would also load ICU's
// collator on first use, ~10 ms of a command's start-up.)
export const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
