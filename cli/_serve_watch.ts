/**
 * {@linkcode CatalogWatcher}: `streamlib serve --watch` re-reads its folder when a file in it
 * changes, so an edited, added or removed manifest is what the next session opens. Internal to
 * the command line.
 *
 * @module
 */

import { dirname } from "node:path";
import { loadTokenFile, type ServeError, type TokenPolicy } from "../serve/mod.ts";
import { readCatalog } from "../serve/catalog.ts";

/** What a reload changed, by pipeline name (each list sorted). */
export interface CatalogChanges {
  /** Pipelines new to the folder. */
  readonly added: readonly string[];
  /** Pipelines whose manifest changed. */
  readonly changed: readonly string[];
  /** Pipelines whose file is gone. */
  readonly removed: readonly string[];
}

/** What a {@linkcode CatalogWatcher} tells its owner. */
export interface CatalogWatchReport {
  /** The catalog was replaced (only called when something changed). */
  reloaded(changes: CatalogChanges): void;
  /** The folder itself did not read (deleted, not a folder): nothing changed. */
  failed(error: Error): void;
  /**
   * A file of the folder did not read (saved half-way, not a JSON object, a name that is not a
   * pipeline name): the other files' changes were taken, and that pipeline kept what it served
   * before (`kept`), or is not served (a new file). Told once per file and problem, again only
   * once it changed.
   */
  skipped(error: ServeError, kept: boolean): void;
}

/** Milliseconds of quiet after the last change before the folder is read again. */
export const RELOAD_DEBOUNCE_MS = 150;

/**
 * Watches a folder and calls `reload` 150 ms after the last of a burst of changes in it, one
 * reload at a time (changes during one bring one more). A folder deleted (or replaced) is looked
 * for every 250 ms and watched again once it is back, with a reload then. The base of
 * {@linkcode CatalogWatcher} and {@linkcode TokenFileWatcher}.
 */
export class FolderWatch implements Disposable {
  readonly #folder: string;
  readonly #reloadNow: () => Promise<void>;
  readonly #failed: (error: Error) => void;
  #watcher: Deno.FsWatcher | undefined;
  /** The watched folder's inode: a folder deleted and made again is another one. */
  #inode: number | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #poll: ReturnType<typeof setTimeout> | undefined;
  #reloading: Promise<void> | undefined;
  #again = false;
  #closed = false;

  /**
   * Starts watching.
   *
   * @param folder The folder.
   * @param reload Reads what changed (its own errors are its to report).
   * @param failed Told when the watch itself fails.
   */
  constructor(folder: string, reload: () => Promise<void>, failed: (error: Error) => void) {
    this.#folder = folder;
    this.#reloadNow = reload;
    this.#failed = failed;
    this.#arm(Deno.watchFs(folder, { recursive: false }));
  }

  /** Whether {@linkcode close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Stops watching (idempotent); a reload under way finishes. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#poll);
    this.#unarm();
  }

  /** Same as {@linkcode close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  #arm(watcher: Deno.FsWatcher): void {
    this.#watcher = watcher;
    this.#inode = inodeOf(this.#folder);
    this.#watch(watcher);
  }

  #unarm(): void {
    try {
      this.#watcher?.close();
    } catch { /* already closed: the folder went */ }
    this.#watcher = undefined;
  }

  async #watch(watcher: Deno.FsWatcher): Promise<void> {
    try {
      for await (const _event of watcher) {
        if (this.#closed || watcher !== this.#watcher) return;
        this.#soon();
        // The folder itself deleted or replaced (an operator's `rm -r` and `mkdir`, a volume
        // remounted): this watch sees nothing more, so wait for the folder and watch it anew.
        if (inodeOf(this.#folder) !== this.#inode) this.#rewatch();
      }
      if (!this.#closed && watcher === this.#watcher) this.#rewatch(); // the OS ended it
    } catch (error) {
      if (!this.#closed && watcher === this.#watcher) this.#failed(error as Error);
    }
  }

  /** Polls every {@linkcode REWATCH_POLL_MS} until the folder is there, then watches it again. */
  #rewatch(): void {
    this.#unarm();
    const poll = () => {
      if (this.#closed) return;
      if (inodeOf(this.#folder) !== null) {
        try {
          this.#arm(Deno.watchFs(this.#folder, { recursive: false }));
          this.#soon(); // what it holds now
          return;
        } catch { /* gone again between the check and the watch */ }
      }
      this.#poll = setTimeout(poll, REWATCH_POLL_MS);
    };
    this.#poll = setTimeout(poll, REWATCH_POLL_MS);
  }

  #soon(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#reload(), RELOAD_DEBOUNCE_MS);
  }

  #reload(): void {
    if (this.#closed) return;
    if (this.#reloading) {
      this.#again = true;
      return;
    }
    this.#reloading = this.#reloadNow().finally(() => {
      this.#reloading = undefined;
      if (this.#again) {
        this.#again = false;
        this.#reload();
      }
    });
  }
}

/** How often a watch whose folder went looks for it again, in milliseconds. */
export const REWATCH_POLL_MS = 250;

/** The folder's inode, or null when it is not there (or not a folder). */
function inodeOf(folder: string): number | null {
  try {
    const info = Deno.statSync(folder);
    return info.isDirectory ? info.ino ?? 0 : null;
  } catch {
    return null;
  }
}

/**
 * Watches a served folder and replaces the entries of `catalog` (the map the server looks
 * pipelines up in) with what the folder holds after each burst of changes. Sessions already open
 * keep the manifest they opened. A file that does not read keeps its pipeline as it was (a
 * half-saved file never takes a pipeline away) and is told once; the other files' changes are
 * taken. A folder that does not read leaves the catalog as it was. Reloads run one at a time; changes during one
 * bring one more.
 *
 * @example A manifest edited while watched
 * ```ts
 * import assert from "node:assert/strict";
 * import { CatalogWatcher } from "./_serve_watch.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const catalog = new Map<string, unknown>();
 * const reloaded = Promise.withResolvers<readonly string[]>();
 * using _watcher = new CatalogWatcher(dir, catalog, {
 *   reloaded: (changes) => reloaded.resolve(changes.added),
 *   failed: (error) => reloaded.reject(error),
 *   skipped: (error) => reloaded.reject(error),
 * });
 * await Deno.writeTextFile(`${dir}/fx.json`, '{"version":1,"nodes":[]}');
 * assert.deepEqual(await reloaded.promise, ["fx"]);
 * assert.deepEqual([...catalog.keys()], ["fx"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class CatalogWatcher extends FolderWatch {
  readonly #folder: string;
  readonly #catalog: Map<string, unknown>;
  readonly #report: CatalogWatchReport;
  /** The file problems told at the last reload (each is told once, until it changes). */
  #told = new Set<string>();

  /**
   * Starts watching.
   *
   * @param folder The folder served.
   * @param catalog The served catalog, replaced in place on each reload.
   * @param report Told of each reload and each folder that did not read.
   */
  constructor(folder: string, catalog: Map<string, unknown>, report: CatalogWatchReport) {
    super(folder, () => this.#read(), (error) => report.failed(error));
    this.#folder = folder;
    this.#catalog = catalog;
    this.#report = report;
  }

  async #read(): Promise<void> {
    let read;
    try {
      read = await readCatalog(this.#folder);
    } catch (error) {
      if (!this.closed) this.#report.failed(error as Error);
      return;
    }
    if (this.closed) return;
    // A file that does not read holds back only its own pipeline: it keeps what it served.
    const next = read.catalog;
    const told = new Set<string>();
    for (const problem of read.problems) {
      const name = problem.details.pipeline;
      const kept = name !== undefined && this.#catalog.has(name);
      if (kept) next.set(name, this.#catalog.get(name));
      const key = `${problem.details.path}\n${problem.message}`;
      told.add(key);
      if (!this.#told.has(key)) this.#report.skipped(problem, kept);
    }
    this.#told = told;
    const changes = catalogChanges(this.#catalog, next);
    if (changes.added.length + changes.changed.length + changes.removed.length === 0) return;
    this.#catalog.clear();
    for (const [name, manifest] of [...next].sort(([a], [b]) => a < b ? -1 : 1)) {
      this.#catalog.set(name, manifest);
    }
    this.#report.reloaded(changes);
  }
}

/**
 * Watches a token file (through its folder: an editor, or a Kubernetes Secret volume, replaces
 * the file rather than writing it) and, when its content changed, gives the served policy the
 * file's tokens with {@linkcode TokenPolicy.adopt}. A file that does not read, or that lists no
 * token, leaves the tokens as they were.
 */
export class TokenFileWatcher extends FolderWatch {
  readonly #path: string;
  readonly #policy: TokenPolicy;
  readonly #report: { reloaded(): void; failed(error: Error): void };
  #last: string | undefined;

  /**
   * Starts watching.
   *
   * @param path The token file.
   * @param policy The served policy, updated in place.
   * @param report Told of each reload and each file that did not read.
   */
  constructor(
    path: string,
    policy: TokenPolicy,
    report: { reloaded(): void; failed(error: Error): void },
  ) {
    super(dirname(path), () => this.#read(), (error) => report.failed(error));
    this.#path = path;
    this.#policy = policy;
    this.#report = report;
    // What serve has just read, so a change made from now on is seen as one.
    try {
      this.#last = Deno.readTextFileSync(path);
    } catch { /* read at the first change */ }
  }

  async #read(): Promise<void> {
    let text;
    try {
      text = await Deno.readTextFile(this.#path);
      if (text === this.#last) return;
      this.#policy.adopt(await loadTokenFile(this.#path));
    } catch (error) {
      if (!this.closed) this.#report.failed(error as Error);
      return;
    }
    this.#last = text;
    if (!this.closed) this.#report.reloaded();
  }
}

/**
 * The pipelines added, changed and removed between two catalogs (manifests compared as JSON).
 *
 * @param before The catalog served.
 * @param after The folder's catalog now.
 * @returns The names, each list sorted.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { catalogChanges } from "./_serve_watch.ts";
 *
 * const before = new Map<string, unknown>([["a", { v: 1 }], ["b", { v: 1 }]]);
 * const after = new Map<string, unknown>([["b", { v: 2 }], ["c", { v: 1 }]]);
 * assert.deepEqual(catalogChanges(before, after), { added: ["c"], changed: ["b"], removed: ["a"] });
 * ```
 */
export function catalogChanges(
  before: ReadonlyMap<string, unknown>,
  after: ReadonlyMap<string, unknown>,
): CatalogChanges {
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [name, manifest] of after) {
    if (!before.has(name)) added.push(name);
    else if (JSON.stringify(before.get(name)) !== JSON.stringify(manifest)) changed.push(name);
  }
  for (const name of before.keys()) if (!after.has(name)) removed.push(name);
  return { added: added.sort(), changed: changed.sort(), removed: removed.sort() };
}
