/**
 * The problems `validateManifest()` reports, and the helpers that word them.
 *
 * @module
 */

import { excerpt } from "./limits.ts";
import { quoteList } from "../errors/quote.ts";
import { nearMatches } from "../errors/near_matches.ts";
import type { OperationIssue } from "../operations/check.ts";
import type { ErrorCode } from "../errors/codes.ts";

/**
 * The kinds of {@linkcode ManifestIssue}. A node's or a connection's own fields are checked
 * against the operation schemas the control API and MCP use (`operation_schemas.ts`), so they
 * get the same codes: `unknown_field`, `missing_field`, `invalid_field`.
 */
export type ManifestIssueCode =
  | "malformed"
  | "too_deep"
  | "unknown_field"
  | "invalid_node_id"
  | "node_id_taken"
  | "processor_not_found"
  | "invalid_config"
  | "missing_field"
  | "invalid_field"
  | "node_not_found"
  | "port_not_found"
  | "wrong_port_direction"
  | "port_type_mismatch"
  | "input_occupied"
  | "cycle"
  | "file_path_conflict"
  | "unconnected_required_input"
  | "invalid_app_port"
  | "invalid_parameter";

/**
 * One problem of a manifest.
 *
 * @example Group issues by node
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ManifestIssue } from "./issue.ts";
 *
 * const issue: ManifestIssue = {
 *   path: "nodes[0].config.frequency",
 *   code: "invalid_config",
 *   message: "nodes[0].config.frequency: must be a number from 1 to 20000, got 99999",
 *   node: "tone_1",
 * };
 * assert.equal(issue.node ?? "(manifest)", "tone_1");
 * ```
 */
export interface ManifestIssue {
  /** Where: `nodes[1].config.frequency`, `connections[0].from`, `""` for the root. */
  readonly path: string;
  /**
   * What kind of problem; for an input `validate` opened (`checkManifestInputs()`), the code of the error
   * the node's `setup()` would throw (`not_wav`, `unsupported_codec`, ...).
   */
  readonly code: ManifestIssueCode | ErrorCode;
  /** The problem in words, starting with the path. */
  readonly message: string;
  /** The id of the node at fault, when there is one. */
  readonly node?: string;
  /** Near matches of a misspelled name, nearest first. */
  readonly suggestions?: readonly string[];
  /** The valid names, for an unknown one (the same list the runtime's error gives). */
  readonly available?: readonly string[];
  /**
   * `"warning"` for what `manifestWarnings()` reports (`unconnected_required_input`): the
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
    extra: {
      node?: string;
      suggestions?: readonly string[];
      available?: readonly string[];
      severity?: "warning";
    } = {},
  ): void {
    // The node names what the manifest said, quoted like every message (an id can be 1 MB).
    const node = extra.node === undefined ? {} : { node: excerpt(extra.node) };
    this.issues.push({ path, code, message: `${path || "manifest"}: ${text}`, ...extra, ...node });
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
    const extra = node === undefined
      ? { suggestions, available: names }
      : { node, suggestions, available: names };
    this.report(path, code, `${what}${hint} ${listing}: ${listNames(names)}`, extra);
  }

  /**
   * Records an issue of a node's or connection's own fields (`operationIssues()`), with the
   * code, field and choices the control API and MCP give for it.
   *
   * @param at The entry's path (`nodes[0]`).
   * @param issue The issue.
   * @param node The node at fault, if any.
   */
  operation(at: string, issue: OperationIssue, node?: string): void {
    const path = issue.field === "" ? at : `${at}.${excerpt(issue.field)}`;
    const who = node === undefined ? {} : { node };
    if (issue.code === "unknown_field") {
      const suggestions = issue.suggestions ?? [];
      const known = issue.choices ?? [];
      const hint = suggestions.length > 0 ? `did you mean ${suggestions.join(" or ")}? ` : "";
      return this.report(
        path,
        issue.code,
        `unknown field, ${hint}known fields: ${known.join(", ")}`,
        {
          ...who,
          suggestions,
          available: [...known],
        },
      );
    }
    const text = issue.problem.replace(/^is missing: expected /, "missing, expected ");
    this.report(path, issue.code, text, {
      ...who,
      ...(issue.choices ? { available: [...issue.choices] } : {}),
    });
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
      const name = excerpt(key);
      this.report(
        at ? `${at}.${name}` : name,
        "unknown_field",
        `unknown field, ${hint}known fields: ${known.join(", ")}`,
        { suggestions, available: [...known] },
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

/** Names joined for a message, at most `MAX_LISTED_NAMES`, the rest counted. */
function listNames(names: readonly string[]): string {
  return quoteList(names);
}

/** Longest text {@linkcode show} returns, before its `...`. */
const SHOW_CHARS = 37;

/**
 * A JSON value for a message, shortened; `undefined` is "nothing". Only the start of the value
 * is turned into text (at most a few levels and a few dozen characters), so a huge or deeply
 * nested value costs no more than a small one.
 *
 * @param value The value.
 * @returns Its text.
 */
export function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = preview(value, 0);
  return text.length > SHOW_CHARS + 3 ? `${text.slice(0, SHOW_CHARS)}...` : text;
}

/** The start of a value as JSON: a few levels deep, stopping once it is long enough. */
function preview(value: unknown, depth: number): string {
  if (typeof value === "string") {
    return JSON.stringify(value.length > SHOW_CHARS + 4 ? value.slice(0, SHOW_CHARS + 4) : value);
  }
  if (typeof value !== "object" || value === null) return JSON.stringify(value) ?? String(value);
  const array = Array.isArray(value);
  if (depth >= 3) return array ? "[...]" : "{...}";
  let text = array ? "[" : "{";
  let first = true;
  const entries = array ? value.entries() : Object.entries(value).values();
  for (const [key, item] of entries) {
    if (text.length > SHOW_CHARS + 3) return `${text}...`;
    if (!first) text += ",";
    first = false;
    if (!array) text += `${preview(String(key), depth + 1)}:`;
    text += preview(item, depth + 1);
  }
  return text + (array ? "]" : "}");
}
