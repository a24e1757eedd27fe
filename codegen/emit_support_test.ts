import assert from "node:assert/strict";
import { docComment, literal, propertyKey } from "./emit_support.ts";

Deno.test("docComment() keeps one line when it fits and escapes comment ends", () => {
  assert.equal(docComment("Short."), "/** Short. */\n");
  assert.equal(docComment("Ends */ early", "  "), "  /** Ends *\\/ early */\n");
  assert.equal(docComment("One.\n\nTwo."), "/**\n * One.\n *\n * Two.\n */\n");
});

Deno.test("literal() prints objects, arrays and quoted keys", () => {
  assert.equal(literal({ type: "number", minimum: 0 }), '{ type: "number", minimum: 0 }');
  assert.equal(literal(["a", 1, null]), '["a", 1, null]');
  assert.equal(
    literal({ "not-an-id": { nested: { deep: true } } }),
    '{\n  "not-an-id": {\n    nested: { deep: true },\n  },\n}',
  );
  assert.equal(propertyKey("$ok_1"), "$ok_1");
});
