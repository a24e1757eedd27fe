//! [`Frames`]: safe access to the frames of one `process` call, and [`FrameError`].

use std::fmt;
use std::iter::once;
use std::ops::Range;

use crate::abi::{FrameView, ProcessCall};
use crate::input::InputFrame;
use crate::output::OutputFrame;
use crate::spec::PortSpec;

/// Whether a port is an input or an output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// An input port.
    Input,
    /// An output port.
    Output,
}

/// A port of the running processor, for messages: `input 'in'`, or `output 2` when the
/// descriptor has fewer ports than the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Port {
    /// Input or output.
    pub direction: Direction,
    /// Index in descriptor order.
    pub index: usize,
    /// The name from the descriptor, if it has this port.
    pub name: Option<&'static str>,
}

impl Port {
    fn new(direction: Direction, index: usize, specs: &'static [PortSpec]) -> Self {
        Self {
            direction,
            index,
            name: specs.get(index).map(|spec| spec.name),
        }
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let direction = match self.direction {
            Direction::Input => "input",
            Direction::Output => "output",
        };
        match self.name {
            Some(name) => write!(f, "{direction} '{name}'"),
            None => write!(f, "{direction} {}", self.index),
        }
    }
}

/// Why a frame could not be read or written.
#[derive(Clone, Debug, PartialEq)]
pub enum FrameError {
    /// The host passed a call the SDK refuses to touch (null or misaligned pointers, overlapping
    /// buffers). A host bug, not the plugin's.
    BadCall {
        /// What is wrong.
        detail: String,
    },
    /// The frame is of another kind than asked for.
    WrongKind {
        /// The port.
        port: Port,
        /// `"video"` or `"audio"`.
        expected: &'static str,
        /// The frame's tag.
        tag: u32,
    },
    /// The frame's metadata describe no valid payload (unknown pixel format, zero channels, a
    /// stride shorter than a row, ...).
    BadLayout {
        /// The port.
        port: Port,
        /// What is wrong.
        detail: String,
    },
    /// An input's payload is shorter than its metadata say.
    PayloadTooShort {
        /// The port.
        port: Port,
        /// Bytes the metadata need.
        needed: u64,
        /// Bytes received.
        length: u32,
    },
    /// An audio payload is not 4-byte aligned, so it cannot be read as `f32` in place.
    Misaligned {
        /// The port.
        port: Port,
    },
    /// An output frame does not fit the output slot.
    OutputTooSmall {
        /// The port.
        port: Port,
        /// Bytes the frame needs.
        needed: u64,
        /// Bytes in the slot.
        capacity: u32,
    },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadCall { detail } => write!(f, "the host passed an invalid call: {detail}"),
            Self::WrongKind {
                port,
                expected,
                tag,
            } => write!(
                f,
                "{port} carries {} (tag {tag:#x}), expected {expected}",
                crate::format::kind_name(crate::format::tag_kind(*tag))
            ),
            Self::BadLayout { port, detail } => write!(f, "{port}: {detail}"),
            Self::PayloadTooShort {
                port,
                needed,
                length,
            } => write!(
                f,
                "{port} has {length} payload bytes, but its metadata describe {needed}"
            ),
            Self::Misaligned { port } => {
                write!(f, "{port}: the audio payload is not 4-byte aligned")
            }
            Self::OutputTooSmall {
                port,
                needed,
                capacity,
            } => write!(
                f,
                "{port} has room for {capacity} bytes, but the frame needs {needed}"
            ),
        }
    }
}

impl std::error::Error for FrameError {}

impl From<FrameError> for String {
    fn from(error: FrameError) -> Self {
        error.to_string()
    }
}

/// The address range of `len` bytes at `start`, for overlap checks.
fn span(start: *const u8, len: usize) -> Range<usize> {
    let start = start as usize;
    start..start.saturating_add(len)
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    !a.is_empty() && !b.is_empty() && a.start < b.end && b.start < a.end
}

fn bad_call(detail: impl Into<String>) -> FrameError {
    FrameError::BadCall {
        detail: detail.into(),
    }
}

/// Refuses a null or misaligned array of `count` views (an empty array may be anything).
fn check_array(ptr: *const FrameView, count: u32, what: &str) -> Result<(), FrameError> {
    if count != 0 && (ptr.is_null() || !ptr.is_aligned()) {
        return Err(bad_call(format!(
            "{count} {what} at a null or misaligned pointer"
        )));
    }
    Ok(())
}

/// The frames of one `process` call: inputs to read, outputs to fill.
///
/// Port indices are the descriptor's order. Input payloads borrow the host's slots for the whole
/// call (`'a`), so an input can be read while an output is written.
///
/// # Examples
///
/// ```
/// use streamlib_plugin::abi::FrameView;
/// use streamlib_plugin::format::{AudioLayout, Timing};
/// use streamlib_plugin::testing::{AlignedBuffer, audio_input, output_slot};
/// use streamlib_plugin::{Frames, PortSpec, ProcessorSpec};
///
/// const SPEC: ProcessorSpec = ProcessorSpec {
///     name: "Negate",
///     description: "Negates stereo audio.",
///     tags: &[],
///     inputs: &[PortSpec::input("in", "AudioFrame<2>", "Audio.", true)],
///     outputs: &[PortSpec::output("out", "AudioFrame<2>", "Negated audio.")],
///     config_schema: r#"{"type": "object"}"#,
/// };
/// let mut input = AlignedBuffer::from_f32(&[0.5, -0.25]);
/// let mut output = AlignedBuffer::zeroed(64);
/// let inputs = [audio_input(&mut input, 2, 48_000.0, 1)];
/// let mut outputs = [output_slot(&mut output)];
/// // SAFETY: the views describe live buffers that nothing else touches during the call.
/// let mut frames = unsafe { Frames::new(&inputs, &mut outputs, &SPEC) }.unwrap();
/// let audio = frames.input(0).unwrap().audio().unwrap();
/// let mut out = frames.output(0).unwrap();
/// out.emit_audio(audio.layout(), audio.timing(), |samples| {
///     for (o, i) in samples.iter_mut().zip(audio.samples) {
///         *o = -*i;
///     }
/// })
/// .unwrap();
/// assert_eq!(outputs[0].length, 8);
/// assert_eq!(output.f32s(2), [-0.5, 0.25]);
/// ```
pub struct Frames<'a> {
    inputs: &'a [FrameView],
    outputs: &'a mut [FrameView],
    input_ports: &'static [PortSpec],
    output_ports: &'static [PortSpec],
    dropped: u32,
    next_call_in_ns: u64,
}

impl<'a> Frames<'a> {
    /// Wraps the views of a call, after checking that no writable memory (the output views and
    /// output payloads) overlaps anything else, and that no payload length exceeds `isize::MAX`.
    ///
    /// # Safety
    ///
    /// For `'a`: every input view with a non-null `data` points to `length` readable bytes that
    /// nobody writes; every output view with a non-null `data` points to `capacity` writable
    /// bytes that nobody else reads or writes.
    ///
    /// # Errors
    ///
    /// [`FrameError::BadCall`] for overlapping buffers or impossible lengths.
    pub unsafe fn new(
        inputs: &'a [FrameView],
        outputs: &'a mut [FrameView],
        spec: &crate::ProcessorSpec,
    ) -> Result<Self, FrameError> {
        let too_long = |len: u32| isize::try_from(len).is_err();
        if inputs
            .iter()
            .any(|v| !v.data.is_null() && too_long(v.length))
            || outputs
                .iter()
                .any(|v| !v.data.is_null() && too_long(v.capacity))
        {
            return Err(bad_call("a payload longer than isize::MAX"));
        }
        // Checked pairwise without allocating: a call has a handful of ports.
        let outputs_array = span(outputs.as_ptr().cast(), size_of_val(outputs));
        let inputs_array = span(inputs.as_ptr().cast(), size_of_val(inputs));
        let writable = || {
            let payloads = outputs.iter().filter(|v| !v.data.is_null());
            once(outputs_array.clone()).chain(payloads.map(|v| span(v.data, v.capacity as usize)))
        };
        let readable = || {
            let payloads = inputs.iter().filter(|v| !v.data.is_null());
            once(inputs_array.clone()).chain(payloads.map(|v| span(v.data, v.length as usize)))
        };
        for (i, a) in writable().enumerate() {
            if writable()
                .skip(i + 1)
                .chain(readable())
                .any(|b| overlaps(&a, &b))
            {
                return Err(bad_call(
                    "an output buffer overlaps another buffer of the call",
                ));
            }
        }
        Ok(Self {
            inputs,
            outputs,
            input_ports: spec.inputs,
            output_ports: spec.outputs,
            dropped: 0,
            next_call_in_ns: 0,
        })
    }

    /// Wraps a [`ProcessCall`] from the host, refusing null or misaligned arrays.
    ///
    /// # Safety
    ///
    /// `call` is null or points to a [`ProcessCall`] whose arrays and payloads satisfy
    /// [`Frames::new`]'s contract for `'a`.
    ///
    /// # Errors
    ///
    /// [`FrameError::BadCall`].
    pub unsafe fn from_call(
        call: *mut ProcessCall,
        spec: &crate::ProcessorSpec,
    ) -> Result<Self, FrameError> {
        if call.is_null() || !call.is_aligned() {
            return Err(bad_call("a null or misaligned ProcessCall"));
        }
        // SAFETY: non-null and aligned; the caller promises a valid ProcessCall.
        let call = unsafe { &*call };
        check_array(call.inputs, call.input_count, "inputs")?;
        check_array(call.outputs, call.output_count, "outputs")?;
        let inputs = if call.input_count == 0 {
            &[]
        } else {
            // SAFETY: non-null and aligned (checked); the caller promises `input_count` valid
            // views for 'a.
            unsafe { std::slice::from_raw_parts(call.inputs, call.input_count as usize) }
        };
        let outputs = if call.output_count == 0 {
            &mut []
        } else {
            // SAFETY: non-null and aligned (checked); the caller promises `output_count` valid
            // views, writable and unshared for 'a; `new` checks they do not overlap the inputs.
            unsafe { std::slice::from_raw_parts_mut(call.outputs, call.output_count as usize) }
        };
        // SAFETY: forwarded from the caller.
        unsafe { Self::new(inputs, outputs, spec) }
    }

    /// Number of input views in the call.
    pub fn input_count(&self) -> usize {
        self.inputs.len()
    }

    /// Number of output views in the call.
    pub fn output_count(&self) -> usize {
        self.outputs.len()
    }

    /// The frame on input `index`, or `None` if the call has no such input or no frame arrived
    /// on it (null `data` or tag 0).
    pub fn input(&self, index: usize) -> Option<InputFrame<'a>> {
        let view = self.inputs.get(index)?;
        if view.data.is_null() || view.tag == 0 {
            return None;
        }
        // SAFETY: `new`'s contract: non-null input data point to `length` readable bytes for 'a,
        // and `new` checked the length fits isize.
        let bytes = unsafe { std::slice::from_raw_parts(view.data, view.length as usize) };
        let port = Port::new(Direction::Input, index, self.input_ports);
        Some(InputFrame::new(view, bytes, port))
    }

    /// The slot of output `index`, or `None` if the call has no such output or it has no slot
    /// (not connected, or the pool is exhausted): skip the work then.
    pub fn output(&mut self, index: usize) -> Option<OutputFrame<'_>> {
        let port = Port::new(Direction::Output, index, self.output_ports);
        let view = self.outputs.get_mut(index)?;
        if view.data.is_null() {
            return None;
        }
        // SAFETY: `new`'s contract: non-null output data point to `capacity` writable bytes,
        // shared with nothing, for 'a (which outlives this borrow of `self`).
        Some(unsafe { OutputFrame::new(view, port) })
    }

    /// Counts `frames` this call dropped on purpose (an input not used, a frame skipped to keep
    /// up): the host adds them to the node's `framesDropped` (plugin ABI 2). Frames consumed
    /// without output (a sink, a filter that waits for more) are not drops.
    ///
    /// # Examples
    ///
    /// ```
    /// use streamlib_plugin::{Frames, ProcessorSpec};
    ///
    /// const SPEC: ProcessorSpec = ProcessorSpec {
    ///     name: "Drops",
    ///     description: "Drops.",
    ///     tags: &[],
    ///     inputs: &[],
    ///     outputs: &[],
    ///     config_schema: r#"{"type": "object"}"#,
    /// };
    /// // SAFETY: no views, so nothing to point anywhere.
    /// let mut frames = unsafe { Frames::new(&[], &mut [], &SPEC) }.unwrap();
    /// frames.count_dropped(2);
    /// frames.count_dropped(1);
    /// assert_eq!(frames.dropped(), 3);
    /// ```
    pub fn count_dropped(&mut self, frames: u32) {
        self.dropped = self.dropped.saturating_add(frames);
    }

    /// The frames counted by [`Frames::count_dropped`] in this call.
    pub fn dropped(&self) -> u32 {
        self.dropped
    }

    /// For a source (a processor without inputs): asks the host to wait at least `delay` before
    /// the next `process` call (plugin ABI 2). Without it, a source is called again as soon as
    /// its outputs have room. Ignored for processors with inputs.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use streamlib_plugin::{Frames, ProcessorSpec};
    ///
    /// const SPEC: ProcessorSpec = ProcessorSpec {
    ///     name: "Ticks",
    ///     description: "A source.",
    ///     tags: &[],
    ///     inputs: &[],
    ///     outputs: &[],
    ///     config_schema: r#"{"type": "object"}"#,
    /// };
    /// // SAFETY: no views, so nothing to point anywhere.
    /// let mut frames = unsafe { Frames::new(&[], &mut [], &SPEC) }.unwrap();
    /// frames.next_call_in(Duration::from_millis(10));
    /// assert_eq!(frames.next_call_in_ns(), 10_000_000);
    /// ```
    pub fn next_call_in(&mut self, delay: std::time::Duration) {
        self.next_call_in_ns = u64::try_from(delay.as_nanos()).unwrap_or(u64::MAX);
    }

    /// The delay set by [`Frames::next_call_in`] in this call, in nanoseconds (0: none).
    pub fn next_call_in_ns(&self) -> u64 {
        self.next_call_in_ns
    }

    /// Marks every output as emitting nothing (`length` 0).
    pub fn clear_outputs(&mut self) {
        for view in self.outputs.iter_mut() {
            view.length = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProcessorSpec;
    use crate::testing::{AlignedBuffer, output_slot};

    const SPEC: ProcessorSpec = ProcessorSpec {
        name: "Two",
        description: "Two outputs.",
        tags: &[],
        inputs: &[PortSpec::input("in", "VideoFrame", "in", true)],
        outputs: &[
            PortSpec::output("a", "VideoFrame", "a"),
            PortSpec::output("b", "VideoFrame", "b"),
        ],
        config_schema: r#"{"type": "object"}"#,
    };

    #[test]
    fn overlapping_outputs_are_refused() {
        let mut buffer = AlignedBuffer::zeroed(128);
        let mut outputs = [output_slot(&mut buffer), output_slot(&mut buffer)];
        outputs[1].data = outputs[1].data.wrapping_add(64);
        // SAFETY: the views describe `buffer`, which outlives the call.
        let refused = unsafe { Frames::new(&[], &mut outputs, &SPEC) }
            .err()
            .expect("overlap");
        assert!(refused.to_string().contains("overlaps"), "{refused}");
        outputs[1].capacity = 64;
        outputs[0].capacity = 64;
        // SAFETY: as above; now the halves are disjoint.
        assert!(unsafe { Frames::new(&[], &mut outputs, &SPEC) }.is_ok());
    }

    #[test]
    fn null_arrays_are_refused() {
        let mut call = ProcessCall {
            inputs: std::ptr::null(),
            input_count: 1,
            outputs: std::ptr::null_mut(),
            output_count: 0,
            dropped: 0,
            next_call_in_ns: 0,
        };
        // SAFETY: from_call must refuse the null array without reading it.
        let error = unsafe { Frames::from_call(&mut call, &SPEC) }
            .err()
            .expect("refused");
        assert!(matches!(error, FrameError::BadCall { .. }));
        // SAFETY: a null call is refused.
        assert!(unsafe { Frames::from_call(std::ptr::null_mut(), &SPEC) }.is_err());
    }

    #[test]
    fn missing_frames_and_slots_are_none() {
        let mut outputs = [FrameView::EMPTY, FrameView::EMPTY];
        let inputs = [FrameView::EMPTY];
        // SAFETY: the views have no payloads.
        let mut frames = unsafe { Frames::new(&inputs, &mut outputs, &SPEC) }.unwrap();
        assert!(frames.input(0).is_none());
        assert!(frames.input(5).is_none());
        assert!(frames.output(1).is_none());
        assert!(frames.output(2).is_none());
        assert_eq!((frames.input_count(), frames.output_count()), (1, 2));
    }

    #[test]
    fn ports_are_named_when_known() {
        let known = Port::new(Direction::Output, 1, SPEC.outputs);
        assert_eq!(known.to_string(), "output 'b'");
        assert_eq!(
            Port::new(Direction::Input, 3, SPEC.inputs).to_string(),
            "input 3"
        );
    }
}
