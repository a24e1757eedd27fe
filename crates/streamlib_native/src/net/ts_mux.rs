//! H.264 access units and Opus or AAC (ADTS) packets into 188-byte MPEG-TS packets, serialized
//! by the `mpeg2ts` crate.
//!
//! The crate writes every structure (PAT, PMT, PES headers, adaptation fields with PCR and
//! stuffing, CRCs); this file only decides which packets to make: one program with one H.264
//! stream on [`VIDEO_PID`] and, when made [`TsMuxer::with_opus`], one Opus stream on
//! [`OPUS_PID`] (framed by [`crate::net::ts_opus`], one packet per PES) or, made
//! [`TsMuxer::with_aac`], one AAC stream (`stream_type` 0x0F, ADTS frames as they come, one per
//! PES) on the same PID, all on one clock (the
//! first access unit's time is PTS [`PTS_BASE`]), PAT and PMT in front of every keyframe and at least every
//! [`TABLE_INTERVAL_TICKS`], a PCR in the first packet of every access unit, PTS from the frame
//! time (no B-frames, so no DTS), and an access unit delimiter in front of every access unit that
//! lacks one (H.222.0 requires it for H.264 in TS).

use crate::net::ts_opus::{self, OPUS_PID};
use mpeg2ts::es::{StreamId, StreamType};
use mpeg2ts::pes::PesHeader;
use mpeg2ts::time::{ClockReference, Timestamp};
use mpeg2ts::ts::payload::{Bytes, Pat, Pes, Pmt};
use mpeg2ts::ts::{
    AdaptationField, ContinuityCounter, EsInfo, Pid, ProgramAssociation,
    TransportScramblingControl, TsHeader, TsPacket, TsPacketWriter, TsPayload, VersionNumber,
    WriteTsPacket,
};

/// Bytes of one TS packet.
pub const TS_PACKET_BYTES: usize = TsPacket::SIZE;
/// PID of the program map table.
pub const PMT_PID: u16 = 0x1000;
/// PID of the H.264 stream (also the PCR PID).
pub const VIDEO_PID: u16 = 0x100;
/// PAT and PMT go out at least this often, in 90 kHz ticks (0.5 s).
pub const TABLE_INTERVAL_TICKS: u64 = 45_000;
/// The first access unit's PTS, in 90 kHz ticks (1 s), so the PCR can lead it from zero (and
/// audio up to a second older than the first video still has a PTS).
pub const PTS_BASE: u64 = 90_000;
/// How far the PCR leads the PTS of the access unit it is sent with, in 90 kHz ticks (100 ms).
const PCR_LEAD: u64 = 9_000;
const AUD: [u8; 6] = [0, 0, 0, 1, 9, 0xF0];
/// PES header bytes with a PTS and nothing else.
const PES_HEADER_BYTES: usize = 14;
/// Adaptation field bytes with a PCR.
const PCR_FIELD_BYTES: usize = 8;

/// Writes MPEG-TS packets for H.264 access units, keeping continuity counters and table timing.
///
/// # Examples
///
/// ```
/// use streamlib_native::net::ts_mux::{TsMuxer, TS_PACKET_BYTES};
///
/// let mut mux = TsMuxer::new();
/// let mut out = Vec::new();
/// let idr = [0, 0, 0, 1, 0x65, 0x88, 0x84, 0x00];
/// mux.write_access_unit(&idr, 0, true, &mut out).unwrap();
/// assert_eq!(out.len() % TS_PACKET_BYTES, 0);
/// assert_eq!(out[0], 0x47); // PAT first
/// ```
#[derive(Debug)]
pub struct TsMuxer {
    pat_cc: ContinuityCounter,
    pmt_cc: ContinuityCounter,
    video_cc: ContinuityCounter,
    audio_cc: ContinuityCounter,
    /// Channels of the Opus stream the PMT declares; 0 for none.
    opus_channels: u8,
    /// Whether the PMT declares an AAC (ADTS) stream instead.
    aac: bool,
    first_ns: Option<i64>,
    last_tables: Option<u64>,
}

impl Default for TsMuxer {
    fn default() -> Self {
        Self::new()
    }
}

fn pid(value: u16) -> Pid {
    Pid::new(value).expect("constant PIDs are below 0x1FFF")
}

fn header(pid_value: u16, cc: &mut ContinuityCounter) -> TsHeader {
    let header = TsHeader {
        transport_error_indicator: false,
        transport_priority: false,
        pid: pid(pid_value),
        transport_scrambling_control: TransportScramblingControl::NotScrambled,
        continuity_counter: *cc,
    };
    cc.increment();
    header
}

fn codec_error(detail: mpeg2ts::Error) -> crate::status::Error {
    crate::status::Error::new(crate::status::ErrorKind::Codec {
        what: "MPEG-TS mux",
        detail: crate::error_text::ErrorText::format(format_args!("{detail}")),
    })
}

impl TsMuxer {
    /// A muxer of H.264 only, whose first access unit starts the clock.
    pub fn new() -> Self {
        Self::with_opus(0)
    }

    /// A muxer whose PMT also declares an Opus stream of `channels` (1 or 2; 0 for none), written
    /// with [`TsMuxer::write_opus_packet`].
    pub fn with_opus(channels: u8) -> Self {
        Self {
            pat_cc: ContinuityCounter::new(),
            pmt_cc: ContinuityCounter::new(),
            video_cc: ContinuityCounter::new(),
            audio_cc: ContinuityCounter::new(),
            opus_channels: channels,
            aac: false,
            first_ns: None,
            last_tables: None,
        }
    }

    /// A muxer whose PMT also declares an AAC stream in ADTS (`stream_type` 0x0F, the mapping
    /// ffmpeg and GStreamer write and read), written with [`TsMuxer::write_audio_packet`].
    pub fn with_aac() -> Self {
        Self {
            aac: true,
            ..Self::with_opus(0)
        }
    }

    /// Appends one audio packet: an ADTS frame when the muxer declares AAC, an Opus packet
    /// otherwise ([`TsMuxer::write_opus_packet`]).
    ///
    /// # Errors
    ///
    /// `Codec` when the muxer declares no audio stream, or the crate refuses a packet.
    ///
    /// # Examples
    ///
    /// ```
    /// use streamlib_native::net::ts_mux::{TsMuxer, TS_PACKET_BYTES};
    ///
    /// let mut mux = TsMuxer::with_aac();
    /// let mut out = Vec::new();
    /// mux.write_access_unit(&[0, 0, 0, 1, 0x65, 0x88], 0, true, &mut out).unwrap();
    /// let adts = [0xFF, 0xF1, 0x4C, 0x80, 0x01, 0x3F, 0xFC, 0x21];
    /// mux.write_audio_packet(&adts, 10_000_000, &mut out).unwrap();
    /// assert_eq!(out.len() % TS_PACKET_BYTES, 0);
    /// ```
    pub fn write_audio_packet(
        &mut self,
        packet: &[u8],
        timestamp_ns: i64,
        out: &mut Vec<u8>,
    ) -> Result<(), crate::status::Error> {
        if !self.aac {
            return self.write_opus_packet(packet, timestamp_ns, out);
        }
        self.write_audio_pes(packet, StreamId::AUDIO_MIN, timestamp_ns, out)
    }

    /// The PTS (90 kHz) of `timestamp_ns` on the stream's clock: [`PTS_BASE`] at the first
    /// access unit (audio or video) written, earlier times down to zero.
    fn pts(&mut self, timestamp_ns: i64) -> u64 {
        let first = *self.first_ns.get_or_insert(timestamp_ns);
        let elapsed_ns = i128::from(timestamp_ns) - i128::from(first);
        let ticks = (elapsed_ns * 9 + 50_000).div_euclid(100_000);
        let pts = (i128::from(PTS_BASE) + ticks).max(0);
        (pts as u64) % (Timestamp::MAX + 1)
    }

    /// Appends the TS packets of one Opus packet (one PES on [`OPUS_PID`], no PCR) to `out`.
    ///
    /// # Errors
    ///
    /// `Codec` when the muxer declares no Opus stream, or the crate refuses a packet.
    ///
    /// # Examples
    ///
    /// ```
    /// use streamlib_native::net::ts_mux::{TsMuxer, TS_PACKET_BYTES};
    ///
    /// let mut mux = TsMuxer::with_opus(2);
    /// let mut out = Vec::new();
    /// mux.write_access_unit(&[0, 0, 0, 1, 0x65, 0x88], 0, true, &mut out).unwrap();
    /// mux.write_opus_packet(&[0xFC, 1, 2, 3], 20_000_000, &mut out).unwrap();
    /// assert_eq!(out.len() % TS_PACKET_BYTES, 0);
    /// assert!(TsMuxer::new().write_opus_packet(&[0xFC], 0, &mut out).is_err());
    /// ```
    pub fn write_opus_packet(
        &mut self,
        packet: &[u8],
        timestamp_ns: i64,
        out: &mut Vec<u8>,
    ) -> Result<(), crate::status::Error> {
        if self.opus_channels == 0 {
            return Err(crate::status::Error::new(crate::status::ErrorKind::Codec {
                what: "MPEG-TS mux",
                detail: crate::error_text::ErrorText::format(format_args!(
                    "an Opus packet for a muxer without an Opus stream"
                )),
            }));
        }
        let mut payload = Vec::with_capacity(packet.len() + 8);
        ts_opus::frame(packet, &mut payload);
        self.write_audio_pes(&payload, StreamId::PRIVATE_STREAM_1, timestamp_ns, out)
    }

    /// One audio PES (`payload` framed already) on [`OPUS_PID`], no PCR.
    fn write_audio_pes(
        &mut self,
        payload: &[u8],
        stream_id: u8,
        timestamp_ns: i64,
        out: &mut Vec<u8>,
    ) -> Result<(), crate::status::Error> {
        let pts = self.pts(timestamp_ns);
        // The PES length counts the optional header (3 bytes plus a 5-byte PTS) and the payload.
        let pes_packet_len = u16::try_from(payload.len() + 8).unwrap_or(0);
        let mut writer = TsPacketWriter::new(out);
        let first_len = (Bytes::MAX_SIZE - PES_HEADER_BYTES).min(payload.len());
        let (head, mut rest) = payload.split_at(first_len);
        let pes = Pes {
            header: PesHeader {
                stream_id: StreamId::new(stream_id),
                priority: false,
                data_alignment_indicator: true,
                copyright: false,
                original_or_copy: false,
                pts: Some(Timestamp::new(pts).map_err(codec_error)?),
                dts: None,
                escr: None,
            },
            pes_packet_len,
            data: Bytes::new(head).map_err(codec_error)?,
        };
        self.write(&mut writer, OPUS_PID, None, TsPayload::PesStart(pes))?;
        while !rest.is_empty() {
            let (chunk, tail) = rest.split_at(Bytes::MAX_SIZE.min(rest.len()));
            let bytes = Bytes::new(chunk).map_err(codec_error)?;
            self.write(
                &mut writer,
                OPUS_PID,
                None,
                TsPayload::PesContinuation(bytes),
            )?;
            rest = tail;
        }
        Ok(())
    }

    /// Appends the TS packets of one access unit (Annex B) to `out`: PAT and PMT first when due.
    ///
    /// # Errors
    ///
    /// `Codec` when the crate refuses a packet (a bug, not bad input).
    pub fn write_access_unit(
        &mut self,
        access_unit: &[u8],
        timestamp_ns: i64,
        keyframe: bool,
        out: &mut Vec<u8>,
    ) -> Result<(), crate::status::Error> {
        let pts = self.pts(timestamp_ns);
        let mut writer = TsPacketWriter::new(out);
        let tables_due = self
            .last_tables
            .is_none_or(|last| keyframe || pts.wrapping_sub(last) >= TABLE_INTERVAL_TICKS);
        if tables_due {
            self.write_tables(&mut writer)?;
            self.last_tables = Some(pts);
        }
        let needs_aud = !access_unit.starts_with(&AUD[..5]) && !access_unit.starts_with(&AUD[1..5]);
        let mut payload = Vec::with_capacity(access_unit.len() + AUD.len());
        if needs_aud {
            payload.extend_from_slice(&AUD);
        }
        payload.extend_from_slice(access_unit);
        let first_len = (Bytes::MAX_SIZE - PES_HEADER_BYTES - PCR_FIELD_BYTES).min(payload.len());
        let (head, mut rest) = payload.split_at(first_len);
        let pes = Pes {
            header: PesHeader {
                stream_id: StreamId::new(StreamId::VIDEO_MIN),
                priority: false,
                data_alignment_indicator: true,
                copyright: false,
                original_or_copy: false,
                pts: Some(Timestamp::new(pts).map_err(codec_error)?),
                dts: None,
                escr: None,
            },
            pes_packet_len: 0,
            data: Bytes::new(head).map_err(codec_error)?,
        };
        let pcr = pts.saturating_sub(PCR_LEAD) * 300;
        let field = AdaptationField {
            discontinuity_indicator: false,
            random_access_indicator: keyframe,
            es_priority_indicator: false,
            pcr: Some(ClockReference::new(pcr).map_err(codec_error)?),
            opcr: None,
            splice_countdown: None,
            transport_private_data: Vec::new(),
            extension: None,
        };
        self.write(
            &mut writer,
            VIDEO_PID,
            Some(field),
            TsPayload::PesStart(pes),
        )?;
        while !rest.is_empty() {
            let (chunk, tail) = rest.split_at(Bytes::MAX_SIZE.min(rest.len()));
            let bytes = Bytes::new(chunk).map_err(codec_error)?;
            self.write(
                &mut writer,
                VIDEO_PID,
                None,
                TsPayload::PesContinuation(bytes),
            )?;
            rest = tail;
        }
        Ok(())
    }

    fn write_tables(
        &mut self,
        writer: &mut TsPacketWriter<&mut Vec<u8>>,
    ) -> Result<(), crate::status::Error> {
        let pat = Pat {
            transport_stream_id: 1,
            version_number: VersionNumber::new(),
            table: vec![ProgramAssociation {
                program_num: 1,
                program_map_pid: pid(PMT_PID),
            }],
        };
        self.write(writer, Pid::PAT, None, TsPayload::Pat(pat))?;
        let pmt = Pmt {
            program_num: 1,
            pcr_pid: Some(pid(VIDEO_PID)),
            version_number: VersionNumber::new(),
            program_info: Vec::new(),
            es_info: self.es_info(),
        };
        self.write(writer, PMT_PID, None, TsPayload::Pmt(pmt))
    }

    fn es_info(&self) -> Vec<EsInfo> {
        let mut streams = vec![EsInfo {
            stream_type: StreamType::H264,
            elementary_pid: pid(VIDEO_PID),
            descriptors: Vec::new(),
        }];
        if self.aac {
            streams.push(EsInfo {
                stream_type: StreamType::AdtsAac,
                elementary_pid: pid(OPUS_PID),
                descriptors: Vec::new(),
            });
        } else if self.opus_channels > 0 {
            streams.push(EsInfo {
                stream_type: StreamType::Mpeg2PacketizedData,
                elementary_pid: pid(OPUS_PID),
                descriptors: ts_opus::descriptors(self.opus_channels),
            });
        }
        streams
    }

    fn write(
        &mut self,
        writer: &mut TsPacketWriter<&mut Vec<u8>>,
        pid_value: u16,
        adaptation_field: Option<AdaptationField>,
        payload: TsPayload,
    ) -> Result<(), crate::status::Error> {
        let cc = match pid_value {
            Pid::PAT => &mut self.pat_cc,
            PMT_PID => &mut self.pmt_cc,
            OPUS_PID => &mut self.audio_cc,
            _ => &mut self.video_cc,
        };
        let packet = TsPacket {
            header: header(pid_value, cc),
            adaptation_field,
            payload: Some(payload),
        };
        writer.write_ts_packet(&packet).map_err(codec_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mpeg2ts::ts::{ReadTsPacket, TsPacketReader};

    #[test]
    fn access_units_round_trip_through_the_crate_reader() {
        let mut mux = TsMuxer::new();
        let mut out = Vec::new();
        let big: Vec<u8> = [0, 0, 0, 1, 0x65]
            .into_iter()
            .chain((0..1000).map(|i| i as u8))
            .collect();
        mux.write_access_unit(&big, 0, true, &mut out).unwrap();
        mux.write_access_unit(&[0, 0, 0, 1, 0x41, 1], 33_333_333, false, &mut out)
            .unwrap();
        assert_eq!(out.len() % TS_PACKET_BYTES, 0);
        let mut reader = TsPacketReader::new(&out[..]);
        let mut pes = Vec::new();
        let mut data = 0;
        while let Some(packet) = reader.read_ts_packet().unwrap() {
            match packet.payload {
                Some(TsPayload::PesStart(p)) => {
                    pes.push(p.header.pts.unwrap().as_u64());
                    data += p.data.len();
                }
                Some(TsPayload::PesContinuation(b)) => data += b.len(),
                _ => {}
            }
        }
        assert_eq!(pes, vec![PTS_BASE, PTS_BASE + 3000]);
        assert_eq!(data, big.len() + 6 + 6 + 6); // two AUDs and the second unit
    }

    #[test]
    fn opus_packets_share_the_video_clock_and_the_pmt_declares_them() {
        let mut mux = TsMuxer::with_opus(2);
        let mut out = Vec::new();
        mux.write_access_unit(&[0, 0, 0, 1, 0x65, 1], 1_000_000_000, true, &mut out)
            .unwrap();
        // 10 ms before the first video, and a packet spanning three TS packets.
        mux.write_opus_packet(&[0xFC, 1], 990_000_000, &mut out)
            .unwrap();
        mux.write_opus_packet(&vec![0xFC; 400], 1_010_000_000, &mut out)
            .unwrap();
        let mut reader = TsPacketReader::new(&out[..]);
        let mut audio = Vec::new();
        let mut declared = None;
        while let Some(packet) = reader.read_ts_packet().unwrap() {
            match packet.payload {
                Some(TsPayload::Pmt(pmt)) => {
                    declared = pmt
                        .es_info
                        .iter()
                        .find(|es| ts_opus::is_opus(es))
                        .map(|es| (es.elementary_pid.as_u16(), es.descriptors[1].data.clone()));
                }
                Some(TsPayload::PesStart(p)) if packet.header.pid.as_u16() == OPUS_PID => {
                    assert_eq!(p.header.stream_id.as_u8(), StreamId::PRIVATE_STREAM_1);
                    audio.push((p.header.pts.unwrap().as_u64(), p.pes_packet_len));
                }
                _ => {}
            }
        }
        assert_eq!(declared, Some((OPUS_PID, vec![0x80, 2])));
        assert_eq!(
            audio,
            vec![(PTS_BASE - 900, 8 + 3 + 2), (PTS_BASE + 900, 8 + 4 + 400)]
        );
    }
}
