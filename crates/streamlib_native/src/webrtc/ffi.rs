//! The `sl_webrtc_*` functions (see `docs/native_abi.md`): endpoints made from a JSON config,
//! SDP offers answered synchronously, frames pushed and read by numeric calls, counters polled
//! into a caller's `f64` array, and stats as JSON. Every entry is panic-guarded.

use std::net::IpAddr;

use crate::c_buffer;
use crate::error_text::ErrorText;
use crate::panic_guard::guarded_status;
use crate::status::{Error, ErrorKind};
use crate::webrtc::endpoint::{Endpoint, EndpointConfig, Mode};
use crate::webrtc::peer::{Kind, Outgoing};
use crate::webrtc::registry;

fn bad_config(detail: ErrorText) -> Error {
    ErrorKind::Unsupported {
        what: "WebRTC endpoint config",
        detail,
    }
    .into()
}

fn parse_config(text: &str) -> Result<(String, EndpointConfig), Error> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| bad_config(ErrorText::format(format_args!("{e}"))))?;
    let field = |name: &str| value.get(name).filter(|v| !v.is_null());
    let text_field = |name: &str, default: &str| -> Result<String, Error> {
        match field(name) {
            None => Ok(default.to_owned()),
            Some(v) => v.as_str().map(str::to_owned).ok_or_else(|| {
                bad_config(ErrorText::format(format_args!("'{name}' must be a string")))
            }),
        }
    };
    let number = |name: &str, default: u64| -> Result<u64, Error> {
        match field(name) {
            None => Ok(default),
            Some(v) => v.as_u64().ok_or_else(|| {
                bad_config(ErrorText::format(format_args!(
                    "'{name}' must be an integer"
                )))
            }),
        }
    };
    let address = |text: &str| -> Result<IpAddr, Error> {
        text.parse().map_err(|_| {
            bad_config(ErrorText::format(format_args!(
                "'{text}' is not an IP address"
            )))
        })
    };
    let mode = match text_field("mode", "send")?.as_str() {
        "send" => Mode::Send,
        "receive" => Mode::Receive,
        "duplex" => Mode::Duplex,
        other => {
            return Err(bad_config(ErrorText::format(format_args!(
                "mode '{other}', expected send, receive or duplex"
            ))));
        }
    };
    let name = text_field("name", "")?;
    if name.is_empty() {
        return Err(bad_config(ErrorText::new("'name' is required")));
    }
    let port = number("port", 0)?;
    let public = match field("publicAddress") {
        None => None,
        Some(_) => Some(address(&text_field("publicAddress", "")?)?),
    };
    let public_port = match number("publicPort", 0)? {
        0 => None,
        port => Some(u16::try_from(port).map_err(|_| {
            Error::from(ErrorKind::OutOfRange {
                what: "WebRTC announced port",
                value: port,
                min: 0,
                max: 65_535,
            })
        })?),
    };
    let config = EndpointConfig {
        mode,
        bind: address(&text_field("bind", "127.0.0.1")?)?,
        port: u16::try_from(port).map_err(|_| {
            Error::from(ErrorKind::OutOfRange {
                what: "WebRTC UDP port",
                value: port,
                min: 0,
                max: 65_535,
            })
        })?,
        public,
        public_port,
        max_peers: usize::try_from(number("maxPeers", if mode == Mode::Send { 8 } else { 1 })?)
            .unwrap_or(usize::MAX),
        queue_frames: usize::try_from(number("queueFrames", 64)?).unwrap_or(usize::MAX),
    };
    Ok((name, config))
}

/// Creates an endpoint from a JSON config (`mode` `"send"`/`"receive"`/`"duplex"`, `name`, `bind`, `port`,
/// `publicAddress`, `publicPort`, `maxPeers`, `queueFrames`), writes its handle to `out`, and returns the bound
/// UDP port.
///
/// # Safety
///
/// `config` must be readable for `len` bytes; `out` writable for one `u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_webrtc_create(config: *const u8, len: u32, out: *mut u32) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        // SAFETY: readable for `len` bytes (caller contract).
        let text = unsafe { c_buffer::text(config, len, "config") }?;
        let (name, config) = parse_config(text)?;
        let endpoint = Endpoint::start(config)?;
        let port = endpoint.local_addr().port();
        let handle = registry::insert(&name, endpoint)?;
        // SAFETY: `out` is non-null and writable for one u32 (caller contract).
        unsafe { c_buffer::write_all(out, &[handle]) };
        Ok(i32::from(port))
    })
}

/// Stops and frees an endpoint (its peers are closed). Returns 0.
#[unsafe(no_mangle)]
pub extern "C" fn sl_webrtc_free(endpoint: u32) -> i32 {
    guarded_status(|| registry::remove(endpoint).map(|()| 0))
}

/// Finds the endpoint named `name`, writes its handle to `out`, and returns its mode (0 send,
/// 1 receive, 2 duplex).
///
/// # Safety
///
/// `name` must be readable for `len` bytes; `out` writable for one `u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_webrtc_find(name: *const u8, len: u32, out: *mut u32) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(out, "out")?;
        // SAFETY: readable for `len` bytes (caller contract).
        let name = unsafe { c_buffer::text(name, len, "name") }?;
        let handle = registry::find(name)?;
        let mode = registry::get(handle)?.mode();
        // SAFETY: `out` is non-null and writable for one u32 (caller contract).
        unsafe { c_buffer::write_all(out, &[handle]) };
        Ok(match mode {
            Mode::Send => 0,
            Mode::Receive => 1,
            Mode::Duplex => 2,
        })
    })
}

/// Answers the SDP offer of `len` bytes: writes the answer to `out` (when it fits) and the new
/// session's id to `session`, and returns the answer's full length (retry with a bigger buffer
/// when it is above `cap`; the session exists either way).
///
/// # Safety
///
/// `sdp` readable for `len` bytes; `out` writable for `cap` bytes; `session` writable for one
/// `u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_webrtc_accept_offer(
    endpoint: u32,
    sdp: *const u8,
    len: u32,
    out: *mut u8,
    cap: u32,
    session: *mut u32,
) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(session, "session")?;
        // SAFETY: readable for `len` bytes (caller contract).
        let sdp = unsafe { c_buffer::text(sdp, len, "sdp") }?;
        // SAFETY: writable for `cap` bytes (caller contract).
        let out = unsafe { c_buffer::bytes_mut(out, cap, "out") }?;
        let (id, answer) = registry::get(endpoint)?.accept_offer(sdp)?;
        // SAFETY: `session` is non-null and writable for one u32 (caller contract).
        unsafe { c_buffer::write_all(session, &[id]) };
        Ok(c_buffer::copy_truncated(answer.as_bytes(), out))
    })
}

/// Makes an SDP offer to publish (WHIP) a sendonly H.264 line and, when `audio` is 1, an Opus
/// line; writes the session id to `session` and the offer to `out` (when it fits), and returns
/// the offer's full length. Complete it with [`sl_webrtc_accept_answer`].
///
/// # Safety
///
/// `out` writable for `cap` bytes; `session` writable for one `u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_webrtc_create_offer(
    endpoint: u32,
    audio: u32,
    out: *mut u8,
    cap: u32,
    session: *mut u32,
) -> i32 {
    guarded_status(|| {
        c_buffer::non_null(session, "session")?;
        // SAFETY: writable for `cap` bytes (caller contract).
        let out = unsafe { c_buffer::bytes_mut(out, cap, "out") }?;
        let (id, offer) = registry::get(endpoint)?.create_offer(audio != 0)?;
        // SAFETY: `session` is non-null and writable for one u32 (caller contract).
        unsafe { c_buffer::write_all(session, &[id]) };
        Ok(c_buffer::copy_truncated(offer.as_bytes(), out))
    })
}

/// Completes an offered session with the server's SDP answer. Returns 0.
///
/// # Safety
///
/// `sdp` readable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_webrtc_accept_answer(
    endpoint: u32,
    session: u32,
    sdp: *const u8,
    len: u32,
) -> i32 {
    guarded_status(|| {
        // SAFETY: readable for `len` bytes (caller contract).
        let sdp = unsafe { c_buffer::text(sdp, len, "sdp") }?;
        registry::get(endpoint)?
            .accept_answer(session, sdp)
            .map(|()| 0)
    })
}

/// Ends a session. Returns 0.
#[unsafe(no_mangle)]
pub extern "C" fn sl_webrtc_close_session(endpoint: u32, session: u32) -> i32 {
    guarded_status(|| registry::get(endpoint)?.close_session(session).map(|()| 0))
}

/// Queues a frame (`kind` 0 H.264 access unit, 1 Opus packet) for every peer of a sending
/// endpoint. Returns 1 when queued (or when no peer is connected), 0 when the queue was full and
/// the frame was dropped (counted). Never blocks.
///
/// # Safety
///
/// `data` must be readable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_webrtc_push(
    endpoint: u32,
    kind: u32,
    data: *const u8,
    len: u32,
    pts_ns: f64,
    keyframe: u32,
) -> i32 {
    guarded_status(|| {
        let kind = match kind {
            0 => Kind::Video,
            1 => Kind::Audio,
            value => {
                return Err(ErrorKind::UnknownCode {
                    what: "WebRTC media kind",
                    value,
                    valid: "0 (H.264), 1 (Opus)",
                }
                .into());
            }
        };
        // SAFETY: readable for `len` bytes (caller contract).
        let data = unsafe { c_buffer::bytes(data, len, "data") }?;
        let endpoint = registry::get(endpoint)?;
        let frame = Outgoing {
            kind,
            data: data.into(),
            pts_ns,
            keyframe: keyframe != 0,
        };
        Ok(i32::from(endpoint.push(frame)))
    })
}

/// Reads the oldest frame a receiving endpoint got into `out`; writes `[kind (0 video, 1 audio),
/// pts_ns, keyframe (0/1), session]` to `info` and returns its length, or 0 when none waits. A
/// frame from another session than the last one starts a new timeline (ABI 8).
///
/// # Safety
///
/// `out` writable for `cap` bytes; `info` writable for 4 `f64`s and 8-byte aligned.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_webrtc_read(
    endpoint: u32,
    out: *mut u8,
    cap: u32,
    info: *mut f64,
) -> i32 {
    guarded_status(|| {
        // SAFETY: writable for `cap` bytes (caller contract).
        let out = unsafe { c_buffer::bytes_mut(out, cap, "out") }?;
        // SAFETY: writable for 4 f64s, aligned (caller contract).
        let info = unsafe { c_buffer::aligned_mut(info, 4, "info") }?;
        match registry::get(endpoint)?.read(out)? {
            None => Ok(0),
            Some((n, frame)) => {
                info[0] = if frame.kind == Kind::Video { 0.0 } else { 1.0 };
                info[1] = frame.pts_ns;
                info[2] = if frame.keyframe { 1.0 } else { 0.0 };
                info[3] = f64::from(frame.session);
                Ok(c_buffer::count_to_status(n))
            }
        }
    })
}

/// Writes `[keyframe requests so far, peers now, frames dropped by full queues]` to `info`.
/// Returns 0.
///
/// # Safety
///
/// `info` writable for 3 `f64`s and 8-byte aligned.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_webrtc_poll(endpoint: u32, info: *mut f64) -> i32 {
    guarded_status(|| {
        // SAFETY: writable for 3 f64s, aligned (caller contract).
        let info = unsafe { c_buffer::aligned_mut(info, 3, "info") }?;
        info.copy_from_slice(&registry::get(endpoint)?.counters());
        Ok(0)
    })
}

/// Asks a receiving endpoint's publisher for a keyframe (PLI). Returns 0.
#[unsafe(no_mangle)]
pub extern "C" fn sl_webrtc_request_keyframe(endpoint: u32) -> i32 {
    guarded_status(|| {
        registry::get(endpoint)?.request_keyframe();
        Ok(0)
    })
}

/// Writes the endpoint's stats (JSON) to `out` when they fit and returns their full length.
///
/// # Safety
///
/// `out` writable for `cap` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_webrtc_stats(endpoint: u32, out: *mut u8, cap: u32) -> i32 {
    guarded_status(|| {
        // SAFETY: writable for `cap` bytes (caller contract).
        let out = unsafe { c_buffer::bytes_mut(out, cap, "out") }?;
        let json = registry::get(endpoint)?.stats_json();
        Ok(c_buffer::copy_truncated(json.as_bytes(), out))
    })
}

/// Takes the endpoint's peer events since the last call (a peer connected, a connected peer's
/// session ended, and why) as a JSON array into `out`; returns its full length. When that is
/// more than `cap`, nothing is taken: call again with a buffer that large.
///
/// # Safety
///
/// `out` must be writable for `cap` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sl_webrtc_peer_events(endpoint: u32, out: *mut u8, cap: u32) -> i32 {
    guarded_status(|| {
        // SAFETY: writable for `cap` bytes (caller contract).
        let out = unsafe { c_buffer::bytes_mut(out, cap, "out") }?;
        let json = registry::get(endpoint)?.take_peer_events_json(out.len());
        Ok(c_buffer::copy_truncated(json.as_bytes(), out))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_config_takes_defaults_and_refuses_bad_fields() {
        let (name, config) = parse_config(r#"{"name":"whep"}"#).unwrap();
        assert_eq!(name, "whep");
        assert_eq!(config.mode, Mode::Send);
        assert_eq!(config.max_peers, 8);
        assert!(parse_config(r#"{"name":"x","bind":"nowhere"}"#).is_err());
        assert!(parse_config(r#"{"name":"x","mode":"both"}"#).is_err());
        let (_, duplex) = parse_config(r#"{"name":"x","mode":"duplex"}"#).unwrap();
        assert_eq!(duplex.mode, Mode::Duplex);
        assert!(parse_config(r#"{"name":"x","port":70000}"#).is_err());
        assert!(parse_config(r#"{}"#).is_err());
    }

    /// A browser's offer to a session: one sendrecv Opus line, no video.
    fn audio_only_offer() -> String {
        use std::sync::Arc;
        use std::time::Instant;
        use str0m::RtcConfig;
        use str0m::media::{Direction, MediaKind};
        let mut rtc = RtcConfig::new()
            .set_crypto_provider(Arc::new(str0m::crypto::from_feature_flags()))
            .clear_codecs()
            .enable_opus(true, false)
            .build(Instant::now());
        let mut api = rtc.sdp_api();
        api.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        let (offer, _pending) = api.apply().expect("a media line needs a negotiation");
        offer.to_sdp_string()
    }

    #[test]
    fn a_duplex_endpoint_answers_audio_both_ways_where_a_sender_refuses() {
        let (name, config) =
            parse_config(r#"{"name":"webrtc-duplex-test","mode":"duplex"}"#).unwrap();
        assert_eq!(config.mode, Mode::Duplex);
        assert_eq!(config.max_peers, 1);
        let handle = registry::insert(&name, Endpoint::start(config).unwrap()).unwrap();
        let endpoint = registry::get(handle).unwrap();
        let (session, answer) = endpoint.accept_offer(&audio_only_offer()).unwrap();
        assert!(answer.contains("m=audio "), "{answer}");
        assert!(answer.contains("a=sendrecv"), "{answer}");
        // One peer: a second offer finds the place taken (the first is not silent yet).
        let full = endpoint.accept_offer(&audio_only_offer()).unwrap_err();
        assert_eq!(full.status(), crate::status::Status::TableFull);
        endpoint.close_session(session).unwrap();
        drop(endpoint);
        registry::remove(handle).unwrap();

        let (name, config) = parse_config(r#"{"name":"webrtc-send-audio-test"}"#).unwrap();
        let handle = registry::insert(&name, Endpoint::start(config).unwrap()).unwrap();
        let refused = registry::get(handle)
            .unwrap()
            .accept_offer(&audio_only_offer())
            .unwrap_err();
        assert_eq!(refused.status(), crate::status::Status::InvalidArgument);
        registry::remove(handle).unwrap();
    }

    #[test]
    fn an_endpoint_refuses_a_bad_offer_and_finds_by_name() {
        let (name, config) = parse_config(r#"{"name":"webrtc-ffi-test"}"#).unwrap();
        let handle = registry::insert(&name, Endpoint::start(config).unwrap()).unwrap();
        assert_eq!(registry::find("webrtc-ffi-test").unwrap(), handle);
        let (_, again) = parse_config(r#"{"name":"webrtc-ffi-test"}"#).unwrap();
        assert!(registry::insert("webrtc-ffi-test", Endpoint::start(again).unwrap()).is_err());
        let error = registry::get(handle)
            .unwrap()
            .accept_offer("v=0\r\nnonsense")
            .unwrap_err();
        assert_eq!(error.status(), crate::status::Status::InvalidArgument);
        registry::remove(handle).unwrap();
        assert!(registry::find("webrtc-ffi-test").is_err());
    }
}
