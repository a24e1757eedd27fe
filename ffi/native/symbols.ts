/**
 * The one symbol table of `libstreamlib_native`, mirroring `crates/streamlib_native/src/ffi.rs`.
 *
 * Each parameter is commented with its Rust type. Hot-path symbols take only `u32` handles and
 * caller memory (the ring push/pop calls as `pointer`s cached per batch), so Deno can use its
 * fast-call path: measured here (`deno bench -A ffi/transport/native_ring_bench.ts`), about 8-10 ns for a
 * call without arguments and 13-16 ns for `NativeRingConsumer.slots()` (one `u32`); see
 * `docs/performance.md`. A test checks this table against the exports of the built library and
 * against `ffi.rs`.
 *
 * @module
 */

/**
 * The ABI version this table was written for; the loader refuses any other.
 *
 * @example Compare with what the library reports
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadNativeLibrary } from "@streamlib/streamlib/ffi";
 * import { ABI_VERSION } from "./symbols.ts";
 *
 * // loadNativeLibrary() refuses (AbiMismatchError) a library that reports another version.
 * assert.ok(loadNativeLibrary().symbols.sl_abi_version() === ABI_VERSION);
 * ```
 */
export const ABI_VERSION = 9;

/**
 * Symbols of `libstreamlib_native` (see `docs/native_abi.md`).
 */
export const symbols = {
  /** `fn sl_abi_version() -> u32` */
  sl_abi_version: { parameters: [], result: "u32" },
  /** `fn sl_last_error(buf: *mut u8, cap: u32) -> u32` */
  sl_last_error: { parameters: ["buffer", "u32"], result: "u32" },

  /** `fn sl_ring_create(capacity: u32, policy: u32, out: *mut u32) -> i32` */
  sl_ring_create: { parameters: ["u32", "u32", "buffer"], result: "i32" },
  /** `fn sl_ring_free(endpoint: u32) -> i32` */
  sl_ring_free: { parameters: ["u32"], result: "i32" },
  // The ring push/pop symbols take `pointer`s, not `buffer`s: the wrappers pass a pointer cached
  // per FrameMessageBatch (ffi/native/batch_pointer.ts), which is cheaper per call.
  /** `fn sl_ring_push(producer: u32, msg: *const u8) -> i32` */
  sl_ring_push: { parameters: ["u32", "pointer"], result: "i32" },
  /** `fn sl_ring_push_retain(producer: u32, pool: u32, msg: *const u8) -> i32` (ABI 9) */
  sl_ring_push_retain: { parameters: ["u32", "u32", "pointer"], result: "i32" },
  /** `fn sl_ring_push_batch(producer: u32, msgs: *const u8, count: u32) -> i32` */
  sl_ring_push_batch: { parameters: ["u32", "pointer", "u32"], result: "i32" },
  /** `fn sl_ring_push_evict(producer: u32, msgs: *const u8, count: u32, evicted: *mut u8) -> i32` */
  sl_ring_push_evict: { parameters: ["u32", "pointer", "u32", "pointer"], result: "i32" },
  /** `fn sl_ring_pop(consumer: u32, out: *mut u8) -> i32` */
  sl_ring_pop: { parameters: ["u32", "pointer"], result: "i32" },
  /** `fn sl_ring_pop_batch(consumer: u32, out: *mut u8, max: u32) -> i32` */
  sl_ring_pop_batch: { parameters: ["u32", "pointer", "u32"], result: "i32" },
  /** `fn sl_ring_pop_latest(consumer: u32, out: *mut u8) -> i32` */
  sl_ring_pop_latest: { parameters: ["u32", "pointer"], result: "i32" },
  /** `fn sl_ring_slots(endpoint: u32) -> i32` */
  sl_ring_slots: { parameters: ["u32"], result: "i32" },
  /** `fn sl_ring_is_abandoned(endpoint: u32) -> i32` */
  sl_ring_is_abandoned: { parameters: ["u32"], result: "i32" },
  /** `fn sl_ring_stats(endpoint: u32, out: *mut f64) -> i32` */
  sl_ring_stats: { parameters: ["u32", "buffer"], result: "i32" },

  /** `fn sl_pool_create(slot_bytes: u32, slot_count: u32, out: *mut u32) -> i32` */
  sl_pool_create: { parameters: ["u32", "u32", "buffer"], result: "i32" },
  /** `fn sl_pool_attach(pool: u32, out: *mut u32) -> i32` */
  sl_pool_attach: { parameters: ["u32", "buffer"], result: "i32" },
  /** `fn sl_pool_free(pool: u32) -> i32` */
  sl_pool_free: { parameters: ["u32"], result: "i32" },
  /** `fn sl_pool_acquire(pool: u32) -> i32` */
  sl_pool_acquire: { parameters: ["u32"], result: "i32" },
  /** `fn sl_pool_acquire_keeping(pool: u32, reserve: u32) -> i32` */
  sl_pool_acquire_keeping: { parameters: ["u32", "u32"], result: "i32" },
  /** `fn sl_pool_retain(pool: u32, slot: u32) -> i32` */
  sl_pool_retain: { parameters: ["u32", "u32"], result: "i32" },
  /** `fn sl_pool_release(pool: u32, slot: u32) -> i32` */
  sl_pool_release: { parameters: ["u32", "u32"], result: "i32" },
  /** `fn sl_pool_refcount(pool: u32, slot: u32) -> i32` (ABI 5) */
  sl_pool_refcount: { parameters: ["u32", "u32"], result: "i32" },
  /** `fn sl_pool_base(pool: u32) -> *mut u8` */
  sl_pool_base: { parameters: ["u32"], result: "pointer" },
  /** `fn sl_pool_stats(pool: u32, out: *mut f64) -> i32` */
  sl_pool_stats: { parameters: ["u32", "buffer"], result: "i32" },

  /** `fn sl_monotonic_now_ns() -> f64` (ABI 3) */
  sl_monotonic_now_ns: { parameters: [], result: "f64" },
  /** `fn sl_platform() -> u32` (ABI 3): 1 linux, 2 macos, 0 other */
  sl_platform: { parameters: [], result: "u32" },
  /** `fn sl_build_info(buf: *mut u8, cap: u32) -> u32` (ABI 6): JSON, full length returned */
  sl_build_info: { parameters: ["buffer", "u32"], result: "u32" },

  /** `fn sl_h264_encoder_create(settings: *const u32, count: u32, out: *mut u32) -> i32` (ABI 3) */
  sl_h264_encoder_create: { parameters: ["buffer", "u32", "buffer"], result: "i32" },
  /** `fn sl_h264_encoder_free(encoder: u32) -> i32` (ABI 3) */
  sl_h264_encoder_free: { parameters: ["u32"], result: "i32" },
  /**
   * `fn sl_h264_encoder_encode(encoder: u32, frame: *const u8, length: u32, format: u32,
   * timestamp_ns: f64, force_keyframe: u32, out: *mut u8, cap: u32, info: *mut f64) -> i32` (ABI 3)
   */
  sl_h264_encoder_encode: {
    parameters: ["u32", "buffer", "u32", "u32", "f64", "u32", "buffer", "u32", "buffer"],
    result: "i32",
  },
  /**
   * `fn sl_h264_encoder_encode_slot(encoder: u32, pool: u32, slot: u32, offset: u32, format: u32,
   * timestamp_ns: f64, force_keyframe: u32, out: *mut u8, cap: u32, info: *mut f64) -> i32` (ABI 3)
   */
  sl_h264_encoder_encode_slot: {
    parameters: ["u32", "u32", "u32", "u32", "u32", "f64", "u32", "buffer", "u32", "buffer"],
    result: "i32",
  },
  /** `fn sl_h264_encoder_read_output(encoder: u32, out: *mut u8, cap: u32, info: *mut f64) -> i32` (ABI 3) */
  sl_h264_encoder_read_output: { parameters: ["u32", "buffer", "u32", "buffer"], result: "i32" },
  /** `fn sl_h264_encoder_parameter_sets(encoder: u32, out: *mut u8, cap: u32) -> i32` (ABI 3) */
  sl_h264_encoder_parameter_sets: { parameters: ["u32", "buffer", "u32"], result: "i32" },

  /** `fn sl_h264_decoder_create(out: *mut u32) -> i32` (ABI 3) */
  sl_h264_decoder_create: { parameters: ["buffer"], result: "i32" },
  /** `fn sl_h264_decoder_free(decoder: u32) -> i32` (ABI 3) */
  sl_h264_decoder_free: { parameters: ["u32"], result: "i32" },
  /**
   * `fn sl_h264_decoder_decode(decoder: u32, data: *const u8, length: u32, timestamp_ns: f64,
   * info: *mut f64) -> i32` (ABI 3)
   */
  sl_h264_decoder_decode: { parameters: ["u32", "buffer", "u32", "f64", "buffer"], result: "i32" },
  /** `fn sl_h264_decoder_flush(decoder: u32, info: *mut f64) -> i32` (ABI 3) */
  sl_h264_decoder_flush: { parameters: ["u32", "buffer"], result: "i32" },
  /** `fn sl_h264_decoder_read(decoder: u32, out: *mut u8, cap: u32) -> i32` (ABI 3) */
  sl_h264_decoder_read: { parameters: ["u32", "buffer", "u32"], result: "i32" },
  /** `fn sl_h264_decoder_read_slot(decoder: u32, pool: u32, slot: u32, offset: u32) -> i32` (ABI 3) */
  sl_h264_decoder_read_slot: { parameters: ["u32", "u32", "u32", "u32"], result: "i32" },

  /**
   * `fn sl_opus_encoder_create(sample_rate: u32, channels: u32, bitrate_bps: u32, application: u32,
   * out: *mut u32) -> i32` (ABI 3)
   */
  sl_opus_encoder_create: { parameters: ["u32", "u32", "u32", "u32", "buffer"], result: "i32" },
  /** `fn sl_opus_encoder_free(encoder: u32) -> i32` (ABI 3) */
  sl_opus_encoder_free: { parameters: ["u32"], result: "i32" },
  /**
   * `fn sl_opus_encoder_encode(encoder: u32, pcm: *const f32, samples: u32, out: *mut u8,
   * cap: u32) -> i32` (ABI 3)
   */
  sl_opus_encoder_encode: { parameters: ["u32", "buffer", "u32", "buffer", "u32"], result: "i32" },
  /** `fn sl_opus_decoder_create(sample_rate: u32, channels: u32, out: *mut u32) -> i32` (ABI 3) */
  sl_opus_decoder_create: { parameters: ["u32", "u32", "buffer"], result: "i32" },
  /** `fn sl_opus_decoder_free(decoder: u32) -> i32` (ABI 3) */
  sl_opus_decoder_free: { parameters: ["u32"], result: "i32" },
  /**
   * `fn sl_opus_decoder_decode(decoder: u32, packet: *const u8, length: u32, pcm: *mut f32,
   * capacity: u32) -> i32` (ABI 3)
   */
  sl_opus_decoder_decode: { parameters: ["u32", "buffer", "u32", "buffer", "u32"], result: "i32" },
  /** `fn sl_aac_decoder_create(config: *const u8, length: u32, out: *mut u32) -> i32` (ABI 3) */
  sl_aac_decoder_create: { parameters: ["buffer", "u32", "buffer"], result: "i32" },
  /** `fn sl_aac_decoder_free(decoder: u32) -> i32` (ABI 3) */
  sl_aac_decoder_free: { parameters: ["u32"], result: "i32" },
  /**
   * `fn sl_aac_decoder_decode(decoder: u32, packet: *const u8, length: u32, pcm: *mut f32,
   * capacity: u32) -> i32` (ABI 3)
   */
  sl_aac_decoder_decode: { parameters: ["u32", "buffer", "u32", "buffer", "u32"], result: "i32" },

  /**
   * `fn sl_resampler_create(input_rate: u32, output_rate: u32, channels: u32, quality: u32,
   * out: *mut u32) -> i32`: the latency in output frames (ABI 3)
   */
  sl_resampler_create: { parameters: ["u32", "u32", "u32", "u32", "buffer"], result: "i32" },
  /** `fn sl_resampler_free(resampler: u32) -> i32` (ABI 3) */
  sl_resampler_free: { parameters: ["u32"], result: "i32" },
  /** `fn sl_resampler_reset(resampler: u32) -> i32` (ABI 3) */
  sl_resampler_reset: { parameters: ["u32"], result: "i32" },
  /**
   * `fn sl_resampler_process(resampler: u32, input: *mut f32, frames: u32, output: *mut f32,
   * capacity: u32) -> i32`: frames written; both buffers as cached pointers (ABI 3)
   */
  sl_resampler_process: {
    parameters: ["u32", "pointer", "u32", "pointer", "u32"],
    result: "i32",
  },
  /** `fn sl_resampler_info(resampler: u32, frames: u32, out: *mut f64, count: u32) -> i32` (ABI 3) */
  sl_resampler_info: { parameters: ["u32", "u32", "buffer", "u32"], result: "i32" },

  /** `fn sl_reverb_create(sample_rate: u32, out: *mut u32) -> i32` */
  sl_reverb_create: { parameters: ["u32", "buffer"], result: "i32" },
  /** `fn sl_reverb_free(reverb: u32) -> i32` */
  sl_reverb_free: { parameters: ["u32"], result: "i32" },
  /** `fn sl_reverb_reset(reverb: u32) -> i32` */
  sl_reverb_reset: { parameters: ["u32"], result: "i32" },
  /**
   * `fn sl_reverb_configure(reverb: u32, room_size: f64, damping: f64, wet: f64, dry: f64,
   * width: f64, frozen: u32) -> i32`
   */
  sl_reverb_configure: {
    parameters: ["u32", "f64", "f64", "f64", "f64", "f64", "u32"],
    result: "i32",
  },
  /**
   * `fn sl_reverb_process(reverb: u32, samples: *mut f32, frames: u32) -> i32`: in place; the
   * buffer as a cached pointer
   */
  sl_reverb_process: { parameters: ["u32", "pointer", "u32"], result: "i32" },

  /**
   * `fn sl_speaker_open(device: *const u8, device_len: u32, sample_rate: u32, channels: u32,
   * buffer_frames: u32, out: *mut u32) -> i32`
   */
  sl_speaker_open: {
    parameters: ["buffer", "u32", "u32", "u32", "u32", "buffer"],
    result: "i32",
  },
  /** `fn sl_speaker_close(speaker: u32) -> i32` */
  sl_speaker_close: { parameters: ["u32"], result: "i32" },
  /** `fn sl_speaker_write(speaker: u32, samples: *mut f32, frames: u32) -> i32` */
  sl_speaker_write: { parameters: ["u32", "pointer", "u32"], result: "i32" },
  /** `fn sl_speaker_stats(speaker: u32, out: *mut f64, count: u32) -> i32` */
  sl_speaker_stats: { parameters: ["u32", "buffer", "u32"], result: "i32" },

  /**
   * `fn sl_capture_open(kind: u32, device: *const u8, device_len: u32, settings: *const u32,
   * count: u32, pool: u32, producer: u32, out: *mut u32) -> i32` (ABI 3)
   */
  sl_capture_open: {
    parameters: ["u32", "buffer", "u32", "buffer", "u32", "u32", "u32", "buffer"],
    result: "i32",
  },
  /** `fn sl_capture_stop(capture: u32) -> i32` (ABI 3) */
  sl_capture_stop: { parameters: ["u32"], result: "i32" },
  /** `fn sl_capture_stats(capture: u32, out: *mut f64) -> i32` (ABI 3) */
  sl_capture_stats: { parameters: ["u32", "buffer"], result: "i32" },
  /** `fn sl_capture_failure(capture: u32, buf: *mut u8, cap: u32) -> i32` (ABI 3) */
  sl_capture_failure: { parameters: ["u32", "buffer", "u32"], result: "i32" },
  /**
   * `fn sl_capture_list_devices(kind: u32, display: *const u8, display_len: u32, buf: *mut u8,
   * cap: u32) -> i32` (ABI 3)
   */
  sl_capture_list_devices: {
    parameters: ["u32", "buffer", "u32", "buffer", "u32"],
    result: "i32",
  },
  /** `fn sl_plugin_load(path: *const u8, len: u32, out: *mut u32) -> i32` (ABI 4) */
  sl_plugin_load: { parameters: ["buffer", "u32", "buffer"], result: "i32" },
  /** `fn sl_plugin_describe(plugin: u32, buf: *mut u8, cap: u32) -> i32` (ABI 4) */
  sl_plugin_describe: { parameters: ["u32", "buffer", "u32"], result: "i32" },
  /** `fn sl_plugin_free(plugin: u32) -> i32` (ABI 4) */
  sl_plugin_free: { parameters: ["u32"], result: "i32" },
  /** `fn sl_plugin_node_create(plugin: u32, index: u32, out: *mut u32) -> i32` (ABI 4) */
  sl_plugin_node_create: { parameters: ["u32", "u32", "buffer"], result: "i32" },
  /** `fn sl_plugin_node_free(node: u32) -> i32` (ABI 4) */
  sl_plugin_node_free: { parameters: ["u32"], result: "i32" },
  /**
   * `fn sl_plugin_node_bind(node: u32, direction: u32, port: u32, endpoint: u32, pool: u32,
   * state: *mut u8) -> i32` (ABI 4)
   */
  sl_plugin_node_bind: {
    parameters: ["u32", "u32", "u32", "u32", "u32", "buffer"],
    result: "i32",
  },
  /** `fn sl_plugin_node_unbind(node: u32, binding: u32) -> i32` (ABI 4) */
  sl_plugin_node_unbind: { parameters: ["u32", "u32"], result: "i32" },
  /** `fn sl_plugin_node_setup(node: u32, config: *const u8, len: u32) -> i32` (ABI 4) */
  sl_plugin_node_setup: { parameters: ["u32", "buffer", "u32"], result: "i32" },
  /** `fn sl_plugin_node_run(node: u32, paused: u32) -> i32` (ABI 4) */
  sl_plugin_node_run: { parameters: ["u32", "u32"], result: "i32" },
  /** `fn sl_plugin_node_halt(node: u32) -> i32` (ABI 4) */
  sl_plugin_node_halt: { parameters: ["u32"], result: "i32" },
  /** `fn sl_plugin_node_teardown(node: u32) -> i32` (ABI 4) */
  sl_plugin_node_teardown: { parameters: ["u32"], result: "i32" },
  /** `fn sl_plugin_node_stats(node: u32, out: *mut f64) -> i32` (ABI 4) */
  sl_plugin_node_stats: { parameters: ["u32", "buffer"], result: "i32" },
  /** `fn sl_plugin_node_counters(node: u32, out: *mut f64) -> i32` (ABI 9, plugin ABI 2) */
  sl_plugin_node_counters: { parameters: ["u32", "buffer"], result: "i32" },
  /** `fn sl_plugin_node_failure(node: u32, buf: *mut u8, cap: u32) -> i32` (ABI 4) */
  sl_plugin_node_failure: { parameters: ["u32", "buffer", "u32"], result: "i32" },
  /** `fn sl_plugin_node_probe(node: u32, port: u32, pool: u32) -> i32` (ABI 8) */
  sl_plugin_node_probe: { parameters: ["u32", "u32", "u32"], result: "i32" },
  /** `fn sl_plugin_node_probe_take(node: u32, port: u32, out: *mut u8) -> i32` (ABI 8) */
  sl_plugin_node_probe_take: { parameters: ["u32", "u32", "buffer"], result: "i32" },
  /** `fn sl_plugin_node_unprobe(node: u32, port: u32) -> i32` (ABI 8) */
  sl_plugin_node_unprobe: { parameters: ["u32", "u32"], result: "i32" },

  /**
   * `fn sl_net_sink_create(kind: u32, settings: *const u8, length: u32, out: *mut u32) -> i32`
   * (ABI 7)
   */
  sl_net_sink_create: { parameters: ["u32", "buffer", "u32", "buffer"], result: "i32" },
  /**
   * `fn sl_net_source_create(kind: u32, settings: *const u8, length: u32, out: *mut u32) -> i32`
   * (ABI 7)
   */
  sl_net_source_create: { parameters: ["u32", "buffer", "u32", "buffer"], result: "i32" },
  /**
   * `fn sl_net_sink_push(sink: u32, data: *const u8, length: u32, timestamp_ns: f64,
   * flags: u32) -> i32` (ABI 7; flags: 1 keyframe, 2 audio packet, 2 | 4 the audio config)
   */
  sl_net_sink_push: { parameters: ["u32", "buffer", "u32", "f64", "u32"], result: "i32" },
  /** `fn sl_net_source_read(source: u32, out: *mut u8, cap: u32, info: *mut f64) -> i32` (ABI 7) */
  sl_net_source_read: { parameters: ["u32", "buffer", "u32", "buffer"], result: "i32" },
  /** `fn sl_net_stats(endpoint: u32, out: *mut f64, cap: u32) -> i32` (ABI 7) */
  sl_net_stats: { parameters: ["u32", "buffer", "u32"], result: "i32" },
  /** `fn sl_net_close(endpoint: u32) -> i32` (ABI 7) */
  sl_net_close: { parameters: ["u32"], result: "i32" },
  /** `fn sl_net_free(endpoint: u32) -> i32` (ABI 7) */
  sl_net_free: { parameters: ["u32"], result: "i32" },
  // WebRTC endpoints (WHEP playback, WHIP ingest): docs/webrtc.md.
  /** `fn sl_webrtc_create(config: *const u8, len: u32, out: *mut u32) -> i32`: the UDP port */
  sl_webrtc_create: { parameters: ["buffer", "u32", "buffer"], result: "i32" },
  /** `fn sl_webrtc_free(endpoint: u32) -> i32` */
  sl_webrtc_free: { parameters: ["u32"], result: "i32" },
  /** `fn sl_webrtc_find(name: *const u8, len: u32, out: *mut u32) -> i32`: 0 send, 1 receive */
  sl_webrtc_find: { parameters: ["buffer", "u32", "buffer"], result: "i32" },
  /**
   * `fn sl_webrtc_accept_offer(endpoint: u32, sdp: *const u8, len: u32, out: *mut u8, cap: u32,
   * session: *mut u32) -> i32`: the answer's full length
   */
  sl_webrtc_accept_offer: {
    parameters: ["u32", "buffer", "u32", "buffer", "u32", "buffer"],
    result: "i32",
  },
  /**
   * `fn sl_webrtc_create_offer(endpoint: u32, audio: u32, out: *mut u8, cap: u32,
   * session: *mut u32) -> i32`: the offer's full length
   */
  sl_webrtc_create_offer: { parameters: ["u32", "u32", "buffer", "u32", "buffer"], result: "i32" },
  /** `fn sl_webrtc_accept_answer(endpoint: u32, session: u32, sdp: *const u8, len: u32) -> i32` */
  sl_webrtc_accept_answer: { parameters: ["u32", "u32", "buffer", "u32"], result: "i32" },
  /** `fn sl_webrtc_close_session(endpoint: u32, session: u32) -> i32` */
  sl_webrtc_close_session: { parameters: ["u32", "u32"], result: "i32" },
  /**
   * `fn sl_webrtc_push(endpoint: u32, kind: u32, data: *const u8, len: u32, pts_ns: f64,
   * keyframe: u32) -> i32`: 1 queued, 0 dropped
   */
  sl_webrtc_push: { parameters: ["u32", "u32", "buffer", "u32", "f64", "u32"], result: "i32" },
  /** `fn sl_webrtc_read(endpoint: u32, out: *mut u8, cap: u32, info: *mut f64) -> i32` */
  sl_webrtc_read: { parameters: ["u32", "buffer", "u32", "buffer"], result: "i32" },
  /** `fn sl_webrtc_poll(endpoint: u32, info: *mut f64) -> i32` */
  sl_webrtc_poll: { parameters: ["u32", "buffer"], result: "i32" },
  /** `fn sl_webrtc_request_keyframe(endpoint: u32) -> i32` */
  sl_webrtc_request_keyframe: { parameters: ["u32"], result: "i32" },
  /** `fn sl_webrtc_stats(endpoint: u32, out: *mut u8, cap: u32) -> i32`: JSON, full length */
  sl_webrtc_stats: { parameters: ["u32", "buffer", "u32"], result: "i32" },
  /**
   * `fn sl_webrtc_peer_events(endpoint: u32, out: *mut u8, cap: u32) -> i32`: JSON, full length
   * (taken only when it fits)
   */
  sl_webrtc_peer_events: { parameters: ["u32", "buffer", "u32"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/**
 * The opened library: `Deno.dlopen` over {@linkcode symbols}.
 *
 * @example Run a wrapper on a given library
 * ```ts
 * import assert from "node:assert/strict";
 * import { FramePool, loadNativeLibrary } from "@streamlib/streamlib/ffi";
 * import { type NativeLibrary } from "./symbols.ts";
 *
 * const lib: NativeLibrary = loadNativeLibrary();
 * // Every wrapper takes the library it runs on (loadNativeLibrary()'s default otherwise).
 * using pool = FramePool.create({ slotBytes: 64, slotCount: 2, library: lib });
 * assert.equal(pool.slotCount, 2);
 * ```
 */
export type NativeLibrary = Deno.DynamicLibrary<typeof symbols>;
