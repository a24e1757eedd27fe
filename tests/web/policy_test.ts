/**
 * Least privilege through the control API: the operator's processor allow-list and media
 * folders, id lengths, and error details that need the token.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { ControlPolicy } from "../../frontend/control_policy.ts";
import { Harness, until } from "./harness.ts";

async function withMedia(
  test: (h: Harness, media: string, outside: string) => Promise<void>,
  processors?: readonly string[],
): Promise<void> {
  const root = await Deno.realPath(await Deno.makeTempDir());
  const media = join(root, "media");
  const outside = join(root, "outside");
  await Deno.mkdir(media);
  await Deno.mkdir(outside);
  try {
    await using h = await Harness.start({
      start: false,
      dashboard: { control: new ControlPolicy({ mediaDirs: [media], processors }) },
    });
    await test(h, media, outside);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("Control API refuses SubprocessProcessor unless allowed, and types off the operator's list", async () => {
  await withMedia(async (h) => {
    const refused = await h.call("POST", "/nodes", {
      type: "SubprocessProcessor",
      config: { command: "sh", args: ["-c", "id > /tmp/pwned"] },
    });
    // The demo registry may not list SubprocessProcessor; either way it is never added.
    assert.ok([403, 422].includes(refused.status), JSON.stringify(refused.body));
    assert.ok(["processor_not_allowed", "processor_not_found"].includes(refused.body.error.code));
    assert.ok(!h.rt.describe().nodes.some((n) => n.type === "SubprocessProcessor"));
  });
  await withMedia(async (h) => {
    const refused = await h.call("POST", "/nodes", { type: "TestToneGenerator" });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, "processor_not_allowed");
    assert.equal(refused.body.error.field, "type");
    assert.deepEqual(refused.body.error.choices, ["Gain"]);
    assert.equal((await h.call("POST", "/nodes", { type: "Gain" })).status, 201);
  }, ["Gain"]);
});

Deno.test("Control API confines writer and reader paths to the media folders, in adds and config changes", async () => {
  await withMedia(async (h, media, outside) => {
    await Deno.symlink(outside, join(media, "link"));
    const bad = [
      join(outside, "x.wav"),
      `${media}/../outside/x.wav`,
      join(media, "link", "x.wav"),
      "/etc/passwd",
    ];
    for (const path of bad) {
      for (const processor of ["WavWriter", "WavFileSource"]) {
        const reply = await h.call("POST", "/nodes", { type: processor, config: { path } });
        assert.equal(reply.status, 403, `${processor} ${path}`);
        assert.equal(reply.body.error.code, "path_not_allowed");
        assert.equal(reply.body.error.field, "config.path");
        assert.deepEqual(reply.body.error.choices, [media]);
      }
    }
    const ok = await h.call("POST", "/nodes", {
      type: "WavWriter",
      id: "rec",
      config: { path: join(media, "take.wav") },
    });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    const patch = await h.call("PATCH", "/nodes/rec/config", { config: { path: bad[0] } });
    assert.equal(patch.status, 403);
    assert.equal(patch.body.error.code, "path_not_allowed");
    assert.equal(
      (h.rt.describe().nodes.find((n) => n.id === "rec")?.config as { path?: string })?.path,
      join(media, "take.wav"),
    );
    assert.equal(await Deno.stat(join(outside, "x.wav")).catch(() => null), null);
  });
});

Deno.test("Control API refuses a long id with an error about its length, and stays small", async () => {
  await withMedia(async (h) => {
    const reply = await h.call("POST", "/nodes", { type: "Gain", id: "g".repeat(20_000) });
    assert.equal(reply.status, 400);
    assert.equal(reply.body.error.code, "id_too_long");
    assert.equal(reply.body.error.field, "id");
    assert.match(reply.body.error.message, /20000 characters long, the limit is 64/);
    assert.ok(JSON.stringify(reply.body).length < 500);
    const later = await h.call("DELETE", "/nodes/nope");
    assert.ok(JSON.stringify(later.body).length < 1000, "later errors stay small");
  });
});

Deno.test("Control API shows error messages and stacks only with the token", async () => {
  await withMedia(async (h, media) => {
    const file = join(media, "not_a.wav");
    await Deno.writeTextFile(file, "SECRET-CONTENT-0123456789 this is not a WAV file at all");
    const added = await h.call("POST", "/nodes", {
      type: "WavFileSource",
      id: "src",
      config: { path: file },
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    await h.rt.start().catch(() => {});
    await until(() => h.rt.describe().nodes.find((n) => n.id === "src")?.state === "error", 5000);
    const full = await h.call("GET", "/nodes/src", undefined, { token: h.dashboard.token });
    assert.ok(full.body.lastError.message.includes("not_a.wav"), full.body.lastError.message);
    const anonymous = await h.call("GET", "/nodes/src");
    assert.equal(anonymous.status, 200);
    assert.equal(anonymous.body.lastError.stack, null);
    assert.match(anonymous.body.lastError.message, /details need the token$/);
    const events = await h.call("GET", "/events");
    const text = JSON.stringify(events.body);
    const page = await (await fetch(`${h.dashboard.origin}/`)).text();
    for (const leak of [file, "SECRET", media]) {
      assert.ok(!JSON.stringify(anonymous.body.lastError).includes(leak), leak);
      assert.ok(!text.includes(leak), `events: ${leak}`);
    }
    // The page shows the graph (configs name their files) but no error message or stack.
    assert.ok(!page.includes("SECRET") && !page.includes("    at "), "page");
    assert.ok(page.includes("details need the token"), "page shows the redacted error");
    const withToken = await h.call("GET", "/events", undefined, { token: h.dashboard.token });
    assert.ok(JSON.stringify(withToken.body).includes("not_a.wav"));
  });
});

Deno.test("Control API reads without the token give a node's failure as its code, in every read", async () => {
  await withMedia(async (h, media) => {
    const file = join(media, "not_a.wav");
    await Deno.writeTextFile(file, "SECRET-CONTENT-0123456789 this is not a WAV file at all");
    const added = await h.call("POST", "/nodes", {
      type: "WavFileSource",
      id: "src",
      config: { path: file },
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    await h.rt.start().catch(() => {});
    await until(() => h.rt.describe().nodes.find((n) => n.id === "src")?.failure != null, 5000);
    const failure = h.rt.describe().nodes.find((n) => n.id === "src")!.failure!;
    assert.ok(failure.code, "the failure has a code");
    assert.ok(failure.message.includes("SECR"), `the message quotes the file: ${failure.message}`);
    const withToken = await h.call("GET", "/nodes/src", undefined, { token: h.dashboard.token });
    assert.equal(withToken.body.failure.message, failure.message);
    const node = await h.call("GET", "/nodes/src");
    const graph = await h.call("GET", "/graph");
    const page = await (await fetch(`${h.dashboard.origin}/`)).text();
    const fromGraph = graph.body.nodes.find((n: { id: string }) => n.id === "src");
    for (const [where, read] of [["/nodes/src", node.body], ["/graph", fromGraph]]) {
      assert.deepEqual(
        read.failure,
        {
          phase: failure.phase,
          code: failure.code,
          message: `${failure.code} in setup(): details need the token`,
        },
        where,
      );
    }
    for (
      const [where, text] of [["/nodes/src", JSON.stringify(node.body)], [
        "/graph",
        JSON.stringify(graph.body),
      ], ["page", page]]
    ) {
      assert.ok(!text.includes("SECR"), `${where} quotes the file`);
      assert.ok(!text.includes(failure.message), `${where} has the message`);
    }
  });
});

Deno.test("deno task dashboard takes its token from --token-file or STREAMLIB_TOKEN, for the page and /mcp alike", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "token");
  const fromFile = "file-token-0123456789abcdef";
  await Deno.writeTextFile(file, `${fromFile}\n`);
  const fromEnv = "env-token-0123456789abcdef";
  const root = new URL("../../", import.meta.url);
  for (
    const [args, env, token] of [
      [["--token-file", file], {}, fromFile],
      [[], { STREAMLIB_TOKEN: fromEnv }, fromEnv],
    ] as const
  ) {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["task", "-q", "dashboard", "--port", "0", "--json", ...args],
      cwd: root,
      env: { NO_COLOR: "1", ...env },
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("\n")) text += (await reader.read()).value ?? "";
    const started = JSON.parse(text.split("\n")[0]);
    assert.equal(started.token, token);
    const added = await fetch(new URL("/api/v1/nodes", started.dashboard), {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ type: "Gain" }),
    });
    assert.equal(added.status, 201);
    await added.body?.cancel();
    const mcp = await fetch(started.mcp, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "[]",
    });
    assert.equal(mcp.status, 400, "past the token check: a batch is refused by the screen");
    await mcp.body?.cancel();
    child.kill("SIGTERM");
    assert.equal((await child.status).code, 0);
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
  }
  await Deno.remove(dir, { recursive: true });
});
