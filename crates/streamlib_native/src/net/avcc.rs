//! H.264 and H.265 in the MP4 ("AVCC"/"HVCC") form RTSP depacketizers hand out, turned into the
//! Annex B access units the graph carries: 4-byte big-endian NAL lengths become start codes, and a
//! keyframe without its own SPS gets the parameter sets of the stream's decoder configuration
//! record (`AVCDecoderConfigurationRecord`, `HEVCDecoderConfigurationRecord`; cameras often send
//! them only in the SDP).

/// An Annex B start code.
const START: [u8; 4] = [0, 0, 0, 1];
/// NAL unit type of an H.264 sequence parameter set.
const NAL_SPS: u8 = 7;
/// NAL unit type of an H.265 sequence parameter set.
const HEVC_NAL_SPS: u8 = 33;

/// The codec of an access unit's NAL units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NalCodec {
    /// H.264: the NAL type is the low 5 bits of the first header byte.
    H264,
    /// H.265: the NAL type is bits 1-6 of the first of two header bytes.
    H265,
}

impl NalCodec {
    fn is_sps(self, header: u8) -> bool {
        match self {
            NalCodec::H264 => header & 0x1f == NAL_SPS,
            NalCodec::H265 => (header >> 1) & 0x3f == HEVC_NAL_SPS,
        }
    }
}

/// The VPS, SPS and PPS NAL units of an `HEVCDecoderConfigurationRecord` (ISO/IEC 14496-15
/// 8.3.3.1), in Annex B form in the record's order; `None` when the record is truncated or has
/// no SPS.
pub fn hevc_parameter_sets(record: &[u8]) -> Option<Vec<u8>> {
    // 22 bytes of profile, level and format fields, then the arrays.
    let arrays = usize::from(*record.get(22)?);
    let mut at = 23;
    let mut out = Vec::new();
    let mut has_sps = false;
    for _ in 0..arrays {
        let nal_type = *record.get(at)? & 0x3f;
        let count = usize::from(u16::from_be_bytes([
            *record.get(at + 1)?,
            *record.get(at + 2)?,
        ]));
        has_sps |= nal_type == HEVC_NAL_SPS && count > 0;
        at = copy_sets(record, at + 3, count, &mut out)?;
    }
    has_sps.then_some(out)
}

/// The SPS and PPS NAL units of an `AVCDecoderConfigurationRecord` (ISO/IEC 14496-15 5.3.3.1),
/// in Annex B form; `None` when the record is truncated or has no SPS.
pub fn parameter_sets(record: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let sps_count = usize::from(*record.get(5)? & 0x1f);
    let mut at = 6;
    at = copy_sets(record, at, sps_count, &mut out)?;
    if sps_count == 0 {
        return None;
    }
    let pps_count = usize::from(*record.get(at)?);
    copy_sets(record, at + 1, pps_count, &mut out)?;
    Some(out)
}

fn copy_sets(record: &[u8], mut at: usize, count: usize, out: &mut Vec<u8>) -> Option<usize> {
    for _ in 0..count {
        let len = usize::from(u16::from_be_bytes([*record.get(at)?, *record.get(at + 1)?]));
        let nal = record.get(at + 2..at + 2 + len)?;
        out.extend_from_slice(&START);
        out.extend_from_slice(nal);
        at += 2 + len;
    }
    Some(at)
}

/// Writes the access unit `avcc` (NAL units each after a 4-byte big-endian length) to `out` in
/// Annex B form, `parameter_sets` first when it is given and the unit has no SPS of its own.
///
/// Returns `false`, with `out` cleared, when a length runs past the end or a NAL is empty.
pub fn to_annex_b(avcc: &[u8], parameter_sets: Option<&[u8]>, out: &mut Vec<u8>) -> bool {
    to_annex_b_of(NalCodec::H264, avcc, parameter_sets, out)
}

/// [`to_annex_b`] for NAL units of `codec` (an H.265 SPS is told by its own NAL type).
pub fn to_annex_b_of(
    codec: NalCodec,
    avcc: &[u8],
    parameter_sets: Option<&[u8]>,
    out: &mut Vec<u8>,
) -> bool {
    out.clear();
    let mut has_sps = false;
    let mut at = 0;
    while at < avcc.len() {
        let Some(len) = avcc
            .get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        else {
            out.clear();
            return false;
        };
        let Some(nal) = avcc
            .get(at + 4..(at + 4).saturating_add(len))
            .filter(|n| !n.is_empty())
        else {
            out.clear();
            return false;
        };
        has_sps |= codec.is_sps(nal[0]);
        out.extend_from_slice(&START);
        out.extend_from_slice(nal);
        at += 4 + len;
    }
    if let (false, Some(sets)) = (has_sps, parameter_sets) {
        out.splice(0..0, sets.iter().copied());
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const VPS: [u8; 3] = [0x40, 0x01, 0x0c];
    const HSPS: [u8; 3] = [0x42, 0x01, 0x01];
    const HPPS: [u8; 3] = [0x44, 0x01, 0xc1];

    fn hevc_record() -> Vec<u8> {
        let mut r = vec![1];
        r.extend_from_slice(&[0; 21]); // profile, level and format fields
        r.push(3); // arrays
        for (nal_type, nal) in [(32u8, &VPS), (33, &HSPS), (34, &HPPS)] {
            r.extend_from_slice(&[0x80 | nal_type, 0, 1, 0, 3]);
            r.extend_from_slice(nal);
        }
        r
    }

    #[test]
    fn hevc_parameter_sets_reads_vps_sps_pps_and_refuses_a_truncated_record() {
        let sets = hevc_parameter_sets(&hevc_record()).unwrap();
        assert_eq!(
            sets,
            [&START[..], &VPS, &START, &HSPS, &START, &HPPS].concat()
        );
        let r = hevc_record();
        for cut in 0..r.len() {
            assert_eq!(hevc_parameter_sets(&r[..cut]), None, "cut at {cut}");
        }
        let mut without_sps = r[..23].to_vec();
        without_sps[22] = 0;
        assert_eq!(hevc_parameter_sets(&without_sps), None);
    }

    #[test]
    fn an_h265_keyframe_gets_the_sets_unless_it_has_an_sps() {
        let sets = hevc_parameter_sets(&hevc_record()).unwrap();
        let idr = [0x26u8, 0x01, 0xaf];
        let mut unit = (idr.len() as u32).to_be_bytes().to_vec();
        unit.extend_from_slice(&idr);
        let mut out = Vec::new();
        assert!(to_annex_b_of(NalCodec::H265, &unit, Some(&sets), &mut out));
        assert_eq!(out, [&sets[..], &START, &idr].concat());
        let mut with_sps = (HSPS.len() as u32).to_be_bytes().to_vec();
        with_sps.extend_from_slice(&HSPS);
        with_sps.extend_from_slice(&unit);
        assert!(to_annex_b_of(
            NalCodec::H265,
            &with_sps,
            Some(&sets),
            &mut out
        ));
        assert_eq!(out, [&START[..], &HSPS, &START, &idr].concat());
    }

    const SPS: [u8; 4] = [0x67, 0x42, 0xc0, 0x1e];
    const PPS: [u8; 3] = [0x68, 0xce, 0x3c];

    fn record() -> Vec<u8> {
        let mut r = vec![1, 0x42, 0xc0, 0x1e, 0xff, 0xe1, 0, 4];
        r.extend_from_slice(&SPS);
        r.extend_from_slice(&[1, 0, 3]);
        r.extend_from_slice(&PPS);
        r
    }

    #[test]
    fn parameter_sets_reads_sps_and_pps_and_refuses_a_truncated_record() {
        let sets = parameter_sets(&record()).unwrap();
        assert_eq!(sets, [&START[..], &SPS, &START, &PPS].concat());
        let r = record();
        for cut in 0..r.len() {
            assert_eq!(parameter_sets(&r[..cut]), None, "cut at {cut}");
        }
    }

    #[test]
    fn to_annex_b_swaps_lengths_for_start_codes_and_adds_missing_sets_to_a_keyframe() {
        let idr = [0x65, 0x88, 0x84];
        let avcc = [&[0, 0, 0, 3][..], &idr].concat();
        let sets = parameter_sets(&record()).unwrap();
        let mut out = Vec::new();
        assert!(to_annex_b(&avcc, Some(&sets), &mut out));
        assert_eq!(out, [&sets[..], &START, &idr].concat());
        assert!(to_annex_b(&avcc, None, &mut out));
        assert_eq!(out, [&START[..], &idr].concat());
        // A unit carrying its own SPS is left as it is.
        let own = [&[0, 0, 0, 4][..], &SPS, &[0, 0, 0, 3], &idr].concat();
        assert!(to_annex_b(&own, Some(&sets), &mut out));
        assert_eq!(out, [&START[..], &SPS, &START, &idr].concat());
    }

    #[test]
    fn to_annex_b_refuses_lengths_past_the_end_and_empty_nals() {
        let mut out = Vec::new();
        for bad in [
            &[0, 0, 0, 9, 0x65][..],
            &[0, 0, 0][..],
            &[0, 0, 0, 0][..],
            &[0xff, 0xff, 0xff, 0xff, 1][..],
        ] {
            assert!(!to_annex_b(bad, None, &mut out), "{bad:?}");
            assert!(out.is_empty());
        }
    }
}
