/**
 * How the command lines list a manifest's issues: a bounded number of lines, each made safe for
 * the terminal, with a count of the rest.
 *
 * @module
 */

import type { ManifestIssue } from "../core/manifest/issue.ts";
import { errorLine } from "./_error_line.ts";
import { terminalSafe } from "../core/processor/terminal_text.ts";

/** Most issues a command lists (on stderr, and in `--json` output); the rest are counted. */
export const MAX_LISTED_ISSUES = 50;

/**
 * `n word` with an `s` when `n` is not 1.
 *
 * @param n The count.
 * @param word The singular.
 * @returns The phrase.
 */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * The lines that report a manifest's issues: a heading (`path: N issues`), then at most
 * {@linkcode MAX_LISTED_ISSUES} issues, each `error: <code>: <message>` (as every error line of
 * the command lines), and, when there are more, how many were not listed. Every path and message
 * goes through `terminalSafe()`.
 *
 * @param path The manifest file.
 * @param issues The issues.
 * @param prefix What starts each issue line. Default two spaces.
 * @returns The lines.
 *
 * @example Twelve thousand issues in 52 lines
 * ```ts
 * import assert from "node:assert/strict";
 * import { issueLines } from "./manifest_report.ts";
 *
 * const issues = Array.from({ length: 12000 }, (_, i) => ({
 *   path: `nodes[${i}]`,
 *   code: "malformed" as const,
 *   message: `nodes[${i}]: expected an object`,
 * }));
 * const lines = issueLines("p.json", issues);
 * assert.equal(lines.length, 52);
 * assert.equal(lines[1], "  error: malformed: nodes[0]: expected an object");
 * assert.equal(lines.at(-1), "  ... and 11950 more issues");
 * ```
 */
export function issueLines(
  path: string,
  issues: readonly ManifestIssue[],
  prefix = "  ",
): string[] {
  const lines = [`${terminalSafe(path)}: ${plural(issues.length, "issue")}`];
  for (const issue of issues.slice(0, MAX_LISTED_ISSUES)) {
    lines.push(`${prefix}${errorLine(issue.code, issue.message)}`);
  }
  const rest = issues.length - MAX_LISTED_ISSUES;
  if (rest > 0) lines.push(`${prefix}... and ${plural(rest, "more issue")}`);
  return lines;
}

/**
 * Issues for `--json` output: the first {@linkcode MAX_LISTED_ISSUES}, with the total and how
 * many were left out.
 *
 * @param issues The issues.
 * @returns `{ issues, issueCount, issuesNotListed }`.
 */
export function issuesForJson(
  issues: readonly ManifestIssue[],
): { issues: readonly ManifestIssue[]; issueCount: number; issuesNotListed: number } {
  return {
    issues: issues.slice(0, MAX_LISTED_ISSUES),
    issueCount: issues.length,
    issuesNotListed: Math.max(0, issues.length - MAX_LISTED_ISSUES),
  };
}
