/**
 * The problems `validateManifest()` reports, and the helpers that word them.
 *
 * @module
 */

import { nearMatches } from "./near_matches.ts";

/**
 * The kinds of {@linkcode ManifestIssue}.
 *
 * @example Branch on the kind of problem
 * ```ts
 * import { type ManifestIssueCode, validateManifest } from "@streamlib/streamlib";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const manifest = { version: 1, nodes: [{ id: "a", type: "Gian" }] };
 * const issues = validateManifest(manifest, builtinRegistry);
 * const code: ManifestIssueCode = issues[0].code;
 * if (code === "unknown-processor") console.log(issues[0].suggestions); // [ "Gain" ]
 * ```
 */
export type ManifestIssueCode =
  | "malformed"
  | "unknown-field"
  | "invalid-id"
  | "duplicate-id"
  | "unknown-processor"
  | "invalid-config"
  | "invalid-options"
  | "malformed-endpoint"
  | "unknown-node"
  | "unknown-port"
  | "wrong-direction"
  | "port-type-mismatch"
  | "destination-occupied"
  | "cycle"
  | "unconnected-required-input";

/**
 * One problem of a manifest.
 *
 * @example Group issues by node
 * ```ts
 * import type { ManifestIssue } from "@streamlib/streamlib";
 *
 * const issue: ManifestIssue = {
 *   path: "nodes[0].config.frequency",
 *   code: "invalid-config",
 *   message: "nodes[0].config.frequency: must be a number from 1 to 20000, got 99999",
 *   node: "tone_1",
 * };
 * console.log(issue.node ?? "(manifest)"); // tone_1
 * ```
 */
export interface ManifestIssue {
  /** Where: `nodes[1].config.frequency`, `connections[0].from`, `""` for the root. */
  readonly path: string;
  /** What kind of problem. */
  readonly code: ManifestIssueCode;
  /** The problem in words, starting with the path. */
  readonly message: string;
  /** The id of the node at fault, when there is one. */
  readonly node?: string;
  /** Near matches of a misspelled name, nearest first. */
  readonly suggestions?: readonly string[];
  /**
   * `"warning"` for what `manifestWarnings()` reports (`unconnected-required-input`): the
   * manifest is still valid and loads. Absent on the problems `validateManifest()` reports.
   */
  readonly severity?: "warning";
}

/** Collects issues: `report(path, code, text, extra)` words and records one. */
export class IssueList {
  /** The issues so far, in manifest order. */
  readonly issues: ManifestIssue[] = [];

  /**
   * Records an issue whose message is `path: text`.
   *
   * @param path Where.
   * @param code What kind.
   * @param text The problem.
   * @param extra `node`, `suggestions` and `severity`.
   */
  report(
    path: string,
    code: ManifestIssueCode,
    text: string,
    extra: { node?: string; suggestions?: readonly string[]; severity?: "warning" } = {},
  ): void {
    this.issues.push({ path, code, message: `${path || "manifest"}: ${text}`, ...extra });
  }

  /**
   * Records an issue for a name that is not one of `known`, suggesting near matches.
   *
   * @param path Where.
   * @param code What kind.
   * @param what The name's description (`unknown processor 'AudioMixr'`).
   * @param name The name.
   * @param known The names there are.
   * @param listing How to introduce them (`available processors`).
   * @param node The node at fault, if any.
   */
  unknown(
    path: string,
    code: ManifestIssueCode,
    what: string,
    name: string,
    known: Iterable<string>,
    listing: string,
    node?: string,
  ): void {
    const names = [...known];
    const suggestions = nearMatches(name, names);
    const hint = suggestions.length > 0 ? `, did you mean ${suggestions.join(" or ")}?` : ",";
    const extra = node === undefined ? { suggestions } : { node, suggestions };
    this.report(path, code, `${what}${hint} ${listing}: ${names.join(", ") || "none"}`, extra);
  }

  /**
   * Records an `unknown-field` issue for every key of `object` not in `known`.
   *
   * @param object The object.
   * @param known The fields it may have.
   * @param at Its path.
   */
  unknownFields(object: Record<string, unknown>, known: readonly string[], at: string): void {
    for (const key of Object.keys(object)) {
      if (known.includes(key)) continue;
      const suggestions = nearMatches(key, known);
      const hint = suggestions.length > 0 ? `did you mean ${suggestions.join(" or ")}? ` : "";
      this.report(
        at ? `${at}.${key}` : key,
        "unknown-field",
        `unknown field, ${hint}known fields: ${known.join(", ")}`,
        { suggestions },
      );
    }
  }
}

/**
 * Whether a JSON value is an object (not an array or null).
 *
 * @param value The value.
 * @returns Whether it is.
 */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * A JSON value for a message, shortened; `undefined` is "nothing".
 *
 * @param value The value.
 * @returns Its text.
 */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
