/**
 * A form generated from a processor's config JSON Schema: a number box per number, a checkbox per
 * boolean, a menu per enum, a text box per string, a list box per array.
 *
 * @module
 */

import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { JsonSchema, JsonValue } from "../../core/json_schema.ts";
import { plainText } from "../shared/format.ts";

/** Props of {@linkcode SchemaForm}. */
export interface SchemaFormProps {
  /** The config schema (an object schema). */
  schema: JsonSchema;
  /** The values to start from (the current config, or the defaults). */
  values: Record<string, JsonValue>;
  /** Fields that may change while running. */
  live: readonly string[];
  /** Whether the recording lock applies now (the graph runs): other fields are disabled. */
  locked: boolean;
  /** The field an error named (`config.frequency`), highlighted. */
  invalidField?: string;
  /** The submit button's text. */
  submitLabel: string;
  /** Whether to submit only the fields that changed. */
  onlyChanged: boolean;
  /** A name for test selectors. */
  name: string;
  /** Receives the values. */
  onSubmit(values: Record<string, JsonValue>): void;
  /** Extra inputs before the config fields. */
  children?: ComponentChildren;
}

/**
 * The values a schema's defaults give.
 *
 * @param schema The config schema.
 * @returns The defaults by field.
 */
export function schemaDefaults(schema: JsonSchema): Record<string, JsonValue> {
  const values: Record<string, JsonValue> = {};
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    if (field.default !== undefined) values[name] = field.default;
  }
  return values;
}

function toText(value: JsonValue | undefined, field: JsonSchema): string | boolean {
  if (field.type === "boolean") return value === true;
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map((v) => JSON.stringify(v)).join(", ");
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function fromText(text: string | boolean, field: JsonSchema): JsonValue | undefined {
  if (typeof text === "boolean") return text;
  if (text.trim() === "") return undefined;
  const type = Array.isArray(field.type) ? field.type[0] : field.type;
  if (type === "number" || type === "integer") {
    const n = Number(text);
    return Number.isFinite(n) ? n : text; // the server names the field when it is not a number
  }
  if (type === "array") {
    try {
      return JSON.parse(text.trim().startsWith("[") ? text : `[${text}]`);
    } catch {
      return text;
    }
  }
  if (type === "object") {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * The form.
 *
 * @param props Schema, values, lock state and the submit handler.
 * @returns The form.
 */
export function SchemaForm(props: SchemaFormProps) {
  const { schema, values, live, locked } = props;
  const fields = Object.entries(schema.properties ?? {});
  const [texts, setTexts] = useState<Record<string, string | boolean>>(() =>
    Object.fromEntries(fields.map(([name, field]) => [name, toText(values[name], field)]))
  );
  const submit = (e: Event) => {
    e.preventDefault();
    const out: Record<string, JsonValue> = {};
    for (const [name, field] of fields) {
      const value = fromText(texts[name], field);
      if (value === undefined) continue;
      if (props.onlyChanged && JSON.stringify(value) === JSON.stringify(values[name])) continue;
      out[name] = value;
    }
    props.onSubmit(out);
  };
  return (
    <form class="schema-form" data-form={props.name} onSubmit={submit}>
      {props.children}
      {fields.length === 0 ? <p class="muted">No config.</p> : null}
      {fields.map(([name, field]) => {
        const isLive = live.includes(name);
        const disabled = locked && !isLive;
        const invalid = props.invalidField === `config.${name}`;
        const set = (value: string | boolean) => setTexts({ ...texts, [name]: value });
        const text = texts[name];
        const common = {
          name,
          id: `${props.name}-${name}`,
          disabled,
          "aria-invalid": invalid,
          title: disabled
            ? "Locked while the graph runs (recording lock): pause or stop to change it"
            : field.description,
        };
        let input;
        if (field.enum) {
          input = (
            <select
              {...common}
              value={String(text)}
              onChange={(e) => set(e.currentTarget.value)}
            >
              {field.enum.map((v) => (
                <option key={String(v)} value={String(v)}>{String(v)}</option>
              ))}
            </select>
          );
        } else if (field.type === "boolean") {
          input = (
            <input
              {...common}
              type="checkbox"
              checked={text === true}
              onChange={(e) => set(e.currentTarget.checked)}
            />
          );
        } else if (field.type === "number" || field.type === "integer") {
          input = (
            <input
              {...common}
              type="number"
              step={field.type === "integer" ? 1 : "any"}
              min={field.minimum}
              max={field.maximum}
              value={String(text)}
              onInput={(e) => set(e.currentTarget.value)}
            />
          );
        } else {
          input = (
            <input
              {...common}
              type="text"
              value={String(text)}
              onInput={(e) => set(e.currentTarget.value)}
            />
          );
        }
        return (
          <label key={name} class={`field ${invalid ? "invalid" : ""} ${disabled ? "locked" : ""}`}>
            <span class="field-name">
              {name}
              {isLive ? <span class="live" title="changes while running">live</span> : null}
              {schema.required?.includes(name) ? <span class="required">required</span> : null}
            </span>
            {input}
            {field.description
              ? <span class="field-help">{plainText(field.description)}</span>
              : null}
          </label>
        );
      })}
      <button type="submit" class="primary">{props.submitLabel}</button>
    </form>
  );
}
