/**
 * The one symbol table of `libstreamlib_native`, mirroring `crates/streamlib_native/src/ffi.rs`.
 *
 * Each parameter is commented with its Rust type. Hot-path symbols take only `u32` handles and
 * caller buffers, so Deno can use its fast-call path (about 5 ns a call here). A test checks this
 * table against the exports of the built library and against `ffi.rs`.
 *
 * @module
 */

/** The ABI version this table was written for; the loader refuses any other. */
export const ABI_VERSION = 2;

/** Symbols of `libstreamlib_native` (see `docs/native_abi.md`). */
export const symbols = {
  /** `fn sl_abi_version() -> u32` */
  sl_abi_version: { parameters: [], result: "u32" },
  /** `fn sl_last_error(buf: *mut u8, cap: u32) -> u32` */
  sl_last_error: { parameters: ["buffer", "u32"], result: "u32" },

  /** `fn sl_ring_create(capacity: u32, policy: u32, out: *mut u32) -> i32` */
  sl_ring_create: { parameters: ["u32", "u32", "buffer"], result: "i32" },
  /** `fn sl_ring_free(endpoint: u32) -> i32` */
  sl_ring_free: { parameters: ["u32"], result: "i32" },
  /** `fn sl_ring_push(producer: u32, msg: *const u8) -> i32` */
  sl_ring_push: { parameters: ["u32", "buffer"], result: "i32" },
  /** `fn sl_ring_push_batch(producer: u32, msgs: *const u8, count: u32) -> i32` */
  sl_ring_push_batch: { parameters: ["u32", "buffer", "u32"], result: "i32" },
  /** `fn sl_ring_push_evict(producer: u32, msgs: *const u8, count: u32, evicted: *mut u8) -> i32` */
  sl_ring_push_evict: { parameters: ["u32", "buffer", "u32", "buffer"], result: "i32" },
  /** `fn sl_ring_pop(consumer: u32, out: *mut u8) -> i32` */
  sl_ring_pop: { parameters: ["u32", "buffer"], result: "i32" },
  /** `fn sl_ring_pop_batch(consumer: u32, out: *mut u8, max: u32) -> i32` */
  sl_ring_pop_batch: { parameters: ["u32", "buffer", "u32"], result: "i32" },
  /** `fn sl_ring_pop_latest(consumer: u32, out: *mut u8) -> i32` */
  sl_ring_pop_latest: { parameters: ["u32", "buffer"], result: "i32" },
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
  /** `fn sl_pool_retain(pool: u32, slot: u32) -> i32` */
  sl_pool_retain: { parameters: ["u32", "u32"], result: "i32" },
  /** `fn sl_pool_release(pool: u32, slot: u32) -> i32` */
  sl_pool_release: { parameters: ["u32", "u32"], result: "i32" },
  /** `fn sl_pool_base(pool: u32) -> *mut u8` */
  sl_pool_base: { parameters: ["u32"], result: "pointer" },
  /** `fn sl_pool_stats(pool: u32, out: *mut f64) -> i32` */
  sl_pool_stats: { parameters: ["u32", "buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The opened library: `Deno.dlopen` over {@linkcode symbols}. */
export type NativeLibrary = Deno.DynamicLibrary<typeof symbols>;
