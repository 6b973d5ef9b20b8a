/**
 * "Did you mean ...?" for misspelt setting names. Pure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closestName } from "./suggest.ts";
 *
 * assert.equal(closestName("tokn", ["token", "jpeg", "replace"]), "token");
 * assert.equal(closestName("port", ["rtspPort", "rtpPort", "ingestPort"]), "rtspPort");
 * ```
 *
 * @module
 */

/**
 * Edit distance (insertions, deletions, substitutions and swaps of neighbours) between two
 * names, compared without regard to case.
 */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  // Optimal string alignment: three rows of the dynamic-programming table are enough.
  let before = new Array<number>(y.length + 1).fill(0);
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) {
        d = Math.min(d, before[j - 2] + 1);
      }
      current.push(d);
    }
    before = previous;
    previous = current;
  }
  return previous[y.length];
}

/**
 * The known name nearest to `name`, for "did you mean ...?": the first known name that contains it
 * or that it contains (`port` → `rtspPort`, `tokens` → `token`), else the one fewest edits away
 * (ties go to the earlier name in `known`). Undefined only when nothing is known.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const inside = known.find((k) => {
    const candidate = k.toLowerCase();
    return lower.length >= 2 && (candidate.includes(lower) || lower.includes(candidate));
  });
  if (inside !== undefined) return inside;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
