/**
 * The facts the parse step reads from TypeScript: plain data, free of ts-morph, handed to the
 * model step.
 *
 * @module
 */

import type { JsonSchema } from "../core/schema/json_schema.ts";
import type { Diagnostic } from "./diagnostic.ts";

/** A place in a source file. */
export interface Position {
  /** The file, relative to the project root. */
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
}

/** A literal decorator option value. */
export type LiteralValue = string | number | boolean | null | readonly LiteralValue[];

/** The literal options of one decorator call. */
export interface ParsedOptions {
  /** Where the call is. */
  readonly at: Position;
  /** Each readable option with where it is written. */
  readonly values: Readonly<Record<string, { value: LiteralValue; at: Position }>>;
}

/** How a port field's type was read. */
export type ParsedPortType =
  | {
    readonly ok: true;
    /** Whether the field is an array of ports. */
    readonly array: boolean;
    /** The port type string. */
    readonly portType: string;
  }
  | { readonly ok: false };

/** A field decorated with `@input` or `@output`. */
export interface ParsedPort {
  /** The field name. */
  readonly field: string;
  /** Which decorator. */
  readonly direction: "input" | "output";
  /** Where the field name is. */
  readonly at: Position;
  /** The decorator options. */
  readonly options: ParsedOptions;
  /** The field's JSDoc. */
  readonly description: string;
  /** The field's type, as a port. */
  readonly type: ParsedPortType;
}

/** A field decorated with `@config()`. */
export interface ParsedConfig {
  /** The field name. */
  readonly field: string;
  /** Where the field name is. */
  readonly at: Position;
  /** The JSON Schema of its type, when it has one. */
  readonly schema: JsonSchema | undefined;
}

/** What a class extends. */
export type ParsedBase =
  | { readonly kind: "processor"; readonly typeArguments: readonly string[] }
  | { readonly kind: "other"; readonly text: string; readonly reachesProcessor: boolean }
  | { readonly kind: "none" };

/**
 * How a class declares its footprint hook (`static footprint`): not at all, as a function it
 * imports (`static footprint = videoFootprint;`, which a registry can import without the class),
 * or in any other way (a method, a local function), which needs the class loaded.
 */
export type ParsedFootprint =
  | { readonly kind: "none" }
  | { readonly kind: "imported"; readonly name: string; readonly specifier: string }
  | { readonly kind: "class" };

/** A class decorated with `@processor`. */
export interface ParsedClass {
  /** The class name. */
  readonly name: string;
  /** Where the class name is. */
  readonly at: Position;
  /** Whether it is a named export. */
  readonly exported: boolean;
  /** Whether it is the default export. */
  readonly defaultExport: boolean;
  /** Whether it is abstract. */
  readonly abstract: boolean;
  /** The class's JSDoc. */
  readonly description: string;
  /** The `@processor` options. */
  readonly options: ParsedOptions;
  /** What it extends. */
  readonly base: ParsedBase;
  /** Whether it (or a base below `Processor`) implements `process`. */
  readonly hasProcess: boolean;
  /** The port fields, in declaration order. */
  readonly ports: readonly ParsedPort[];
  /** The `@config()` fields. */
  readonly configs: readonly ParsedConfig[];
  /** Its `static footprint` hook. */
  readonly footprint: ParsedFootprint;
  /** The module specifier its `<Name>Types` is imported from, if it imports one. */
  readonly typesSpecifier?: string;
}

/** Everything read from one source file. */
export interface ParsedFile {
  /** The file, relative to the project root. */
  readonly source: string;
  /** The module specifier `Processor` (or `processor`) is imported from, if any. */
  readonly coreSpecifier: string | undefined;
  /** The `@processor` classes. */
  readonly classes: readonly ParsedClass[];
  /** Facts that could not be read. */
  readonly diagnostics: readonly Diagnostic[];
}
