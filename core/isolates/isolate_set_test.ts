import assert from "node:assert/strict";
import { IsolateSet, MAX_SPAWNED_WORKERS } from "./isolate_set.ts";
import type { IsolateBackend, IsolateHost } from "./host.ts";
import { PlacementUnavailableError } from "../lifecycle/errors.ts";

/** A host that only says which isolate it is (nothing is placed on it here). */
const fakeHost = (isolate: string) => ({ isolate, on() {} }) as unknown as IsolateHost;

Deno.test("IsolateSet starts at most MAX_SPAWNED_WORKERS Workers for placements", () => {
  const spawned: string[] = [];
  const backend = {
    transport: {},
    workers: {},
    spawn(worker: string) {
      spawned.push(worker);
      return fakeHost(`worker:${worker}`);
    },
  } as unknown as IsolateBackend;
  const set = new IsolateSet(fakeHost("main"), backend);
  for (let i = 0; i < MAX_SPAWNED_WORKERS; i++) set.hostFor(`n${i}`, { worker: `w${i}` });
  // A name already started is its host again, at the limit or not.
  assert.equal(set.hostFor("again", { worker: "w0" }).isolate, "worker:w0");
  assert.throws(
    () => set.hostFor("one_more", { worker: "w_new" }),
    (error) =>
      error instanceof PlacementUnavailableError && error.code === "placement_unavailable" &&
      /already started 32 Workers, the most a runtime starts/.test(error.message) &&
      (error.details.available as string[]).length === MAX_SPAWNED_WORKERS + 1,
  );
  assert.equal(spawned.length, MAX_SPAWNED_WORKERS);
});
