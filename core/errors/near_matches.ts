/**
 * "Did you mean" suggestions for misspelled names, by Levenshtein distance.
 *
 * @module
 */

/** Names longer than this get no suggestions (and longer candidates are never suggested). */
export const MAX_SUGGESTED_NAME_LENGTH = 256;

/**
 * The Levenshtein edit distance between two strings (insertions, deletions and substitutions),
 * or `Infinity` when it is above `max`. Only cells within `max` of the diagonal are computed,
 * so the cost is O(length × max), not O(length²).
 *
 * @param a One string.
 * @param b The other.
 * @param max The largest distance of interest. Default: no bound.
 * @returns The number of single-character edits that turn `a` into `b`, or `Infinity`.
 *
 * @example Measure a typo
 * ```ts
 * import assert from "node:assert/strict";
 * import { levenshtein } from "./near_matches.ts";
 *
 * assert.equal(levenshtein("AudioMixr", "AudioMixer"), 1);
 * assert.equal(levenshtein("Gain", "AudioMixer", 2), Infinity);
 * ```
 */
export function levenshtein(a: string, b: string, max = Infinity): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return Infinity;
  if (a.length === 0 || b.length === 0) return Math.max(a.length, b.length);
  const band = Math.min(max, Math.max(a.length, b.length));
  let previous = new Array<number>(b.length + 1).fill(Infinity);
  let current = new Array<number>(b.length + 1).fill(Infinity);
  for (let j = 0; j <= Math.min(b.length, band); j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const from = Math.max(1, i - band);
    const to = Math.min(b.length, i + band);
    current.fill(Infinity);
    if (from === 1) current[0] = i;
    let rowMin = current[0];
    for (let j = from; j <= to; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
      if (current[j] < rowMin) rowMin = current[j];
    }
    if (rowMin > max) return Infinity;
    [previous, current] = [current, previous];
  }
  return previous[b.length] > max ? Infinity : previous[b.length];
}

/**
 * The candidates close to `name`, nearest first: those within a third of the name's length in
 * edits (at least 2), ignoring case, plus those that contain it or that it contains. Names and
 * candidates longer than {@linkcode MAX_SUGGESTED_NAME_LENGTH} are not compared, so a hostile
 * megabyte-long name costs nothing.
 *
 * @param name The name that was not found.
 * @param candidates The names that exist.
 * @param limit How many suggestions to return at most. Default 3.
 * @returns The near matches, nearest first.
 *
 * @example Suggest a processor name
 * ```ts
 * import assert from "node:assert/strict";
 * import { nearMatches } from "./near_matches.ts";
 *
 * assert.deepEqual(nearMatches("audiomixr", ["AudioMixer", "Gain", "NullSink"]), ["AudioMixer"]);
 * ```
 */
export function nearMatches(
  name: string,
  candidates: Iterable<string>,
  limit = 3,
): string[] {
  if (name.length > MAX_SUGGESTED_NAME_LENGTH) return [];
  const wanted = name.toLowerCase();
  const threshold = Math.max(2, Math.floor(wanted.length / 3));
  const scored: { candidate: string; distance: number }[] = [];
  for (const candidate of candidates) {
    if (candidate.length > MAX_SUGGESTED_NAME_LENGTH) continue;
    const lower = candidate.toLowerCase();
    const distance = levenshtein(wanted, lower, threshold);
    const contains = wanted.length >= 3 && (lower.includes(wanted) || wanted.includes(lower));
    if (distance <= threshold || contains) {
      scored.push({ candidate, distance: Math.min(distance, levenshtein(wanted, lower)) });
    }
  }
  scored.sort((x, y) => x.distance - y.distance || x.candidate.localeCompare(y.candidate));
  return scored.slice(0, limit).map((s) => s.candidate);
}
