//! The handle table of network endpoints (sinks and sources: SRT, RTMP, RTSP) and the thread each
//! runs on.
//!
//! The crate's eight handle tags are all taken, so this table shares tag 7 with the capture
//! table: a capture handle passed to a network call is refused by the generation check, or by the
//! endpoint's kind, like any stale handle.

use std::sync::{Arc, LazyLock};
use std::thread::JoinHandle;

use crate::error_text::ErrorText;
use crate::handle_table::HandleTable;
use crate::net::config::SrtSettings;
use crate::net::sink_shared::{AccessUnitItem, SinkShared};
use crate::net::srt_guard::contained;
use crate::status::{Error, ErrorKind};

/// Live network endpoints at most.
pub const NET_HANDLE_CAPACITY: u32 = 256;

/// Endpoint kinds of `sl_net_sink_create` / `sl_net_source_create`.
pub mod kind {
    /// SRT carrying MPEG-TS.
    pub const SRT: u32 = 0;
    /// RTMP carrying FLV (sinks only).
    pub const RTMP: u32 = 1;
    /// RTSP with RTP over TCP or UDP (sources only).
    pub const RTSP: u32 = 2;
}

/// A sending or receiving endpoint and its thread.
#[derive(Debug)]
pub struct NetEndpoint {
    /// The queue and counters shared with the thread.
    pub shared: Arc<SinkShared>,
    /// Whether it sends (`push`) or receives (`read`).
    pub sends: bool,
    waiting_for_keyframe: bool,
    thread: Option<JoinHandle<()>>,
}

impl NetEndpoint {
    fn spawn(
        shared: Arc<SinkShared>,
        sends: bool,
        name: &str,
        body: impl FnOnce(Arc<SinkShared>) + Send + 'static,
    ) -> Result<Self, Error> {
        let inner = shared.clone();
        let thread_name = name.to_owned();
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                // A panic ends the thread but not silently: the endpoint records it, and the
                // graph's next push or read reports it (the node fails with a code).
                if let Err(panic) = contained(|| body(inner.clone())) {
                    inner.fail(format!("{thread_name} panicked: {panic}"));
                }
            })
            .map_err(|_| {
                Error::new(ErrorKind::OutOfMemory {
                    what: "network thread",
                    bytes: 0,
                })
            })?;
        Ok(Self {
            shared,
            sends,
            waiting_for_keyframe: true,
            thread: Some(thread),
        })
    }

    /// Starts a sink of `kind` configured by `json`.
    ///
    /// # Errors
    ///
    /// A settings error, or `UnknownCode` for an unknown kind.
    pub fn sink(kind_code: u32, json: &[u8]) -> Result<Self, Error> {
        match kind_code {
            kind::SRT => {
                let settings = SrtSettings::from_json(json)?;
                let shared = Arc::new(SinkShared::new(settings.queue_frames));
                Self::spawn(shared, true, "sl-srt-sink", move |s| {
                    crate::net::srt_sink::run(s, settings)
                })
            }
            kind::RTMP => {
                let settings = crate::net::config::RtmpSettings::from_json(json)?;
                let shared = Arc::new(SinkShared::new(settings.queue_frames));
                Self::spawn(shared, true, "sl-rtmp-sink", move |s| {
                    crate::net::rtmp_sink::run(s, settings)
                })
            }
            value => Err(unknown_kind(value, "0 (SRT), 1 (RTMP); RTSP only receives")),
        }
    }

    /// Starts a source of `kind` configured by `json`.
    ///
    /// # Errors
    ///
    /// A settings error, or `UnknownCode` for an unknown kind.
    pub fn source(kind_code: u32, json: &[u8]) -> Result<Self, Error> {
        match kind_code {
            kind::SRT => {
                let settings = SrtSettings::from_json(json)?;
                let shared = Arc::new(SinkShared::new(settings.queue_frames));
                Self::spawn(shared, false, "sl-srt-source", move |s| {
                    crate::net::srt_source::run(s, settings)
                })
            }
            kind::RTSP => {
                let settings = crate::net::config::RtspSettings::from_json(json)?;
                let shared = Arc::new(SinkShared::new(settings.queue_frames));
                Self::spawn(shared, false, "sl-rtsp-source", move |s| {
                    crate::net::rtsp_source::run(s, settings)
                })
            }
            value => Err(unknown_kind(value, "0 (SRT), 2 (RTSP)")),
        }
    }

    /// The next received access unit; after a drop, the next keyframe (what is skipped is
    /// counted as dropped).
    pub fn next_unit(&mut self) -> Option<AccessUnitItem> {
        loop {
            self.waiting_for_keyframe |= self.shared.take_overflow();
            let unit = self.shared.pop()?;
            if self.waiting_for_keyframe && !unit.keyframe {
                self.shared
                    .add(crate::net::sink_shared::stat::FRAMES_DROPPED, 1);
                continue;
            }
            self.waiting_for_keyframe = false;
            return Some(unit);
        }
    }
}

fn unknown_kind(value: u32, valid: &'static str) -> Error {
    Error::new(ErrorKind::UnknownCode {
        what: "network endpoint kind",
        value,
        valid,
    })
}

impl NetEndpoint {
    /// Stops the thread (a sink sends what is queued and closes the connection) and joins it;
    /// the counters stay readable. Idempotent.
    pub fn stop(&mut self) {
        self.shared.request_stop();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for NetEndpoint {
    fn drop(&mut self) {
        self.stop();
    }
}

static ENDPOINTS: LazyLock<HandleTable<NetEndpoint>> =
    LazyLock::new(|| HandleTable::new("network endpoint", 7, NET_HANDLE_CAPACITY));

/// Stores the endpoint and returns its handle.
pub(crate) fn insert(endpoint: NetEndpoint) -> Result<u32, Error> {
    ENDPOINTS.insert(endpoint)
}

/// Frees the handle: stops the thread (closing the connection) and joins it.
pub(crate) fn remove(handle: u32) -> Result<(), Error> {
    ENDPOINTS.remove(handle).map(drop)
}

/// Runs `f` on the endpoint, refusing one of the wrong direction, or one whose thread failed
/// (a `Device` error naming the failure).
pub(crate) fn with<R>(
    handle: u32,
    sends: bool,
    operation: &'static str,
    f: impl FnOnce(&mut NetEndpoint) -> R,
) -> Result<R, Error> {
    ENDPOINTS.with_exclusive(handle, |e| {
        if let Some(failure) = e.shared.failure() {
            return Err(Error::new(ErrorKind::Device {
                what: "network endpoint thread",
                detail: ErrorText::format(format_args!(
                    "{failure}; the endpoint has stopped, restart the node"
                )),
            }));
        }
        if e.sends != sends {
            return Err(Error::new(ErrorKind::WrongEndpoint {
                operation,
                handle,
                expected: if sends {
                    "network sink"
                } else {
                    "network source"
                },
            }));
        }
        Ok(f(e))
    })?
}

/// Runs `f` on an endpoint of either direction.
pub(crate) fn with_any<R>(handle: u32, f: impl FnOnce(&mut NetEndpoint) -> R) -> Result<R, Error> {
    ENDPOINTS.with_exclusive(handle, f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::sink_shared::stat;
    use crate::status::Status;

    #[test]
    fn a_panicking_thread_fails_the_endpoint_and_its_next_call_reports_it() {
        let shared = Arc::new(SinkShared::new(4));
        let mut endpoint = NetEndpoint::spawn(shared.clone(), false, "sl-test", |_| {
            panic!("boom");
        })
        .unwrap();
        endpoint.stop(); // joins the thread, which has failed
        assert_eq!(shared.get(stat::FAILED), 1);
        assert_eq!(shared.get(stat::CONNECTED), 0);
        assert_eq!(shared.failure().as_deref(), Some("sl-test panicked: boom"));
        let handle = insert(endpoint).unwrap();
        let error = with(handle, false, "sl_net_source_read", |_| ()).unwrap_err();
        assert_eq!(error.status(), Status::Device);
        assert!(
            error.to_string().contains("sl-test panicked: boom"),
            "{error}"
        );
        // The counters stay readable.
        let stats = with_any(handle, |e| e.shared.snapshot()).unwrap();
        assert_eq!(stats[stat::FAILED], 1.0);
        remove(handle).unwrap();
    }
}
