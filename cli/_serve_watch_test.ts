import assert from "node:assert/strict";
import { join } from "node:path";
import { loadCatalog } from "../serve/mod.ts";
import { CatalogWatcher } from "./_serve_watch.ts";

const manifest = (gain: number) =>
  JSON.stringify({ version: 1, nodes: [{ id: "g", type: "Gain", config: { gain } }] });

/**
 * A folder laid out as Kubernetes mounts a ConfigMap: the data in a hidden timestamped folder,
 * `..data` a link to it, each file a link through `..data`; an update writes a new timestamped
 * folder and swaps `..data` by renaming a new link over it.
 */
async function configMapVolume(dir: string, files: Record<string, string>): Promise<void> {
  const stamp = `..${Date.now()}_${Math.random().toString(36).slice(2)}`;
  await Deno.mkdir(join(dir, stamp));
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(join(dir, stamp, name), text);
  }
  await Deno.symlink(stamp, join(dir, "..data_tmp"));
  await Deno.rename(join(dir, "..data_tmp"), join(dir, "..data"));
  for (const name of Object.keys(files)) {
    await Deno.symlink(join("..data", name), join(dir, name)).catch((error) => {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    });
  }
}

Deno.test("loadCatalog() serves a ConfigMap volume's linked files and skips hidden entries", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await configMapVolume(dir, { "fx.json": manifest(2) });
    // An editor's lock file: a hidden link to nothing; a swap file; a folder named like a file.
    await Deno.symlink("user@host.1234", join(dir, ".#fx.json"));
    await Deno.writeTextFile(join(dir, ".fx.json.swp"), "binary junk");
    await Deno.mkdir(join(dir, "old.json"));
    const catalog = await loadCatalog(dir);
    assert.deepEqual([...catalog.keys()], ["fx"]);
    assert.deepEqual(catalog.get("fx"), JSON.parse(manifest(2)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadCatalog(): a link to nothing named like a manifest is a file_error naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.symlink(join(dir, "gone.json"), join(dir, "fx.json"));
    await assert.rejects(
      loadCatalog(dir),
      (e) =>
        (e as { code?: string }).code === "file_error" && /fx\.json/.test((e as Error).message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CatalogWatcher sees a ConfigMap update (the ..data link swapped)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await configMapVolume(dir, { "fx.json": manifest(2) });
    const catalog = new Map(await loadCatalog(dir));
    const changed = Promise.withResolvers<readonly string[]>();
    using _watcher = new CatalogWatcher(dir, catalog, {
      reloaded: (changes) => changed.resolve(changes.changed),
      failed: (error) => changed.reject(error),
      skipped: (error) => changed.reject(error),
    });
    await configMapVolume(dir, { "fx.json": manifest(4) });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const names = await Promise.race([
      changed.promise,
      new Promise<never>((_, reject) =>
        timer = setTimeout(() => reject(new Error("no reload within 5 s")), 5_000)
      ),
    ]).finally(() => clearTimeout(timer));
    assert.deepEqual(names, ["fx"]);
    assert.deepEqual(catalog.get("fx"), JSON.parse(manifest(4)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CatalogWatcher watches a folder deleted and made again", async () => {
  const root = await Deno.makeTempDir();
  const dir = join(root, "pipelines");
  await Deno.mkdir(dir);
  try {
    await Deno.writeTextFile(join(dir, "fx.json"), manifest(2));
    const catalog = new Map(await loadCatalog(dir));
    const events: string[] = [];
    let wake: (() => void) | undefined;
    using _watcher = new CatalogWatcher(dir, catalog, {
      reloaded: (changes) => {
        events.push(`+${changes.added} ~${changes.changed} -${changes.removed}`);
        wake?.();
      },
      failed: () => {
        events.push("failed");
        wake?.();
      },
      skipped: (error) => {
        events.push(`skipped ${error.message}`);
        wake?.();
      },
    });
    const until = async (what: string, done: () => boolean) => {
      const deadline = Date.now() + 5_000;
      while (!done()) {
        if (Date.now() > deadline) assert.fail(`${what}: ${events.join(", ")}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
      }
    };
    await Deno.remove(dir, { recursive: true });
    // Gone: the reload fails and the pipelines served stay as they were.
    await until("a failed reload", () => events.includes("failed"));
    assert.deepEqual([...catalog.keys()], ["fx"]);
    await Deno.mkdir(dir);
    await Deno.writeTextFile(join(dir, "fx.json"), manifest(3));
    await until("the new folder read", () =>
      catalog.get("fx") !== undefined &&
      JSON.stringify(catalog.get("fx")) === JSON.stringify(JSON.parse(manifest(3))));
    // And later changes in it are seen.
    await Deno.writeTextFile(join(dir, "verb.json"), manifest(1));
    await until("a file added to the new folder", () => catalog.has("verb"));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("CatalogWatcher: a file that does not read holds back only its own pipeline", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "fx.json"), manifest(2));
    const catalog = new Map(await loadCatalog(dir));
    const events: string[] = [];
    let wake: (() => void) | undefined;
    using _watcher = new CatalogWatcher(dir, catalog, {
      reloaded: (changes) => {
        events.push(`+${changes.added} ~${changes.changed} -${changes.removed}`);
        wake?.();
      },
      failed: (error) => {
        events.push(`failed ${error.message}`);
        wake?.();
      },
      skipped: (error, kept) => {
        events.push(`${kept ? "kept" : "skipped"} ${error.details.pipeline} ${error.code}`);
        wake?.();
      },
    });
    const until = async (what: string, done: () => boolean) => {
      const deadline = Date.now() + 5_000;
      while (!done()) {
        if (Date.now() > deadline) assert.fail(`${what}: ${events.join(", ")}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
      }
    };
    // A new file saved half-way, and a good one beside it: the good one is served (the whole
    // folder was left as it was before, until the broken file was fixed or removed).
    await Deno.writeTextFile(join(dir, "half.json"), '{"version": 1, "nodes": [');
    await Deno.writeTextFile(join(dir, "verb.json"), manifest(1));
    await until("verb served beside a broken file", () => catalog.has("verb"));
    assert.ok(!catalog.has("half"));
    assert.ok(events.includes("skipped half invalid_manifest"), events.join(", "));
    // A served pipeline's file broken: it keeps its manifest; another edit is still taken.
    await Deno.writeTextFile(join(dir, "fx.json"), "[]");
    await until("fx kept", () => events.includes("kept fx invalid_manifest"));
    assert.deepEqual(catalog.get("fx"), JSON.parse(manifest(2)));
    await Deno.writeTextFile(join(dir, "verb.json"), manifest(3));
    await until(
      "verb's edit",
      () => JSON.stringify(catalog.get("verb")) === JSON.stringify(JSON.parse(manifest(3))),
    );
    // Each problem is told once, not at every reload.
    assert.equal(events.filter((e) => e === "skipped half invalid_manifest").length, 1);
    assert.equal(events.filter((e) => e.startsWith("failed")).length, 0, events.join(", "));
    assert.deepEqual([...catalog.keys()], ["fx", "verb"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
