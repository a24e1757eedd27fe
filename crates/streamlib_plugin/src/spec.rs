//! What a processor declares about itself: [`ProcessorSpec`] and [`PortSpec`], their descriptor
//! JSON, and [`validate_descriptor`] for authors' tests.

use std::collections::HashSet;
use std::fmt;

use serde_json::{Value, json};

use crate::NativeProcessor;

/// One port of a processor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortSpec {
    /// The port's name (`"in"`, `"out"`), an identifier unique among the processor's inputs or
    /// outputs.
    pub name: &'static str,
    /// streamlib's port type: `"VideoFrame"`, `"AudioFrame<2>"`, ...
    pub port_type: &'static str,
    /// One sentence for the dashboard and `describe()`.
    pub description: &'static str,
    /// Inputs: whether the node needs a connection here. Ignored for outputs.
    pub required: bool,
}

impl PortSpec {
    /// An input port.
    ///
    /// # Examples
    ///
    /// ```
    /// use streamlib_plugin::PortSpec;
    ///
    /// const IN: PortSpec = PortSpec::input("in", "AudioFrame<2>", "Stereo audio to scale.", true);
    /// assert!(IN.required);
    /// ```
    pub const fn input(
        name: &'static str,
        port_type: &'static str,
        description: &'static str,
        required: bool,
    ) -> Self {
        Self {
            name,
            port_type,
            description,
            required,
        }
    }

    /// An output port.
    pub const fn output(
        name: &'static str,
        port_type: &'static str,
        description: &'static str,
    ) -> Self {
        Self {
            name,
            port_type,
            description,
            required: false,
        }
    }
}

/// The static description of a processor type, returned by
/// [`NativeProcessor::descriptor`](crate::NativeProcessor::descriptor).
///
/// # Examples
///
/// ```
/// use streamlib_plugin::{PortSpec, ProcessorSpec};
///
/// const SPEC: ProcessorSpec = ProcessorSpec {
///     name: "Mute",
///     description: "Silences stereo audio.",
///     tags: &["audio"],
///     inputs: &[PortSpec::input("in", "AudioFrame<2>", "Audio to silence.", true)],
///     outputs: &[PortSpec::output("out", "AudioFrame<2>", "Silence.")],
///     config_schema: r#"{"type": "object", "properties": {}}"#,
/// };
/// let json: serde_json::Value = serde_json::from_str(&SPEC.to_json()).unwrap();
/// assert_eq!(json["inputs"][0]["type"], "AudioFrame<2>");
/// assert_eq!(json["inputs"][0]["required"], true);
/// assert_eq!(json["config"]["type"], "object");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProcessorSpec {
    /// The processor's name, PascalCase (`"NativeGain"`); global in a runtime.
    pub name: &'static str,
    /// What it does, for the dashboard and `describe()`.
    pub description: &'static str,
    /// Search tags (`"audio"`, `"filter"`).
    pub tags: &'static [&'static str],
    /// Input ports, in the order of [`Frames::input`](crate::Frames::input).
    pub inputs: &'static [PortSpec],
    /// Output ports, in the order of [`Frames::output`](crate::Frames::output).
    pub outputs: &'static [PortSpec],
    /// JSON Schema of the config: an object schema whose properties carry `default`s.
    pub config_schema: &'static str,
}

impl ProcessorSpec {
    /// The descriptor JSON of the plugin ABI:
    /// `{"name", "description", "tags", "inputs": [{"name", "type", "description", "required"}],
    /// "outputs": [{"name", "type", "description"}], "config": <schema>}`.
    ///
    /// A `config_schema` that is not JSON is embedded as a JSON string, so the descriptor stays
    /// parseable and the host refuses the processor for its schema;
    /// [`validate_descriptor`] reports it in the author's tests.
    pub fn to_json(&self) -> String {
        self.to_value().to_string()
    }

    /// [`ProcessorSpec::to_json`] as a JSON value.
    pub fn to_value(&self) -> Value {
        let config = serde_json::from_str::<Value>(self.config_schema)
            .unwrap_or_else(|_| Value::String(self.config_schema.to_owned()));
        let inputs: Vec<Value> = self
            .inputs
            .iter()
            .map(|port| {
                json!({
                    "name": port.name,
                    "type": port.port_type,
                    "description": port.description,
                    "required": port.required,
                })
            })
            .collect();
        let outputs: Vec<Value> = self
            .outputs
            .iter()
            .map(|port| {
                json!({ "name": port.name, "type": port.port_type, "description": port.description })
            })
            .collect();
        json!({
            "name": self.name,
            "description": self.description,
            "tags": self.tags,
            "inputs": inputs,
            "outputs": outputs,
            "config": config,
        })
    }
}

/// A mistake in a [`ProcessorSpec`], found by [`validate_descriptor`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DescriptorError {
    /// The name is not PascalCase ASCII (`^[A-Z][A-Za-z0-9]*$`).
    BadName {
        /// The name.
        name: &'static str,
    },
    /// The description is empty.
    NoDescription,
    /// A tag is empty.
    EmptyTag,
    /// A port name is not an identifier (`^[A-Za-z_][A-Za-z0-9_]*$`).
    BadPortName {
        /// `"input"` or `"output"`.
        direction: &'static str,
        /// The name.
        name: &'static str,
    },
    /// Two inputs, or two outputs, share a name.
    DuplicatePort {
        /// `"input"` or `"output"`.
        direction: &'static str,
        /// The name.
        name: &'static str,
    },
    /// A port has an empty type.
    NoPortType {
        /// `"input"` or `"output"`.
        direction: &'static str,
        /// The port.
        name: &'static str,
    },
    /// The config schema is not JSON.
    SchemaNotJson {
        /// The parser's message.
        detail: String,
    },
    /// The config schema is JSON but not an object schema.
    SchemaNotObject {
        /// What is wrong.
        detail: String,
    },
}

impl fmt::Display for DescriptorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadName { name } => {
                write!(
                    f,
                    "processor name '{name}' must be PascalCase ASCII, like 'NativeGain'"
                )
            }
            Self::NoDescription => f.write_str("the description is empty"),
            Self::EmptyTag => f.write_str("a tag is empty"),
            Self::BadPortName { direction, name } => {
                write!(f, "{direction} name '{name}' is not an identifier")
            }
            Self::DuplicatePort { direction, name } => {
                write!(f, "two {direction}s are named '{name}'")
            }
            Self::NoPortType { direction, name } => {
                write!(f, "{direction} '{name}' has no port type")
            }
            Self::SchemaNotJson { detail } => write!(f, "config_schema is not JSON: {detail}"),
            Self::SchemaNotObject { detail } => {
                write!(f, "config_schema must describe an object: {detail}")
            }
        }
    }
}

impl std::error::Error for DescriptorError {}

fn is_pascal_case(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn check_ports(direction: &'static str, ports: &[PortSpec]) -> Result<(), DescriptorError> {
    let mut seen = HashSet::new();
    for port in ports {
        if !is_identifier(port.name) {
            return Err(DescriptorError::BadPortName {
                direction,
                name: port.name,
            });
        }
        if !seen.insert(port.name) {
            return Err(DescriptorError::DuplicatePort {
                direction,
                name: port.name,
            });
        }
        if port.port_type.trim().is_empty() {
            return Err(DescriptorError::NoPortType {
                direction,
                name: port.name,
            });
        }
    }
    Ok(())
}

fn check_schema(schema: &str) -> Result<(), DescriptorError> {
    let not_object = |detail: &str| DescriptorError::SchemaNotObject {
        detail: detail.to_owned(),
    };
    let value: Value =
        serde_json::from_str(schema).map_err(|error| DescriptorError::SchemaNotJson {
            detail: error.to_string(),
        })?;
    let Value::Object(schema) = value else {
        return Err(not_object("it is not a JSON object"));
    };
    match schema.get("type") {
        Some(Value::String(kind)) if kind == "object" => {}
        _ => return Err(not_object(r#"it needs "type": "object""#)),
    }
    match schema.get("properties") {
        None => {}
        Some(Value::Object(properties)) => {
            if let Some((name, _)) = properties.iter().find(|(_, p)| !p.is_object()) {
                return Err(not_object(&format!(
                    "property '{name}' is not a schema object"
                )));
            }
        }
        Some(_) => return Err(not_object(r#""properties" is not an object"#)),
    }
    Ok(())
}

/// Checks a processor's [`ProcessorSpec`]: a PascalCase name, a description, identifier port
/// names unique per direction, port types, and a config schema that is a JSON object schema.
/// Call it in the plugin's tests; the exported descriptor does not run it.
///
/// # Errors
///
/// The first [`DescriptorError`] found.
///
/// # Examples
///
/// ```
/// use streamlib_plugin::{Config, Frames, NativeProcessor, PortSpec, ProcessorSpec};
/// use streamlib_plugin::spec::{validate_descriptor, DescriptorError};
///
/// struct Broken;
/// impl NativeProcessor for Broken {
///     fn descriptor() -> ProcessorSpec {
///         const { ProcessorSpec {
///             name: "Broken",
///             description: "Has a schema that is not an object.",
///             tags: &[],
///             inputs: &[],
///             outputs: &[],
///             config_schema: "[]",
///         } }
///     }
///     fn create(_: &Config) -> Result<Self, String> {
///         Ok(Broken)
///     }
///     fn process(&mut self, _: &mut Frames<'_>) -> Result<(), String> {
///         Ok(())
///     }
/// }
/// assert!(matches!(validate_descriptor::<Broken>(), Err(DescriptorError::SchemaNotObject { .. })));
/// ```
pub fn validate_descriptor<P: NativeProcessor>() -> Result<(), DescriptorError> {
    validate_spec(&P::descriptor())
}

/// [`validate_descriptor`] for a spec value.
///
/// # Errors
///
/// The first [`DescriptorError`] found.
pub fn validate_spec(spec: &ProcessorSpec) -> Result<(), DescriptorError> {
    if !is_pascal_case(spec.name) {
        return Err(DescriptorError::BadName { name: spec.name });
    }
    if spec.description.trim().is_empty() {
        return Err(DescriptorError::NoDescription);
    }
    if spec.tags.iter().any(|tag| tag.trim().is_empty()) {
        return Err(DescriptorError::EmptyTag);
    }
    check_ports("input", spec.inputs)?;
    check_ports("output", spec.outputs)?;
    check_schema(spec.config_schema)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: ProcessorSpec = ProcessorSpec {
        name: "NativeThing",
        description: "Does a thing.",
        tags: &["video", "filter"],
        inputs: &[
            PortSpec::input("in", "VideoFrame", "Video in.", true),
            PortSpec::input("side", "AudioFrame<2>", "Optional audio.", false),
        ],
        outputs: &[PortSpec::output("out", "VideoFrame", "Video out.")],
        config_schema: r#"{"type": "object", "properties": {"z": {"type": "number", "default": 1}, "a": {"type": "boolean", "default": false}}}"#,
    };

    #[test]
    fn descriptor_json_round_trips() {
        assert_eq!(validate_spec(&GOOD), Ok(()));
        let value: Value = serde_json::from_str(&GOOD.to_json()).expect("descriptor is JSON");
        let expected = json!({
            "name": "NativeThing",
            "description": "Does a thing.",
            "tags": ["video", "filter"],
            "inputs": [
                {"name": "in", "type": "VideoFrame", "description": "Video in.", "required": true},
                {"name": "side", "type": "AudioFrame<2>", "description": "Optional audio.", "required": false},
            ],
            "outputs": [{"name": "out", "type": "VideoFrame", "description": "Video out."}],
            "config": {
                "type": "object",
                "properties": {"z": {"type": "number", "default": 1}, "a": {"type": "boolean", "default": false}},
            },
        });
        assert_eq!(value, expected);
        // Properties keep the author's order.
        let keys: Vec<&String> = value["config"]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(keys, ["z", "a"]);
    }

    #[test]
    fn a_broken_schema_still_yields_json() {
        let spec = ProcessorSpec {
            config_schema: "{not json",
            ..GOOD
        };
        let value: Value = serde_json::from_str(&spec.to_json()).expect("descriptor is JSON");
        assert_eq!(value["config"], "{not json");
        assert!(matches!(
            validate_spec(&spec),
            Err(DescriptorError::SchemaNotJson { .. })
        ));
    }

    #[test]
    fn mistakes_are_named() {
        let cases: [(ProcessorSpec, &str); 7] = [
            (
                ProcessorSpec {
                    name: "native_thing",
                    ..GOOD
                },
                "PascalCase",
            ),
            (
                ProcessorSpec {
                    description: " ",
                    ..GOOD
                },
                "description",
            ),
            (
                ProcessorSpec {
                    tags: &[""],
                    ..GOOD
                },
                "tag",
            ),
            (
                ProcessorSpec {
                    outputs: const { &[PortSpec::output("a b", "VideoFrame", "x")] },
                    ..GOOD
                },
                "output name 'a b'",
            ),
            (
                ProcessorSpec {
                    inputs: const {
                        &[
                            PortSpec::input("in", "VideoFrame", "x", true),
                            PortSpec::input("in", "VideoFrame", "y", true),
                        ]
                    },
                    ..GOOD
                },
                "two inputs are named 'in'",
            ),
            (
                ProcessorSpec {
                    inputs: const { &[PortSpec::input("in", "", "x", true)] },
                    ..GOOD
                },
                "no port type",
            ),
            (
                ProcessorSpec {
                    config_schema: r#"{"type": "array"}"#,
                    ..GOOD
                },
                "\"type\": \"object\"",
            ),
        ];
        for (spec, words) in cases {
            let message = validate_spec(&spec).expect_err(words).to_string();
            assert!(message.contains(words), "{message} should mention {words}");
        }
    }
}
