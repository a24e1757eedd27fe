//! A short, inline, copyable piece of error text: the detail an operating system, a device or a
//! codec library reported (`"No such file or directory (os error 2)"`, `"/dev/video3"`).
//!
//! [`crate::status::Error`] stays `Copy` and allocation-free, so it cannot hold a `String`; the
//! details that are not known at compile time go into an [`ErrorText`] of at most
//! [`ErrorText::CAPACITY`] bytes, cut at a character boundary with a trailing `…` when longer.

use std::fmt::{self, Write};

/// Up to [`ErrorText::CAPACITY`] bytes of UTF-8, stored inline.
///
/// # Examples
///
/// ```
/// use streamlib_native::error_text::ErrorText;
///
/// let text = ErrorText::format(format_args!("device {} busy", "/dev/video0"));
/// assert_eq!(text.as_str(), "device /dev/video0 busy");
/// let long = ErrorText::new(&"x".repeat(200));
/// assert!(long.as_str().ends_with('…'));
/// assert!(long.as_str().len() <= ErrorText::CAPACITY);
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ErrorText {
    bytes: [u8; ErrorText::CAPACITY],
    len: u8,
    truncated: bool,
}

impl ErrorText {
    /// Most bytes kept.
    pub const CAPACITY: usize = 80;

    const ELLIPSIS: &'static str = "…";

    /// An empty text.
    pub const EMPTY: ErrorText = ErrorText {
        bytes: [0; ErrorText::CAPACITY],
        len: 0,
        truncated: false,
    };

    /// `text`, cut to fit.
    pub fn new(text: &str) -> Self {
        let mut out = Self::EMPTY;
        let _ = out.write_str(text);
        out
    }

    /// The formatted `args`, cut to fit.
    pub fn format(args: fmt::Arguments<'_>) -> Self {
        let mut out = Self::EMPTY;
        let _ = out.write_fmt(args);
        out
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        // Only whole characters are ever copied in (see `write_str`), so the bytes are UTF-8.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }
}

impl Write for ErrorText {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        if self.truncated {
            return Ok(());
        }
        let len = usize::from(self.len);
        let room = Self::CAPACITY - len;
        if text.len() <= room {
            self.bytes[len..len + text.len()].copy_from_slice(text.as_bytes());
            self.len += text.len() as u8;
            return Ok(());
        }
        // Keep room for the ellipsis and cut at a character boundary.
        let mut cut = room.saturating_sub(Self::ELLIPSIS.len());
        while cut > 0 && !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let kept = &text.as_bytes()[..cut];
        self.bytes[len..len + cut].copy_from_slice(kept);
        let end = len + cut;
        self.bytes[end..end + Self::ELLIPSIS.len()].copy_from_slice(Self::ELLIPSIS.as_bytes());
        self.len = (end + Self::ELLIPSIS.len()) as u8;
        self.truncated = true;
        Ok(())
    }
}

impl fmt::Display for ErrorText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ErrorText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_a_character_boundary_and_marks_the_cut() {
        let text = ErrorText::new(&"é".repeat(60));
        let s = text.as_str();
        assert!(s.len() <= ErrorText::CAPACITY, "{}", s.len());
        assert!(s.ends_with('…'));
        assert!(s.trim_end_matches('…').chars().all(|c| c == 'é'));
        let mut appended = ErrorText::new("abc");
        let _ = write!(appended, "-{}", 42);
        assert_eq!(appended.as_str(), "abc-42");
        assert_eq!(ErrorText::EMPTY.as_str(), "");
    }
}
