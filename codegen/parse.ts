/**
 * The parse step: reads `@processor` classes from TypeScript sources with ts-morph and returns
 * plain facts ({@linkcode ParsedFile}) for the model step.
 *
 * @module
 */

import { join } from "node:path";
import {
  type ClassDeclaration,
  type Decorator,
  Node,
  type Project,
  Scope,
  type SourceFile,
} from "ts-morph";
import type { Diagnostic } from "./diagnostic.ts";
import type {
  ParsedBase,
  ParsedClass,
  ParsedConfig,
  ParsedFile,
  ParsedFootprint,
  ParsedPort,
} from "./parsed.ts";
import { schemaOfType } from "./parse_config_schema.ts";
import { readPortType } from "./parse_port_type.ts";
import {
  importedNames,
  jsDocDescription,
  type ParseContext,
  positionOf,
  readOptions,
  report,
} from "./parse_syntax.ts";

/**
 * Parses `sources` (paths relative to `root`) in `project`.
 *
 * @param project The session's project.
 * @param root The project root (absolute).
 * @param sources The files to parse.
 * @returns The facts per file, and the ts-morph files to forget when done.
 */
export function parseSources(
  project: Project,
  root: string,
  sources: readonly string[],
): { files: ParsedFile[]; sourceFiles: SourceFile[] } {
  const sourceFiles = sources.map((source) => {
    const path = join(root, source);
    return project.getSourceFile(path) ?? project.addSourceFileAtPath(path);
  });
  const files = sourceFiles.map((sourceFile, i) => parseFile(sourceFile, root, sources[i]));
  return { files, sourceFiles };
}

function parseFile(sourceFile: SourceFile, root: string, source: string): ParsedFile {
  const diagnostics: Diagnostic[] = [];
  const ctx: ParseContext = { root, diagnostics };
  const imports = importedNames(sourceFile);
  const coreOf = () =>
    [...imports.values()].find((i) => i.imported === "Processor")?.specifier ??
      [...imports.values()].find((i) => i.imported === "processor")?.specifier;
  // A file that does not parse is not read further: its classes would be guesses.
  if (reportSyntaxErrors(ctx, sourceFile)) {
    return { source, coreSpecifier: coreOf(), classes: [], diagnostics };
  }
  const resolveName = (local: string) => imports.get(local)?.imported ?? local;
  const coreSpecifier = coreOf();
  const classes: ParsedClass[] = [];
  for (const declaration of sourceFile.getClasses()) {
    reportBareDecorators(ctx, declaration, resolveName);
    const decorator = declaration.getDecorators().find((d) =>
      resolveName(d.getName()) === "processor"
    );
    if (decorator) {
      const parsed = parseClass(ctx, declaration, decorator, resolveName);
      classes.push({
        ...parsed,
        footprint: readFootprint(declaration, imports),
        typesSpecifier: imports.get(`${parsed.name}Types`)?.specifier,
      });
    }
  }
  return { source, coreSpecifier, classes, diagnostics };
}

function parseClass(
  ctx: ParseContext,
  declaration: ClassDeclaration,
  decorator: Decorator,
  resolveName: (local: string) => string,
): Omit<ParsedClass, "footprint"> {
  const name = declaration.getName() ?? "(anonymous)";
  const nameNode = declaration.getNameNode() ?? declaration;
  const ports: ParsedPort[] = [];
  const configs: ParsedConfig[] = [];
  const portContext = {
    ...ctx,
    resolveName,
    checkPayload: (payload: Node, port: string) =>
      schemaOfType(ctx, payload.getType(), payload, {
        what: `DataFrame payload of port '${port}'`,
        hint: "send plain JSON data: numbers, strings, booleans, arrays and plain objects",
      }) !== undefined,
  };
  for (const property of declaration.getProperties()) {
    for (const fieldDecorator of property.getDecorators()) {
      const kind = resolveName(fieldDecorator.getName());
      if (kind !== "input" && kind !== "output" && kind !== "config") continue;
      const field = property.getName();
      const at = positionOf(property.getNameNode(), ctx.root);
      const scope = property.getScope();
      if (property.isStatic() || field.startsWith("#") || scope !== Scope.Public) {
        report(
          ctx,
          property.getNameNode(),
          "port-type",
          `@${kind} field '${field}' must be a public instance field`,
          "remove `static`, `private`, `protected` or `#`; generated code reads the field by name",
        );
        continue;
      }
      if (kind === "config") {
        configs.push({
          field,
          at,
          schema: schemaOfType(ctx, property.getType(), property.getNameNode(), {
            what: `Config of '${name}'`,
            hint:
              "a config must be plain JSON data: numbers, strings, booleans, literal unions, arrays and plain objects",
            live: true,
          }),
        });
        continue;
      }
      const args = fieldDecorator.getArguments();
      ports.push({
        field,
        direction: kind,
        at,
        options: readOptions(ctx, fieldDecorator, args[0]),
        description: jsDocDescription(property),
        type: readPortType(
          portContext,
          field,
          kind,
          property.getTypeNode(),
          property.getNameNode(),
        ),
      });
    }
  }
  return {
    name,
    at: positionOf(nameNode, ctx.root),
    exported: declaration.isExported() && !declaration.isDefaultExport(),
    defaultExport: declaration.isDefaultExport(),
    abstract: declaration.isAbstract(),
    description: jsDocDescription(declaration),
    options: readOptions(ctx, decorator, decorator.getArguments()[0]),
    base: readBase(declaration, resolveName),
    hasProcess: implementsProcess(declaration),
    ports,
    configs,
  };
}

/**
 * The class's `static footprint` hook: `imported` when it is a property initialized with a
 * function the file imports by name, so a lazy registry entry can import the hook alone.
 */
function readFootprint(
  declaration: ClassDeclaration,
  imports: Map<string, { imported: string; specifier: string }>,
): ParsedFootprint {
  if (declaration.getStaticMethod("footprint")) return { kind: "class" };
  const property = declaration.getStaticProperty("footprint");
  if (!property) return { kind: "none" };
  const initializer = Node.isPropertyDeclaration(property) ? property.getInitializer() : undefined;
  const from = initializer && Node.isIdentifier(initializer)
    ? imports.get(initializer.getText())
    : undefined;
  return from ? { kind: "imported", name: from.imported, specifier: from.specifier } : {
    kind: "class",
  };
}

/** The decorators of ours that must be called, and where each goes. */
const DECORATORS: Readonly<Record<string, string>> = {
  processor: "@processor()",
  input: "@input()",
  output: "@output()",
  config: "@config()",
};

/** Reports the syntax errors of a file: a broken source must not be generated from. */
function reportSyntaxErrors(ctx: ParseContext, sourceFile: SourceFile): boolean {
  const program = sourceFile.getProject().getProgram();
  const problems = program.getSyntacticDiagnostics(sourceFile);
  for (const problem of problems) {
    const start = problem.getStart() ?? 0;
    const { line, column } = sourceFile.getLineAndColumnAtPos(start);
    const text = problem.getMessageText();
    const message = typeof text === "string" ? text : text.getMessageText();
    ctx.diagnostics.push({
      code: "syntax-error",
      message: `Syntax error: ${message}`,
      hint:
        "fix the source so it parses (an unbalanced brace or parenthesis is the usual cause); " +
        "nothing is generated from a file that does not parse",
      file: positionOf(sourceFile, ctx.root).file,
      line,
      column,
    });
  }
  return problems.length > 0;
}

/**
 * Reports decorators of ours written without their call (`@input` instead of `@input()`), and
 * `@live` written as a decorator (it is a JSDoc tag of a config field).
 */
function reportBareDecorators(
  ctx: ParseContext,
  declaration: ClassDeclaration,
  resolveName: (local: string) => string,
): void {
  const check = (decorator: Decorator) => {
    const name = resolveName(decorator.getName());
    if (name === "live") {
      report(
        ctx,
        decorator,
        "bare-decorator",
        "`@live` is a JSDoc tag, not a decorator",
        "remove the decorator and write `@live` in the JSDoc comment of the config field " +
          "(`/** Pitch in Hz. @live */ frequency: number;`) in the config interface",
      );
      return;
    }
    const called = DECORATORS[name];
    if (called === undefined || decorator.isDecoratorFactory()) return;
    report(
      ctx,
      decorator,
      "bare-decorator",
      `Decorator \`@${decorator.getName()}\` is used without parentheses`,
      `write \`${called.replace(name, decorator.getName())}\`: it is a decorator factory, ` +
        "so the bare form fails when the class is loaded",
    );
  };
  declaration.getDecorators().forEach(check);
  for (const member of declaration.getMembers()) {
    if (Node.isDecoratable(member)) member.getDecorators().forEach(check);
  }
}

function readBase(
  declaration: ClassDeclaration,
  resolveName: (local: string) => string,
): ParsedBase {
  const heritage = declaration.getExtends();
  if (!heritage) return { kind: "none" };
  const expression = heritage.getExpression().getText();
  if (resolveName(expression) === "Processor") {
    return {
      kind: "processor",
      typeArguments: heritage.getTypeArguments().map((t) => t.getText()),
    };
  }
  let base = declaration.getBaseClass();
  for (let depth = 0; base && depth < 16; depth++) {
    const next = base.getExtends();
    if (!next) break;
    const names = importedNames(base.getSourceFile());
    const text = next.getExpression().getText();
    if ((names.get(text)?.imported ?? text) === "Processor") {
      return { kind: "other", text: heritage.getText(), reachesProcessor: true };
    }
    base = base.getBaseClass();
  }
  return { kind: "other", text: heritage.getText(), reachesProcessor: false };
}

function implementsProcess(declaration: ClassDeclaration): boolean {
  let current: ClassDeclaration | undefined = declaration;
  for (let depth = 0; current && depth < 16; depth++) {
    if (current !== declaration && current.getName() === "Processor") return false;
    const method = current.getInstanceMethod("process");
    if (method && !method.isAbstract()) return true;
    const property = current.getInstanceProperty("process");
    if (property && Node.isPropertyDeclaration(property) && property.hasInitializer()) return true;
    current = current.getBaseClass();
  }
  return false;
}
