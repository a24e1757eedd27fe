//! The JSON settings a network endpoint is created with (`sl_net_*_create`), read field by field.
//!
//! The TypeScript side validates every field with typed errors before it calls in; these checks
//! only keep a bad call from reaching a socket.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;

use crate::error_text::ErrorText;
use crate::status::{Error, ErrorKind};

/// Which side opens the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// We connect to `address` and reconnect with backoff when the peer goes away.
    Caller,
    /// We bind `address` and take one caller at a time; after it leaves, the next.
    Listener,
}

/// Settings of an SRT endpoint.
#[derive(Clone, Debug)]
pub struct SrtSettings {
    /// Caller or listener.
    pub mode: Mode,
    /// The peer (caller) or the local address to bind (listener).
    pub address: SocketAddr,
    /// SRT latency (both directions).
    pub latency: Duration,
    /// Passphrase for AES encryption; `None` for none.
    pub passphrase: Option<String>,
    /// AES key size in bytes (16, 24 or 32) when a passphrase is set.
    pub key_size: u16,
    /// Stream id a caller sends.
    pub stream_id: Option<String>,
    /// Access units the queue holds before it drops the oldest.
    pub queue_frames: usize,
    /// Silence after which the peer counts as gone.
    pub idle_timeout: Duration,
    /// Channels of the Opus stream a sink muxes (1 or 2); 0 for video only.
    pub audio_channels: u8,
    /// Whether a sink's audio stream is AAC in ADTS (`"audioCodec": "aac"`) rather than Opus.
    pub audio_aac: bool,
}

/// Settings of an RTMP publisher.
#[derive(Clone, Debug)]
pub struct RtmpSettings {
    /// The server's address (IP and port).
    pub address: SocketAddr,
    /// Application name, e.g. `live`.
    pub app: String,
    /// Stream key, e.g. `key`.
    pub stream_key: String,
    /// The `tcUrl` sent in `connect`, e.g. `rtmp://127.0.0.1:1935/live`.
    pub tc_url: String,
    /// Access units the queue holds before it drops the oldest.
    pub queue_frames: usize,
    /// Whether an AAC audio stream comes too (announced in `onMetaData`).
    pub audio: bool,
}

/// How RTP reaches an RTSP client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RtpTransport {
    /// Interleaved on the RTSP TCP connection.
    Tcp,
    /// On UDP ports of the client's.
    Udp,
}

/// Settings of an RTSP source.
#[derive(Clone, Debug)]
pub struct RtspSettings {
    /// The stream's `rtsp://` URL, without user info.
    pub url: url::Url,
    /// User name and password from the URL's user info, for the server's authentication.
    pub credentials: Option<(String, String)>,
    /// TCP or UDP.
    pub transport: RtpTransport,
    /// Access units the queue holds before it drops the oldest.
    pub queue_frames: usize,
    /// How long connecting (TCP, `DESCRIBE`, `SETUP`, `PLAY`) may take before the attempt fails.
    pub connect_timeout: Duration,
    /// Silence (no video) after which the server counts as gone.
    pub idle_timeout: Duration,
}

fn invalid(what: &'static str, detail: std::fmt::Arguments<'_>) -> Error {
    Error::new(ErrorKind::Unsupported {
        what,
        detail: ErrorText::format(detail),
    })
}

fn parse(json: &[u8]) -> Result<Value, Error> {
    serde_json::from_slice(json)
        .map_err(|e| invalid("network settings", format_args!("not JSON: {e}")))
}

fn text(v: &Value, key: &'static str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn number(v: &Value, key: &'static str, default: u64, min: u64, max: u64) -> Result<u64, Error> {
    let Some(raw) = v.get(key) else {
        return Ok(default);
    };
    let n = raw.as_u64().ok_or_else(|| {
        invalid(
            "network settings",
            format_args!("{key} is not a whole number"),
        )
    })?;
    if !(min..=max).contains(&n) {
        return Err(Error::new(ErrorKind::OutOfRange {
            what: key,
            value: n,
            min,
            max,
        }));
    }
    Ok(n)
}

fn address(v: &Value) -> Result<SocketAddr, Error> {
    let raw = text(v, "address").unwrap_or_default();
    raw.parse()
        .map_err(|_| invalid("network address", format_args!("'{raw}' is not IP:port")))
}

impl SrtSettings {
    /// Reads `{"mode","address","latencyMs","passphrase","keySize","streamId","queueFrames","idleTimeoutMs","audioChannels","audioCodec"}`.
    ///
    /// # Errors
    ///
    /// `InvalidArgument` or `Unsupported` for a field out of range or malformed.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        let v = parse(json)?;
        let mode = match v.get("mode").and_then(Value::as_str) {
            Some("listener") => Mode::Listener,
            Some("caller") | None => Mode::Caller,
            Some(other) => {
                return Err(invalid(
                    "SRT mode",
                    format_args!("'{other}', valid: caller, listener"),
                ));
            }
        };
        let passphrase = text(&v, "passphrase");
        if let Some(p) = &passphrase {
            if !(10..=79).contains(&p.len()) {
                return Err(Error::new(ErrorKind::OutOfRange {
                    what: "SRT passphrase length",
                    value: p.len() as u64,
                    min: 10,
                    max: 79,
                }));
            }
        }
        let key_size = number(&v, "keySize", 16, 16, 32)? as u16;
        if ![16, 24, 32].contains(&key_size) {
            return Err(invalid(
                "SRT key size",
                format_args!("{key_size}, valid: 16, 24, 32"),
            ));
        }
        Ok(Self {
            mode,
            address: address(&v)?,
            latency: Duration::from_millis(number(&v, "latencyMs", 120, 20, 8_000)?),
            passphrase,
            key_size,
            stream_id: text(&v, "streamId"),
            queue_frames: number(&v, "queueFrames", 64, 1, 4_096)? as usize,
            // At least 1.5 s: a live SRT peer with nothing to send sends a keep-alive a second.
            idle_timeout: Duration::from_millis(number(&v, "idleTimeoutMs", 3_000, 1_500, 60_000)?),
            audio_channels: number(&v, "audioChannels", 0, 0, 2)? as u8,
            audio_aac: match text(&v, "audioCodec").as_deref() {
                None | Some("opus") => false,
                Some("aac") => true,
                Some(other) => {
                    return Err(invalid(
                        "SRT audio codec",
                        format_args!("{other}, valid: opus, aac"),
                    ));
                }
            },
        })
    }
}

impl RtmpSettings {
    /// Reads `{"address","app","streamKey","tcUrl","queueFrames","audio"}`.
    ///
    /// # Errors
    ///
    /// `InvalidArgument` or `Unsupported` for a field out of range or missing.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        let v = parse(json)?;
        let address = address(&v)?;
        let app = text(&v, "app").ok_or_else(|| invalid("RTMP app", format_args!("missing")))?;
        let stream_key = text(&v, "streamKey")
            .ok_or_else(|| invalid("RTMP stream key", format_args!("missing")))?;
        let tc_url = text(&v, "tcUrl").unwrap_or_else(|| format!("rtmp://{address}/{app}"));
        Ok(Self {
            address,
            app,
            stream_key,
            tc_url,
            queue_frames: number(&v, "queueFrames", 64, 1, 4_096)? as usize,
            audio: v.get("audio").and_then(Value::as_bool).unwrap_or(false),
        })
    }
}

impl RtspSettings {
    /// Reads `{"url","transport","queueFrames","connectTimeoutMs","idleTimeoutMs"}`.
    ///
    /// # Errors
    ///
    /// `Unsupported` or `OutOfRange` for a URL that is not `rtsp://host...`, an unknown
    /// transport or a number out of range.
    pub fn from_json(json: &[u8]) -> Result<Self, Error> {
        let v = parse(json)?;
        let raw = text(&v, "url").unwrap_or_default();
        let mut url = url::Url::parse(&raw)
            .ok()
            .filter(|u| u.scheme() == "rtsp" && u.host_str().is_some_and(|h| !h.is_empty()))
            .ok_or_else(|| {
                invalid(
                    "RTSP URL",
                    format_args!("'{raw}' is not rtsp://host[:port]/path"),
                )
            })?;
        let credentials = (!url.username().is_empty()).then(|| {
            let decode = |s: &str| {
                url::form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            (decode(url.username()), decode(url.password().unwrap_or("")))
        });
        // Cannot fail for an rtsp:// URL with a host.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let transport = match v.get("transport").and_then(Value::as_str) {
            Some("tcp") | None => RtpTransport::Tcp,
            Some("udp") => RtpTransport::Udp,
            Some(other) => {
                return Err(invalid(
                    "RTSP transport",
                    format_args!("'{other}', valid: tcp, udp"),
                ));
            }
        };
        Ok(Self {
            url,
            credentials,
            transport,
            queue_frames: number(&v, "queueFrames", 64, 1, 4_096)? as usize,
            connect_timeout: Duration::from_millis(number(
                &v,
                "connectTimeoutMs",
                5_000,
                100,
                20_000,
            )?),
            idle_timeout: Duration::from_millis(number(&v, "idleTimeoutMs", 3_000, 500, 60_000)?),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srt_settings_read_defaults_and_refuse_bad_fields() {
        let s = SrtSettings::from_json(br#"{"address":"127.0.0.1:9000"}"#).unwrap();
        assert_eq!(s.mode, Mode::Caller);
        assert_eq!(s.latency, Duration::from_millis(120));
        assert!(SrtSettings::from_json(br#"{"address":"nope"}"#).is_err());
        assert!(SrtSettings::from_json(br#"{"address":"127.0.0.1:1","mode":"x"}"#).is_err());
        assert!(
            SrtSettings::from_json(br#"{"address":"127.0.0.1:1","passphrase":"short"}"#).is_err()
        );
        assert!(SrtSettings::from_json(br#"{"address":"127.0.0.1:1","keySize":20}"#).is_err());
    }

    #[test]
    fn rtsp_settings_take_user_info_out_of_the_url_and_refuse_bad_fields() {
        let s =
            RtspSettings::from_json(br#"{"url":"rtsp://me:p%40ss@10.0.0.2:8554/cam"}"#).unwrap();
        assert_eq!(s.url.as_str(), "rtsp://10.0.0.2:8554/cam");
        assert_eq!(s.credentials, Some(("me".into(), "p@ss".into())));
        assert_eq!(s.transport, RtpTransport::Tcp);
        assert_eq!(s.connect_timeout, Duration::from_secs(5));
        for bad in [
            r#"{"url":"http://10.0.0.2/cam"}"#,
            r#"{"url":"rtsp://"}"#,
            r#"{"url":"not a url"}"#,
            r#"{"url":"rtsp://h/x","transport":"sctp"}"#,
            r#"{"url":"rtsp://h/x","idleTimeoutMs":1}"#,
        ] {
            assert!(RtspSettings::from_json(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
