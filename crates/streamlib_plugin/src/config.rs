//! A processor's config: the JSON object the host passes to `create`.

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Why a config could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// The config text is not JSON (or not UTF-8).
    InvalidJson {
        /// The parser's message.
        detail: String,
    },
    /// The config is JSON but not an object.
    NotAnObject {
        /// What it is instead (`"an array"`, ...).
        found: &'static str,
    },
    /// A field has the wrong JSON type.
    WrongType {
        /// The field.
        name: String,
        /// What was expected (`"a number"`, ...).
        expected: &'static str,
        /// The value found, as JSON (shortened).
        found: String,
    },
    /// A number field is outside the range of the type asked for.
    OutOfRange {
        /// The field.
        name: String,
        /// The value found.
        found: String,
        /// The range expected (`"an integer from 0 to 4294967295"`, ...).
        expected: &'static str,
    },
    /// [`Config::deserialize`] failed.
    Deserialize {
        /// serde's message.
        detail: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidJson { detail } => write!(f, "config is not valid JSON: {detail}"),
            Self::NotAnObject { found } => write!(f, "config must be a JSON object, found {found}"),
            Self::WrongType {
                name,
                expected,
                found,
            } => {
                write!(f, "config '{name}': expected {expected}, found {found}")
            }
            Self::OutOfRange {
                name,
                found,
                expected,
            } => {
                write!(
                    f,
                    "config '{name}': {found} is out of range, expected {expected}"
                )
            }
            Self::Deserialize { detail } => write!(f, "config: {detail}"),
        }
    }
}

impl std::error::Error for ConfigError {}

impl From<ConfigError> for String {
    fn from(error: ConfigError) -> Self {
        error.to_string()
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value as short JSON text for messages.
fn shown(value: &Value) -> String {
    let text = value.to_string();
    if text.len() <= 60 {
        text
    } else {
        format!("{}…", crate::error_buffer::truncate_utf8(&text, 60))
    }
}

/// A processor's config: a JSON object, read with typed getters or deserialized whole.
///
/// The host validates the config against the processor's schema before `create`, but the getters
/// check types again and fall back to a default only for a missing field, so a mismatch between
/// schema and code is an error rather than a silent default.
///
/// # Examples
///
/// ```
/// use streamlib_plugin::Config;
///
/// let config = Config::from_json(r#"{"gain": 0.5, "mute": true, "taps": 4}"#).unwrap();
/// assert_eq!(config.f64_or("gain", 1.0), Ok(0.5));
/// assert_eq!(config.bool_or("mute", false), Ok(true));
/// assert_eq!(config.u32_or("taps", 1), Ok(4));
/// assert_eq!(config.f64_or("missing", 1.0), Ok(1.0));
/// assert_eq!(
///     config.bool_or("gain", false).unwrap_err().to_string(),
///     "config 'gain': expected a boolean, found 0.5"
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    fields: Map<String, Value>,
}

impl Config {
    /// An empty config (every getter returns its default).
    pub fn empty() -> Self {
        Self::default()
    }

    /// Parses a config from JSON text: an object, or `null` for an empty config.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidJson`] or [`ConfigError::NotAnObject`].
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        Self::from_slice(text.as_bytes())
    }

    /// Parses a config from UTF-8 JSON bytes, as [`Config::from_json`].
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidJson`] or [`ConfigError::NotAnObject`].
    pub fn from_slice(bytes: &[u8]) -> Result<Self, ConfigError> {
        let value: Value =
            serde_json::from_slice(bytes).map_err(|error| ConfigError::InvalidJson {
                detail: error.to_string(),
            })?;
        Self::from_value(value)
    }

    /// Wraps a parsed JSON value: an object, or `null` for an empty config.
    ///
    /// # Errors
    ///
    /// [`ConfigError::NotAnObject`].
    pub fn from_value(value: Value) -> Result<Self, ConfigError> {
        match value {
            Value::Object(fields) => Ok(Self { fields }),
            Value::Null => Ok(Self::empty()),
            other => Err(ConfigError::NotAnObject {
                found: json_kind(&other),
            }),
        }
    }

    /// The raw value of a field.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields.get(name)
    }

    /// All fields.
    pub fn fields(&self) -> &Map<String, Value> {
        &self.fields
    }

    fn typed<T>(
        &self,
        name: &str,
        default: T,
        expected: &'static str,
        read: impl FnOnce(&Value) -> Option<T>,
    ) -> Result<T, ConfigError> {
        match self.fields.get(name) {
            None => Ok(default),
            Some(value) => read(value).ok_or_else(|| ConfigError::WrongType {
                name: name.to_owned(),
                expected,
                found: shown(value),
            }),
        }
    }

    /// A number field, or `default` when it is absent.
    ///
    /// # Errors
    ///
    /// [`ConfigError::WrongType`] if the field is not a number.
    pub fn f64_or(&self, name: &str, default: f64) -> Result<f64, ConfigError> {
        self.typed(name, default, "a number", Value::as_f64)
    }

    /// A boolean field, or `default` when it is absent.
    ///
    /// # Errors
    ///
    /// [`ConfigError::WrongType`] if the field is not a boolean.
    pub fn bool_or(&self, name: &str, default: bool) -> Result<bool, ConfigError> {
        self.typed(name, default, "a boolean", Value::as_bool)
    }

    /// A string field, or `default` when it is absent.
    ///
    /// # Errors
    ///
    /// [`ConfigError::WrongType`] if the field is not a string.
    pub fn str_or<'a>(&'a self, name: &str, default: &'a str) -> Result<&'a str, ConfigError> {
        match self.fields.get(name) {
            None => Ok(default),
            Some(value) => value.as_str().ok_or_else(|| ConfigError::WrongType {
                name: name.to_owned(),
                expected: "a string",
                found: shown(value),
            }),
        }
    }

    /// An integer field, or `default` when it is absent. Integral floats (`3.0`) are accepted, as
    /// JSON Schema's `"integer"` does.
    ///
    /// # Errors
    ///
    /// [`ConfigError::WrongType`] if the field is not an integer, [`ConfigError::OutOfRange`] if
    /// it does not fit an `i64`.
    pub fn i64_or(&self, name: &str, default: i64) -> Result<i64, ConfigError> {
        let value = self.typed(name, None, "an integer", integer)?;
        value.map_or(Ok(default), |value| {
            i64::try_from(value).map_err(|_| self.out_of_range(name, "a 64-bit signed integer"))
        })
    }

    /// A non-negative integer field that fits a `u32`, or `default` when it is absent.
    ///
    /// # Errors
    ///
    /// [`ConfigError::WrongType`] if the field is not an integer, [`ConfigError::OutOfRange`] if
    /// it is negative or above `u32::MAX`.
    pub fn u32_or(&self, name: &str, default: u32) -> Result<u32, ConfigError> {
        let value = self.typed(name, None, "an integer", integer)?;
        value.map_or(Ok(default), |value| {
            u32::try_from(value)
                .map_err(|_| self.out_of_range(name, "an integer from 0 to 4294967295"))
        })
    }

    fn out_of_range(&self, name: &str, expected: &'static str) -> ConfigError {
        ConfigError::OutOfRange {
            name: name.to_owned(),
            found: self.fields.get(name).map(shown).unwrap_or_default(),
            expected,
        }
    }

    /// Deserializes the whole config into `T` (a `#[derive(Deserialize)]` struct, with
    /// `#[serde(default)]` for fields the host may leave out).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Deserialize`] with serde's message.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, ConfigError> {
        T::deserialize(&Value::Object(self.fields.clone())).map_err(|error| {
            ConfigError::Deserialize {
                detail: error.to_string(),
            }
        })
    }
}

/// An integer as `i128` (so every `i64` and `u64` fits), accepting integral floats.
fn integer(value: &Value) -> Option<Option<i128>> {
    if let Some(v) = value.as_i64() {
        return Some(Some(i128::from(v)));
    }
    if let Some(v) = value.as_u64() {
        return Some(Some(i128::from(v)));
    }
    let v = value.as_f64()?;
    // Integral and inside the i128 range (2^127 ≈ 1.7e38), so the cast is exact.
    (v.fract() == 0.0 && v.abs() < 1.0e38).then_some(Some(v as i128))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_objects_and_null_only() {
        assert_eq!(Config::from_json("null"), Ok(Config::empty()));
        assert_eq!(
            Config::from_json("[1]").unwrap_err().to_string(),
            "config must be a JSON object, found an array"
        );
        assert!(matches!(
            Config::from_json("{"),
            Err(ConfigError::InvalidJson { .. })
        ));
        assert!(matches!(
            Config::from_slice(b"\xff"),
            Err(ConfigError::InvalidJson { .. })
        ));
    }

    #[test]
    fn integers_are_range_checked() {
        let config =
            Config::from_json(r#"{"a": 3.0, "b": -1, "c": 1.5, "d": 5000000000}"#).unwrap();
        assert_eq!(config.u32_or("a", 0), Ok(3));
        assert_eq!(config.i64_or("b", 0), Ok(-1));
        assert_eq!(
            config.u32_or("b", 0).unwrap_err().to_string(),
            "config 'b': -1 is out of range, expected an integer from 0 to 4294967295"
        );
        assert!(matches!(
            config.u32_or("c", 0),
            Err(ConfigError::WrongType { .. })
        ));
        assert!(matches!(
            config.u32_or("d", 0),
            Err(ConfigError::OutOfRange { .. })
        ));
        assert_eq!(config.i64_or("d", 0), Ok(5_000_000_000));
    }

    #[test]
    fn strings_and_serde() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Settings {
            mode: String,
        }
        let config = Config::from_json(r#"{"mode": "fast"}"#).unwrap();
        assert_eq!(config.str_or("mode", "slow"), Ok("fast"));
        assert_eq!(config.str_or("other", "slow"), Ok("slow"));
        assert_eq!(
            config.deserialize::<Settings>(),
            Ok(Settings {
                mode: "fast".into()
            })
        );
        assert!(config.deserialize::<Vec<u8>>().is_err());
    }

    #[test]
    fn long_values_are_shortened_in_messages() {
        let long = "x".repeat(200);
        let config = Config::from_json(&format!(r#"{{"n": "{long}"}}"#)).unwrap();
        let message = config.f64_or("n", 0.0).unwrap_err().to_string();
        assert!(message.len() < 120, "{message}");
        assert!(message.ends_with('…'));
    }
}
