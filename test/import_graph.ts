/**
 * The import graph of a TypeScript source tree, for the architecture test.
 *
 * A small lexer walks each file, so comments (JSDoc examples included), string contents, template
 * literals and regular expressions never pass for imports or for calls. From the tokens it takes
 * every static `import … from`, side-effect `import "…"`, `export … from`, `import type`, and
 * `import("…")` with a literal specifier, and every use of a clock, a timer or a runtime global in
 * code. Relative specifiers resolve to files; bare ones (`node:fs`, `fflate`) stay as named.
 *
 * The checks on the graph (cycles, layer rules) are plain functions over plain data, so the tests
 * can run them on a synthetic graph as well as on `src/`.
 */

// ─── Lexing ──────────────────────────────────────────────────────────────────────────────────────

/** One token of code; comments and whitespace are dropped. */
export interface Token {
  kind: "name" | "string" | "template" | "regex" | "number" | "punct";
  /** The identifier, the punctuator, or a string literal's value (escapes kept as written). */
  text: string;
  /** 1-based line of the token's start. */
  line: number;
}

/** Words after which a `/` starts a regular expression rather than a division. */
const REGEX_AFTER_WORDS = new Set([
  "return",
  "typeof",
  "instanceof",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "case",
  "do",
  "else",
  "yield",
  "await",
]);

const PUNCT_3 = ["===", "!==", "**=", "...", "<<=", ">>=", ">>>", "&&=", "||=", "??="];
const PUNCT_2 = [
  "=>",
  "==",
  "!=",
  "<=",
  ">=",
  "&&",
  "||",
  "??",
  "?.",
  "++",
  "--",
  "+=",
  "-=",
  "*=",
  "/=",
  "%=",
  "&=",
  "|=",
  "^=",
  "**",
  "<<",
  ">>",
];

function isIdentStart(c: string): boolean {
  return /[A-Za-z_$\u0080-\uffff]/.test(c);
}

function isIdentPart(c: string): boolean {
  return /[A-Za-z0-9_$\u0080-\uffff]/.test(c);
}

/**
 * Splits TypeScript source into tokens, skipping comments. Template literals yield one `template`
 * token per literal chunk, and the code inside `${…}` is tokenized as code.
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  // One entry per open `${`: the brace depth at which its closing `}` resumes the template.
  const templateDepths: number[] = [];
  let braceDepth = 0;
  let line = 1;
  let i = 0;
  const n = source.length;

  const regexAllowed = (): boolean => {
    const last = tokens[tokens.length - 1];
    if (last === undefined) return true;
    if (last.kind === "name") return REGEX_AFTER_WORDS.has(last.text);
    if (last.kind === "punct") return last.text !== ")" && last.text !== "]" && last.text !== "}";
    return false;
  };

  /** Reads template characters from `i` up to the closing backtick or a `${`. */
  const readTemplateChunk = (): void => {
    const startLine = line;
    let text = "";
    while (i < n) {
      const c = source[i];
      if (c === "\\") {
        text += source.slice(i, i + 2);
        if (source[i + 1] === "\n") line++;
        i += 2;
        continue;
      }
      if (c === "`") {
        i++;
        tokens.push({ kind: "template", text, line: startLine });
        return;
      }
      if (c === "$" && source[i + 1] === "{") {
        i += 2;
        tokens.push({ kind: "template", text, line: startLine });
        templateDepths.push(braceDepth);
        braceDepth++;
        return;
      }
      if (c === "\n") line++;
      text += c;
      i++;
    }
    throw new SyntaxError(`unterminated template literal starting on line ${startLine}`);
  };

  while (i < n) {
    const c = source[i];
    if (c === "\n") {
      line++;
      i++;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\v" || c === "\ufeff") {
      i++;
      continue;
    }
    if (c === "/" && source[i + 1] === "/") {
      while (i < n && source[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      if (end < 0) throw new SyntaxError(`unterminated comment on line ${line}`);
      for (let k = i; k < end; k++) if (source[k] === "\n") line++;
      i = end + 2;
      continue;
    }
    if (c === "#" && i === 0 && source[1] === "!") {
      while (i < n && source[i] !== "\n") i++;
      continue;
    }
    if (c === '"' || c === "'") {
      const startLine = line;
      let text = "";
      i++;
      while (i < n && source[i] !== c) {
        if (source[i] === "\n") throw new SyntaxError(`unterminated string on line ${startLine}`);
        if (source[i] === "\\") {
          text += source.slice(i, i + 2);
          i += 2;
          continue;
        }
        text += source[i];
        i++;
      }
      if (i >= n) throw new SyntaxError(`unterminated string on line ${startLine}`);
      i++;
      tokens.push({ kind: "string", text, line: startLine });
      continue;
    }
    if (c === "`") {
      i++;
      readTemplateChunk();
      continue;
    }
    if (c === "}" && templateDepths.length > 0 && templateDepths.at(-1) === braceDepth - 1) {
      templateDepths.pop();
      braceDepth--;
      i++;
      readTemplateChunk();
      continue;
    }
    if (isIdentStart(c) || (c === "#" && isIdentStart(source[i + 1] ?? ""))) {
      const start = i;
      i++;
      while (i < n && isIdentPart(source[i])) i++;
      tokens.push({ kind: "name", text: source.slice(start, i), line });
      continue;
    }
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(source[i + 1] ?? ""))) {
      const start = i;
      i++;
      while (i < n && /[0-9A-Za-z_.]/.test(source[i])) {
        // An exponent sign belongs to the number: 1e-5.
        if ((source[i] === "e" || source[i] === "E") && /[+-]/.test(source[i + 1] ?? "")) i++;
        i++;
      }
      tokens.push({ kind: "number", text: source.slice(start, i), line });
      continue;
    }
    if (c === "/" && regexAllowed()) {
      const startLine = line;
      const start = i;
      i++;
      let inClass = false;
      while (i < n) {
        const r = source[i];
        if (r === "\n") throw new SyntaxError(`unterminated regular expression on line ${line}`);
        if (r === "\\") {
          i += 2;
          continue;
        }
        if (r === "[") inClass = true;
        else if (r === "]") inClass = false;
        else if (r === "/" && !inClass) break;
        i++;
      }
      i++;
      while (i < n && isIdentPart(source[i])) i++;
      tokens.push({ kind: "regex", text: source.slice(start, i), line: startLine });
      continue;
    }
    const three = source.slice(i, i + 3);
    const two = source.slice(i, i + 2);
    const punct = source.slice(i, i + 4) === ">>>="
      ? ">>>="
      : PUNCT_3.includes(three)
      ? three
      : PUNCT_2.includes(two)
      ? two
      : c;
    if (punct === "{") braceDepth++;
    if (punct === "}") braceDepth--;
    tokens.push({ kind: "punct", text: punct, line });
    i += punct.length;
  }
  if (templateDepths.length > 0) throw new SyntaxError("unterminated template substitution");
  return tokens;
}

// ─── Imports and ambient uses ────────────────────────────────────────────────────────────────────

/** How a module is brought in. */
export type ImportKind = "value" | "type" | "dynamic";

/** One import or re-export of a module, as written. */
export interface ImportRecord {
  specifier: string;
  kind: ImportKind;
  line: number;
}

/** A use of a runtime global, a clock or a timer in code (not in comments or strings). */
export interface AmbientUse {
  /** What is used: one of `AMBIENT_NAMES`. */
  what: string;
  line: number;
}

/** What the scanner finds in one file. */
export interface FileScan {
  imports: ImportRecord[];
  /** `import(expression)` whose specifier is not a literal, by line: it cannot be followed. */
  opaqueDynamicImports: number[];
  ambient: AmbientUse[];
}

const TIMERS = new Set(["setTimeout", "setInterval"]);

/** Finds the imports and the ambient uses in one file's source. */
export function scanSource(source: string): FileScan {
  const t = tokenize(source);
  const imports: ImportRecord[] = [];
  const opaqueDynamicImports: number[] = [];
  const ambient: AmbientUse[] = [];
  const is = (k: number, kind: Token["kind"], text?: string): boolean =>
    t[k] !== undefined && t[k].kind === kind && (text === undefined || t[k].text === text);
  // A keyword only starts a statement where it is not a property name (`x.import`, `{ import: 1 }`).
  const atStatement = (k: number): boolean =>
    k === 0 || !(is(k - 1, "punct", ".") || is(k - 1, "punct", "?.") || is(k + 1, "punct", ":"));

  /** From the token after `import`/`export`, finds `from "x"` ending the clause, or -1. */
  const findFrom = (k: number): number => {
    let depth = 0;
    for (let j = k; j < t.length; j++) {
      const tok = t[j];
      if (tok.kind === "punct") {
        if (tok.text === "{") depth++;
        else if (tok.text === "}") depth--;
        else if (tok.text === ";" && depth === 0) return -1;
        else if (tok.text === "=" || tok.text === "(") {
          if (depth === 0) return -1;
        }
        continue;
      }
      if (tok.kind === "name" && tok.text === "from" && depth === 0 && is(j + 1, "string")) {
        return j + 1;
      }
      if (tok.kind === "string" && depth === 0) return -1;
      if (
        tok.kind === "name" && depth === 0 && j > k &&
        /^(import|export|const|let|var|function|class)$/.test(tok.text)
      ) {
        return -1;
      }
    }
    return -1;
  };

  /** True when every name inside the braces starting at `k` is marked `type`. */
  const allNamesAreTypes = (k: number): boolean => {
    if (!is(k, "punct", "{")) return false;
    let sawName = false;
    let expectName = true;
    for (let j = k + 1; j < t.length && !is(j, "punct", "}"); j++) {
      if (is(j, "punct", ",")) {
        expectName = true;
        continue;
      }
      if (expectName) {
        if (!is(j, "name", "type") || is(j + 1, "punct", ",") || is(j + 1, "punct", "}")) {
          return false;
        }
        sawName = true;
        expectName = false;
      }
    }
    return sawName;
  };

  /**
   * True when the name at `k` declares a member or a function rather than using the global: a
   * property key (`setTimeout: …`), `function setTimeout(…)`, or a method signature or definition
   * (`setTimeout(fn: () => void, ms: number): number;`, `setTimeout(fn, ms) { … }`).
   */
  const declaresMember = (k: number): boolean => {
    if (is(k + 1, "punct", ":") || is(k - 1, "name", "function")) return true;
    if (!is(k + 1, "punct", "(")) return false;
    let depth = 0;
    for (let j = k + 1; j < t.length; j++) {
      if (is(j, "punct", "(")) depth++;
      else if (is(j, "punct", ")") && --depth === 0) {
        return is(j + 1, "punct", ":") || is(j + 1, "punct", "{");
      }
    }
    return false;
  };

  for (let k = 0; k < t.length; k++) {
    const tok = t[k];
    if (tok.kind !== "name") continue;

    if (tok.text === "import" && atStatement(k)) {
      if (is(k + 1, "punct", ".")) continue; // import.meta
      if (is(k + 1, "punct", "(")) {
        if (is(k + 2, "string") && (is(k + 3, "punct", ")") || is(k + 3, "punct", ","))) {
          imports.push({ specifier: t[k + 2].text, kind: "dynamic", line: tok.line });
        } else if (is(k + 2, "template") && is(k + 3, "punct", ")")) {
          imports.push({ specifier: t[k + 2].text, kind: "dynamic", line: tok.line });
        } else {
          opaqueDynamicImports.push(tok.line);
        }
        continue;
      }
      if (is(k + 1, "string")) {
        imports.push({ specifier: t[k + 1].text, kind: "value", line: tok.line });
        continue;
      }
      const at = findFrom(k + 1);
      if (at < 0) continue; // `import x = …` or not an import clause
      const typeOnly = (is(k + 1, "name", "type") && !is(k + 2, "name", "from")) ||
        allNamesAreTypes(k + 1);
      imports.push({ specifier: t[at].text, kind: typeOnly ? "type" : "value", line: tok.line });
      k = at;
      continue;
    }

    if (tok.text === "export" && atStatement(k)) {
      const startsReExport = is(k + 1, "punct", "*") || is(k + 1, "punct", "{") ||
        (is(k + 1, "name", "type") && (is(k + 2, "punct", "{") || is(k + 2, "punct", "*")));
      if (!startsReExport) continue;
      const at = findFrom(k + 1);
      if (at < 0) continue; // `export { a, b };` of local names
      const typeOnly = is(k + 1, "name", "type") || allNamesAreTypes(k + 1);
      imports.push({ specifier: t[at].text, kind: typeOnly ? "type" : "value", line: tok.line });
      k = at;
      continue;
    }

    // Ambient uses: a global reached as a bare name (not as `x.Deno` or `{ Deno: … }`).
    const bare = !is(k - 1, "punct", ".") && !is(k - 1, "punct", "?.");
    const viaGlobalThis = is(k - 1, "punct", ".") && is(k - 2, "name", "globalThis");
    if (!(bare || viaGlobalThis)) continue;
    if ((tok.text === "Deno" || tok.text === "Bun") && is(k + 1, "punct", ".")) {
      ambient.push({ what: `${tok.text}.`, line: tok.line });
    } else if (
      (tok.text === "performance" || tok.text === "Date") && is(k + 1, "punct", ".") &&
      is(k + 2, "name", "now")
    ) {
      ambient.push({ what: `${tok.text}.now`, line: tok.line });
    } else if (tok.text === "console" && is(k + 1, "punct", ".")) {
      ambient.push({ what: "console.", line: tok.line });
    } else if (tok.text === "process" && is(k + 1, "punct", ".") && is(k + 2, "name", "exit")) {
      ambient.push({ what: "process.exit", line: tok.line });
    } else if (TIMERS.has(tok.text) && !declaresMember(k)) {
      ambient.push({ what: tok.text, line: tok.line });
    }
  }
  return { imports, opaqueDynamicImports, ambient };
}

/**
 * The lines of top-level statements that are not re-exports (`export … from "…"`), for entry
 * points that must only re-export: an import, a declaration or any code is reported by its line.
 */
export function nonReExportLines(source: string): number[] {
  const t = tokenize(source);
  const lines: number[] = [];
  let depth = 0;
  let start = true; // the next token begins a top-level statement
  for (let k = 0; k < t.length; k++) {
    const tok = t[k];
    if (start && depth === 0) {
      start = false;
      const next = t[k + 1];
      const reExport = tok.kind === "name" && tok.text === "export" && next !== undefined &&
        (next.text === "{" || next.text === "*" || next.text === "type");
      if (!reExport) {
        lines.push(tok.line);
      } else {
        // It re-exports only when `from "…"` ends it.
        let j = k + 1;
        let d = 0;
        for (; j < t.length; j++) {
          if (t[j].text === "{") d++;
          else if (t[j].text === "}") d--;
          else if (d === 0 && (t[j].text === ";" || t[j].text === "from")) break;
        }
        if (t[j]?.text !== "from" || t[j + 1]?.kind !== "string") lines.push(tok.line);
      }
    }
    if (tok.kind !== "punct") continue;
    if (tok.text === "{" || tok.text === "(" || tok.text === "[") depth++;
    else if (tok.text === "}" || tok.text === ")" || tok.text === "]") depth--;
    else if (tok.text === ";" && depth === 0) start = true;
  }
  return lines;
}

// ─── The graph ───────────────────────────────────────────────────────────────────────────────────

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

// ─── Cycles ──────────────────────────────────────────────────────────────────────────────────────

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

// ─── Layer rules ─────────────────────────────────────────────────────────────────────────────────

/** Every ambient use the scanner reports; a layer allows some of them by name. */
export const AMBIENT_NAMES = [
  "Deno.",
  "Bun.",
  "performance.now",
  "Date.now",
  "setTimeout",
  "setInterval",
  "console.",
  "process.exit",
] as const;

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
