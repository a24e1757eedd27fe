/**
 * The structural text of a `DataFrame` payload type, expanded by the type checker: interfaces and
 * aliases become object literal types, so `DataFrame<Level>` and
 * `DataFrame<{ rms: number; peak: number }>` get one port type string once
 * `canonicalPortType()` has sorted it.
 *
 * @module
 */

import type { Node, Type } from "ts-morph";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * The expanded text of a JSON-able type (one the config schema step accepted).
 *
 * @param type The payload type.
 * @param at A node to resolve property types at when a property has no declaration.
 * @returns Type text in the subset `canonicalPortType()` reads.
 */
export function payloadTypeText(type: Type, at: Node): string {
  return text(type, at, 0);
}

function text(type: Type, at: Node, depth: number): string {
  if (depth > 32) return "unknown";
  if (type.isAny() || type.isUnknown()) return "unknown";
  if (type.isBoolean()) return "boolean";
  if (type.isString() || type.isTemplateLiteral()) return "string";
  if (type.isNumber()) return "number";
  if (type.isNull()) return "null";
  if (type.isUndefined()) return "undefined";
  if (type.isBooleanLiteral()) return type.getText();
  if (type.isStringLiteral() || type.isNumberLiteral() || type.isEnumLiteral()) {
    return JSON.stringify(type.getLiteralValue());
  }
  if (type.isUnion()) {
    return `(${type.getUnionTypes().map((t) => text(t, at, depth + 1)).join(" | ")})`;
  }
  if (type.isArray() || type.isReadonlyArray()) {
    const element = type.getArrayElementType() ?? type.getTypeArguments()[0];
    return `(${element ? text(element, at, depth + 1) : "unknown"})[]`;
  }
  if (type.isObject() || type.isIntersection()) {
    const members = type.getProperties().map((property) => {
      const declaration = property.getValueDeclaration() ?? property.getDeclarations()[0];
      const name = property.getName();
      const key = IDENTIFIER.test(name) ? name : JSON.stringify(name);
      const propertyType = property.getTypeAtLocation(declaration ?? at);
      return `${key}${property.isOptional() ? "?" : ""}: ${text(propertyType, at, depth + 1)}`;
    });
    const index = type.getStringIndexType();
    if (index) members.push(`[key: string]: ${text(index, at, depth + 1)}`);
    return `{ ${members.join("; ")} }`;
  }
  return type.getText();
}
