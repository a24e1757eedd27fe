//! Network outputs and inputs: SRT (MPEG-TS over `srt-protocol`, driven as `srt-tokio` does in
//! [`srt_link`]), RTMP (FLV over `rml_rtmp`) and RTSP in (`retina`).
//!
//! Each endpoint runs on its own native thread with a tokio current-thread runtime. The graph's
//! thread talks to it only through a [`sink_shared::SinkShared`]: a bounded queue that drops the
//! oldest access unit when full (so a stalled peer never blocks the graph), a stop flag and
//! counters read by `sl_net_stats`. Nothing calls back into JavaScript.

pub mod avcc;
pub mod config;
pub mod flv_audio;
pub mod flv_video;
pub mod handles;
pub mod rtmp_sink;
pub mod rtsp_source;
pub mod sink_shared;
pub mod srt_guard;
pub mod srt_link;
pub mod srt_sink;
pub mod srt_source;
pub mod tcp_rtt;
pub mod ts_demux;
pub mod ts_mux;
pub mod ts_opus;
