/**
 * The layer rules: which layer a file is in, what each layer may import and use, and the departures
 * a layer table tolerates for now.
 */

import type { ImportGraph } from "./graph.ts";

/** A departure from a layer's rules that the code still makes, kept visible until it is gone. */
export interface Tolerance {
  /** Layer names, bare specifiers (`node:fs`) or ambient names (`performance.now`) tolerated. */
  what: string[];
  /** Why it is there and what would end it. */
  why: string;
}

/** One row of the layer table. */
export interface Layer {
  /** The layer's name, as other rows' `mayImport` say it. */
  name: string;
  /** What the layer holds, for the failure messages. */
  holds: string;
  /** Which files belong here: folder prefixes (`src/rtsp/`) or exact files; the longest match wins. */
  files: string[];
  /** The other layers this one may import. A layer may always import its own files. */
  mayImport: string[];
  /** Bare specifiers it may import: exact names, or prefixes ending in `:` or `/` (`node:`). */
  packages?: string[];
  /** Ambient uses (of `AMBIENT_NAMES`) allowed in its code. */
  ambient?: readonly string[];
  /** May load modules by a computed specifier (`import(name)`), which no check can follow. */
  opaqueImports?: boolean;
  /** Others may load it only on first use, with `import("…")` (or import its types). */
  lazy?: boolean;
  /** Known departures, each with its reason. */
  tolerated?: Tolerance[];
}

/** One broken rule. */
export interface Violation {
  /** The file that breaks it. */
  file: string;
  line: number;
  /** The layer of `file`, or `undefined` for a file the table does not place. */
  layer: string | undefined;
  /** What a `Tolerance` would name to allow it: a layer, a bare specifier or an ambient name. */
  key: string;
  message: string;
}

/** Which layer a file is in; `undefined` for a file the table does not place. */
export function layerOf(layers: Layer[], file: string): Layer | undefined {
  let best: Layer | undefined;
  let bestLength = -1;
  for (const layer of layers) {
    for (const pattern of layer.files) {
      const match = pattern.endsWith("/") ? file.startsWith(pattern) : file === pattern;
      if (match && pattern.length > bestLength) {
        best = layer;
        bestLength = pattern.length;
      }
    }
  }
  return best;
}

function packageAllowed(allowed: string[] | undefined, specifier: string): boolean {
  return (allowed ?? []).some((p) =>
    p.endsWith(":") || p.endsWith("/") ? specifier.startsWith(p) : specifier === p
  );
}

/** Checks the table itself: unique names, and `mayImport` naming only rows of the table. */
export function checkTable(layers: Layer[]): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const layer of layers) {
    if (names.has(layer.name)) problems.push(`layer ${layer.name} is in the table twice`);
    names.add(layer.name);
  }
  for (const layer of layers) {
    for (const other of layer.mayImport) {
      if (!names.has(other)) {
        problems.push(`layer ${layer.name} may import ${other}: no such layer`);
      }
    }
  }
  return problems;
}

/** Checks every file, edge, opaque import and ambient use against the table. */
export function checkLayers(graph: ImportGraph, layers: Layer[]): Violation[] {
  const violations: Violation[] = [];
  for (const file of graph.files) {
    if (layerOf(layers, file) === undefined) {
      violations.push({
        file,
        line: 1,
        layer: undefined,
        key: file,
        message:
          `${file} is in no layer of the table: add a row or a folder for it, with its rules`,
      });
    }
  }
  for (const e of graph.edges) {
    const from = layerOf(layers, e.from);
    if (from === undefined) continue;
    const how = e.kind === "value" ? "imports" : e.kind === "type" ? "type-imports" : "loads";
    if (!e.internal) {
      if (!packageAllowed(from.packages, e.to)) {
        violations.push({
          file: e.from,
          line: e.line,
          layer: from.name,
          key: e.to,
          message: `${e.from}:${e.line} ${how} "${e.to}", a package that layer ${from.name} ` +
            `(${from.holds}) may not use; it may use ${from.packages?.join(", ") || "none"}`,
        });
      }
      continue;
    }
    const to = layerOf(layers, e.to);
    if (to === undefined || to === from) continue;
    if (to.lazy === true && e.kind === "value" && from.mayImport.includes(to.name)) {
      violations.push({
        file: e.from,
        line: e.line,
        layer: from.name,
        key: to.name,
        message: `${e.from}:${e.line} imports ${e.to} statically: layer ${to.name} (${to.holds}) ` +
          `is loaded on first use, with import("…")`,
      });
    } else if (!from.mayImport.includes(to.name)) {
      violations.push({
        file: e.from,
        line: e.line,
        layer: from.name,
        key: to.name,
        message: `${e.from}:${e.line} ${how} ${e.to}: layer ${from.name} (${from.holds}) may not ` +
          `import layer ${to.name}; it may import ${
            from.mayImport.join(", ") || "nothing of ours"
          }`,
      });
    }
  }
  for (const [file, lines] of graph.opaqueDynamicImports) {
    const layer = layerOf(layers, file);
    if (layer === undefined || layer.opaqueImports === true) continue;
    for (const line of lines) {
      violations.push({
        file,
        line,
        layer: layer.name,
        key: "import(…)",
        message: `${file}:${line} loads a module by a computed name, which the layer rules ` +
          `cannot follow; layer ${layer.name} must name what it loads`,
      });
    }
  }
  for (const [file, uses] of graph.ambient) {
    const layer = layerOf(layers, file);
    if (layer === undefined) continue;
    for (const use of uses) {
      if (layer.ambient?.includes(use.what)) continue;
      violations.push({
        file,
        line: use.line,
        layer: layer.name,
        key: use.what,
        message: `${file}:${use.line} uses ${use.what} in code: layer ${layer.name} ` +
          `(${layer.holds}) may use ${
            layer.ambient?.join(", ") || "no runtime global, clock, timer or console"
          }` +
          `; take it as an argument or from a layer that may`,
      });
    }
  }
  for (const e of graph.unresolved) {
    violations.push({
      file: e.from,
      line: e.line,
      layer: layerOf(layers, e.from)?.name,
      key: e.to,
      message: `${e.from}:${e.line} imports ${e.to}, which does not exist`,
    });
  }
  return violations.sort((a, b) => a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line);
}

/** A tolerance that excuses nothing any more. */
export interface StaleTolerance {
  layer: string;
  what: string;
  why: string;
}

/**
 * Splits violations into those a row's `tolerated` covers and the rest, and names each tolerated
 * item that no violation needs any more, so the table tightens as the code improves.
 */
export function applyTolerances(
  violations: Violation[],
  layers: Layer[],
): { remaining: Violation[]; excused: Violation[]; stale: StaleTolerance[] } {
  const used = new Set<string>();
  const remaining: Violation[] = [];
  const excused: Violation[] = [];
  for (const v of violations) {
    const layer = layers.find((l) => l.name === v.layer);
    const tolerance = layer?.tolerated?.find((t) => t.what.includes(v.key));
    if (layer === undefined || tolerance === undefined) {
      remaining.push(v);
      continue;
    }
    used.add(`${layer.name}\u0000${v.key}`);
    excused.push(v);
  }
  const stale: StaleTolerance[] = [];
  for (const layer of layers) {
    for (const t of layer.tolerated ?? []) {
      for (const what of t.what) {
        if (!used.has(`${layer.name}\u0000${what}`)) {
          stale.push({ layer: layer.name, what, why: t.why });
        }
      }
    }
  }
  return { remaining, excused, stale };
}
