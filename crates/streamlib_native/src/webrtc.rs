//! WebRTC in the native core: WHEP playback and WHIP ingest over str0m (sans-IO), one UDP
//! socket and one native thread per endpoint ([`endpoint`]), each peer a str0m `Rtc`
//! ([`peer`]) whose silence is judged by [`liveness`] and whose received audio and video share a
//! timeline by [`av_sync`], endpoints found by handle or name ([`registry`]), and the `sl_webrtc_*` C ABI
//! ([`ffi`]). See `docs/webrtc.md` and `docs/decisions/0018-webrtc-with-str0m.md`.

pub mod av_sync;
pub mod endpoint;
pub mod ffi;
pub mod liveness;
pub mod peer;
pub mod registry;
pub mod sdp_error;
