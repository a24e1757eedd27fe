/**
 * "Did you mean" suggestions for misspelled names, by Levenshtein distance.
 *
 * @module
 */

/**
 * The Levenshtein edit distance between two strings: insertions, deletions and substitutions.
 *
 * @param a One string.
 * @param b The other.
 * @returns The number of single-character edits that turn `a` into `b`.
 *
 * @example Measure a typo
 * ```ts
 * import { levenshtein } from "@streamlib/streamlib";
 *
 * console.log(levenshtein("AudioMixr", "AudioMixer")); // 1
 * ```
 */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length];
}

/**
 * The candidates close to `name`, nearest first: those within a third of the name's length in
 * edits (at least 2), ignoring case, plus those that contain it or that it contains.
 *
 * @param name The name that was not found.
 * @param candidates The names that exist.
 * @param limit How many suggestions to return at most. Default 3.
 * @returns The near matches, nearest first.
 *
 * @example Suggest a processor name
 * ```ts
 * import { nearMatches } from "@streamlib/streamlib";
 *
 * console.log(nearMatches("audiomixr", ["AudioMixer", "Gain", "NullSink"])); // [ "AudioMixer" ]
 * ```
 */
export function nearMatches(
  name: string,
  candidates: Iterable<string>,
  limit = 3,
): string[] {
  const wanted = name.toLowerCase();
  const threshold = Math.max(2, Math.floor(wanted.length / 3));
  const scored: { candidate: string; distance: number }[] = [];
  for (const candidate of candidates) {
    const lower = candidate.toLowerCase();
    const distance = levenshtein(wanted, lower);
    const contains = wanted.length >= 3 && (lower.includes(wanted) || wanted.includes(lower));
    if (distance <= threshold || contains) scored.push({ candidate, distance });
  }
  scored.sort((x, y) => x.distance - y.distance || x.candidate.localeCompare(y.candidate));
  return scored.slice(0, limit).map((s) => s.candidate);
}
