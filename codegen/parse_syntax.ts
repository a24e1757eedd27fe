/**
 * Small syntax readers shared by the parse step: positions, JSDoc text, import names and literal
 * decorator options.
 *
 * @module
 */

import { relative } from "node:path";
import { Node, type SourceFile, SyntaxKind } from "ts-morph";
import type { Diagnostic, DiagnosticCode } from "./diagnostic.ts";
import type { LiteralValue, ParsedOptions, Position } from "./parsed.ts";

/** Where to report, and where diagnostics go. */
export interface ParseContext {
  /** The project root (absolute). */
  readonly root: string;
  /** Collected diagnostics. */
  readonly diagnostics: Diagnostic[];
}

/**
 * The position of `node` (its first token), relative to the root.
 *
 * @param node The node.
 * @param root The project root.
 * @returns The position.
 */
export function positionOf(node: Node, root: string): Position {
  const sourceFile = node.getSourceFile();
  const { line, column } = sourceFile.getLineAndColumnAtPos(node.getStart());
  const file = relative(root, sourceFile.getFilePath()).replaceAll("\\", "/");
  return { file, line, column };
}

/**
 * Records a diagnostic at `node`.
 *
 * @param ctx The context.
 * @param node Where.
 * @param code The kind.
 * @param message What is wrong.
 * @param hint How to fix it.
 */
export function report(
  ctx: ParseContext,
  node: Node,
  code: DiagnosticCode,
  message: string,
  hint: string,
): void {
  ctx.diagnostics.push({ code, message, hint, ...positionOf(node, ctx.root) });
}

/**
 * The JSDoc description of a node: paragraphs joined by newlines, lines within a paragraph by
 * spaces.
 *
 * @param node The node.
 * @returns The description, or `""`.
 */
export function jsDocDescription(node: Node): string {
  if (!Node.isJSDocable(node)) return "";
  const docs = node.getJsDocs();
  const text = docs.length > 0 ? docs[docs.length - 1].getDescription() : "";
  return normalizeDescription(text);
}

/**
 * Collapses a comment's text: paragraphs joined by newlines, lines within one joined by spaces.
 *
 * @param text The raw text.
 * @returns The normalized text.
 */
export function normalizeDescription(text: string): string {
  return text.split(/\n\s*\n/).map((p) => p.replace(/\s+/g, " ").trim()).filter(Boolean)
    .join("\n");
}

/**
 * The imported name of every named import of a file, by local name.
 *
 * @param sourceFile The file.
 * @returns `local -> { imported, specifier }`.
 */
export function importedNames(
  sourceFile: SourceFile,
): Map<string, { imported: string; specifier: string }> {
  const names = new Map<string, { imported: string; specifier: string }>();
  for (const declaration of sourceFile.getImportDeclarations()) {
    const specifier = declaration.getModuleSpecifierValue();
    for (const named of declaration.getNamedImports()) {
      const local = named.getAliasNode()?.getText() ?? named.getName();
      names.set(local, { imported: named.getName(), specifier });
    }
  }
  return names;
}

/**
 * Reads the options object of a decorator call: every property must be a literal.
 *
 * @param ctx The context (non-literal options are reported as `invalid-options`).
 * @param call The decorator's call expression node, or the decorator when it is not called.
 * @param argument The first argument, if any.
 * @returns The options that could be read.
 */
export function readOptions(
  ctx: ParseContext,
  call: Node,
  argument: Node | undefined,
): ParsedOptions {
  const values: Record<string, { value: LiteralValue; at: Position }> = {};
  const at = positionOf(call, ctx.root);
  if (!argument) return { at, values };
  if (!Node.isObjectLiteralExpression(argument)) {
    report(
      ctx,
      argument,
      "invalid-options",
      "Decorator options must be an object literal",
      'write the options inline, for example `{ description: "..." }`, so the generator can read them',
    );
    return { at, values };
  }
  for (const property of argument.getProperties()) {
    if (!Node.isPropertyAssignment(property)) {
      report(
        ctx,
        property,
        "invalid-options",
        "Decorator options must be plain `name: value` properties",
        "replace spreads, shorthands and methods with `name: literal`",
      );
      continue;
    }
    const name = property.getName().replace(/^["']|["']$/g, "");
    const value = literalOf(property.getInitializerOrThrow());
    if (value === undefined) {
      report(
        ctx,
        property.getInitializerOrThrow(),
        "invalid-options",
        `Option '${name}' must be a literal`,
        "use a string, number, boolean or array literal; the generator reads options without running code",
      );
      continue;
    }
    values[name] = { value: value.value, at: positionOf(property, ctx.root) };
  }
  return { at, values };
}

function literalOf(node: Node): { value: LiteralValue } | undefined {
  if (Node.isAsExpression(node) || Node.isParenthesizedExpression(node)) {
    return literalOf(node.getExpression());
  }
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) {
    return { value: node.getLiteralValue() };
  }
  if (Node.isNumericLiteral(node)) return { value: node.getLiteralValue() };
  if (
    Node.isPrefixUnaryExpression(node) && node.getOperatorToken() === SyntaxKind.MinusToken &&
    Node.isNumericLiteral(node.getOperand())
  ) {
    return { value: -Number(node.getOperand().getText()) };
  }
  if (node.getKind() === SyntaxKind.TrueKeyword) return { value: true };
  if (node.getKind() === SyntaxKind.FalseKeyword) return { value: false };
  if (node.getKind() === SyntaxKind.NullKeyword) return { value: null };
  if (Node.isArrayLiteralExpression(node)) {
    const items: LiteralValue[] = [];
    for (const element of node.getElements()) {
      const item = literalOf(element);
      if (!item) return undefined;
      items.push(item.value);
    }
    return { value: items };
  }
  return undefined;
}
