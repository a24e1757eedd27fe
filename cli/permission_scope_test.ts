import assert from "node:assert/strict";
import { PermissionScopeError } from "./_permission_error.ts";
import { denoPermissionFlags, permissionScope, programsAllowed } from "./permission_scope.ts";

Deno.test("permissionScope() grants the served host, the named programs and remote imports only when asked", () => {
  const scope = permissionScope({
    mediaDirs: ["media", "/srv/other"],
    manifest: "/srv/p/m.json",
    files: ["/etc/streamlib/token", undefined],
    net: ["127.0.0.1"],
    allowRun: ["python3", "ffmpeg"],
    loadPlugins: true,
    dashboard: true,
  }, "/home/me/project");
  assert.deepEqual(scope.write.slice(0, 2), ["/home/me/project/media", "/srv/other"]);
  assert.ok(scope.write.at(-1)!.endsWith("/.cache"), "the page bundle's cache");
  for (const path of ["/srv/p/m.json", "/srv/p", "/etc/streamlib/token", "/home/me/project"]) {
    assert.ok(scope.read.includes(path), path);
  }
  assert.ok(
    !scope.write.includes("/srv/p"),
    "--media-dir given: the manifest's folder is read only",
  );
  const flags = denoPermissionFlags(scope);
  assert.ok(flags.includes("--allow-net=127.0.0.1"));
  assert.ok(flags.includes("--allow-run=python3,ffmpeg"));
  assert.ok(flags.includes("--allow-import"));
  assert.ok(flags.includes("--allow-ffi"));
  assert.ok(!flags.some((f) => f === "--allow-all" || f === "-A"));
  const none = denoPermissionFlags(permissionScope({}, "/w"));
  assert.ok(!none.some((f) => /^--allow-(net|run|import)/.test(f)), none.join(" "));
});

Deno.test("denoPermissionFlags() grants any program for '*' and refuses a path with a comma", () => {
  const scope = {
    read: ["/a"],
    write: [],
    net: [],
    ffi: [],
    run: "*",
    remoteImports: false,
  } as const;
  assert.deepEqual(denoPermissionFlags(scope), ["--allow-read=/a", "--allow-env", "--allow-run"]);
  assert.throws(
    () => denoPermissionFlags({ ...scope, write: ["/media/a,b"] }),
    /'\/media\/a,b' has a comma.*--allow-all/,
  );
});

Deno.test("programsAllowed(): --allow-run wins; SubprocessProcessor allowed without it grants any program", () => {
  assert.deepEqual(programsAllowed(undefined), []);
  assert.deepEqual(programsAllowed(["sh"], ["SubprocessProcessor"]), ["sh"]);
  assert.deepEqual(programsAllowed([], ["SubprocessProcessor"]), ["*"]);
  assert.deepEqual(programsAllowed(undefined, ["*"]), ["*"]);
  assert.deepEqual(programsAllowed(undefined, ["Gain"]), []);
});

Deno.test("PermissionScopeError.fromNodeError() types Deno's refusal, thrown or quoted, and nothing else", () => {
  const quoted = PermissionScopeError.fromNodeError({
    node: "sh",
    phase: "setup",
    name: "ChildProcessError",
    message:
      `Child process 'sh' cannot be started: Requires run access to "sh", run again with the --allow-run flag`,
  });
  assert.equal(quoted?.code, "permission_denied");
  assert.deepEqual(quoted?.details, {
    node: "sh",
    permission: "run",
    denied: 'Requires run access to "sh", run again with the --allow-run flag',
  });
  assert.match(quoted!.message, /grant it with --allow-run sh, or run with --allow-all/);
  assert.equal(
    PermissionScopeError.fromNodeError({
      node: "wav",
      phase: "process",
      name: "Error",
      message: "disk full",
    }),
    undefined,
  );
});
