import assert from "node:assert/strict";
import { checkRequest, httpGuard } from "./http_guard.ts";

const TOKEN = "0123456789abcdef0123456789abcdef";

Deno.test("checkRequest() refuses a foreign Host (DNS rebinding) before anything else", async () => {
  const guard = httpGuard(8788, TOKEN);
  const refusal = checkRequest(guard, new Request("http://attacker.example:8788/mcp"));
  assert.equal(refusal?.status, 403);
  assert.match(
    (await refusal!.json()).error.message,
    /^Cannot serve host 'attacker\.example:8788'/,
  );
});

Deno.test("checkRequest() passes loopback hosts with the token and an allowed or absent Origin", () => {
  const guard = httpGuard(8788, TOKEN, ["http://127.0.0.1:8787"]);
  const headers = { authorization: `Bearer ${TOKEN}` };
  for (const host of ["127.0.0.1", "localhost", "[::1]"]) {
    assert.equal(
      checkRequest(guard, new Request(`http://${host}:8788/mcp`, { headers })),
      undefined,
    );
  }
  const fromDashboard = new Request("http://127.0.0.1:8788/mcp", {
    headers: { ...headers, origin: "http://127.0.0.1:8787" },
  });
  assert.equal(checkRequest(guard, fromDashboard), undefined);
  const wrongToken = new Request("http://127.0.0.1:8788/mcp", {
    headers: { authorization: `Bearer ${TOKEN.slice(1)}x` },
  });
  assert.equal(checkRequest(guard, wrongToken)?.status, 401);
});
