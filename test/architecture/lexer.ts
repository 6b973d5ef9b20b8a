/**
 * A small TypeScript lexer for the architecture test: it drops comments (JSDoc examples included)
 * and keeps string, template and regular expression literals whole, so nothing inside them passes
 * for an import or a call.
 */

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
