/**
 * The canonical text of a `DataFrame` payload type, so two spellings of one structure compare
 * equal as port type strings: `{ rms: number, peak: number }` and `{ peak: number; rms: number }`
 * both become `{ peak: number; rms: number }`.
 *
 * It reads the JSON-able subset of TypeScript type syntax a payload can have: `number`, `string`,
 * `boolean`, `null`, `unknown` (`any` reads as `unknown`), string, number and boolean literals,
 * object literals (optional and `readonly` members, a `[key: string]: T` index signature), arrays
 * (`T[]`, `readonly T[]`, `Array<T>`, `ReadonlyArray<T>`), `Record<string, T>`, unions and
 * parentheses. The canonical form sorts object members by name (the index signature last) and
 * union members by their text, removes duplicate union members and `undefined` from unions,
 * writes `true | false` as `boolean`, quotes string literals and non-identifier member names with
 * double quotes, and separates members with `; `. Any other name (an interface such as `Level`)
 * has no canonical form here: only the code generator, which sees the declarations, can expand it.
 *
 * @module
 */

type PayloadNode =
  | { readonly kind: "name"; readonly text: string }
  | { readonly kind: "array"; readonly element: PayloadNode }
  | {
    readonly kind: "object";
    readonly members: readonly { name: string; optional: boolean; type: PayloadNode }[];
    readonly index: PayloadNode | undefined;
  }
  | { readonly kind: "union"; readonly members: readonly PayloadNode[] };

const PRIMITIVES = new Set(["number", "string", "boolean", "null", "unknown", "undefined"]);
const TOKEN =
  /\s*("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_$][\w$]*|\S)/y;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * The canonical text of a payload type, or `undefined` when `text` is not in the subset this
 * reads (a named type, a function type, a syntax error).
 *
 * @param text The type text, such as `{ rms: number, peak: number }`.
 * @returns The canonical text, such as `{ peak: number; rms: number }`.
 */
export function canonicalPayloadType(text: string): string | undefined {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let match;
  while ((match = TOKEN.exec(text)) !== null) tokens.push(match[1]);
  try {
    const parser = new Parser(tokens);
    const node = parser.type();
    if (!parser.done()) return undefined;
    return print(node);
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

class Parser {
  #at = 0;
  readonly #tokens: readonly string[];

  constructor(tokens: readonly string[]) {
    this.#tokens = tokens;
  }

  done(): boolean {
    return this.#at === this.#tokens.length;
  }

  type(): PayloadNode {
    this.#eat("|");
    const members = [this.#postfix()];
    while (this.#eat("|")) members.push(this.#postfix());
    return members.length === 1 ? members[0] : { kind: "union", members };
  }

  #postfix(): PayloadNode {
    if (this.#eat("readonly")) {
      const node = this.#postfix();
      if (node.kind !== "array") throw new SyntaxError("readonly applies to arrays only");
      return node;
    }
    let node = this.#primary();
    while (this.#peek() === "[" && this.#tokens[this.#at + 1] === "]") {
      this.#at += 2;
      node = { kind: "array", element: node };
    }
    return node;
  }

  #primary(): PayloadNode {
    const token = this.#next();
    if (token === "(") {
      const node = this.type();
      this.#expect(")");
      return node;
    }
    if (token === "{") return this.#object();
    if (token.startsWith('"') || token.startsWith("'")) {
      return { kind: "name", text: JSON.stringify(unquote(token)) };
    }
    if (/^-?\d/.test(token)) return { kind: "name", text: String(Number(token)) };
    if (token === "true" || token === "false") return { kind: "name", text: token };
    if (token === "any") return { kind: "name", text: "unknown" };
    if (PRIMITIVES.has(token)) return { kind: "name", text: token };
    if ((token === "Array" || token === "ReadonlyArray") && this.#eat("<")) {
      const element = this.type();
      this.#expect(">");
      return { kind: "array", element };
    }
    if (token === "Record" && this.#eat("<")) {
      this.#expect("string");
      this.#expect(",");
      const index = this.type();
      this.#expect(">");
      return { kind: "object", members: [], index };
    }
    throw new SyntaxError(`no canonical form for '${token}'`);
  }

  #object(): PayloadNode {
    const members: { name: string; optional: boolean; type: PayloadNode }[] = [];
    let index: PayloadNode | undefined;
    while (!this.#eat("}")) {
      const readonly = this.#peek() === "readonly" &&
        !["?", ":"].includes(this.#tokens[this.#at + 1]);
      if (readonly) this.#at++;
      if (this.#eat("[")) {
        this.#next();
        this.#expect(":");
        this.#expect("string");
        this.#expect("]");
        this.#expect(":");
        index = this.type();
      } else {
        const token = this.#next();
        const name = token.startsWith('"') || token.startsWith("'") ? unquote(token) : token;
        if (!IDENTIFIER.test(name) && name === token) {
          throw new SyntaxError(`bad member name '${token}'`);
        }
        const optional = this.#eat("?");
        this.#expect(":");
        members.push({ name, optional, type: this.type() });
      }
      if (!this.#eat(";")) this.#eat(",");
    }
    return { kind: "object", members, index };
  }

  #peek(): string | undefined {
    return this.#tokens[this.#at];
  }

  #next(): string {
    const token = this.#tokens[this.#at++];
    if (token === undefined) throw new SyntaxError("unexpected end");
    return token;
  }

  #eat(token: string): boolean {
    if (this.#tokens[this.#at] !== token) return false;
    this.#at++;
    return true;
  }

  #expect(token: string): void {
    if (!this.#eat(token)) throw new SyntaxError(`expected '${token}'`);
  }
}

function unquote(token: string): string {
  if (token.startsWith('"')) return JSON.parse(token);
  return JSON.parse(`"${token.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`);
}

function print(node: PayloadNode): string {
  switch (node.kind) {
    case "name":
      return node.text;
    case "array": {
      const element = print(node.element);
      const union = node.element.kind === "union" && unionParts(node.element).length > 1;
      return union ? `(${element})[]` : `${element}[]`;
    }
    case "object": {
      const members = [...node.members]
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map((m) => {
          const name = IDENTIFIER.test(m.name) ? m.name : JSON.stringify(m.name);
          return `${name}${m.optional ? "?" : ""}: ${print(m.type)}`;
        });
      if (node.index) members.push(`[key: string]: ${print(node.index)}`);
      return members.length === 0 ? "{}" : `{ ${members.join("; ")} }`;
    }
    case "union":
      return unionParts(node).join(" | ");
  }
}

function unionParts(node: PayloadNode): string[] {
  const flat = new Set<string>();
  const visit = (n: PayloadNode) => {
    if (n.kind === "union") n.members.forEach(visit);
    else flat.add(print(n));
  };
  visit(node);
  if (flat.has("unknown")) return ["unknown"];
  if (flat.size > 1) flat.delete("undefined");
  if (flat.has("boolean") || (flat.has("true") && flat.has("false"))) {
    flat.delete("true");
    flat.delete("false");
    flat.add("boolean");
  }
  return [...flat].sort();
}
