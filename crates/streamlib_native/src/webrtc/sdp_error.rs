//! A clean message for an SDP that str0m refuses: the line at fault and what the parser found
//! there, never the parser's internal position (a pointer into this process's heap).

use std::fmt::Write as _;

use str0m::error::SdpError;

use crate::error_text::ErrorText;

/// What was wrong with `sdp` (an offer or an answer) as str0m's `error` says it: a parse error
/// becomes `line N: unexpected …, expected …`; other errors are str0m's words (they carry no
/// position).
pub fn sdp_error(sdp: &str, error: &SdpError) -> ErrorText {
    let SdpError::ParseError(message) = error else {
        return ErrorText::format(format_args!("{error}"));
    };
    let mut lines = message.lines();
    let head = lines.next().unwrap_or("");
    let mut out = String::new();
    if let Some(line) = line_of(sdp, head) {
        let _ = write!(out, "line {line}: ");
    }
    let mut parts: Vec<String> = Vec::new();
    for line in lines.map(str::trim).filter(|l| !l.is_empty()) {
        let mut chars = line.chars();
        let first = chars.next().map(|c| c.to_ascii_lowercase());
        parts.push(first.into_iter().chain(chars).collect());
    }
    if parts.is_empty() {
        out.push_str("not a session description");
    } else {
        out.push_str(&parts.join(", "));
    }
    ErrorText::new(&out)
}

/// The 1-based line of `sdp` that the parser's `Parse error at PointerOffset(0x…)` names, when
/// the address falls inside `sdp`.
fn line_of(sdp: &str, head: &str) -> Option<usize> {
    let hex = head.split("PointerOffset(0x").nth(1)?.split(')').next()?;
    let address = usize::from_str_radix(hex, 16).ok()?;
    let offset = address.checked_sub(sdp.as_ptr() as usize)?;
    let before = sdp.get(..offset)?;
    Some(before.matches('\n').count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use str0m::change::SdpOffer;

    fn message(sdp: &str) -> String {
        let error = SdpOffer::from_sdp_string(sdp).expect_err("refused");
        sdp_error(sdp, &error).to_string()
    }

    #[test]
    fn a_parse_error_names_the_line_and_no_address() {
        let text = message("garbage");
        assert!(text.starts_with("line 1: unexpected `g`"), "{text}");
        assert!(!text.contains("0x"), "{text}");
        assert!(!text.contains("PointerOffset"), "{text}");
    }

    #[test]
    fn a_parse_error_further_down_names_its_line() {
        let sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 H264/90000\r\n";
        let text = message(sdp);
        assert!(text.starts_with("line 5: media is missing a=mid"), "{text}");
        assert!(!text.contains("0x"), "{text}");
    }

    #[test]
    fn other_errors_keep_str0m_words() {
        let error = SdpError::Inconsistent("Session attribute a=group missing".into());
        let text = sdp_error("v=0", &error).to_string();
        assert!(text.contains("a=group missing"), "{text}");
    }
}
