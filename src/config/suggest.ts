/**
 * "Did you mean ...?" for misspelt setting names. Pure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closestName } from "./suggest.ts";
 *
 * assert.equal(closestName("tokn", ["token", "jpeg", "replace"]), "token");
 * assert.equal(closestName("colour", ["token", "jpeg"]), undefined);
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
 * The known name closest to `name`, if it is close enough to be a typo: at most one edit for
 * names up to four letters, two for longer ones. Ties go to the earlier name in `known`.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const limit = name.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(name, candidate);
    if (d <= limit && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
