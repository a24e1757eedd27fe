//! The media entry points called as Deno calls them: settings arrays, caller buffers, pool slots
//! read and written in place, status codes and `sl_last_error`.

use std::ptr;

use streamlib_native::ffi::*;

const OK: i32 = 0;
const INVALID_ARGUMENT: i32 = -1;
const INVALID_HANDLE: i32 = -2;
const BUFFER_TOO_SMALL: i32 = -8;
const UNSUPPORTED: i32 = -9;
const CODEC: i32 = -12;

const I420: u32 = 2;
const W: u32 = 64;
const H: u32 = 48;
const FRAME: usize = (W * H * 3 / 2) as usize;

fn last_error() -> String {
    let mut buf = vec![0u8; 512];
    // SAFETY: `buf` is writable for 512 bytes.
    let n = unsafe { sl_last_error(buf.as_mut_ptr(), 512) } as usize;
    String::from_utf8_lossy(&buf[..n.min(512)]).into_owned()
}

fn encoder() -> u32 {
    let settings = [1u32, W, H, 500_000, 30_000, 0, 0, 0, 1];
    let mut out = 0u32;
    // SAFETY: `settings` holds nine u32s and `out` one.
    let backend = unsafe { sl_h264_encoder_create(settings.as_ptr(), 9, &raw mut out) };
    assert_eq!(backend, 1, "{}", last_error());
    out
}

fn frame(value: u8) -> Vec<u8> {
    (0..FRAME)
        .map(|i| value.wrapping_add((i % 61) as u8))
        .collect()
}

/// `sl_h264_decoder_read_slot`, whose contract (the caller is the slot's only holder) these
/// tests keep.
fn read_slot(decoder: u32, pool: u32, slot: u32, offset: u32) -> i32 {
    // SAFETY: the tests pass slots they alone hold (or stale ones, which are refused).
    unsafe { sl_h264_decoder_read_slot(decoder, pool, slot, offset) }
}

#[test]
fn an_access_unit_too_big_for_the_buffer_waits_for_read_output() {
    let enc = encoder();
    let pixels = frame(10);
    let mut info = [0f64; 3];
    let mut tiny = [0u8; 8];
    // SAFETY: every pointer is valid for its stated length.
    let r = unsafe {
        sl_h264_encoder_encode(
            enc,
            pixels.as_ptr(),
            FRAME as u32,
            I420,
            5.0,
            0,
            tiny.as_mut_ptr(),
            8,
            info.as_mut_ptr(),
        )
    };
    assert_eq!(r, BUFFER_TOO_SMALL);
    assert!(last_error().starts_with("Buffer too small for the access unit"));
    let needed = info[0] as usize;
    assert!(needed > 8);
    let mut big = vec![0u8; needed];
    // SAFETY: as above.
    let n = unsafe {
        sl_h264_encoder_read_output(enc, big.as_mut_ptr(), needed as u32, info.as_mut_ptr())
    };
    assert_eq!(n as usize, needed);
    assert_eq!(info, [needed as f64, 1.0, 5.0]);
    assert_eq!(&big[..4], &[0, 0, 0, 1]);
    // SAFETY: as above.
    let again = unsafe {
        sl_h264_encoder_read_output(enc, big.as_mut_ptr(), needed as u32, info.as_mut_ptr())
    };
    assert_eq!(again, 0);
    let mut sets = [0u8; 2];
    // SAFETY: `sets` holds two bytes.
    let full = unsafe { sl_h264_encoder_parameter_sets(enc, sets.as_mut_ptr(), 2) };
    assert!(full > 8, "SPS and PPS are {full} bytes");
    assert_eq!(sl_h264_encoder_free(enc), OK);
    assert_eq!(sl_h264_encoder_free(enc), INVALID_HANDLE);
}

#[test]
fn frames_are_encoded_from_and_decoded_into_pool_slots_in_place() {
    let mut pool = 0u32;
    // SAFETY: `pool` is one writable u32.
    let r = unsafe { sl_pool_create(64 + FRAME as u32, 2, &raw mut pool) };
    assert_eq!(r, OK);
    let base = sl_pool_base(pool);
    let input = sl_pool_acquire(pool) as u32;
    let output = sl_pool_acquire(pool) as u32;
    let stride = 64 + FRAME.next_multiple_of(64);
    let pixels = frame(90);
    // SAFETY: slot `input` (index input & 0xFFFF) holds 64 + FRAME bytes and is ours alone.
    unsafe {
        ptr::copy_nonoverlapping(
            pixels.as_ptr(),
            base.add((input & 0xFFFF) as usize * stride + 64),
            FRAME,
        );
    }
    let enc = encoder();
    let mut unit = vec![0u8; 65_536];
    let mut info = [0f64; 3];
    // SAFETY: every pointer is valid for its stated length.
    let n = unsafe {
        sl_h264_encoder_encode_slot(
            enc,
            pool,
            input,
            64,
            I420,
            7.0,
            0,
            unit.as_mut_ptr(),
            unit.len() as u32,
            info.as_mut_ptr(),
        )
    };
    assert!(n > 0, "{}", last_error());
    let mut dec = 0u32;
    // SAFETY: `dec` is one writable u32.
    assert_eq!(unsafe { sl_h264_decoder_create(&raw mut dec) }, OK);
    let mut picture = [0f64; 4];
    // SAFETY: `unit` holds n bytes and `picture` four f64s.
    let ready =
        unsafe { sl_h264_decoder_decode(dec, unit.as_ptr(), n as u32, 7.0, picture.as_mut_ptr()) };
    assert_eq!(ready, 1);
    assert_eq!(picture, [f64::from(W), f64::from(H), 7.0, FRAME as f64]);
    assert_eq!(read_slot(dec, pool, output, 64), FRAME as i32);
    let mut copy = vec![0u8; FRAME];
    // SAFETY: `copy` holds FRAME bytes.
    let r = unsafe { sl_h264_decoder_read(dec, copy.as_mut_ptr(), FRAME as u32) };
    assert_eq!(r, FRAME as i32);
    // SAFETY: slot `output` holds the picture at offset 64, written above.
    let in_slot = unsafe {
        std::slice::from_raw_parts(base.add((output & 0xFFFF) as usize * stride + 64), FRAME)
    };
    assert_eq!(in_slot, &copy[..]);
    // A frame that would run past the slot end is refused.
    assert_eq!(read_slot(dec, pool, output, 128), BUFFER_TOO_SMALL);
    // Stale slots and handles of the wrong kind are refused.
    assert_eq!(sl_pool_release(pool, output), OK);
    assert_eq!(read_slot(dec, pool, output, 64), INVALID_HANDLE);
    assert_eq!(read_slot(enc, pool, input, 64), INVALID_HANDLE);
    // SAFETY: `copy` holds FRAME bytes.
    let garbage =
        unsafe { sl_h264_decoder_decode(dec, copy.as_ptr(), 16, 0.0, picture.as_mut_ptr()) };
    assert!(
        garbage == CODEC || garbage == 0,
        "{garbage}: {}",
        last_error()
    );
    assert_eq!(sl_h264_encoder_free(enc), OK);
    assert_eq!(sl_h264_decoder_free(dec), OK);
    assert_eq!(sl_pool_release(pool, input), OK);
    assert_eq!(sl_pool_free(pool), OK);
}

#[test]
fn bad_settings_and_unsupported_backends_are_reported() {
    let mut out = 0u32;
    let short = [1u32, W, H];
    // SAFETY: `short` holds three u32s.
    let r = unsafe { sl_h264_encoder_create(short.as_ptr(), 3, &raw mut out) };
    assert_eq!(r, INVALID_ARGUMENT);
    assert_eq!(
        last_error(),
        "Invalid encoder settings (u32 fields, times 4 bytes): 12 bytes, expected 40"
    );
    let vt = [2u32, W, H, 500_000, 30_000, 0, 0, 0, 1];
    // SAFETY: `vt` holds nine u32s.
    let r = unsafe { sl_h264_encoder_create(vt.as_ptr(), 9, &raw mut out) };
    if cfg!(not(target_os = "macos")) {
        assert_eq!(r, UNSUPPORTED);
        assert!(last_error().contains("VideoToolbox exists only on macOS"));
    }
    let bad_level = [1u32, W, H, 500_000, 30_000, 0, 0, 33, 1];
    // SAFETY: `bad_level` holds nine u32s.
    let r = unsafe { sl_h264_encoder_create(bad_level.as_ptr(), 9, &raw mut out) };
    assert_eq!(r, INVALID_ARGUMENT);
    assert!(last_error().starts_with("Invalid H.264 level_idc: 33"));
    // SAFETY: `out` is one writable u32.
    let r = unsafe { sl_opus_encoder_create(44_100, 2, 0, 0, &raw mut out) };
    assert_eq!(r, INVALID_ARGUMENT);
    let pcm = [0f32; 960];
    let mut packet = [0u8; 4000];
    // SAFETY: a stale handle is refused before any pointer is used.
    let r = unsafe {
        sl_opus_encoder_encode(0x5001_0000, pcm.as_ptr(), 960, packet.as_mut_ptr(), 4000)
    };
    assert_eq!(r, INVALID_HANDLE);
}

#[test]
fn a_capture_the_os_lacks_is_refused_and_its_producer_is_taken_over() {
    if cfg!(target_os = "macos") {
        return;
    }
    let mut ring = [0u32; 2];
    // SAFETY: `ring` holds two u32s.
    assert_eq!(unsafe { sl_ring_create(4, 1, ring.as_mut_ptr()) }, OK);
    let mut pool = 0u32;
    // SAFETY: `pool` is one writable u32.
    assert_eq!(unsafe { sl_pool_create(4096, 2, &raw mut pool) }, OK);
    let settings = [0u32, 0, 0, I420, 0, 0, 48_000, 2, 64];
    let mut out = 0u32;
    // SAFETY: the device is empty, `settings` holds nine u32s, `out` one.
    let r = unsafe {
        sl_capture_open(
            1,
            ptr::null(),
            0,
            settings.as_ptr(),
            9,
            pool,
            ring[0],
            &raw mut out,
        )
    };
    assert_eq!(r, UNSUPPORTED);
    assert!(last_error().contains("macOS only"), "{}", last_error());
    assert_eq!(
        sl_ring_free(ring[0]),
        INVALID_HANDLE,
        "the producer was taken over"
    );
    assert_eq!(sl_ring_is_abandoned(ring[1]), 1);
    assert_eq!(sl_ring_free(ring[1]), OK);
    // A consumer handle is not a producer: refused, and left alone.
    // SAFETY: `ring` holds two u32s.
    assert_eq!(unsafe { sl_ring_create(4, 1, ring.as_mut_ptr()) }, OK);
    // SAFETY: as above.
    let r = unsafe {
        sl_capture_open(
            2,
            ptr::null(),
            0,
            settings.as_ptr(),
            9,
            pool,
            ring[1],
            &raw mut out,
        )
    };
    assert_eq!(r, -6);
    assert_eq!(sl_ring_free(ring[1]), OK);
    assert_eq!(sl_ring_free(ring[0]), OK);
    assert_eq!(sl_pool_free(pool), OK);
    let mut json = vec![0u8; 64];
    // SAFETY: `json` holds 64 bytes.
    let n = unsafe { sl_capture_list_devices(1, ptr::null(), 0, json.as_mut_ptr(), 64) };
    assert_eq!(n, UNSUPPORTED);
    assert!(sl_monotonic_now_ns() > 0.0);
    assert_eq!(sl_platform(), if cfg!(target_os = "linux") { 1 } else { 0 });
}
