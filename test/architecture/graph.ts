/**
 * The import graph of a source tree and its cycles. Relative specifiers resolve to files; bare ones
 * (`node:fs`, `fflate`) stay as named. Plain functions over plain data, so the tests can run them
 * on a made-up graph as well as on `src/`.
 */

import { type AmbientUse, type FileScan, type ImportKind, scanSource } from "./scan.ts";

/** An import edge: from one file of the tree to a file of the tree or a bare specifier. */
export interface Edge {
  /** The importing file, relative to the tree's root (`src/server/core.ts`). */
  from: string;
  /** A tree file relative to the root, or the bare specifier as written (`node:fs`, `fflate`). */
  to: string;
  kind: ImportKind;
  line: number;
  /** False for bare specifiers (`node:`, `npm:`, mapped names). */
  internal: boolean;
}

/** Files, their edges and ambient uses, keyed by root-relative path with `/` separators. */
export interface ImportGraph {
  files: string[];
  edges: Edge[];
  ambient: Map<string, AmbientUse[]>;
  opaqueDynamicImports: Map<string, number[]>;
  /** Relative specifiers that name no file. */
  unresolved: Edge[];
}

/** Joins a relative specifier onto the importing file's folder, all with `/`. */
export function resolveRelative(from: string, specifier: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const piece of specifier.split("/")) {
    if (piece === "." || piece === "") continue;
    if (piece === "..") parts.pop();
    else parts.push(piece);
  }
  return parts.join("/");
}

/** Builds the graph from already-read sources, keyed by root-relative path. */
export function buildGraph(sources: Map<string, string>): ImportGraph {
  const files = [...sources.keys()].sort();
  const known = new Set(files);
  const graph: ImportGraph = {
    files,
    edges: [],
    ambient: new Map(),
    opaqueDynamicImports: new Map(),
    unresolved: [],
  };
  for (const file of files) {
    let scan: FileScan;
    try {
      scan = scanSource(sources.get(file)!);
    } catch (error) {
      throw new Error(`${file}: ${(error as Error).message}`);
    }
    if (scan.ambient.length > 0) graph.ambient.set(file, scan.ambient);
    if (scan.opaqueDynamicImports.length > 0) {
      graph.opaqueDynamicImports.set(file, scan.opaqueDynamicImports);
    }
    for (const { specifier, kind, line } of scan.imports) {
      const relative = specifier.startsWith("./") || specifier.startsWith("../");
      if (!relative) {
        graph.edges.push({ from: file, to: specifier, kind, line, internal: false });
        continue;
      }
      const to = resolveRelative(file, specifier);
      const edge: Edge = { from: file, to, kind, line, internal: true };
      if (known.has(to)) graph.edges.push(edge);
      else graph.unresolved.push(edge);
    }
  }
  return graph;
}

/** Groups of files that import each other around (strongly connected components, Tarjan). */
export function stronglyConnected(nodes: string[], edges: Edge[]): string[][] {
  const next = new Map<string, string[]>(nodes.map((v) => [v, []]));
  for (const e of edges) if (e.internal && next.has(e.from)) next.get(e.from)!.push(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  let counter = 0;

  // Iterative so a deep chain of imports cannot overflow the call stack.
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { v: string; i: number }[] = [{ v: root, i: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const out = next.get(frame.v) ?? [];
      if (frame.i < out.length) {
        const w = out[frame.i++];
        if (!next.has(w)) continue;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.v, Math.min(low.get(frame.v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) {
        low.set(parent.v, Math.min(low.get(parent.v)!, low.get(frame.v)!));
      }
      if (low.get(frame.v) === index.get(frame.v)) {
        const group: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          group.push(w);
        } while (w !== frame.v);
        const selfLoop = edges.some((e) => e.internal && e.from === frame.v && e.to === frame.v);
        if (group.length > 1 || selfLoop) groups.push(group.sort());
      }
    }
  }
  return groups;
}

/** A cycle as the edges walked, the last one returning to the first file. */
export type Cycle = Edge[];

/**
 * The cycles to name: within each strongly connected group, for every edge not yet on a named
 * cycle, the shortest way back to its start. Every edge that takes part in some cycle ends up on
 * exactly one named cycle or more, so breaking all named cycles breaks them all; yet the list stays
 * short where enumerating every elementary cycle would explode.
 */
export function findCycles(nodes: string[], edges: Edge[]): Cycle[] {
  const cycles: Cycle[] = [];
  for (const group of stronglyConnected(nodes, edges)) {
    const members = new Set(group);
    const inside = dedupeEdges(
      edges.filter((e) => e.internal && members.has(e.from) && members.has(e.to)),
    );
    const out = new Map<string, Edge[]>(group.map((v) => [v, []]));
    for (const e of inside) out.get(e.from)!.push(e);
    const covered = new Set<Edge>();
    for (const first of inside) {
      if (covered.has(first)) continue;
      const back = shortestPath(first.to, first.from, out);
      const cycle = [first, ...back];
      for (const e of cycle) covered.add(e);
      cycles.push(cycle);
    }
  }
  return cycles;
}

/** One edge per (from, to) pair, preferring a value import over a type-only one. */
function dedupeEdges(edges: Edge[]): Edge[] {
  const byPair = new Map<string, Edge>();
  for (const e of edges) {
    const key = `${e.from}\u0000${e.to}`;
    const seen = byPair.get(key);
    if (seen === undefined || (seen.kind === "type" && e.kind !== "type")) byPair.set(key, e);
  }
  return [...byPair.values()].sort((a, b) =>
    a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0
  );
}

function shortestPath(start: string, goal: string, out: Map<string, Edge[]>): Edge[] {
  if (start === goal) return [];
  const via = new Map<string, Edge>();
  const queue = [start];
  const seen = new Set([start]);
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const e of out.get(v) ?? []) {
      if (seen.has(e.to)) continue;
      seen.add(e.to);
      via.set(e.to, e);
      if (e.to === goal) {
        const path: Edge[] = [];
        for (let w = goal; w !== start; w = via.get(w)!.from) path.unshift(via.get(w)!);
        return path;
      }
      queue.push(e.to);
    }
  }
  throw new Error(`no path from ${start} to ${goal} inside a strongly connected group`);
}

/**
 * A cycle as one line: each file with the line of its import of the next, the import's kind on the
 * arrow when it is not a plain value import.
 * `src/a.ts:3 ─type→ src/b.ts:7 ─→ src/a.ts`
 */
export function describeCycle(cycle: Cycle): string {
  const parts = cycle.map((e) => `${e.from}:${e.line} ─${e.kind === "value" ? "" : e.kind}→`);
  return `${parts.join(" ")} ${cycle[cycle.length - 1].to}`;
}
