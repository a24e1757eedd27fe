/**
 * A manifest's `parameters`: the config fields a caller may choose when it runs the manifest
 * (a session's client, `streamlib run --param`), each named and declared by the manifest's author.
 * Anything not declared stays as the manifest says: a client cannot set a sink's path unless the
 * author made it a parameter.
 *
 * @module
 */

import { ConfigValidationError, validateConfig } from "../config/validation.ts";
import type { ErrorCode, ErrorDetails } from "../errors/codes.ts";
import { nearMatches } from "../errors/near_matches.ts";
import { quote } from "../errors/quote.ts";
import type { NodeRegistry } from "../registry/node_registry.ts";
import type { JsonSchema, JsonValue } from "../schema/json_schema.ts";
import { isObject, type IssueList, show } from "./issue.ts";
import { excerpt, jsonDepth, MAX_MANIFEST_DEPTH } from "./limits.ts";
import { liveFields } from "../lifecycle/live_config.ts";

/**
 * A manifest's parameter: the config field it sets, `"node.field"` (a top-level field of the
 * node's config), or that target with a description for the people who call the pipeline.
 */
export type ManifestParameter = string | {
  /** The config field, `"node.field"`. */
  readonly target: string;
  /** What the parameter does, in words (shown by `streamlib serve`'s pipeline list). */
  readonly description?: string;
};

/** The values a caller chose, by parameter name: JSON values. */
export type ParameterValues = Readonly<Record<string, JsonValue>>;

/** The most parameters a manifest declares. */
export const MAX_PARAMETERS = 64;

/** A parameter name: a letter, then letters, digits, `_` or `-`, at most 64 characters. */
export const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

const FIELDS = ["target", "description"];

/** The longest `description` a parameter may have. */
const MAX_DESCRIPTION = 1024;

/**
 * Thrown when a caller's parameter values do not fit the manifest: `unknown_parameter` (a name
 * the manifest does not declare; `details.available` lists those it does), `invalid_parameter`
 * (a value its config field refuses, or values that are not an object of names to JSON values),
 * or, for a change while the graph runs (`setParameters()`), `config_locked` (its field is not
 * one its processor takes live; `details.available` lists the parameters that are).
 *
 * @example A value out of range
 * ```ts
 * import assert from "node:assert/strict";
 * import { applyParameters, ParameterError } from "@streamlib/streamlib";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const manifest = {
 *   version: 1,
 *   nodes: [{ id: "fx", type: "Gain" }],
 *   parameters: { gain: "fx.gain" },
 * };
 * assert.throws(
 *   () => applyParameters(manifest, { gain: 99 }, builtinRegistry),
 *   (error) => error instanceof ParameterError && error.code === "invalid_parameter",
 * );
 * ```
 */
export class ParameterError extends Error {
  /** Stable machine code (see `ERROR_CODES` in core/errors/codes.ts). */
  readonly code: ErrorCode;
  /** The parameter at fault (`""` when the values as a whole are wrong). */
  readonly parameter: string;
  /** The parameter, and `available` (declared names) or `expected` (what its field takes). */
  readonly details: ErrorDetails;

  /**
   * Creates the error.
   *
   * @param code `unknown_parameter` or `invalid_parameter`.
   * @param parameter The parameter at fault.
   * @param message What was wrong and what is valid.
   * @param details The parameter and the valid choices.
   */
  constructor(
    code: "unknown_parameter" | "invalid_parameter" | "config_locked",
    parameter: string,
    message: string,
    details: ErrorDetails = {},
  ) {
    super(message);
    this.name = "ParameterError";
    this.code = code;
    this.parameter = parameter;
    this.details = { parameter, ...details };
  }
}

/**
 * A declared parameter, resolved against the registry: what a pipeline list shows a caller.
 */
export interface ParameterDescription {
  /** The node whose config it sets. */
  readonly node: string;
  /** The config field it sets. */
  readonly field: string;
  /** The author's description, `""` when none. */
  readonly description: string;
  /** The field's JSON Schema (its processor's). */
  readonly schema: JsonSchema;
  /** The value the manifest gives (its config's, else the schema's default), if any. */
  readonly default?: JsonValue;
  /** Whether it may change while the graph runs (its processor takes the field live). */
  readonly live: boolean;
}

/** `"node.field"` split at its last dot, or undefined when it is not of that form. */
function splitTarget(target: string): { node: string; field: string } | undefined {
  const dot = target.lastIndexOf(".");
  if (dot <= 0 || dot === target.length - 1) return undefined;
  return { node: target.slice(0, dot), field: target.slice(dot + 1) };
}

function targetOf(entry: unknown): string | undefined {
  if (typeof entry === "string") return entry;
  if (isObject(entry) && typeof entry.target === "string") return entry.target;
  return undefined;
}

/**
 * Checks a manifest's `parameters` against its valid nodes: each name, its entry's form, that its
 * target is a config field of its node's processor, and that no two parameters set one field.
 *
 * @param manifest The manifest object.
 * @param nodes The valid nodes' processor types, by id.
 * @param registry The processors.
 * @param declared Every node id the manifest declares (valid or not).
 * @param list Where issues go.
 */
export function checkParameters(
  manifest: Record<string, unknown>,
  nodes: ReadonlyMap<string, string>,
  registry: NodeRegistry,
  declared: ReadonlySet<string>,
  list: IssueList,
): void {
  const value = manifest.parameters;
  if (value === undefined) return;
  if (!isObject(value)) {
    list.report(
      "parameters",
      "malformed",
      `expected an object of names to "node.field" targets, got ${show(value)}`,
    );
    return;
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_PARAMETERS) {
    list.report(
      "parameters",
      "invalid_parameter",
      `declares ${entries.length} parameters, at most ${MAX_PARAMETERS} are allowed`,
    );
    return;
  }
  const taken = new Map<string, string>();
  for (const [name, entry] of entries) {
    const at = `parameters.${excerpt(name)}`;
    if (!PARAMETER_NAME.test(name)) {
      list.report(
        at,
        "invalid_parameter",
        `a parameter name is a letter, then letters, digits, '_' or '-' (at most 64 characters), got ${
          quote(name)
        }`,
      );
      continue;
    }
    if (isObject(entry)) {
      const unknown = Object.keys(entry).find((k) => !FIELDS.includes(k));
      if (unknown !== undefined) {
        list.unknown(
          `${at}.${excerpt(unknown)}`,
          "unknown_field",
          `unknown field ${quote(unknown)}`,
          unknown,
          FIELDS,
          "known fields",
        );
        continue;
      }
      const description = entry.description;
      if (
        description !== undefined &&
        (typeof description !== "string" || description.length > MAX_DESCRIPTION)
      ) {
        list.report(
          `${at}.description`,
          "malformed",
          `expected a string of at most ${MAX_DESCRIPTION} characters, got ${show(description)}`,
        );
        continue;
      }
    }
    const target = targetOf(entry);
    const split = target === undefined ? undefined : splitTarget(target);
    if (target === undefined || split === undefined) {
      list.report(
        isObject(entry) ? `${at}.target` : at,
        "malformed",
        `expected "node.field" (a node's config field), or { "target": "node.field", "description"?: string }, got ${
          show(isObject(entry) ? entry.target : entry)
        }`,
      );
      continue;
    }
    const path = isObject(entry) ? `${at}.target` : at;
    const type = nodes.get(split.node);
    if (type === undefined) {
      // A declared node with its own issues is reported there; an unknown one here.
      if (!declared.has(split.node)) {
        list.unknown(
          path,
          "node_not_found",
          `unknown node ${quote(split.node)}`,
          split.node,
          declared,
          "nodes",
        );
      }
      continue;
    }
    const properties = registry.describe(type).config.properties ?? {};
    if (!Object.hasOwn(properties, split.field)) {
      list.unknown(
        path,
        "invalid_parameter",
        `${type} has no config field ${quote(split.field)}`,
        split.field,
        Object.keys(properties),
        "its config fields",
        split.node,
      );
      continue;
    }
    const other = taken.get(target);
    if (other !== undefined) {
      list.report(
        path,
        "invalid_parameter",
        `${quote(target)} is already the target of parameter ${
          quote(other)
        }; a field has at most one parameter`,
        { node: split.node },
      );
      continue;
    }
    taken.set(target, name);
  }
}

/**
 * The declared parameters of a manifest `validateManifest()` accepts, by name: their node, field
 * and description (entries that are not of the declared form are left out).
 *
 * @param manifest The manifest.
 * @returns The parameters, in the manifest's order.
 */
export function declaredParameters(
  manifest: unknown,
): Map<string, { node: string; field: string; description: string }> {
  const out = new Map<string, { node: string; field: string; description: string }>();
  const value = (manifest as { parameters?: unknown }).parameters;
  if (!isObject(value)) return out;
  for (const [name, entry] of Object.entries(value)) {
    const target = targetOf(entry);
    const split = target === undefined ? undefined : splitTarget(target);
    if (split === undefined) continue;
    const description = isObject(entry) && typeof entry.description === "string"
      ? entry.description
      : "";
    out.set(name, { ...split, description });
  }
  return out;
}

/**
 * Describes a valid manifest's parameters: each one's node, field, description, the field's
 * schema and the value the manifest gives it.
 *
 * @param manifest A manifest `validateManifest()` accepts.
 * @param registry Its processors.
 * @returns The parameters, by name, in the manifest's order.
 *
 * @example A gain a caller may set
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeParameters } from "@streamlib/streamlib";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const described = describeParameters({
 *   version: 1,
 *   nodes: [{ id: "fx", type: "Gain", config: { gain: 0.5 } }],
 *   parameters: { level: { target: "fx.gain", description: "output level" } },
 * }, builtinRegistry);
 * assert.equal(described.level.default, 0.5);
 * assert.equal(described.level.schema.type, "number");
 * ```
 */
export function describeParameters(
  manifest: unknown,
  registry: NodeRegistry,
): Record<string, ParameterDescription> {
  const nodes = (manifest as { nodes?: unknown }).nodes;
  const byId = new Map<string, { type: string; config?: unknown }>();
  if (Array.isArray(nodes)) {
    for (const node of nodes) {
      if (isObject(node) && typeof node.id === "string" && typeof node.type === "string") {
        byId.set(node.id, { type: node.type, config: node.config });
      }
    }
  }
  const out: Record<string, ParameterDescription> = {};
  for (const [name, { node, field, description }] of declaredParameters(manifest)) {
    const entry = byId.get(node);
    if (!entry || !registry.has(entry.type)) continue;
    const schema = registry.describe(entry.type).config.properties?.[field];
    if (schema === undefined) continue;
    const config = isObject(entry.config) ? entry.config : {};
    const given = Object.hasOwn(config, field) ? config[field] as JsonValue : schema.default;
    out[name] = {
      node,
      field,
      description,
      schema,
      ...(given === undefined ? {} : { default: given }),
      live: liveFields(registry.describe(entry.type)).includes(field),
    };
  }
  return out;
}

/**
 * Returns a copy of a manifest with a caller's parameter values written into the configs they
 * target, each value checked against its field's schema. The manifest itself is not changed;
 * with no values it is returned as it is.
 *
 * @param manifest A manifest `validateManifest()` accepts (check it first: an invalid one's
 * parameters are not all known).
 * @param values The values, by parameter name.
 * @param registry Its processors.
 * @returns The manifest the caller asked for.
 * @throws {ParameterError} `unknown_parameter` for a name the manifest does not declare,
 * `invalid_parameter` for a value its field refuses or values that are not an object.
 *
 * @example Set a session's gain
 * ```ts
 * import assert from "node:assert/strict";
 * import { applyParameters } from "@streamlib/streamlib";
 * import { builtinRegistry } from "@streamlib/streamlib/processors";
 *
 * const manifest = {
 *   version: 1,
 *   nodes: [{ id: "fx", type: "Gain", config: { gain: 1 } }],
 *   parameters: { gain: "fx.gain" },
 * };
 * const chosen = applyParameters(manifest, { gain: 2 }, builtinRegistry);
 * assert.deepEqual(chosen.nodes[0].config, { gain: 2 });
 * assert.deepEqual(manifest.nodes[0].config, { gain: 1 });
 * ```
 */
export function applyParameters<M>(
  manifest: M,
  values: unknown,
  registry: NodeRegistry,
): M {
  if (values === undefined || values === null) return manifest;
  if (!isObject(values)) {
    throw new ParameterError(
      "invalid_parameter",
      "",
      `Parameters must be an object of names to JSON values, got ${show(values)}`,
    );
  }
  const names = Object.keys(values);
  if (names.length === 0) return manifest;
  const declared = declaredParameters(manifest);
  const m = manifest as unknown as { nodes: { id: string; type: string; config?: unknown }[] };
  const nodes = m.nodes.map((node) => ({ ...node }));
  for (const name of names) {
    const target = targetOrThrow(declared, name);
    const node = nodes.find((n) => n.id === target.node)!;
    const config = { ...(isObject(node.config) ? node.config : {}), [target.field]: values[name] };
    checkValue(name, target, config, node.type, registry);
    node.config = config;
  }
  return { ...manifest, nodes } as M;
}

/** A declared parameter's target, or `unknown_parameter` naming the declared ones. */
function targetOrThrow(
  declared: ReadonlyMap<string, { node: string; field: string }>,
  name: string,
): { node: string; field: string } {
  const target = declared.get(name);
  if (target !== undefined) return target;
  const available = [...declared.keys()];
  const near = nearMatches(name, available);
  const hint = near.length > 0 ? ` Did you mean ${near.join(" or ")}?` : "";
  throw new ParameterError(
    "unknown_parameter",
    excerpt(name),
    `The pipeline has no parameter ${quote(name)}.${hint} Its parameters: ${
      available.length > 0 ? available.join(", ") : "(none)"
    }`,
    { available },
  );
}

/** Checks a node's config with a parameter's value in it: `invalid_parameter` naming the parameter. */
function checkValue(
  name: string,
  target: { node: string; field: string },
  config: Record<string, unknown>,
  type: string,
  registry: NodeRegistry,
): void {
  if (jsonDepth(config[target.field], MAX_MANIFEST_DEPTH) > MAX_MANIFEST_DEPTH) {
    throw new ParameterError(
      "invalid_parameter",
      name,
      `Parameter ${
        quote(name)
      } nests arrays and objects more than ${MAX_MANIFEST_DEPTH} levels deep`,
    );
  }
  try {
    validateConfig(registry.describe(type).config, config, type);
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    const issue = error.issues.find((i) =>
      i.field === target.field || i.field.startsWith(`${target.field}.`) ||
      i.field.startsWith(`${target.field}[`)
    ) ?? error.issues[0];
    throw new ParameterError(
      "invalid_parameter",
      name,
      `Parameter ${
        quote(name)
      } (${target.node}.${target.field}) must be ${issue.expected}, got ${issue.actual}`,
      {
        expected: issue.expected,
        ...(issue.choices ? { available: [...issue.choices] } : {}),
      },
    );
  }
}

/** What {@linkcode changeParameters} needs of a runtime: its nodes and its `setConfig()`. */
export interface ParameterHost {
  /** The processors. */
  readonly registry: NodeRegistry;
  /** Each node's id, type and config (the runtime's `describe().nodes`). */
  nodes(): readonly {
    readonly id: string;
    readonly type: string;
    readonly config: unknown;
    readonly running: boolean;
  }[];
  /** Changes a node's config (the runtime's `setConfig()`). */
  setConfig(node: string, patch: Record<string, JsonValue>): void;
}

/**
 * Changes declared parameters of a loaded graph: every value is checked first (declared, its
 * field's schema, and, for a node that runs, a field its processor takes live), then all are
 * applied; one refused changes nothing.
 *
 * @param declared The parameters the loaded manifest declared, by name.
 * @param values The new values, by name.
 * @param host The runtime.
 * @returns The names changed.
 * @throws {ParameterError} `unknown_parameter`, `invalid_parameter`, or `config_locked` for a
 * field that only changes while its node is stopped.
 */
export function changeParameters(
  declared: Readonly<Record<string, ManifestParameter>>,
  values: unknown,
  host: ParameterHost,
): string[] {
  if (!isObject(values)) {
    throw new ParameterError(
      "invalid_parameter",
      "",
      `Parameters must be an object of names to JSON values, got ${show(values)}`,
    );
  }
  const targets = declaredParameters({ parameters: declared });
  const nodes = new Map(host.nodes().map((n) => [n.id, n]));
  const live = (name: string) => {
    const target = targets.get(name)!;
    const node = nodes.get(target.node);
    return node !== undefined &&
      liveFields(host.registry.describe(node.type)).includes(target.field);
  };
  const patches = new Map<string, Record<string, JsonValue>>();
  for (const name of Object.keys(values)) {
    const target = targetOrThrow(targets, name);
    const node = nodes.get(target.node);
    if (node === undefined) {
      throw new ParameterError(
        "invalid_parameter",
        name,
        `Parameter ${quote(name)} sets node ${quote(target.node)}, which the graph no longer has`,
      );
    }
    const patch = patches.get(target.node) ?? {};
    patch[target.field] = values[name] as JsonValue;
    patches.set(target.node, patch);
    const config = { ...(isObject(node.config) ? node.config : {}), ...patch };
    checkValue(name, target, config, node.type, host.registry);
    if (node.running && !live(name)) {
      const available = [...targets.keys()].filter(live);
      throw new ParameterError(
        "config_locked",
        name,
        `Parameter ${
          quote(name)
        } (${target.node}.${target.field}) is set when the pipeline starts, not while it runs; parameters that change while it runs: ${
          available.length > 0 ? available.join(", ") : "(none)"
        }`,
        { available },
      );
    }
  }
  for (const [node, patch] of patches) host.setConfig(node, patch);
  return Object.keys(values);
}
