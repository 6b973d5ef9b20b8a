/**
 * The architecture, checked: no import cycles in `src/` (type imports included), and every import
 * and every use of a runtime global, clock, timer or console where the layer table allows it.
 *
 * The table below is the one in the design notes (ARCHITECTURE.md, "Layers and what each may
 * touch"), written as data. `tolerated` lists the departures the code still makes, each with its
 * reason; the last test fails when one is no longer needed, so the table only ever tightens.
 */

import assert from "node:assert/strict";
import {
  buildGraph,
  describeCycle,
  type Edge,
  findCycles,
  type ImportGraph,
  resolveRelative,
  stronglyConnected,
} from "./architecture/graph.ts";
import {
  applyTolerances,
  checkLayers,
  checkTable,
  type Layer,
  layerOf,
  type Violation,
} from "./architecture/layers.ts";
import { tokenize } from "./architecture/lexer.ts";
import { AMBIENT_NAMES, nonReExportLines, scanSource } from "./architecture/scan.ts";

const ROOT = new URL("../", import.meta.url);

/** The package's entry points (deno.json `exports`), root-relative: `mod.ts`, `cli.ts`, … */
const ENTRY_POINTS: string[] = Object.values(
  (JSON.parse(Deno.readTextFileSync(new URL("deno.json", ROOT))) as {
    exports: Record<string, string>;
  }).exports,
).map((path) => path.replace(/^\.\//, ""));

/** The entry points that make up the public API: every one but the command line program. */
const PUBLIC_API = ENTRY_POINTS.filter((path) => path !== "cli.ts");

// ─── The layer table ─────────────────────────────────────────────────────────────────────────────

/** The layers whose code is bytes in, typed values out: no I/O, no clock, no timer. */
const PURE = ["codec", "rtsp", "rtp", "rtcp", "sdp", "http1", "mp4"];
const CLOCKS = ["performance.now", "Date.now"];
const TIMERS = ["setTimeout", "setInterval"];
const CONSOLE = ["console.", "process.exit"];
const RUNTIME_GLOBALS = ["Deno.", "Bun."];

/** Packages that do no I/O, which even a pure layer may use (names as imported). */
const NO_IO_PACKAGES = ["fflate"];

/** Bottom to top. Every layer may import `base`, the ground floor (the first test checks). */
const LAYERS: Layer[] = [
  {
    name: "base",
    holds: "the ground floor: logger, clock and timers, package version",
    files: ["src/base/", "src/version.ts"],
    mayImport: [],
    ambient: [...CLOCKS, ...TIMERS],
  },
  // The pure layers: each other, downwards only.
  {
    name: "codec",
    holds: "bitstreams: H.264, JPEG, Y4M, raw frames",
    files: ["src/codec/"],
    mayImport: ["base"],
    packages: NO_IO_PACKAGES,
  },
  {
    name: "rtsp",
    holds: "RTSP messages and headers",
    files: ["src/rtsp/"],
    mayImport: ["base"],
    packages: NO_IO_PACKAGES,
  },
  {
    name: "rtp",
    holds: "RTP packets and payload formats",
    files: ["src/rtp/"],
    mayImport: ["codec", "base"],
    packages: NO_IO_PACKAGES,
  },
  {
    name: "rtcp",
    holds: "RTCP reports",
    files: ["src/rtcp/"],
    mayImport: ["rtp", "codec", "base"],
    packages: NO_IO_PACKAGES,
  },
  {
    name: "sdp",
    holds: "session descriptions",
    files: ["src/sdp/"],
    mayImport: ["rtsp", "rtp", "codec", "base"],
    packages: NO_IO_PACKAGES,
  },
  // Fragmented MP4 for the browser preview: H.264 access units in, ISO BMFF boxes out.
  {
    name: "mp4",
    holds: "fragmented MP4 (ISO/IEC 14496-12/-15) from H.264 access units",
    files: ["src/mp4/"],
    mayImport: ["codec", "base"],
    packages: NO_IO_PACKAGES,
  },
  // HTTP/1.1 wire format, pure: both the ingest port (a server) and the camera client (pulling
  // MJPEG and stills over HTTP) parse it, and neither may import the other, so the parsers they
  // share live one floor down. It borrows RFC 9110 token syntax and the receive buffer from rtsp/.
  {
    name: "http1",
    holds: "HTTP/1.1 response heads, chunked bodies, multipart streams",
    files: ["src/http1/"],
    mayImport: ["rtsp", "codec", "base"],
    packages: NO_IO_PACKAGES,
  },
  // The one room that touches the runtime.
  {
    name: "runtime",
    holds: "the adapters to Deno, Bun and node: sockets, files, TLS, interfaces",
    files: ["src/runtime/"],
    mayImport: ["base"],
    packages: ["node:"],
    ambient: [...RUNTIME_GLOBALS, ...CLOCKS, ...TIMERS],
    opaqueImports: true,
  },
  {
    name: "auth",
    holds: "access decisions: credentials, digest, rights",
    files: ["src/auth/"],
    mayImport: ["rtsp", "base"],
    tolerated: [
      { what: ["setTimeout"], why: "rights.ts's default failure delay sleeps on a real timer" },
    ],
  },
  {
    name: "generated",
    holds: "the generated WebAssembly modules as base64 text, loaded on first use",
    files: ["wasm/"],
    mayImport: [],
    lazy: true,
  },
  {
    name: "jpeg",
    holds: "the TypeScript face of the JPEG WASM module",
    files: ["src/jpeg/"],
    mayImport: ["generated", "codec", "base"],
    packages: ["fflate"],
  },
  {
    name: "encoder",
    holds: "the TypeScript face of the H.264 WASM module, its Worker, the encode pipeline",
    files: ["src/encoder/"],
    mayImport: ["generated", "codec", "jpeg", "base"],
    packages: ["fflate"],
  },
  {
    name: "decoder",
    holds: "the TypeScript face of the H.264 decoder WASM module",
    files: ["src/decoder/"],
    mayImport: ["generated", "encoder", "codec", "base"],
    packages: ["fflate"],
  },
  {
    name: "snapshot",
    holds: "JPEG snapshots of a path: its tap, the decoder Worker, the JPEG encoder",
    files: ["src/snapshot/"],
    mayImport: ["server", "decoder", "jpeg", "encoder", ...PURE, "base"],
    ambient: TIMERS,
  },
  {
    name: "camera",
    holds: "V4L2 capture",
    files: ["src/camera/"],
    mayImport: ["camera ffi", "runtime", "codec", "base"],
    ambient: TIMERS,
  },
  {
    name: "camera ffi",
    holds: "libc through each runtime's FFI, the one exception to runtime/",
    files: ["src/camera/libc_deno.ts", "src/camera/libc_bun.ts"],
    mayImport: ["camera", "base"],
    ambient: [...RUNTIME_GLOBALS, ...CLOCKS, ...TIMERS],
    opaqueImports: true,
  },
  {
    name: "server",
    holds: "Server, mount points, Stream, sessions, client connections, transports",
    files: ["src/server/"],
    mayImport: [...PURE, "auth", "runtime", "base"],
    ambient: TIMERS,
  },
  {
    name: "client",
    holds: "the RTSP client: pull sources and push targets",
    files: ["src/client/"],
    mayImport: [...PURE, "auth", "runtime", "base"],
    ambient: TIMERS,
  },
  {
    name: "ingest",
    holds: "device push, console, API, metrics, snapshots on the HTTP port",
    files: ["src/ingest/", "src/http/"],
    mayImport: ["server", "snapshot", "encoder", "jpeg", "auth", "runtime", ...PURE, "base"],
    packages: ["fflate"],
    ambient: TIMERS,
  },
  {
    name: "source",
    holds: "runners that feed a Stream: camera, test pattern, files, relays",
    files: ["src/source/"],
    mayImport: [
      "server",
      "client",
      "encoder",
      "jpeg",
      "camera",
      "auth",
      "runtime",
      ...PURE,
      "base",
    ],
    ambient: TIMERS,
  },
  {
    name: "config",
    holds: "the configuration model and its checker, pure but for reading the file",
    files: ["src/config/"],
    mayImport: ["auth", "runtime", ...PURE, "base"],
    packages: ["yaml"], // parses text; no I/O
    tolerated: [
      {
        what: ["camera", "encoder", "ingest"],
        why: "the settings table and the checker borrow what the layers they configure own: " +
          "capture format names, bitrate parsing, the ingest policy type",
      },
      {
        what: ["node:fs/promises"],
        why: "load.ts opens the file itself; runtime/files.ts already does (REVIEW §1.2, §3.4)",
      },
    ],
  },
  {
    name: "cli",
    holds: "flags → config → sources and server; the only place that prints or exits",
    files: ["src/cli/", "cli.ts"],
    mayImport: [
      "generated",
      "config",
      "source",
      "ingest",
      "client",
      "server",
      "camera",
      "encoder",
      "jpeg",
      "auth",
      "runtime",
      ...PURE,
      "base",
    ],
    packages: ["node:process", "node:util"], // standard streams, exit codes, flags; no sockets
    ambient: [...CLOCKS, ...TIMERS, ...CONSOLE],
  },
  {
    name: "public API",
    holds: "re-exports of the public API",
    files: PUBLIC_API,
    mayImport: [
      "source",
      "ingest",
      "client",
      "server",
      "camera",
      "encoder",
      "jpeg",
      "auth",
      "runtime",
      "config",
      ...PURE,
      "base",
    ],
  },
];

// ─── Reading the tree ────────────────────────────────────────────────────────────────────────────

async function readTree(): Promise<Map<string, string>> {
  const sources = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for await (const entry of Deno.readDir(new URL(dir, ROOT))) {
      const path = `${dir}${entry.name}`;
      if (entry.isDirectory) await walk(`${path}/`);
      else if (/\.(ts|tsx|js|mjs)$/.test(entry.name)) {
        sources.set(path, await Deno.readTextFile(new URL(path, ROOT)));
      }
    }
  };
  await walk("src/");
  for (const entry of ENTRY_POINTS) {
    sources.set(entry, await Deno.readTextFile(new URL(entry, ROOT)));
  }
  // Files outside src/ that src/ reaches (the generated modules in wasm/), transitively.
  const queue = [...sources.keys()];
  while (queue.length > 0) {
    const file = queue.pop()!;
    for (const { specifier } of scanSource(sources.get(file)!).imports) {
      if (!specifier.startsWith("./") && !specifier.startsWith("../")) continue;
      const target = resolveRelative(file, specifier);
      if (sources.has(target) || target.startsWith("../")) continue;
      try {
        sources.set(target, await Deno.readTextFile(new URL(target, ROOT)));
        queue.push(target);
      } catch {
        // Left out: the graph reports it as an import of a file that does not exist.
      }
    }
  }
  return sources;
}

let treeGraph: Promise<ImportGraph> | undefined;
function graphOfTree(): Promise<ImportGraph> {
  treeGraph ??= readTree().then(buildGraph);
  return treeGraph;
}

function report(title: string, violations: Violation[]): string {
  return `${title} (${violations.length}):\n` +
    violations.map((v) => `  ${v.message}`).join("\n");
}

// ─── The tree's tests ────────────────────────────────────────────────────────────────────────────

Deno.test("the layer table names each layer once, only layers it has, and base/ for all", () => {
  assert.deepEqual(checkTable(LAYERS), []);
  for (const layer of LAYERS) {
    if (layer.name !== "base" && layer.name !== "generated") {
      assert.ok(layer.mayImport.includes("base"), `${layer.name} may import the ground floor`);
    }
    for (const what of layer.ambient ?? []) {
      assert.ok((AMBIENT_NAMES as readonly string[]).includes(what), `${layer.name}: ${what}`);
    }
  }
});

Deno.test("src/ has no import cycle, type-only and dynamic imports included", async () => {
  const graph = await graphOfTree();
  const cycles = findCycles(graph.files, graph.edges);
  if (cycles.length === 0) return;
  const groups = stronglyConnected(graph.files, graph.edges);
  const lines = [
    `${groups.length} group(s) of files import each other around, in ${cycles.length} cycle(s):`,
  ];
  for (const group of groups) {
    lines.push("", `  group of ${group.length}: ${group.join(", ")}`);
    for (const cycle of cycles.filter((c) => group.includes(c[0].from))) {
      lines.push(`    ${describeCycle(cycle)}`);
    }
  }
  throw new Error(lines.join("\n"));
});

Deno.test("every file of src/, and every file it imports, has its place in the layer table", async () => {
  const graph = await graphOfTree();
  const unplaced = checkLayers(graph, LAYERS).filter((v) => v.layer === undefined);
  assert.deepEqual(unplaced, [], report("files in no layer", unplaced));
});

Deno.test("the pure layers import only each other and base/, and use no runtime, clock or timer", async () => {
  const graph = await graphOfTree();
  const broken = checkLayers(graph, LAYERS).filter((v) => PURE.includes(v.layer ?? ""));
  assert.deepEqual(broken, [], report("pure layers that reach out", broken));
});

Deno.test("every layer imports and uses only what the layer table allows", async () => {
  const graph = await graphOfTree();
  const { remaining } = applyTolerances(checkLayers(graph, LAYERS), LAYERS);
  const broken = remaining.filter((v) => v.layer !== undefined && !PURE.includes(v.layer));
  assert.deepEqual(broken, [], report("imports and uses the table does not allow", broken));
});

Deno.test("every departure the layer table tolerates is still there", async () => {
  const graph = await graphOfTree();
  const { stale } = applyTolerances(checkLayers(graph, LAYERS), LAYERS);
  assert.deepEqual(
    stale,
    [],
    "the code no longer needs these; delete them from `tolerated`:\n" +
      stale.map((s) => `  ${s.layer}: ${s.what} (${s.why})`).join("\n"),
  );
});

Deno.test("the public entry points only re-export", async () => {
  const graph = await graphOfTree();
  assert.ok(PUBLIC_API.includes("mod.ts"), "mod.ts is an entry point");
  for (const entry of PUBLIC_API) {
    assert.ok(graph.files.includes(entry), `${entry} was read`);
    const lines = nonReExportLines(await Deno.readTextFile(new URL(entry, ROOT)));
    assert.deepEqual(
      lines,
      [],
      `${entry} has statements other than export … from at lines ${lines}`,
    );
  }
});

// ─── The checker's own tests, on made-up sources and graphs ──────────────────────────────────────

Deno.test("scanSource() ignores imports and globals in comments, strings, templates and regexes", () => {
  const scan = scanSource(`
/**
 * @example
 * \`\`\`ts
 * import { serve } from "@x/rtsp";
 * import assert from "node:assert";
 * Deno.exit(1);
 * \`\`\`
 */
// import "./commented.ts";
const text = "import x from './in_string.ts'; Deno.run()";
const tpl = \`import("./in_template.ts") \${"}"} setTimeout(f)\`;
const re = /import y from "\\.\\/in_regex\\.ts"/g;
const ratio = a / b / c; // a division, not a regex
export const nested = \`a\${\`b\${Date.now()}\`}\`;
`);
  assert.deepEqual(scan.imports, []);
  assert.deepEqual(scan.ambient, [{ what: "Date.now", line: 15 }]);
});

Deno.test("scanSource() finds every kind of import with its kind and line", () => {
  const scan = scanSource(`import a from "./a.ts";
import type { B } from "./b.ts";
import { type C, type D } from "./c.ts";
import { type E, f } from "./e.ts";
import "./side_effect.ts";
import * as g from "node:fs";
export { h } from "./h.ts";
export type { I } from "./i.ts";
export * from "./j.ts";
export * as k from "./k.ts";
const l = await import("./l.ts");
type M = import("./m.ts").M;
const meta = import.meta.url;
const opaque = await import(name);
export { local };
import type from "./default_named_type.ts";
`);
  assert.deepEqual(
    scan.imports.map((i) => `${i.line} ${i.kind} ${i.specifier}`),
    [
      "1 value ./a.ts",
      "2 type ./b.ts",
      "3 type ./c.ts",
      "4 value ./e.ts",
      "5 value ./side_effect.ts",
      "6 value node:fs",
      "7 value ./h.ts",
      "8 type ./i.ts",
      "9 value ./j.ts",
      "10 value ./k.ts",
      "11 dynamic ./l.ts",
      "12 dynamic ./m.ts",
      "16 value ./default_named_type.ts",
    ],
  );
  assert.deepEqual(scan.opaqueDynamicImports, [14]);
});

Deno.test("scanSource() tells a timer's use from a member of the same name", () => {
  const scan = scanSource(`
interface Timers { setTimeout(fn: () => void, ms: number): number }
const timers = { setTimeout: (f) => f(), setInterval(f) { return 1; } };
injected.setTimeout(f, 1);
function setInterval(f) {}
const t = setTimeout(f, 10);
globalThis.setInterval(f, 10);
console.log("x");
`);
  assert.deepEqual(scan.ambient, [
    { what: "setTimeout", line: 6 },
    { what: "setInterval", line: 7 },
    { what: "console.", line: 8 },
  ]);
});

Deno.test("tokenize() keeps line numbers across comments, strings and templates", () => {
  const tokens = tokenize("/* one\ntwo */ a\n`x\ny` b // c\n'd'");
  assert.deepEqual(tokens.map((t) => [t.kind, t.text, t.line]), [
    ["name", "a", 2],
    ["template", "x\ny", 3],
    ["name", "b", 4],
    ["string", "d", 5],
  ]);
});

Deno.test("nonReExportLines() reports imports, declarations and local exports, not re-exports", () => {
  const source = `/** Docs with \`export const x = 1;\` in them. */
export { a, type B } from "./a.ts";
export type { C } from "./c.ts";
export * from "./d.ts";
export * as e from "./e.ts";
import { f } from "./f.ts";
export const g = 1;
export { f };
function h() { return { i: 1 }; }
`;
  assert.deepEqual(nonReExportLines(source), [6, 7, 8, 9]);
});

function edge(from: string, to: string, kind: Edge["kind"] = "value"): Edge {
  return { from, to, kind, line: 1, internal: true };
}

Deno.test("findCycles() names each cycle as a chain, covering every edge on a cycle", () => {
  // a → b → c → a and b ⇄ d form one group; e → a hangs off it; f → f loops on itself.
  const nodes = ["a", "b", "c", "d", "e", "f"];
  const edges = [
    edge("a", "b"),
    edge("b", "c"),
    edge("c", "a", "type"),
    edge("b", "d"),
    edge("d", "b", "dynamic"),
    edge("e", "a"),
    edge("f", "f"),
  ];
  assert.deepEqual(stronglyConnected(nodes, edges).map((g) => g.join(" ")).sort(), [
    "a b c d",
    "f",
  ]);
  const chains = findCycles(nodes, edges).map((c) =>
    [c[0].from, ...c.map((e) => e.to)].join(" → ")
  );
  assert.deepEqual(chains.sort(), ["a → b → c → a", "b → d → b", "f → f"]);
  const onCycles = new Set(findCycles(nodes, edges).flat());
  assert.deepEqual(onCycles.size, 6, "every edge but e → a lies on a named cycle");
  assert.deepEqual(
    describeCycle([edge("x.ts", "y.ts"), edge("y.ts", "x.ts", "type")]),
    "x.ts:1 ─→ y.ts:1 ─type→ x.ts",
  );
  assert.deepEqual(findCycles(["a", "b"], [edge("a", "b")]), []);
});

Deno.test("checkLayers() flags climbs, unlisted packages, ambients and unplaced files", () => {
  const layers: Layer[] = [
    { name: "low", holds: "pure things", files: ["src/low/"], mayImport: [] },
    {
      name: "high",
      holds: "I/O things",
      files: ["src/high/"],
      mayImport: ["low"],
      packages: ["node:"],
      ambient: ["setTimeout"],
      tolerated: [{ what: ["Date.now"], why: "not yet injected" }, {
        what: ["performance.now"],
        why: "long gone",
      }],
    },
    { name: "special", holds: "one file", files: ["src/low/special.ts"], mayImport: ["high"] },
  ];
  const graph = buildGraph(
    new Map([
      ["src/low/a.ts", 'import type { H } from "../high/h.ts";\nimport "node:fs";\nDate.now();'],
      ["src/low/special.ts", 'import { h } from "../high/h.ts";'],
      [
        "src/high/h.ts",
        'import { a } from "../low/a.ts";\nimport "node:net";\nsetTimeout(f);\nDate.now();',
      ],
      ["src/high/gone.ts", 'import "./missing.ts";'],
      ["src/elsewhere/x.ts", 'import "../low/a.ts";'],
    ]),
  );
  const violations = checkLayers(graph, layers);
  assert.deepEqual(violations.map((v) => `${v.file}:${v.line} ${v.layer} ${v.key}`), [
    "src/elsewhere/x.ts:1 undefined src/elsewhere/x.ts",
    "src/high/gone.ts:1 high src/high/missing.ts",
    "src/high/h.ts:4 high Date.now",
    "src/low/a.ts:1 low high",
    "src/low/a.ts:2 low node:fs",
    "src/low/a.ts:3 low Date.now",
  ]);
  assert.ok(violations[3].message.includes("type-imports src/high/h.ts: layer low"));
  assert.deepEqual(layerOf(layers, "src/low/special.ts")?.name, "special");
  const { remaining, excused, stale } = applyTolerances(violations, layers);
  assert.deepEqual(excused.map((v) => v.key), ["Date.now"]);
  assert.deepEqual(remaining.length, 5);
  assert.deepEqual(stale, [{ layer: "high", what: "performance.now", why: "long gone" }]);
  assert.deepEqual(checkTable([...layers, { ...layers[0], mayImport: ["nowhere"] }]), [
    "layer low is in the table twice",
    "layer low may import nowhere: no such layer",
  ]);
});

Deno.test("checkLayers() lets a lazy layer be loaded with import() or for its types only", () => {
  const layers: Layer[] = [
    { name: "gen", holds: "generated text", files: ["wasm/"], mayImport: [], lazy: true },
    { name: "user", holds: "its users", files: ["src/"], mayImport: ["gen"] },
  ];
  const graph = buildGraph(
    new Map([
      ["wasm/big.ts", "export const BIG = 1;"],
      [
        "src/a.ts",
        'import { BIG } from "../wasm/big.ts";\nimport type { T } from "../wasm/big.ts";\n' +
        'const m = await import("../wasm/big.ts");',
      ],
    ]),
  );
  assert.deepEqual(checkLayers(graph, layers).map((v) => `${v.file}:${v.line} ${v.key}`), [
    "src/a.ts:1 gen",
  ]);
});
