//! The delivery policy of a ring: `fifo` (lossless) or `latest` (newest wins).

use crate::status::{Error, ErrorKind};

/// How a ring behaves when the producer outruns the consumer.
///
/// # Examples
///
/// ```
/// use streamlib_native::policy::Policy;
///
/// assert_eq!(Policy::from_code(1), Ok(Policy::Latest));
/// assert_eq!(Policy::Fifo.code(), 0);
/// assert!(Policy::from_code(2).is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Policy {
    /// Policy 0, lossless: a push into a full ring writes nothing and says so.
    Fifo,
    /// Policy 1, the writer never blocks: when full, the oldest messages roll off and count as
    /// dropped.
    Latest,
}

impl Policy {
    /// The policy's code in the C ABI.
    pub const fn code(self) -> u32 {
        match self {
            Policy::Fifo => 0,
            Policy::Latest => 1,
        }
    }

    /// The policy with ABI code `code`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownPolicy`] unless `code` is 0 or 1.
    pub fn from_code(code: u32) -> Result<Policy, Error> {
        match code {
            0 => Ok(Policy::Fifo),
            1 => Ok(Policy::Latest),
            value => Err(ErrorKind::UnknownPolicy { value }.into()),
        }
    }

    /// The policy's name: `"fifo"` or `"latest"`.
    pub const fn name(self) -> &'static str {
        match self {
            Policy::Fifo => "fifo",
            Policy::Latest => "latest",
        }
    }
}
