//! MPEG-TS packets back into H.264 access units and audio packets: the `mpeg2ts` crate parses each
//! packet (PAT, PMT, PES headers, adaptation fields); this file keeps the PES of the first H.264
//! stream and of the first audio stream (Opus, or AAC in ADTS, `stream_type` 0x0F) and emits each
//! when the next of its stream starts. An Opus PES is split into its packets by
//! [`ts_opus::unframe`], an AAC PES into its ADTS frames by [`adts_frames`] (header kept), each
//! stamped from its PTS one packet's duration after another; a PES either refuses (a bad control
//! header or ADTS header, sizes past the end) is dropped and counted in [`TsDemuxer::bad_opus`].
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
use crate::net::ts_opus;

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

/// Turns a TS byte stream (in pieces of any size) into H.264 access units and Opus packets.
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
    audio_pid: Option<u16>,
    /// Whether the audio stream is AAC in ADTS (else Opus).
    audio_aac: bool,
    /// The Opus PES being assembled: its PTS in ns (`None` without one) and payload.
    audio: Option<(Option<i64>, Vec<u8>)>,
    /// Where the last Opus packet ended, in ns: the time of a PES without a PTS.
    audio_end_ns: Option<i64>,
    /// TS packets the crate could not parse (skipped).
    pub bad_packets: u64,
    /// Audio PES refused: a bad Opus control header or ADTS header, or sizes past the end
    /// (dropped).
    pub bad_opus: u64,
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
            audio_pid: None,
            audio_aac: false,
            audio: None,
            audio_end_ns: None,
            bad_packets: 0,
            bad_opus: 0,
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
                Ok(Some(packet)) => {
                    self.take(packet.header.pid.as_u16(), packet.payload, &mut out);
                }
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
                let audio = pmt
                    .es_info
                    .iter()
                    .find(|es| ts_opus::is_opus(es) || es.stream_type == StreamType::AdtsAac);
                self.audio_pid = audio.map(|es| es.elementary_pid.as_u16());
                self.audio_aac = audio.is_some_and(|es| es.stream_type == StreamType::AdtsAac);
            }
            Some(TsPayload::PesStart(pes)) if Some(pid) == self.audio_pid => {
                self.finish_audio(out);
                let ns = pes.header.pts.map(|t| pts_ns(t.as_u64()));
                self.audio = Some((ns, pes.data.to_vec()));
            }
            Some(TsPayload::PesContinuation(bytes)) if Some(pid) == self.audio_pid => {
                if let Some((_, data)) = &mut self.audio {
                    data.extend_from_slice(&bytes);
                }
            }
            Some(TsPayload::PesStart(pes)) if Some(pid) == self.video_pid => {
                out.extend(self.finish_video());
                let ns = pes.header.pts.map_or(0, |t| pts_ns(t.as_u64()));
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

    /// The access unit and the Opus PES being assembled, complete (at the end of a stream).
    pub fn finish(&mut self) -> Vec<AccessUnitItem> {
        let mut out = Vec::new();
        self.finish_audio(&mut out);
        out.extend(self.finish_video());
        out
    }

    fn finish_video(&mut self) -> Option<AccessUnitItem> {
        let (timestamp_ns, data) = self.current.take()?;
        Some(AccessUnitItem {
            keyframe: is_idr(&data),
            data,
            timestamp_ns,
            new_stream: false,
            audio: false,
            h265: false,
            aac: false,
            audio_config: None,
        })
    }

    /// Splits the audio PES being assembled into its packets, or counts it refused.
    fn finish_audio(&mut self, out: &mut Vec<AccessUnitItem>) {
        let Some((pts_ns, data)) = self.audio.take() else {
            return;
        };
        if self.audio_aac {
            let Some(frames) = adts_frames(&data) else {
                self.bad_opus += 1;
                return;
            };
            let mut at_ns = pts_ns.or(self.audio_end_ns).unwrap_or(0);
            for (frame, rate) in frames {
                out.push(AccessUnitItem {
                    data: frame.to_vec(),
                    timestamp_ns: at_ns,
                    keyframe: false,
                    new_stream: false,
                    audio: true,
                    h265: false,
                    aac: true,
                    audio_config: None,
                });
                at_ns += 1024 * 1_000_000_000 / i64::from(rate);
            }
            self.audio_end_ns = Some(at_ns);
            return;
        }
        let Ok(packets) = ts_opus::unframe(&data) else {
            self.bad_opus += 1;
            return;
        };
        let mut at_ns = pts_ns.or(self.audio_end_ns).unwrap_or(0);
        for packet in packets {
            // `unframe` checked every packet's TOC.
            let samples = ts_opus::duration_samples(packet).unwrap_or(0);
            out.push(AccessUnitItem {
                data: packet.to_vec(),
                timestamp_ns: at_ns,
                keyframe: false,
                new_stream: false,
                audio: true,
                h265: false,
                aac: false,
                audio_config: None,
            });
            at_ns += i64::from(samples) * 1_000_000_000 / i64::from(ts_opus::OPUS_RATE);
        }
        self.audio_end_ns = Some(at_ns);
    }
}

/// The sampling frequencies of an ADTS header's index (ISO/IEC 14496-3, 1.6.3.4).
const ADTS_RATES: [u32; 13] = [
    96_000, 88_200, 64_000, 48_000, 44_100, 32_000, 24_000, 22_050, 16_000, 12_000, 11_025, 8_000,
    7_350,
];

/// Splits an AAC PES payload into its ADTS frames, each with its sampling rate; `None` when a
/// header is not ADTS (no sync word, layer other than 0, a reserved frequency index, a frame
/// shorter than its header or running past the payload) or a frame holds more than one raw
/// block (1024 samples each is what the stamps assume).
///
/// # Examples
///
/// ```
/// use streamlib_native::net::ts_demux::adts_frames;
///
/// // 48 kHz (index 3), AAC-LC, stereo: a 7-byte header and 2 bytes of frame.
/// let frame = [0xFF, 0xF1, 0x4C, 0x80, 0x01, 0x3F, 0xFC, 0x21, 0x10];
/// let two = [&frame[..], &frame[..]].concat();
/// let frames = adts_frames(&two).unwrap();
/// assert_eq!(frames.len(), 2);
/// assert_eq!(frames[0], (&frame[..], 48_000));
/// assert!(adts_frames(&frame[..8]).is_none()); // cut short
/// ```
pub fn adts_frames(mut data: &[u8]) -> Option<Vec<(&[u8], u32)>> {
    let mut out = Vec::new();
    while !data.is_empty() {
        if data.len() < 7 || data[0] != 0xFF || data[1] & 0xF6 != 0xF0 {
            return None;
        }
        let rate = *ADTS_RATES.get(usize::from((data[2] >> 2) & 0x0F))?;
        let length = (usize::from(data[3] & 0x03) << 11)
            | (usize::from(data[4]) << 3)
            | usize::from(data[5] >> 5);
        let header = if data[1] & 1 == 0 { 9 } else { 7 }; // with a CRC when protection is on
        if length < header || length > data.len() || data[6] & 0x03 != 0 {
            return None;
        }
        out.push((&data[..length], rate));
        data = &data[length..];
    }
    Some(out)
}

/// A 90 kHz PTS in ns.
fn pts_ns(pts: u64) -> i64 {
    (i128::from(pts) * 100_000 / 9) as i64
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
        assert!(units.iter().all(|u| !u.audio));
        for (i, unit) in units.iter().enumerate() {
            assert_eq!(unit.keyframe, i % 5 == 0);
            assert_eq!(unit.data.len(), 6 + 5 + 700 + i * 97); // AUD + NAL header + payload
            let since_first = unit.timestamp_ns - units[0].timestamp_ns;
            assert!((since_first - i as i64 * 33_333_333).abs() < 20_000);
        }
        assert_eq!(demux.bad_packets, 0);
    }

    #[test]
    fn opus_packets_come_out_on_the_video_clock_and_bad_ones_are_counted() {
        let mut mux = TsMuxer::with_opus(2);
        let mut ts = Vec::new();
        mux.write_access_unit(&[0, 0, 0, 1, 0x65, 1], 5_000_000_000, true, &mut ts)
            .unwrap();
        for i in 0..3i64 {
            let packet = vec![0xFC; 100 + 200 * i as usize];
            mux.write_opus_packet(&packet, 5_000_000_000 + i * 20_000_000, &mut ts)
                .unwrap();
        }
        // A PES whose payload has no control header: refused, counted, nothing output.
        let mut bad = Vec::new();
        mux.write_opus_packet(&[0xFC, 1, 2], 5_060_000_000, &mut bad)
            .unwrap();
        let at = bad.len() - TS_PACKET_BYTES;
        let start = at
            + bad[at..]
                .windows(2)
                .position(|w| w == [0x7F, 0xE0])
                .unwrap();
        bad[start] = 0x12;
        ts.extend_from_slice(&bad);
        mux.write_access_unit(&[0, 0, 0, 1, 0x41, 2], 5_080_000_000, false, &mut ts)
            .unwrap();
        mux.write_opus_packet(&[0xFC, 3], 5_080_000_000, &mut ts)
            .unwrap();
        let mut demux = TsDemuxer::new();
        let mut units = Vec::new();
        for chunk in ts.chunks(1316) {
            units.extend(demux.push(chunk));
        }
        units.extend(demux.finish());
        let audio: Vec<(usize, i64)> = units
            .iter()
            .filter(|u| u.audio)
            .map(|u| (u.data.len(), u.timestamp_ns - units[0].timestamp_ns))
            .collect();
        assert_eq!(
            audio,
            [
                (100, 0),
                (300, 20_000_000),
                (500, 40_000_000),
                (2, 80_000_000)
            ]
        );
        assert_eq!(units.iter().filter(|u| !u.audio).count(), 2);
        assert_eq!(demux.bad_opus, 1);
    }

    #[test]
    fn aac_frames_come_out_whole_and_a_bad_adts_header_is_counted() {
        let mut mux = TsMuxer::with_aac();
        let mut ts = Vec::new();
        mux.write_access_unit(&[0, 0, 0, 1, 0x65, 1], 5_000_000_000, true, &mut ts)
            .unwrap();
        let adts = |n: usize| {
            let length = 7 + n;
            let mut f = vec![
                0xFF,
                0xF1,
                0x4C, // AAC-LC, 48 kHz
                0x80 | (length >> 11) as u8,
                (length >> 3) as u8,
                ((length & 7) << 5) as u8 | 0x1F,
                0xFC,
            ];
            f.extend(std::iter::repeat_n(0x21, n));
            f
        };
        for i in 0..3i64 {
            mux.write_audio_packet(
                &adts(100 + 50 * i as usize),
                5_000_000_000 + i * 21_333_333,
                &mut ts,
            )
            .unwrap();
        }
        let mut bad = adts(10);
        bad[0] = 0x12; // no sync word: refused, counted
        mux.write_audio_packet(&bad, 5_064_000_000, &mut ts)
            .unwrap();
        mux.write_access_unit(&[0, 0, 0, 1, 0x41, 2], 5_080_000_000, false, &mut ts)
            .unwrap();
        let mut demux = TsDemuxer::new();
        let mut units = Vec::new();
        for chunk in ts.chunks(1316) {
            units.extend(demux.push(chunk));
        }
        units.extend(demux.finish());
        let audio: Vec<(usize, bool)> = units
            .iter()
            .filter(|u| u.audio)
            .map(|u| (u.data.len(), u.aac))
            .collect();
        assert_eq!(audio, [(107, true), (157, true), (207, true)]);
        assert_eq!(demux.bad_opus, 1);
    }
}
