//! The little H.264 bitstream handling the encoders need: walking Annex B NAL units, picking out
//! the parameter sets, and turning length-prefixed (AVCC) NAL units into Annex B.

/// NAL unit type of an IDR slice.
pub const NAL_IDR: u8 = 5;
/// NAL unit type of a sequence parameter set.
pub const NAL_SPS: u8 = 7;
/// NAL unit type of a picture parameter set.
pub const NAL_PPS: u8 = 8;

/// The four-byte start code written before each NAL unit.
pub const START_CODE: [u8; 4] = [0, 0, 0, 1];

/// Iterates over the NAL units (without start codes) of an Annex B stream.
///
/// # Examples
///
/// ```
/// use streamlib_native::media::h264_bitstream::annex_b_units;
///
/// let stream = [0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3];
/// let units: Vec<&[u8]> = annex_b_units(&stream).collect();
/// assert_eq!(units, [&[0x67, 1, 2][..], &[0x68, 3][..]]);
/// ```
pub fn annex_b_units(stream: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = skip_start_code(stream);
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (unit, next) = match find_start_code(rest) {
            Some((at, len)) => (&rest[..at], &rest[at + len..]),
            None => (rest, &[][..]),
        };
        rest = next;
        // A zero byte before a 4-byte start code belongs to the start code, not the unit.
        Some(trim_trailing_zeros(unit))
    })
    .filter(|unit| !unit.is_empty())
}

fn trim_trailing_zeros(unit: &[u8]) -> &[u8] {
    let end = unit.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    &unit[..end]
}

fn skip_start_code(stream: &[u8]) -> &[u8] {
    match find_start_code(stream) {
        Some((0, len)) => &stream[len..],
        Some((at, len)) if stream[..at].iter().all(|&b| b == 0) => &stream[at + len..],
        _ => stream,
    }
}

/// Position and length (3) of the first `00 00 01`.
fn find_start_code(data: &[u8]) -> Option<(usize, usize)> {
    data.windows(3)
        .position(|w| w == [0, 0, 1])
        .map(|at| (at, 3))
}

/// The `nal_unit_type` of a NAL unit (its first byte's low five bits).
pub fn nal_type(unit: &[u8]) -> u8 {
    unit.first().map_or(0, |b| b & 0x1F)
}

/// Whether an Annex B access unit holds an IDR slice.
pub fn is_idr(access_unit: &[u8]) -> bool {
    annex_b_units(access_unit).any(|unit| nal_type(unit) == NAL_IDR)
}

/// Replaces `out` with the SPS and PPS units of `access_unit`, in Annex B form. Returns whether
/// there were any.
pub fn extract_parameter_sets(access_unit: &[u8], out: &mut Vec<u8>) -> bool {
    let mut found = false;
    for unit in annex_b_units(access_unit) {
        if matches!(nal_type(unit), NAL_SPS | NAL_PPS) {
            if !found {
                out.clear();
                found = true;
            }
            out.extend_from_slice(&START_CODE);
            out.extend_from_slice(unit);
        }
    }
    found
}

/// Appends the NAL units of a length-prefixed (AVCC, 4-byte big-endian lengths) buffer to `out`
/// in Annex B form. Returns `false` if a length runs past the end (the rest is dropped).
pub fn append_avcc_as_annex_b(avcc: &[u8], out: &mut Vec<u8>) -> bool {
    let mut rest = avcc;
    while rest.len() >= 4 {
        let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let Some(unit) = rest.get(4..4 + len) else {
            return false;
        };
        out.extend_from_slice(&START_CODE);
        out.extend_from_slice(unit);
        rest = &rest[4 + len..];
    }
    rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_sets_are_found_among_slices() {
        let au = [
            0, 0, 0, 1, 0x67, 0x42, 0xC0, 0x1F, 0, 0, 0, 1, 0x68, 0xCE, 0, 0, 1, 0x65, 0x88, 0x80,
        ];
        assert!(is_idr(&au));
        let mut sets = vec![9];
        assert!(extract_parameter_sets(&au, &mut sets));
        assert_eq!(
            sets,
            [0, 0, 0, 1, 0x67, 0x42, 0xC0, 0x1F, 0, 0, 0, 1, 0x68, 0xCE]
        );
        assert!(!is_idr(&[0, 0, 0, 1, 0x41, 0x9A]));
        assert!(!extract_parameter_sets(&[0, 0, 1, 0x41], &mut sets));
    }

    #[test]
    fn avcc_becomes_annex_b() {
        let mut out = Vec::new();
        assert!(append_avcc_as_annex_b(
            &[0, 0, 0, 2, 0x65, 1, 0, 0, 0, 1, 0x06],
            &mut out
        ));
        assert_eq!(out, [0, 0, 0, 1, 0x65, 1, 0, 0, 0, 1, 0x06]);
        assert!(!append_avcc_as_annex_b(&[0, 0, 0, 9, 0x65], &mut out));
    }
}
