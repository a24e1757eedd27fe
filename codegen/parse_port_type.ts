/**
 * Reading a port field's type: `InputPort<AudioFrame<2>>` becomes an input of port type
 * `"AudioFrame<2>"`. Frame type names are read syntactically, so they work whether or not the
 * compiler can resolve the streamlib import; names are followed through import aliases
 * (`type AudioFrame as AF`), and through type aliases without type parameters declared in the same
 * file or imported from another (`import type { Stereo } from "./types.ts"`, found with the
 * compiler's symbol and alias resolution). A `DataFrame<T>` payload is written expanded and in
 * canonical form (`canonicalPortType()`), so two spellings of one structure get one port type.
 *
 * @module
 */

import {
  Node,
  type SourceFile,
  SyntaxKind,
  type TypeAliasDeclaration,
  type TypeNode,
  type TypeReferenceNode,
} from "ts-morph";
import { canonicalPortType } from "../core/ports/port_type.ts";
import type { ParsedPortType } from "./parsed.ts";
import { payloadTypeText } from "./payload_text.ts";
import { importedNames, type ParseContext, report } from "./parse_syntax.ts";

/** What {@linkcode readPortType} needs besides the type node. */
export interface PortTypeContext extends ParseContext {
  /** Resolves a local type name to its imported name. */
  readonly resolveName: (local: string) => string;
  /** Checks that a `DataFrame` payload type is JSON-able; reports and returns false if not. */
  readonly checkPayload: (payload: TypeNode, port: string) => boolean;
}

const FRAME_NAMES = new Set([
  "VideoFrame",
  "GpuVideoFrame",
  "EncodedVideoFrame",
  "EncodedAudioFrame",
  "Frame",
  "AudioFrame",
  "DataFrame",
]);

const FRAME_HINT =
  "use VideoFrame, GpuVideoFrame, AudioFrame<N>, EncodedVideoFrame, EncodedAudioFrame, DataFrame<T> or Frame from streamlib";

/**
 * Reads the port type of a field declared with `@input`/`@output`.
 *
 * @param ctx Where diagnostics go and how names resolve.
 * @param field The field name.
 * @param direction Which decorator.
 * @param typeNode The field's type annotation, if any.
 * @param at The node to report at when there is no annotation.
 * @returns The port type, or `{ ok: false }` after reporting.
 */
export function readPortType(
  ctx: PortTypeContext,
  field: string,
  direction: "input" | "output",
  typeNode: TypeNode | undefined,
  at: Node,
): ParsedPortType {
  const wanted = direction === "input" ? "InputPort" : "OutputPort";
  const decorator = direction === "input" ? "@input" : "@output";
  const example = `${field}!: ${wanted}<AudioFrame<2>>;`;
  if (!typeNode) {
    report(
      ctx,
      at,
      "port-type",
      `${decorator} field '${field}' has no type annotation`,
      `declare the port type, for example \`${example}\``,
    );
    return { ok: false };
  }
  let node: TypeNode = typeNode;
  let array = false;
  if (Node.isTypeOperatorTypeNode(node) && node.getOperator() === SyntaxKind.ReadonlyKeyword) {
    node = node.getTypeNode();
  }
  if (Node.isArrayTypeNode(node)) {
    array = true;
    node = node.getElementTypeNode();
  } else if (Node.isTypeReference(node)) {
    const name = ctx.resolveName(node.getTypeName().getText());
    const args = node.getTypeArguments();
    if ((name === "Array" || name === "ReadonlyArray") && args.length === 1) {
      array = true;
      node = args[0];
    }
  }
  const portName = Node.isTypeReference(node)
    ? ctx.resolveName(node.getTypeName().getText())
    : undefined;
  if (portName !== wanted || !Node.isTypeReference(node) || node.getTypeArguments().length !== 1) {
    const other = direction === "input" ? "OutputPort" : "InputPort";
    const reason = portName === other
      ? `an ${other} is ${direction === "input" ? "an output" : "an input"}`
      : `it is not ${direction === "input" ? "an input" : "an output"} port`;
    report(
      ctx,
      typeNode,
      "port-type",
      `${decorator} field '${field}' has type '${typeNode.getText()}': ${reason}`,
      `declare it as \`${example}\`${
        array ? ` (an array port: \`readonly ${wanted}<AudioFrame<2>>[]\`)` : ""
      }`,
    );
    return { ok: false };
  }
  const portType = frameTypeString(ctx, node.getTypeArguments()[0], field, 0);
  return portType === undefined ? { ok: false } : { ok: true, array, portType };
}

function frameTypeString(
  ctx: PortTypeContext,
  node: TypeNode,
  field: string,
  depth: number,
): string | undefined {
  const unknown = (why: string) => {
    report(ctx, node, "unknown-frame-type", `Port '${field}' carries ${why}`, FRAME_HINT);
    return undefined;
  };
  if (!Node.isTypeReference(node)) return unknown(`'${node.getText()}', which is not a frame type`);
  const local = node.getTypeName().getText();
  const name = ctx.resolveName(local);
  const args = node.getTypeArguments();
  if (!FRAME_NAMES.has(name) && depth < 8) {
    const alias = typeAliasOf(node);
    if (alias) {
      const file = alias.getSourceFile();
      const inner = file === node.getSourceFile() ? ctx : { ...ctx, resolveName: namesOf(file) };
      return frameTypeString(inner, alias.getTypeNodeOrThrow(), field, depth + 1);
    }
  }
  switch (name) {
    case "VideoFrame":
    case "GpuVideoFrame":
    case "EncodedVideoFrame":
    case "EncodedAudioFrame":
    case "Frame":
      return args.length === 0
        ? name
        : unknown(`'${node.getText()}': ${name} takes no type argument`);
    case "AudioFrame": {
      if (args.length === 0 || args[0].getKind() === SyntaxKind.NumberKeyword) return "AudioFrame";
      const arg = args[0];
      const channels = Node.isLiteralTypeNode(arg) ? Number(arg.getText()) : NaN;
      if (!Number.isInteger(channels) || channels < 1) {
        report(
          ctx,
          arg,
          "unknown-frame-type",
          `Port '${field}' carries '${node.getText()}': the channel count must be a positive integer literal`,
          "write the channel count in the type, for example AudioFrame<2>, or AudioFrame for any",
        );
        return undefined;
      }
      return `AudioFrame<${channels}>`;
    }
    case "DataFrame": {
      if (args.length === 0 || args[0].getKind() === SyntaxKind.UnknownKeyword) return "DataFrame";
      if (!ctx.checkPayload(args[0], field)) return undefined;
      return canonicalPortType(`DataFrame<${payloadTypeText(args[0].getType(), args[0])}>`);
    }
    default:
      return unknown(`'${node.getText()}', which is not a frame type`);
  }
}

/** The type alias (without type parameters) a type reference names, through imports. */
function typeAliasOf(node: TypeReferenceNode): TypeAliasDeclaration | undefined {
  let symbol = node.getTypeName().getSymbol();
  if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol();
  const alias = symbol?.getDeclarations().find(Node.isTypeAliasDeclaration);
  return alias && alias.getTypeParameters().length === 0 ? alias : undefined;
}

/** How a file's local names map to the names it imports. */
function namesOf(file: SourceFile): (local: string) => string {
  const names = importedNames(file);
  return (local) => names.get(local)?.imported ?? local;
}
