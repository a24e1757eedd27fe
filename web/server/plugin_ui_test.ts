import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createRuntime } from "../../processors/mod.ts";
import { registry as balanceRegistry } from "../../tests/fixtures/plugin_ui/balance/registry.gen.ts";
import { createDashboard, type DashboardPlugin } from "../mod.ts";
import { pluginUis } from "./plugin_ui.ts";

const BALANCE_DIR = fileURLToPath(
  new URL("../../tests/fixtures/plugin_ui/balance/", import.meta.url),
);
const BALANCE: DashboardPlugin = {
  name: "balance",
  folder: BALANCE_DIR,
  ui: { module: "ui/panel.js", processors: ["Balance"] },
};

/** A GET sent as written, so `..` and odd bytes reach the server unnormalized. */
async function rawGet(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const lines = [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, "Connection: close"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  await conn.write(new TextEncoder().encode(`${lines.join("\r\n")}\r\n\r\n`));
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(65536);
  for (let n; (n = await conn.read(buffer)) !== null;) chunks.push(buffer.slice(0, n));
  conn.close();
  const text = new TextDecoder().decode(
    new Uint8Array(chunks.flatMap((c) => [...c])),
  );
  const [head, ...rest] = text.split("\r\n\r\n");
  const [statusLine, ...headerLines] = head.split("\r\n");
  const parsed = new Headers();
  for (const line of headerLines) {
    const at = line.indexOf(":");
    parsed.append(line.slice(0, at).trim(), line.slice(at + 1).trim());
  }
  let body = rest.join("\r\n\r\n");
  if (parsed.get("transfer-encoding") === "chunked") {
    let out = "";
    for (let at = 0;;) {
      const end = body.indexOf("\r\n", at);
      const size = parseInt(body.slice(at, end), 16);
      if (!size) break;
      out += body.slice(end + 2, end + 2 + size);
      at = end + 2 + size + 2;
    }
    body = out;
  }
  return { status: Number(statusLine.split(" ")[1]), headers: parsed, body };
}

/** A plugin folder with a UI, a secret beside the UI folder and symlinks out of it. */
async function trapFolder(): Promise<{ dir: string; plugin: DashboardPlugin }> {
  const dir = await Deno.makeTempDir({ prefix: "streamlib_plugin_ui_" });
  await Deno.mkdir(`${dir}/plugin/ui/assets`, { recursive: true });
  await Deno.writeTextFile(`${dir}/plugin/ui/panel.js`, "export default () => {};\n");
  await Deno.writeTextFile(`${dir}/plugin/ui/assets/style.css`, "body { margin: 0 }\n");
  await Deno.writeTextFile(`${dir}/plugin/ui/notes.txt`, "not served\n");
  await Deno.writeTextFile(`${dir}/plugin/ui/.env.js`, "secret-hidden\n");
  await Deno.writeTextFile(`${dir}/plugin/secret.js`, "secret-beside\n");
  await Deno.mkdir(`${dir}/outside`);
  await Deno.writeTextFile(`${dir}/outside/secret.js`, "secret-outside\n");
  await Deno.symlink(`${dir}/outside/secret.js`, `${dir}/plugin/ui/escape.js`);
  await Deno.symlink(`${dir}/outside`, `${dir}/plugin/ui/linked`);
  return {
    dir,
    plugin: {
      name: "trap",
      folder: `${dir}/plugin`,
      ui: { module: "ui/panel.js", processors: ["Gain"] },
    },
  };
}

Deno.test("GET /api/v1/plugins/:name/ui/*: the module and files beside it, typed", async () => {
  await using dashboard = await createDashboard(createRuntime().use(balanceRegistry), {
    plugins: [BALANCE],
  });
  const panel = await rawGet(dashboard.port, "/api/v1/plugins/balance/ui/ui/panel.js");
  assert.equal(panel.status, 200);
  assert.equal(panel.headers.get("content-type"), "text/javascript; charset=utf-8");
  assert.equal(panel.headers.get("x-content-type-options"), "nosniff");
  assert.equal(panel.headers.get("content-security-policy"), "default-src 'none'; sandbox");
  assert.equal(panel.body, await Deno.readTextFile(`${BALANCE_DIR}/ui/panel.js`));
  const meter = await rawGet(dashboard.port, "/api/v1/plugins/balance/ui/ui/meter.js");
  assert.equal(meter.status, 200);

  const unknown = await rawGet(dashboard.port, "/api/v1/plugins/nope/ui/ui/panel.js");
  assert.equal(unknown.status, 404);
  assert.equal(JSON.parse(unknown.body).error.code, "plugin_ui_not_found");
  assert.deepEqual(JSON.parse(unknown.body).error.choices, ["balance"]);
  const missing = await rawGet(dashboard.port, "/api/v1/plugins/balance/ui/ui/gone.js");
  assert.equal(missing.status, 404);
  assert.equal(JSON.parse(missing.body).error.code, "plugin_ui_file_not_found");

  // The registry names the panel; the frame page is sandboxed by its own header too.
  const info = await (await fetch(`${dashboard.origin}/api/v1/processors/Balance`)).json();
  assert.deepEqual(info.ui, {
    plugin: "balance",
    frame: "/plugins/balance/frame",
    module: "/api/v1/plugins/balance/ui/ui/panel.js",
  });
  const frame = await rawGet(dashboard.port, "/plugins/balance/frame");
  assert.equal(frame.status, 200);
  const csp = frame.headers.get("content-security-policy") ?? "";
  for (
    const directive of [
      "default-src 'none'",
      "connect-src 'none'",
      "frame-src 'none'",
      "form-action 'none'",
      "sandbox allow-scripts",
      `frame-ancestors http://127.0.0.1:${dashboard.port}`,
      `script-src http://127.0.0.1:${dashboard.port}/static/plugin_frame.js http://127.0.0.1:${dashboard.port}/api/v1/plugins/balance/ui/ui/`,
    ]
  ) assert.ok(csp.includes(directive), `${directive} in ${csp}`);
  assert.match(frame.body, /data-module="\/api\/v1\/plugins\/balance\/ui\/ui\/panel\.js"/);
  const shell = await fetch(`${dashboard.origin}/static/plugin_frame.js`);
  assert.equal(shell.headers.get("content-type"), "text/javascript; charset=utf-8");
  await shell.body?.cancel();
  const noFrame = await rawGet(dashboard.port, "/plugins/nope/frame");
  assert.equal(JSON.parse(noFrame.body).error.code, "plugin_ui_not_found");
});

Deno.test("GET /api/v1/plugins/:name/ui/*: no way out of the UI folder", async () => {
  const { dir, plugin } = await trapFolder();
  try {
    await using dashboard = await createDashboard(createRuntime(), { plugins: [plugin] });
    const get = (path: string, headers?: Record<string, string>) =>
      rawGet(dashboard.port, `/api/v1/plugins/trap/ui/${path}`, headers);
    assert.equal((await get("ui/panel.js")).status, 200);
    const css = await get("ui/assets/style.css");
    assert.equal(css.status, 200);
    assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");

    const cases: [string, number, string][] = [
      ["ui/../secret.js", 400, "plugin_ui_path_invalid"],
      ["../plugin/secret.js", 400, "plugin_ui_path_invalid"],
      ["ui/assets/../../secret.js", 400, "plugin_ui_path_invalid"],
      ["ui/%2e%2e/secret.js", 400, "plugin_ui_path_invalid"],
      ["ui/%2E%2E/secret.js", 400, "plugin_ui_path_invalid"],
      ["ui/..%2fsecret.js", 400, "plugin_ui_path_invalid"],
      ["ui/..%5csecret.js", 400, "plugin_ui_path_invalid"],
      ["./ui/panel.js", 400, "plugin_ui_path_invalid"],
      ["ui//panel.js", 400, "plugin_ui_path_invalid"],
      ["/etc/passwd.js", 400, "plugin_ui_path_invalid"],
      ["%2fetc%2fpasswd.js", 400, "plugin_ui_path_invalid"],
      [`${encodeURIComponent(`${dir}/outside/secret.js`)}`, 400, "plugin_ui_path_invalid"],
      ["ui/panel.js%00.css", 400, "plugin_ui_path_invalid"],
      ["C:%5cWindows%5cwin.js", 400, "plugin_ui_path_invalid"],
      ["ui/.env.js", 400, "plugin_ui_path_invalid"],
      ["ui/%E0%A4%A.js", 400, "plugin_ui_path_invalid"],
      ["secret.js", 404, "plugin_ui_file_not_found"],
      ["ui", 404, "plugin_ui_file_not_found"],
      ["ui/notes.txt", 404, "plugin_ui_file_not_found"],
      ["ui/escape.js", 403, "plugin_ui_path_outside"],
      ["ui/linked/secret.js", 403, "plugin_ui_path_outside"],
      ["ui/assets", 404, "plugin_ui_file_not_found"],
    ];
    for (const [path, status, code] of cases) {
      const reply = await get(path);
      assert.ok(!reply.body.includes("secret-"), `${path} served a secret`);
      // Deno hands the path over as sent, so even a plain '..' reaches the route and is refused.
      assert.equal(reply.status, status, `${path}: ${reply.body}`);
      assert.equal(JSON.parse(reply.body).error.code, code, path);
    }

    const foreign = await get("ui/panel.js", { origin: "https://evil.example" });
    assert.equal(foreign.status, 403);
    assert.equal(JSON.parse(foreign.body).error.code, "forbidden_origin");
    const sandboxed = await get("ui/panel.js", { origin: "null" });
    assert.equal(sandboxed.status, 200);
    assert.equal(sandboxed.headers.get("access-control-allow-origin"), "null");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pluginUis() refuses malformed plugins and keeps those with a UI", () => {
  const ui = (module: string, processors = ["Gain"]) => ({ module, processors });
  assert.deepEqual(pluginUis([BALANCE]).map((u) => [u.name, u.module, u.dir, u.processors]), [
    ["balance", "ui/panel.js", ["ui"], ["Balance"]],
  ]);
  // `.` and empty segments are dropped, as discovery's URLs drop them.
  assert.equal(pluginUis([{ ...BALANCE, ui: ui("./ui//panel.js") }])[0].module, "ui/panel.js");
  const bad: DashboardPlugin[][] = [
    [{ name: "Bad Name", folder: "/p", ui: ui("ui/p.js") }],
    [{ name: "rel", folder: "plugins/rel", ui: ui("ui/p.js") }],
    [{ name: "up", folder: "/p", ui: ui("../p.js") }],
    [{ name: "abs", folder: "/p", ui: ui("/etc/p.js") }],
    [{ name: "css", folder: "/p", ui: ui("ui/p.css") }],
    [{ name: "none", folder: "/p", ui: ui("ui/p.js", []) }],
    [{ name: "a", folder: "/a", ui: ui("p.js") }, { name: "b", folder: "/b", ui: ui("p.js") }],
    [{ name: "a", folder: "/a" }, { name: "a", folder: "/b" }],
  ];
  for (const plugins of bad) {
    assert.throws(() => pluginUis(plugins), TypeError, JSON.stringify(plugins));
  }
  assert.deepEqual(pluginUis([{ name: "plain", folder: "/p" }]), []);
});
