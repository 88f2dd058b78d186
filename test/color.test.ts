// src/output/color.ts: the ANSI codes chalk (level 1) wrote, chained outermost first; off, the text as given.
import { test } from "node:test";
import assert from "node:assert/strict";
import { colors } from "../src/output/color.js";

test("colours on: the same SGR codes as before (chalk, level 1), chains nest outermost first", () => {
  const c = colors(true);
  assert.equal(c.red("x"), "\x1b[31mx\x1b[39m");
  assert.equal(c.gray("x"), "\x1b[90mx\x1b[39m");
  assert.equal(c.dim("x"), "\x1b[2mx\x1b[22m");
  assert.equal(c.red.bold("x"), "\x1b[31m\x1b[1mx\x1b[22m\x1b[39m");
  assert.equal(c.bgRed.white.bold("!"), "\x1b[41m\x1b[37m\x1b[1m!\x1b[22m\x1b[39m\x1b[49m");
  assert.equal(c.bold(3), "\x1b[1m3\x1b[22m");
});

test("colours off: the text unchanged, numbers as text, chains too", () => {
  const c = colors(false);
  assert.equal(c.red("x"), "x");
  assert.equal(c.red.bold("y"), "y");
  assert.equal(c.green(42), "42");
});
