//! H.264 in the MP4 ("AVCC") form RTSP depacketizers hand out, turned into the Annex B access
//! units the graph carries: 4-byte big-endian NAL lengths become start codes, and a keyframe
//! without its own SPS and PPS gets those of the stream's `AVCDecoderConfigurationRecord`
//! (cameras often send them only in the SDP).

/// An Annex B start code.
const START: [u8; 4] = [0, 0, 0, 1];
/// NAL unit type of a sequence parameter set.
const NAL_SPS: u8 = 7;

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
        has_sps |= nal[0] & 0x1f == NAL_SPS;
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
