import assert from "node:assert/strict";
import {
  escapeHelp,
  escapeLabelValue,
  Exposition,
  formatValue,
} from "../../src/http/exposition.ts";

Deno.test("label values escape backslash, double quote and line feed; help escapes two", () => {
  assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  assert.equal(escapeHelp('a\\b"c\nd'), 'a\\\\b"c\\nd');
});

Deno.test("the writer puts HELP and TYPE once per family, samples below, in declared order", () => {
  const out = new Exposition()
    .family("x_total", "counter", "Things.\nCounted.")
    .metric("y", "gauge", "A level.", 1.5)
    .sample("x_total", 3, { path: 'cam"1', kind: "a\\b" })
    .sample("x_total", 4, { path: "cam\n2", kind: "" });
  assert.equal(
    out.text(),
    "# HELP x_total Things.\\nCounted.\n# TYPE x_total counter\n" +
      'x_total{path="cam\\"1",kind="a\\\\b"} 3\n' +
      'x_total{path="cam\\n2",kind=""} 4\n' +
      "# HELP y A level.\n# TYPE y gauge\ny 1.5\n",
  );
});

Deno.test("special values are written as the format spells them", () => {
  assert.deepEqual([NaN, Infinity, -Infinity, 0, 12.5].map(formatValue), [
    "NaN",
    "+Inf",
    "-Inf",
    "0",
    "12.5",
  ]);
});

Deno.test("bad names, undeclared families and a family declared twice differently are refused", () => {
  const out = new Exposition().family("ok", "gauge", "Fine.");
  assert.throws(() => out.family("9bad", "gauge", "x"), RangeError);
  assert.throws(() => out.family("ok", "counter", "Fine."), RangeError);
  assert.throws(() => out.sample("missing", 1), RangeError);
  assert.throws(() => out.sample("ok", 1, { "bad-label": "x" }), RangeError);
  assert.throws(() => out.sample("ok", 1, { __reserved: "x" }), RangeError);
  out.family("ok", "gauge", "Fine."); // the same declaration again is the same family
  out.sample("ok", 1);
  assert.equal(out.text(), "# HELP ok Fine.\n# TYPE ok gauge\nok 1\n");
});
