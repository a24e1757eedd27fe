//! FLV `VIDEODATA` bodies for H.264 (the payload of an RTMP video message): the
//! `AVCDecoderConfigurationRecord` (sequence header) from a keyframe's SPS and PPS, and access
//! units as 4-byte length-prefixed NAL units. `rml_rtmp` sends the bodies as they are; no maintained
//! crate builds them, and they are the 5-byte tag header plus ISO 14496-15's record.

use crate::media::h264_bitstream::{annex_b_units, nal_type};

const NAL_SPS: u8 = 7;
const NAL_PPS: u8 = 8;
const NAL_AUD: u8 = 9;
/// Frame type 1 (keyframe) or 2 (inter frame), codec id 7 (AVC).
const KEYFRAME_AVC: u8 = 0x17;
const INTER_AVC: u8 = 0x27;

/// The sequence header body for the SPS and PPS of `keyframe`; `None` when it has neither.
///
/// # Examples
///
/// ```
/// use streamlib_native::net::flv_video::sequence_header;
///
/// let keyframe = [0, 0, 0, 1, 0x67, 0x42, 0xC0, 0x1E, 0, 0, 0, 1, 0x68, 0xCE, 0, 0, 0, 1, 0x65, 1];
/// let body = sequence_header(&keyframe).unwrap();
/// assert_eq!(&body[..5], &[0x17, 0, 0, 0, 0]); // keyframe, AVC, sequence header, time 0
/// assert_eq!(&body[5..9], &[1, 0x42, 0xC0, 0x1E]); // version, profile, compatibility, level
/// ```
pub fn sequence_header(keyframe: &[u8]) -> Option<Vec<u8>> {
    let sps = annex_b_units(keyframe).find(|u| nal_type(u) == NAL_SPS && u.len() >= 4)?;
    let pps = annex_b_units(keyframe).find(|u| nal_type(u) == NAL_PPS)?;
    let mut body = vec![KEYFRAME_AVC, 0, 0, 0, 0];
    // AVCDecoderConfigurationRecord: version 1, profile, compatibility, level, 4-byte lengths,
    // one SPS, one PPS.
    body.extend_from_slice(&[1, sps[1], sps[2], sps[3], 0xFF, 0xE1]);
    body.extend_from_slice(&(sps.len() as u16).to_be_bytes());
    body.extend_from_slice(sps);
    body.push(1);
    body.extend_from_slice(&(pps.len() as u16).to_be_bytes());
    body.extend_from_slice(pps);
    Some(body)
}

/// The body carrying one access unit (Annex B in), without AUD, SPS and PPS (the sequence
/// header carries those); composition time 0 (no B-frames).
pub fn access_unit(data: &[u8], keyframe: bool) -> Vec<u8> {
    let mut body = Vec::with_capacity(data.len() + 16);
    body.extend_from_slice(&[if keyframe { KEYFRAME_AVC } else { INTER_AVC }, 1, 0, 0, 0]);
    for unit in annex_b_units(data) {
        if matches!(nal_type(unit), NAL_SPS | NAL_PPS | NAL_AUD) {
            continue;
        }
        body.extend_from_slice(&(unit.len() as u32).to_be_bytes());
        body.extend_from_slice(unit);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_units_become_length_prefixed_without_parameter_sets() {
        let au = [
            0, 0, 0, 1, 9, 0xF0, 0, 0, 0, 1, 0x67, 1, 2, 3, 0, 0, 1, 0x65, 7, 7,
        ];
        let body = access_unit(&au, true);
        assert_eq!(body, vec![0x17, 1, 0, 0, 0, 0, 0, 0, 3, 0x65, 7, 7]);
        assert!(sequence_header(&[0, 0, 0, 1, 0x41, 1]).is_none());
    }
}
