//! Runs the body of an `extern "C"` entry so that no panic crosses into Deno.
//!
//! [`guarded`] catches a panic, turns it into [`Status::Panic`] and stores
//! `Native code panicked at <file:line:col>: <message>` as the thread's last error; an `Err` from
//! the body becomes its status with its message stored the same way. The location comes from a
//! panic hook installed on first use, which records it for the panicking thread and then calls
//! the previously installed hook (so the usual stderr report still appears).

use std::cell::RefCell;
use std::fmt::Write;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use crate::last_error;
use crate::status::{Error, Status};

thread_local! {
    static PANIC_LOCATION: RefCell<String> = const { RefCell::new(String::new()) };
}

static INSTALL_HOOK: Once = Once::new();

fn install_location_hook() {
    INSTALL_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            PANIC_LOCATION.with(|cell| {
                if let Ok(mut text) = cell.try_borrow_mut() {
                    text.clear();
                    if let Some(location) = info.location() {
                        let _ = write!(text, "{location}");
                    }
                }
            });
            previous(info);
        }));
    });
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text
    } else {
        "non-string panic payload"
    }
}

/// Runs `body`, converting an `Err` or a panic into a [`Status`] and recording its message as
/// the calling thread's last error (see [`crate::last_error`]).
///
/// `body` is treated as unwind safe: after a panic the only state a caller can observe is
/// behind handles, whose table guards are released during unwinding, and the native objects
/// keep their invariants at every point where the code could panic.
///
/// # Errors
///
/// The status of the error `body` returned, or [`Status::Panic`] if it panicked.
///
/// # Examples
///
/// ```
/// use streamlib_native::{last_error, panic_guard::guarded, status::Status};
///
/// let result: Result<i32, Status> = guarded(|| panic!("boom"));
/// assert_eq!(result, Err(Status::Panic));
/// assert!(last_error::get().starts_with("Native code panicked at "));
/// assert!(last_error::get().ends_with(": boom"));
/// ```
pub fn guarded<T>(body: impl FnOnce() -> Result<T, Error>) -> Result<T, Status> {
    install_location_hook();
    match panic::catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => {
            last_error::set(&error);
            Err(error.status())
        }
        Err(payload) => Err(report_panic(payload.as_ref())),
    }
}

/// Records a caught panic as the thread's last error and returns [`Status::Panic`].
fn report_panic(payload: &(dyn std::any::Any + Send)) -> Status {
    let message = panic_message(payload);
    PANIC_LOCATION.with(|cell| {
        let location = cell.borrow();
        let location = if location.is_empty() {
            "an unknown location"
        } else {
            &location
        };
        last_error::set(&format_args!(
            "Native code panicked at {location}: {message}"
        ));
    });
    Status::Panic
}

/// [`guarded_status`] for the hot entry points (a ring push or pop, a slot retain or release):
/// runs `fast`, which returns the result or `None` having changed nothing, and only on `None`
/// runs `slow`, the entry's full body, which fails the same way and builds the error message.
/// The common case so moves no [`Error`] around and touches no thread-local; a panic in either
/// is caught as in [`guarded`].
///
/// `fast` must return `None` only before any side effect, since `slow` then does the whole
/// operation again.
///
/// # Examples
///
/// ```
/// use streamlib_native::panic_guard::guarded_fast;
/// use streamlib_native::status::{Error, ErrorKind};
///
/// assert_eq!(guarded_fast(|| Some(1), || Ok(2)), 1);
/// let slow = || Err(Error::new(ErrorKind::StaleSlot { slot: 7 }));
/// assert_eq!(guarded_fast(|| None, slow), -2);
/// assert_eq!(guarded_fast(|| panic!("boom"), || Ok(2)), -5);
/// ```
pub fn guarded_fast(
    fast: impl FnOnce() -> Option<i32>,
    slow: impl FnOnce() -> Result<i32, Error>,
) -> i32 {
    install_location_hook();
    match panic::catch_unwind(AssertUnwindSafe(fast)) {
        Ok(Some(status)) => status,
        Ok(None) => guarded_status(slow),
        Err(payload) => report_panic(payload.as_ref()).code(),
    }
}

/// [`guarded`] for the common ABI shape: a non-negative `i32` on success, a negative status code
/// on failure.
///
/// # Examples
///
/// ```
/// use streamlib_native::panic_guard::guarded_status;
///
/// assert_eq!(guarded_status(|| Ok(3)), 3);
/// assert_eq!(guarded_status(|| panic!("boom")), -5);
/// ```
pub fn guarded_status(body: impl FnOnce() -> Result<i32, Error>) -> i32 {
    guarded(body).unwrap_or_else(Status::code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::ErrorKind;

    #[test]
    fn guarded_passes_values_and_errors_through() {
        assert_eq!(guarded(|| Ok(7)), Ok(7));
        let error = Error::new(ErrorKind::NullPointer { param: "out" });
        assert_eq!(guarded::<i32>(|| Err(error)), Err(Status::InvalidArgument));
        assert_eq!(
            last_error::get(),
            "Invalid argument: 'out' is a null pointer"
        );
    }

    #[test]
    fn guarded_reports_where_a_panic_happened() {
        let result = guarded::<()>(|| {
            let items: Vec<u32> = Vec::new();
            let index = items.len() + 3;
            assert!(items.get(index).is_some(), "index {index} out of range");
            Ok(())
        });
        assert_eq!(result, Err(Status::Panic));
        let message = last_error::get();
        assert!(message.contains("panic_guard.rs:"), "{message}");
        assert!(message.ends_with(": index 3 out of range"), "{message}");
    }
}
