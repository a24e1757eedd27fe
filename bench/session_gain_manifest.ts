/**
 * The session pipeline of `session_pipecat_bench.ts` and `session_setup_bench.ts`: 20 ms blocks
 * of mono audio through a gain. The built-in `Gain` takes stereo, so blocks go up to stereo and
 * back.
 *
 * @module
 */

/** The manifest, with application input `audio` and output `audio`. */
export const GAIN_SESSION_MANIFEST = {
  version: 1,
  nodes: [
    { id: "up", type: "ChannelConverter" },
    { id: "fx", type: "Gain", config: { gain: 0.5 } },
    { id: "down", type: "ChannelConverter" },
  ],
  connections: [{ from: "up.stereo", to: "fx.in" }, { from: "fx.out", to: "down.in" }],
  inputs: { audio: "up.in" },
  outputs: { audio: "down.mono" },
};
