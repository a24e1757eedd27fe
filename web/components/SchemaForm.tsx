/**
 * A form generated from a processor's config JSON Schema: a number box per number, a checkbox per
 * boolean, a menu per enum, a text box per string, a list box per array.
 *
 * When the values change under the form (another client set them), a field the person has not
 * touched takes the new value and says so; a field they have typed in keeps what they typed and
 * shows the other value, with a button to take it. Typed text is never replaced silently.
 *
 * @module
 */

import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { JsonSchema, JsonValue } from "../../core/schema/json_schema.ts";
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

/** A field another client changed while the form was open. */
interface RemoteChange {
  /** The new value, as text. */
  text: string | boolean;
  /** Whether the person's own text was kept (a conflict) rather than replaced (a merge). */
  kept: boolean;
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
  // Fields the person typed in since they last matched the values.
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [remote, setRemote] = useState<Record<string, RemoteChange>>({});
  const shown = useRef(values);
  // What this form's own Apply sent, by field, until the values come back with it: that echo is
  // this person's change, not someone else's, even when they have typed again since.
  const sent = useRef<Record<string, string | boolean>>({});
  const valuesKey = JSON.stringify(values);
  useEffect(() => {
    const before = shown.current;
    shown.current = values;
    const nextTexts = { ...texts };
    const nextRemote = { ...remote };
    const nextTouched = new Set(touched);
    let changed = false;
    for (const [name, field] of fields) {
      if (JSON.stringify(before[name]) === JSON.stringify(values[name])) continue;
      const text = toText(values[name], field);
      changed = true;
      if (sent.current[name] === text) {
        delete sent.current[name]; // this form's own Apply coming back
        if (texts[name] === text) nextTouched.delete(name);
        delete nextRemote[name];
        continue;
      }
      delete sent.current[name];
      if (texts[name] === text) {
        // What the form shows already (this form's own Apply, or the same value typed).
        nextTouched.delete(name);
        delete nextRemote[name];
      } else if (!touched.has(name)) {
        nextTexts[name] = text; // merged: the person had not touched it
        nextRemote[name] = { text, kept: false };
      } else nextRemote[name] = { text, kept: true }; // theirs shown, yours kept
    }
    if (!changed) return;
    setTexts(nextTexts);
    setTouched(nextTouched);
    setRemote(nextRemote);
  }, [valuesKey]);
  const submit = (e: Event) => {
    e.preventDefault();
    const out: Record<string, JsonValue> = {};
    for (const [name, field] of fields) {
      const value = fromText(texts[name], field);
      if (value === undefined) continue;
      if (props.onlyChanged && JSON.stringify(value) === JSON.stringify(values[name])) continue;
      out[name] = value;
      sent.current[name] = toText(value, field);
    }
    setRemote({});
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
        const set = (value: string | boolean) => {
          setTexts({ ...texts, [name]: value });
          setTouched(new Set(touched).add(name));
          if (remote[name] && !remote[name].kept) {
            const { [name]: _, ...rest } = remote;
            setRemote(rest);
          }
        };
        const text = texts[name];
        const change = remote[name];
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
          <label
            key={name}
            class={`field ${invalid ? "invalid" : ""} ${disabled ? "locked" : ""} ${
              change ? (change.kept ? "conflict" : "merged") : ""
            } ${touched.has(name) ? "touched" : ""}`}
            data-field={name}
          >
            <span class="field-name">
              {name}
              {isLive ? <span class="live" title="changes while running">live</span> : null}
              {schema.required?.includes(name) ? <span class="required">required</span> : null}
            </span>
            {input}
            {change
              ? (
                <span class="field-remote" data-remote={change.kept ? "conflict" : "merged"}>
                  {change.kept
                    ? (
                      <>
                        Changed elsewhere to{" "}
                        <code>{String(change.text)}</code>; your value is kept (Apply sends it).
                        {" "}
                        <button
                          type="button"
                          class="link-button"
                          data-action="take-theirs"
                          onClick={(e) => {
                            e.preventDefault();
                            setTexts({ ...texts, [name]: change.text });
                            const rest = new Set(touched);
                            rest.delete(name);
                            setTouched(rest);
                            const { [name]: _, ...others } = remote;
                            setRemote(others);
                          }}
                        >
                          Use theirs
                        </button>
                      </>
                    )
                    : (
                      <>
                        Changed elsewhere to <code>{String(change.text)}</code>.
                      </>
                    )}
                </span>
              )
              : null}
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
