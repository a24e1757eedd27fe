/**
 * What one `Atomics` operation costs in Deno's V8 next to a plain typed-array access, on an
 * `Int32Array` over a `SharedArrayBuffer` such as a channel's signal: V8 does not inline them in
 * optimized code, each is a builtin call. Why the transport's hot path reads hint flags plainly and
 * packs the close handshake into one word (`connection_shared_state.ts`,
 * `channel/doorbell.ts`).
 *
 * Run: `deno bench ffi/transport/atomics_bench.ts`
 *
 * @module
 */

const shared = new Int32Array(new SharedArrayBuffer(64));
const N = 1000;
let sink = 0;

Deno.bench({ name: "plain load x1000", group: "load", baseline: true }, () => {
  let x = 0;
  for (let i = 0; i < N; i++) x += shared[i & 7];
  sink += x;
});

Deno.bench({ name: "Atomics.load x1000", group: "load" }, () => {
  let x = 0;
  for (let i = 0; i < N; i++) x += Atomics.load(shared, i & 7);
  sink += x;
});

Deno.bench({ name: "plain store x1000", group: "store", baseline: true }, () => {
  for (let i = 0; i < N; i++) shared[i & 7] = i;
});

Deno.bench({ name: "Atomics.store x1000", group: "store" }, () => {
  for (let i = 0; i < N; i++) Atomics.store(shared, i & 7, i);
});

Deno.bench({ name: "Atomics.or + Atomics.and x1000 (a push's handshake)", group: "rmw" }, () => {
  for (let i = 0; i < N; i++) {
    Atomics.or(shared, 0, 2);
    Atomics.and(shared, 0, ~2);
  }
});

Deno.bench({
  name: "Atomics.store, load, store x1000 (the handshake before)",
  group: "rmw",
  baseline: true,
}, () => {
  for (let i = 0; i < N; i++) {
    Atomics.store(shared, 1, 1);
    sink += Atomics.load(shared, 0);
    Atomics.store(shared, 1, 0);
  }
});

globalThis.addEventListener("unload", () => {
  if (sink === -1) console.log(sink); // keeps the loads alive
});
