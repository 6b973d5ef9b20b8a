/**
 * What one source file imports and which runtime globals, clocks, timers or console it touches in
 * code: every static `import … from`, side-effect `import "…"`, `export … from`, `import type`,
 * and `import("…")` with a literal specifier, found on the lexer's tokens.
 */

import { type Token, tokenize } from "./lexer.ts";

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
