//! The calling thread's last error message, read back through `sl_last_error`.
//!
//! Each Deno isolate runs on its own thread, so a per-thread buffer keeps messages from mixing.
//! The buffer is reused: after the first error on a thread, reporting another one allocates only
//! if the new message is longer than every earlier one.

use std::cell::RefCell;
use std::fmt::{Display, Write};

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Replaces the calling thread's last error message with `message`.
///
/// # Examples
///
/// ```
/// use streamlib_native::last_error;
///
/// last_error::set(&"Pool exhausted: all 4 slots are in use");
/// assert_eq!(last_error::get(), "Pool exhausted: all 4 slots are in use");
/// ```
pub fn set(message: &dyn Display) {
    LAST_ERROR.with(|cell| {
        // A `Display` impl that itself reports an error would re-enter; keep the outer message.
        if let Ok(mut text) = cell.try_borrow_mut() {
            text.clear();
            // Writing to a `String` cannot fail; a failing `Display` impl leaves a partial text.
            let _ = write!(text, "{message}");
        }
    });
}

/// Clears the calling thread's last error message.
pub fn clear() {
    LAST_ERROR.with(|cell| {
        if let Ok(mut text) = cell.try_borrow_mut() {
            text.clear();
        }
    });
}

/// A copy of the calling thread's last error message (empty when there is none).
pub fn get() -> String {
    LAST_ERROR.with(|cell| cell.borrow().clone())
}

/// Copies as much of the calling thread's last error message as fits into `buf` and returns the
/// message's full length in bytes (UTF-8, not NUL-terminated; a truncated copy may end inside a
/// multi-byte character).
///
/// # Examples
///
/// ```
/// use streamlib_native::last_error;
///
/// last_error::set(&"Invalid ring capacity: 0");
/// let mut buf = [0u8; 7];
/// assert_eq!(last_error::copy_to(&mut buf), 24);
/// assert_eq!(&buf, b"Invalid");
/// ```
pub fn copy_to(buf: &mut [u8]) -> usize {
    LAST_ERROR.with(|cell| {
        let text = cell.borrow();
        let n = text.len().min(buf.len());
        buf[..n].copy_from_slice(&text.as_bytes()[..n]);
        text.len()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_per_thread() {
        set(&"main thread");
        std::thread::spawn(|| {
            assert_eq!(get(), "");
            set(&"worker");
            assert_eq!(get(), "worker");
        })
        .join()
        .unwrap();
        assert_eq!(get(), "main thread");
        clear();
        assert_eq!(copy_to(&mut []), 0);
    }

    #[test]
    fn copy_to_reports_the_full_length_when_truncating() {
        set(&format_args!("{}-{}", "abc", 42));
        let mut big = [0u8; 16];
        assert_eq!(copy_to(&mut big), 6);
        assert_eq!(&big[..6], b"abc-42");
        let mut small = [0u8; 2];
        assert_eq!(copy_to(&mut small), 6);
        assert_eq!(&small, b"ab");
    }
}
