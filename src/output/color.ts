// Terminal colour: ANSI styles through node:util's styleText, on or off as the caller decides for its
// stream (a TTY, --no-color, NO_COLOR: src/context.ts, src/output/logger.ts). Not chalk: importing it
// probes both standard streams for colour support (tty, os: ~3 ms of every start-up) for a decision
// that is made here per stream anyway. The codes are chalk's; unlike chalk, a style nested in itself
// (bold inside bold) does not re-open the outer one on Node 20 — nothing here nests. Pure: no fs, no SDK.
import { styleText } from "node:util";

const STYLES = ["bold", "dim", "red", "green", "yellow", "cyan", "gray", "white", "bgRed"] as const;
type Style = (typeof STYLES)[number];

/** `c.red("x")`; styles chain, outermost first: `c.red.bold("x")`. Off, it returns the text as given. */
export type Colors = ((text: string | number) => string) & { readonly [S in Style]: Colors };

let on: Colors | undefined;
let off: Colors | undefined;

export function colors(enabled: boolean): Colors {
  return enabled ? (on ??= painter(true, [])) : (off ??= painter(false, []));
}

function painter(enabled: boolean, styles: readonly Style[]): Colors {
  const paint = (text: string | number) => {
    let s = String(text);
    if (!enabled) return s;
    // validateStream false: the caller has decided (Node 22 would otherwise check process.stdout)
    for (let i = styles.length - 1; i >= 0; i--) s = styleText(styles[i]!, s, { validateStream: false });
    return s;
  };
  // each chain built once, on first use (an audit of 11,000 findings asks for them per finding)
  for (const style of STYLES) {
    Object.defineProperty(paint, style, {
      configurable: true,
      get: () => {
        const next = painter(enabled, [...styles, style]);
        Object.defineProperty(paint, style, { value: next });
        return next;
      },
    });
  }
  return paint as Colors;
}
