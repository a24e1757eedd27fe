/**
 * Printing helpers shared by the emitters: JSDoc comments and TypeScript literals.
 *
 * @module
 */

/** The generator's name in the header line. */
export const GENERATOR = "streamlib codegen";

/**
 * A JSDoc comment, on one line when it fits.
 *
 * @param text The comment text (may have several lines).
 * @param indent Leading spaces.
 * @returns The comment and a trailing newline.
 */
export function docComment(text: string, indent = ""): string {
  const safe = text.replaceAll("*/", "*\\/").trim();
  const lines = safe.split("\n");
  if (lines.length === 1 && indent.length + safe.length + 7 <= 100) {
    return `${indent}/** ${safe} */\n`;
  }
  return `${indent}/**\n${
    lines.map((l) => `${indent} *${l ? ` ${l}` : ""}`).join("\n")
  }\n${indent} */\n`;
}

/**
 * A value as a TypeScript literal: objects and arrays of objects one entry per line, strings in
 * double quotes with every character outside ASCII escaped (`\u2026`), so a generated module's
 * source stays one-byte in V8 (one `…` in a description of the built-in registry cost 0.1 MB of
 * resident memory, measured).
 *
 * @param value A JSON-like value.
 * @param indent The current indentation.
 * @returns The literal.
 */
export function literal(value: unknown, indent = ""): string {
  if (value === undefined) return "undefined";
  if (value === null || typeof value !== "object") return asciiJson(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    if (value.every((v) => v === null || typeof v !== "object")) {
      return `[${value.map((v) => literal(v)).join(", ")}]`;
    }
    return `[\n${value.map((v) => `${inner}${literal(v, inner)},\n`).join("")}${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return "{}";
  const flat = entries.every(([, v]) =>
    v === null || typeof v !== "object" ||
    (Array.isArray(v) && v.every((i) => i === null || typeof i !== "object"))
  );
  if (flat) {
    const inline = `{ ${entries.map(([k, v]) => `${propertyKey(k)}: ${literal(v)}`).join(", ")} }`;
    if (inline.length <= 60) return inline;
  }
  const body = entries.map(([k, v]) => `${inner}${propertyKey(k)}: ${literal(v, inner)},\n`);
  return `{\n${body.join("")}${indent}}`;
}

/**
 * A property name, quoted only when it is not an identifier.
 *
 * @param name The name.
 * @returns The key as written in an object literal or type.
 */
export function propertyKey(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}

/** `JSON.stringify` of a primitive, characters outside ASCII escaped. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
