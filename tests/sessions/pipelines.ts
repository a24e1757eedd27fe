/**
 * The registries and manifests the session tests serve, shared by the WebSocket and gRPC
 * helpers (`ws_helpers.ts`, `grpc_harness.ts`).
 *
 * @module
 */

/** The built-in processors' registry module. */
export const BUILTIN = new URL("../../processors/registry.gen.ts", import.meta.url).href;
/** The faulty processors (`Thrower`, `Crasher`, `Hanger`). */
export const FAULTY = new URL("./fixtures/faulty_registry.ts", import.meta.url).href;

/** A manifest: one Gain between the input `audio` and the output `audio`. */
export const gain = (factor = 2) => ({
  version: 1,
  nodes: [{ id: "fx", type: "Gain", config: { gain: factor } }],
  inputs: { audio: "fx.in" },
  outputs: { audio: "fx.out" },
});

/** A manifest: one processor of `type` between `audio` and `audio`. */
export const through = (type: string) => ({
  version: 1,
  nodes: [{ id: "bad", type }],
  inputs: { audio: "bad.in" },
  outputs: { audio: "bad.out" },
});

/** A manifest: two Gains in a row (`pre`, then `post`) between `audio` and `audio`. */
export const twoGains = () => ({
  version: 1,
  nodes: [
    { id: "pre", type: "Gain", config: { gain: 2 } },
    { id: "post", type: "Gain", config: { gain: 0.5 } },
  ],
  connections: [{ from: "pre.out", to: "post.in" }],
  inputs: { audio: "pre.in" },
  outputs: { audio: "post.out" },
});

/**
 * A manifest: one Gain between `audio` and `audio` whose gain is the parameter `gain` (a
 * session's client may set it; its default is 1).
 */
export const tunable = () => ({
  version: 1,
  nodes: [{ id: "fx", type: "Gain", config: { gain: 1 } }],
  inputs: { audio: "fx.in" },
  outputs: { audio: "fx.out" },
  parameters: { gain: { target: "fx.gain", description: "how much louder" } },
});
