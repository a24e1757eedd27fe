//! The errors of the plugin host. Unlike [`crate::status::Error`] they own their text: a plugin's
//! path, the loader's report and a plugin's own message are not known at compile time and are
//! only produced on control paths (loading, creating, failing), never per frame.

use std::fmt;

use crate::status::{Error, ErrorKind, Status};

/// A failed plugin operation: the status code for the ABI and the whole message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginError {
    status: Status,
    message: String,
}

impl PluginError {
    /// `SL_ERR_PLUGIN`: the library cannot be loaded, is not a plugin, or a plugin call failed.
    pub fn plugin(message: impl Into<String>) -> Self {
        Self {
            status: Status::Plugin,
            message: message.into(),
        }
    }

    /// `SL_ERR_PLUGIN_ABI`: the plugin was built for another plugin ABI version.
    pub fn abi(message: impl Into<String>) -> Self {
        Self {
            status: Status::PluginAbi,
            message: message.into(),
        }
    }

    /// The status code.
    pub fn status(&self) -> Status {
        self.status
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl From<Error> for PluginError {
    fn from(error: Error) -> Self {
        Self {
            status: error.status(),
            message: error.to_string(),
        }
    }
}

impl From<ErrorKind> for PluginError {
    fn from(kind: ErrorKind) -> Self {
        Error::new(kind).into()
    }
}

impl fmt::Display for PluginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
