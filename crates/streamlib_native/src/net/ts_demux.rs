//! MPEG-TS packets back into H.264 access units: the `mpeg2ts` crate parses each packet (PAT,
//! PMT, PES headers, adaptation fields); this file keeps the PES of the first H.264 stream and
//! emits it when the next one starts.
//!
//! The crate's own `PesPacketReader` ends for good at the end of its input, which a live stream
//! never has, so packets are fed to a `TsPacketReader` one at a time.

use std::cell::RefCell;
use std::io::Read;
use std::rc::Rc;

use mpeg2ts::es::StreamType;
use mpeg2ts::ts::{ReadTsPacket, TsPacketReader, TsPayload};

use crate::media::h264_bitstream::is_idr;
use crate::net::sink_shared::AccessUnitItem;
use crate::net::ts_mux::TS_PACKET_BYTES;

/// One packet at a time, handed to the crate's reader.
#[derive(Default)]
struct OnePacket(Rc<RefCell<(Vec<u8>, usize)>>);

impl Read for OnePacket {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut inner = self.0.borrow_mut();
        let (data, at) = &mut *inner;
        let n = buf.len().min(data.len() - *at);
        buf[..n].copy_from_slice(&data[*at..*at + n]);
        *at += n;
        Ok(n)
    }
}

/// Turns a TS byte stream (in pieces of any size) into H.264 access units.
///
/// # Examples
///
/// ```
/// use streamlib_native::net::ts_demux::TsDemuxer;
/// use streamlib_native::net::ts_mux::TsMuxer;
///
/// let mut mux = TsMuxer::new();
/// let mut ts = Vec::new();
/// mux.write_access_unit(&[0, 0, 0, 1, 0x65, 1, 2, 3], 0, true, &mut ts).unwrap();
/// mux.write_access_unit(&[0, 0, 0, 1, 0x41, 4], 40_000_000, false, &mut ts).unwrap();
/// let mut demux = TsDemuxer::new();
/// let units = demux.push(&ts);
/// assert_eq!(units.len(), 1); // the second is complete when a third starts
/// assert!(units[0].keyframe);
/// assert!(units[0].data.ends_with(&[0x65, 1, 2, 3]));
/// ```
pub struct TsDemuxer {
    packet: Rc<RefCell<(Vec<u8>, usize)>>,
    reader: TsPacketReader<OnePacket>,
    carry: Vec<u8>,
    video_pid: Option<u16>,
    current: Option<(i64, Vec<u8>)>,
    /// TS packets the crate could not parse (skipped).
    pub bad_packets: u64,
}

impl Default for TsDemuxer {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for TsDemuxer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TsDemuxer")
            .field("video_pid", &self.video_pid)
            .finish()
    }
}

impl TsDemuxer {
    /// A demuxer waiting for a PAT.
    pub fn new() -> Self {
        let packet = Rc::new(RefCell::new((Vec::with_capacity(TS_PACKET_BYTES), 0)));
        Self {
            reader: TsPacketReader::new(OnePacket(packet.clone())),
            packet,
            carry: Vec::new(),
            video_pid: None,
            current: None,
            bad_packets: 0,
        }
    }

    /// Feeds bytes; returns the access units completed by them.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<AccessUnitItem> {
        let mut out = Vec::new();
        self.carry.extend_from_slice(bytes);
        let mut at = 0;
        while self.carry.len() - at >= TS_PACKET_BYTES {
            if self.carry[at] != 0x47 {
                at += 1; // resynchronise on the sync byte
                continue;
            }
            {
                let mut p = self.packet.borrow_mut();
                p.0.clear();
                p.0.extend_from_slice(&self.carry[at..at + TS_PACKET_BYTES]);
                p.1 = 0;
            }
            at += TS_PACKET_BYTES;
            match self.reader.read_ts_packet() {
                Ok(Some(packet)) => self.take(packet.header.pid.as_u16(), packet.payload, &mut out),
                Ok(None) => {}
                Err(_) => self.bad_packets += 1,
            }
        }
        self.carry.drain(..at);
        out
    }

    fn take(&mut self, pid: u16, payload: Option<TsPayload>, out: &mut Vec<AccessUnitItem>) {
        match payload {
            Some(TsPayload::Pmt(pmt)) if self.video_pid.is_none() => {
                self.video_pid = pmt
                    .es_info
                    .iter()
                    .find(|es| es.stream_type == StreamType::H264)
                    .map(|es| es.elementary_pid.as_u16());
            }
            Some(TsPayload::PesStart(pes)) if Some(pid) == self.video_pid => {
                if let Some(unit) = self.finish() {
                    out.push(unit);
                }
                let pts = pes.header.pts.map_or(0, |t| t.as_u64());
                let ns = (pts as i128 * 100_000 / 9) as i64;
                self.current = Some((ns, pes.data.to_vec()));
            }
            Some(TsPayload::PesContinuation(bytes)) if Some(pid) == self.video_pid => {
                if let Some((_, data)) = &mut self.current {
                    data.extend_from_slice(&bytes);
                }
            }
            _ => {}
        }
    }

    /// The access unit being assembled, complete (at the end of a stream).
    pub fn finish(&mut self) -> Option<AccessUnitItem> {
        let (timestamp_ns, data) = self.current.take()?;
        Some(AccessUnitItem {
            keyframe: is_idr(&data),
            data,
            timestamp_ns,
            new_stream: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::ts_mux::TsMuxer;

    #[test]
    fn units_survive_any_chunking_and_leading_garbage() {
        let mut mux = TsMuxer::new();
        let mut ts = vec![0xAB, 0xCD, 0xEF]; // not a sync byte: skipped
        for i in 0..10u8 {
            let mut unit = vec![0, 0, 0, 1, if i % 5 == 0 { 0x65 } else { 0x41 }];
            unit.extend(std::iter::repeat_n(i, 700 + usize::from(i) * 97));
            mux.write_access_unit(&unit, i64::from(i) * 33_333_333, i % 5 == 0, &mut ts)
                .unwrap();
        }
        let mut demux = TsDemuxer::new();
        let mut units = Vec::new();
        for chunk in ts.chunks(333) {
            units.extend(demux.push(chunk));
        }
        units.extend(demux.finish());
        assert_eq!(units.len(), 10);
        for (i, unit) in units.iter().enumerate() {
            assert_eq!(unit.keyframe, i % 5 == 0);
            assert_eq!(unit.data.len(), 6 + 5 + 700 + i * 97); // AUD + NAL header + payload
            let since_first = unit.timestamp_ns - units[0].timestamp_ns;
            assert!((since_first - i as i64 * 33_333_333).abs() < 20_000);
        }
        assert_eq!(demux.bad_packets, 0);
    }
}
