//! A native plugin node: one instance of a plugin's processor type, its connection ends, and the
//! native thread that calls its `process` whenever an input has a frame, or, for a source (no
//! inputs, plugin ABI 2), whenever its outputs have room and the delay it asked for has passed.
//!
//! The thread never calls into JavaScript. It polls its input rings (spinning briefly, then
//! yielding, then sleeping up to [`MAX_IDLE_SLEEP`]); the TypeScript host polls the node's state
//! and the output connections' counters instead, and wakes readers in other isolates.
//!
//! A failed `process` (an error status, or a panic the SDK caught) disables the node: the thread
//! stops calling the plugin, keeps its upstream flowing by discarding input, and the failure's
//! message waits for [`PluginNode::failure`]. The rest of the process is not affected.

use std::ffi::c_void;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use streamlib_plugin::abi::{ErrorBuffer, FrameView, ProcessCall, STATUS_OK, kind};

use crate::frame_pool::FramePool;
use crate::message::FrameMessage;

use super::error::PluginError;
use super::latency::Latency;
use super::library::{PluginLibrary, ProcessorType};
use super::ports::{HEADER_BYTES, InputBinding, OutputBinding, ReceivedFrame, SlotHeader};
use super::ports::{slot_start, write_header};
use super::probe::OutputProbe;

/// Longest sleep of an idle node thread between polls of its inputs.
pub const MAX_IDLE_SLEEP: Duration = Duration::from_micros(500);
const SPINS: u32 = 64;
const YIELDS: u32 = 256;
const ERROR_BYTES: usize = 1024;

/// A node's state, as [`PluginNode::stats`] reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum NodeState {
    /// No instance (before setup, after teardown).
    Stopped = 0,
    /// Set up; the thread is not running.
    Ready = 1,
    /// The thread calls `process` as frames arrive.
    Running = 2,
    /// The thread runs but calls nothing.
    Paused = 3,
    /// `process` failed; see [`PluginNode::failure`].
    Failed = 4,
}

impl NodeState {
    fn from_u32(value: u32) -> Self {
        match value {
            1 => Self::Ready,
            2 => Self::Running,
            3 => Self::Paused,
            4 => Self::Failed,
            _ => Self::Stopped,
        }
    }
}

#[derive(Default)]
struct Ports {
    inputs: Vec<Option<InputBinding>>,
    outputs: Vec<Vec<OutputBinding>>,
}

struct Instance(*mut c_void);
// SAFETY: plugin instances are `Send` by the ABI's contract (the SDK requires `Send`); one thread
// uses an instance at a time (the node's thread, or the host's after joining it).
unsafe impl Send for Instance {}

#[derive(Default)]
struct Counters {
    calls: u64,
    frames_in: u64,
    frames_out: u64,
    errors: u64,
    /// Frames the plugin said it dropped (`ProcessCall::dropped`, plugin ABI 2).
    dropped: u64,
    /// Times the node had work (a queued input frame, or a source due) and found a `fifo`
    /// output full: counted once per wait, not per poll.
    blocked: u64,
    latency: Latency,
}

struct Shared {
    library: Arc<PluginLibrary>,
    index: usize,
    state: AtomicU32,
    quit: AtomicU32,
    ports: Mutex<Ports>,
    instance: Mutex<Option<Instance>>,
    counters: Mutex<Counters>,
    failure: Mutex<Option<String>>,
    /// One per output.
    probes: Vec<OutputProbe>,
}

/// One processor instance of a loaded plugin and its thread.
pub struct PluginNode {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    next_binding: u32,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks is a host bug already reported; the data is plain
    // counters and bindings, still consistent, so carry on.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl PluginNode {
    /// A node of processor `index` of `library`, without an instance yet.
    ///
    /// # Errors
    ///
    /// When `index` is not one of the plugin's processors.
    pub fn new(library: Arc<PluginLibrary>, index: u32) -> Result<Self, PluginError> {
        let ty = library.processors.get(index as usize).ok_or_else(|| {
            PluginError::plugin(format!(
                "Native plugin '{}' has no processor {index}: it has {} (0..{})",
                library.name,
                library.processors.len(),
                library.processors.len()
            ))
        })?;
        let ports = Ports {
            inputs: (0..ty.inputs).map(|_| None).collect(),
            outputs: (0..ty.outputs).map(|_| Vec::new()).collect(),
        };
        let probes = (0..ty.outputs).map(|_| OutputProbe::default()).collect();
        Ok(Self {
            shared: Arc::new(Shared {
                index: index as usize,
                library,
                state: AtomicU32::new(NodeState::Stopped as u32),
                quit: AtomicU32::new(0),
                ports: Mutex::new(ports),
                instance: Mutex::new(None),
                counters: Mutex::new(Counters::default()),
                failure: Mutex::new(None),
                probes,
            }),
            thread: None,
            next_binding: 1,
        })
    }

    fn ty(&self) -> &ProcessorType {
        &self.shared.library.processors[self.shared.index]
    }

    /// Binds a connection end to input `port` (one connection per input); returns its id.
    ///
    /// # Errors
    ///
    /// When the port does not exist or is already connected.
    pub fn bind_input(
        &mut self,
        port: u32,
        make: impl FnOnce(u32) -> InputBinding,
    ) -> Result<u32, PluginError> {
        let name = self.ty().name.clone();
        let id = self.next_binding;
        let mut ports = lock(&self.shared.ports);
        let count = ports.inputs.len();
        let slot = ports.inputs.get_mut(port as usize).ok_or_else(|| {
            PluginError::plugin(format!("{name} has no input {port}: it has {count}"))
        })?;
        if slot.is_some() {
            return Err(PluginError::plugin(format!(
                "Input {port} of {name} is already connected"
            )));
        }
        *slot = Some(make(id));
        self.next_binding += 1;
        Ok(id)
    }

    /// Binds a connection end to output `port` (any number per output); returns its id.
    ///
    /// # Errors
    ///
    /// When the port does not exist.
    pub fn bind_output(
        &mut self,
        port: u32,
        make: impl FnOnce(u32) -> OutputBinding,
    ) -> Result<u32, PluginError> {
        let name = self.ty().name.clone();
        let id = self.next_binding;
        let mut ports = lock(&self.shared.ports);
        let count = ports.outputs.len();
        let list = ports.outputs.get_mut(port as usize).ok_or_else(|| {
            PluginError::plugin(format!("{name} has no output {port}: it has {count}"))
        })?;
        list.push(make(id));
        self.next_binding += 1;
        Ok(id)
    }

    /// Removes and closes the binding `id`; returns whether it existed.
    pub fn unbind(&mut self, id: u32) -> bool {
        let mut ports = lock(&self.shared.ports);
        for input in &mut ports.inputs {
            if input.as_ref().is_some_and(|b| b.id == id) {
                input.take().expect("checked above").close();
                return true;
            }
        }
        for list in &mut ports.outputs {
            if let Some(i) = list.iter().position(|b| b.id == id) {
                list.remove(i).close();
                return true;
            }
        }
        false
    }

    fn output_probe(&self, port: u32) -> Result<&OutputProbe, PluginError> {
        let count = self.shared.probes.len();
        self.shared.probes.get(port as usize).ok_or_else(|| {
            PluginError::plugin(format!(
                "{} has no output {port} to probe: it has {count}",
                self.ty().name
            ))
        })
    }

    /// Asks output `port` for the next frame it writes, of `pool` (see [`OutputProbe::arm`]). An
    /// output without connections writes into `pool` while asked.
    ///
    /// # Errors
    ///
    /// When the port does not exist.
    pub fn probe(&self, port: u32, pool: Arc<FramePool>) -> Result<(), PluginError> {
        self.output_probe(port)?.arm(pool);
        Ok(())
    }

    /// Takes the frame output `port` sampled since [`PluginNode::probe`]; the caller owns its
    /// slot reference.
    ///
    /// # Errors
    ///
    /// When the port does not exist.
    pub fn probe_take(&self, port: u32) -> Result<Option<FrameMessage>, PluginError> {
        Ok(self.output_probe(port)?.take())
    }

    /// Stops sampling output `port` and releases a frame sampled and not taken.
    ///
    /// # Errors
    ///
    /// When the port does not exist.
    pub fn unprobe(&self, port: u32) -> Result<(), PluginError> {
        self.output_probe(port)?.clear();
        Ok(())
    }

    /// Creates the instance from `config` (JSON) and resets the counters.
    ///
    /// # Errors
    ///
    /// The plugin's own message when `create` fails or panics.
    pub fn setup(&mut self, config: &[u8]) -> Result<(), PluginError> {
        self.teardown();
        let ty = self.ty().clone();
        let mut bytes = vec![0u8; ERROR_BYTES];
        let mut error = ErrorBuffer {
            bytes: bytes.as_mut_ptr(),
            capacity: ERROR_BYTES as u32,
            length: 0,
        };
        let length = u32::try_from(config.len())
            .map_err(|_| PluginError::plugin(format!("{}: config too large", ty.name)))?;
        let created = catch_unwind(AssertUnwindSafe(|| {
            // SAFETY: the ABI's create: config readable for `length` bytes, error buffer valid.
            unsafe { (ty.create)(config.as_ptr(), length, &mut error) }
        }));
        let instance = match created {
            Ok(instance) if !instance.is_null() => instance,
            Ok(_) => {
                let detail = error_text(&bytes, error.length);
                return Err(PluginError::plugin(format!(
                    "{} failed to start: {detail}",
                    ty.name
                )));
            }
            Err(_) => {
                return Err(PluginError::plugin(format!(
                    "{} panicked in create (a plugin must catch its panics; the streamlib_plugin SDK does)",
                    ty.name
                )));
            }
        };
        *lock(&self.shared.instance) = Some(Instance(instance));
        *lock(&self.shared.counters) = Counters::default();
        *lock(&self.shared.failure) = None;
        self.shared
            .state
            .store(NodeState::Ready as u32, Ordering::SeqCst);
        Ok(())
    }

    /// Runs (`paused == false`) or pauses the node, starting its thread the first time.
    ///
    /// # Errors
    ///
    /// When the node has no instance, or the OS refuses a thread.
    pub fn run(&mut self, paused: bool) -> Result<(), PluginError> {
        let state = NodeState::from_u32(self.shared.state.load(Ordering::SeqCst));
        match state {
            NodeState::Stopped => {
                return Err(PluginError::plugin(format!(
                    "{} is not set up: call setup before run",
                    self.ty().name
                )));
            }
            NodeState::Failed => return Ok(()),
            _ => {}
        }
        let next = if paused {
            NodeState::Paused
        } else {
            NodeState::Running
        };
        self.shared.state.store(next as u32, Ordering::SeqCst);
        if self.thread.is_none() {
            self.shared.quit.store(0, Ordering::SeqCst);
            let shared = Arc::clone(&self.shared);
            let name = format!("sl-plugin-{}", self.ty().name);
            let thread = std::thread::Builder::new()
                .name(name)
                .spawn(move || node_thread(&shared))
                .map_err(|e| PluginError::plugin(format!("Cannot start a native thread: {e}")))?;
            self.thread = Some(thread);
        }
        Ok(())
    }

    /// Stops the thread (waiting for a `process` in flight); the instance stays.
    pub fn halt(&mut self) {
        self.shared.quit.store(1, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
        let _ = self.shared.state.compare_exchange(
            NodeState::Running as u32,
            NodeState::Ready as u32,
            Ordering::SeqCst,
            Ordering::SeqCst,
        );
        let _ = self.shared.state.compare_exchange(
            NodeState::Paused as u32,
            NodeState::Ready as u32,
            Ordering::SeqCst,
            Ordering::SeqCst,
        );
    }

    /// Stops the thread and destroys the instance.
    pub fn teardown(&mut self) {
        self.halt();
        if let Some(instance) = lock(&self.shared.instance).take() {
            let destroy = self.ty().destroy;
            // SAFETY: an instance `create` returned, destroyed once, after the last `process`
            // returned (the thread is joined).
            let _ = catch_unwind(AssertUnwindSafe(|| unsafe { destroy(instance.0) }));
        }
        // A stopped node keeps no slot for its probes; they keep asking for the next run.
        for probe in &self.shared.probes {
            probe.release_held();
        }
        self.shared
            .state
            .store(NodeState::Stopped as u32, Ordering::SeqCst);
    }

    /// `[state, calls, frames_in, frames_out, errors, count, p50_ns, p99_ns, max_ns, mean_ns,
    /// queued]`, `queued` being the frames waiting on its inputs.
    pub fn stats(&self) -> [f64; 11] {
        // Never wait for a `process` in flight (the caller is a JavaScript event loop): while the
        // thread holds the ports, report one frame queued, i.e. "not drained yet".
        let queued: usize = match self.shared.ports.try_lock() {
            Ok(ports) => ports
                .inputs
                .iter()
                .flatten()
                .map(InputBinding::queued)
                .sum(),
            Err(_) => 1,
        };
        let c = lock(&self.shared.counters);
        let [count, p50, p99, max, mean] = c.latency.summary();
        [
            f64::from(self.shared.state.load(Ordering::SeqCst)),
            c.calls as f64,
            c.frames_in as f64,
            c.frames_out as f64,
            c.errors as f64,
            count,
            p50,
            p99,
            max,
            mean,
            queued as f64,
        ]
    }

    /// `[frames_dropped, blocked_runs]`: the frames the plugin said it dropped, and the times
    /// the node waited for a full `fifo` output with work to do.
    pub fn counters(&self) -> [f64; 2] {
        let c = lock(&self.shared.counters);
        [c.dropped as f64, c.blocked as f64]
    }

    /// The state.
    pub fn state(&self) -> NodeState {
        NodeState::from_u32(self.shared.state.load(Ordering::SeqCst))
    }

    /// Why the node failed, while it is failed.
    pub fn failure(&self) -> Option<String> {
        lock(&self.shared.failure).clone()
    }
}

impl Drop for PluginNode {
    fn drop(&mut self) {
        self.teardown();
        let mut ports = lock(&self.shared.ports);
        for input in ports.inputs.iter_mut().filter_map(Option::take) {
            input.close();
        }
        for list in &mut ports.outputs {
            for output in list.drain(..) {
                output.close();
            }
        }
    }
}

fn node_thread(shared: &Shared) {
    let mut idle = 0u32;
    let mut views = Views::default();
    while shared.quit.load(Ordering::SeqCst) == 0 {
        let state = NodeState::from_u32(shared.state.load(Ordering::SeqCst));
        let worked = match state {
            NodeState::Running => step(shared, &mut views),
            NodeState::Failed => discard(shared),
            _ => false,
        };
        if worked {
            idle = 0;
            continue;
        }
        idle = idle.saturating_add(1);
        if idle < SPINS {
            std::hint::spin_loop();
        } else if idle < YIELDS {
            std::thread::yield_now();
        } else {
            let k = (idle - YIELDS).min(5);
            std::thread::park_timeout((MAX_IDLE_SLEEP / 32) * (1 << k));
        }
    }
}

fn discard(shared: &Shared) -> bool {
    let mut ports = lock(&shared.ports);
    ports
        .inputs
        .iter_mut()
        .flatten()
        .map(InputBinding::discard_queued)
        .sum::<u32>()
        > 0
}

/// Buffers reused by every call, so the steady state allocates nothing.
#[derive(Default)]
struct Views {
    received: Vec<Option<ReceivedFrame>>,
    inputs: Vec<FrameView>,
    outputs: Vec<FrameView>,
    slots: Vec<Option<(u32, Arc<FramePool>)>>,
    error: Vec<u8>,
    /// A source's next call, when it asked for a delay.
    due: Option<Instant>,
    /// Whether the node is waiting for a full output (so a wait is counted once).
    blocked: bool,
}

fn step(shared: &Shared, v: &mut Views) -> bool {
    let ty = &shared.library.processors[shared.index];
    let source = ty.inputs == 0;
    if source && (shared.library.abi < 2 || v.due.is_some_and(|due| Instant::now() < due)) {
        return false; // not due yet (plugin ABI 1 has no sources: its loader refuses them)
    }
    let mut guard = lock(&shared.ports);
    let ports = &mut *guard;
    // Back-pressure: with a full `fifo` output, leave the inputs queued and wait like an idle
    // node (the reader makes room; its writers upstream wait in turn).
    if ports.outputs.iter().flatten().any(OutputBinding::is_full) {
        let work = source || ports.inputs.iter().flatten().any(|i| i.queued() > 0);
        if work && !v.blocked {
            v.blocked = true;
            lock(&shared.counters).blocked += 1;
        }
        return false;
    }
    v.blocked = false;
    v.received.clear();
    let mut any = false;
    for input in &mut ports.inputs {
        let frame = input.as_mut().and_then(InputBinding::receive);
        any |= frame.is_some();
        v.received.push(frame);
    }
    if !any && !source {
        return false;
    }
    v.inputs.clear();
    v.inputs.extend(
        v.received
            .iter()
            .map(|frame| frame.map_or(FrameView::EMPTY, input_view)),
    );
    v.outputs.clear();
    v.slots.clear();
    for (list, probe) in ports.outputs.iter().zip(&shared.probes) {
        let acquired = match list.first() {
            Some(first) => {
                let pool = first.pool();
                match pool.acquire() {
                    Ok(slot) => Some((slot, Arc::clone(pool))),
                    Err(_) => {
                        first.count_pool_exhausted();
                        None
                    }
                }
            }
            // An output without connections gets a slot only while a probe asks for a frame.
            None => probe
                .pool()
                .and_then(|pool| pool.acquire().ok().map(|slot| (slot, pool))),
        };
        v.outputs.push(
            acquired
                .as_ref()
                .map_or(FrameView::EMPTY, |(slot, pool)| output_view(pool, *slot)),
        );
        v.slots.push(acquired);
    }
    if v.error.is_empty() {
        v.error.resize(ERROR_BYTES, 0);
    }
    let mut error = ErrorBuffer {
        bytes: v.error.as_mut_ptr(),
        capacity: ERROR_BYTES as u32,
        length: 0,
    };
    let mut call = ProcessCall {
        inputs: v.inputs.as_ptr(),
        input_count: v.inputs.len() as u32,
        outputs: v.outputs.as_mut_ptr(),
        output_count: v.outputs.len() as u32,
        dropped: 0,
        next_call_in_ns: 0,
    };
    let instance = lock(&shared.instance).as_ref().map(|i| i.0);
    let started = Instant::now();
    let status = match instance {
        // SAFETY: the ABI's process: a live instance, a call whose views point at slots this node
        // holds for the duration, a valid error buffer.
        Some(instance) => catch_unwind(AssertUnwindSafe(|| unsafe {
            (ty.process)(instance, &mut call, &mut error)
        })),
        None => Ok(STATUS_OK),
    };
    let elapsed = started.elapsed().as_nanos() as f64;
    for (i, frame) in v.received.iter().enumerate() {
        if let (Some(frame), Some(input)) = (frame, &ports.inputs[i]) {
            input.release(frame.message.slot);
        }
    }
    let failure = match status {
        Ok(STATUS_OK) => check_outputs(ty, &v.outputs),
        Ok(code) => Some(format!(
            "{} failed in process (status {code}): {}",
            ty.name,
            error_text(&v.error, error.length)
        )),
        Err(_) => Some(format!(
            "{} panicked in process and the panic reached the host (a plugin must catch its panics; the streamlib_plugin SDK does)",
            ty.name
        )),
    };
    let mut frames_out = 0u64;
    let mut emitted = false;
    for (i, acquired) in v.slots.drain(..).enumerate() {
        let Some((slot, pool)) = acquired else {
            continue;
        };
        let view = v.outputs[i];
        if failure.is_some() || view.length == 0 {
            let _ = pool.release(slot);
            continue;
        }
        emitted = true;
        if !ports.outputs[i].is_empty() {
            frames_out += 1; // a frame only a probe sees is not counted, as stats never see probes
        }
        emit(&mut ports.outputs[i], &shared.probes[i], &pool, slot, &view);
    }
    let mut c = lock(&shared.counters);
    c.calls += 1;
    c.frames_in += v.received.iter().flatten().count() as u64;
    c.frames_out += frames_out;
    c.latency.record(elapsed);
    if failure.is_none() {
        c.dropped += u64::from(call.dropped);
    }
    if source {
        v.due = (call.next_call_in_ns > 0)
            .then(|| Instant::now() + Duration::from_nanos(call.next_call_in_ns));
    }
    if let Some(message) = failure {
        c.errors += 1;
        *lock(&shared.failure) = Some(message);
        shared
            .state
            .store(NodeState::Failed as u32, Ordering::SeqCst);
    }
    // A source that emitted nothing and asked for no delay backs off like an idle node.
    !source || emitted || v.due.is_some()
}

fn input_view(frame: ReceivedFrame) -> FrameView {
    let h = frame.header;
    FrameView {
        tag: frame.message.format,
        flags: frame.message.flags,
        width: h.width,
        height: h.height,
        stride: h.stride,
        frame_count: if h.tag >> 24 == kind::AUDIO {
            h.width
        } else {
            0
        },
        timestamp_ns: frame.message.timestamp_ns,
        frame_number: h.frame_number,
        sample_rate: h.sample_rate,
        data: frame.payload,
        length: frame.message.byte_length,
        capacity: frame.message.byte_length,
    }
}

fn output_view(pool: &FramePool, slot: u32) -> FrameView {
    match slot_start(pool, slot) {
        Some(start) => FrameView {
            // SAFETY: the slot is at least HEADER_BYTES long (pools for frames are made so; a
            // smaller one gives capacity 0 below and the pointer is never written).
            data: unsafe { start.add(HEADER_BYTES) },
            capacity: (pool.slot_bytes() as usize).saturating_sub(HEADER_BYTES) as u32,
            ..FrameView::EMPTY
        },
        None => FrameView::EMPTY,
    }
}

fn check_outputs(ty: &ProcessorType, outputs: &[FrameView]) -> Option<String> {
    for (i, view) in outputs.iter().enumerate() {
        if view.length == 0 {
            continue;
        }
        if view.data.is_null() || view.length > view.capacity {
            return Some(format!(
                "{} wrote {} bytes to output {i}, which had room for {}",
                ty.name, view.length, view.capacity
            ));
        }
        let k = view.tag >> 24;
        if !(kind::VIDEO..=kind::DATA).contains(&k) {
            return Some(format!(
                "{} emitted a frame with tag {:#x} on output {i}: the kind (top 8 bits) must be 1 video, 2 audio, 3 encoded video or 4 data",
                ty.name, view.tag
            ));
        }
    }
    None
}

fn emit(
    bindings: &mut [OutputBinding],
    probe: &OutputProbe,
    pool: &Arc<FramePool>,
    slot: u32,
    view: &FrameView,
) {
    let header = SlotHeader {
        tag: view.tag,
        frame_number: view.frame_number,
        width: if view.tag >> 24 == kind::AUDIO {
            view.frame_count
        } else {
            view.width
        },
        height: view.height,
        stride: view.stride,
        sample_rate: view.sample_rate,
    };
    let Some(start) = slot_start(pool, slot) else {
        return;
    };
    // SAFETY: this node holds the only reference to the freshly acquired slot.
    unsafe { write_header(start, &header) };
    let message = FrameMessage {
        slot,
        format: view.tag,
        byte_length: view.length,
        flags: view.flags,
        timestamp_ns: view.timestamp_ns,
        sequence: 0.0,
    };
    probe.offer(pool, &message);
    let total = HEADER_BYTES + view.length as usize;
    let mut owned = true;
    let count = bindings.len();
    for (k, binding) in bindings.iter_mut().enumerate() {
        let last = k + 1 == count;
        if Arc::ptr_eq(binding.pool(), pool) {
            // Fan-out on one pool: every connection gets a reference to the same slot.
            if !last && pool.retain(slot).is_err() {
                continue;
            }
            if last {
                owned = false;
            }
            binding.send(message, false);
        } else {
            let target = Arc::clone(binding.pool());
            let copied = target.acquire().ok().and_then(|s| {
                let dst = slot_start(&target, s)?;
                if (target.slot_bytes() as usize) < total {
                    let _ = target.release(s);
                    return None;
                }
                // SAFETY: both slots are at least `total` bytes (checked / written above), the
                // source is ours and the destination freshly acquired, so they do not overlap.
                unsafe { std::ptr::copy_nonoverlapping(start, dst, total) };
                Some(s)
            });
            match copied {
                Some(s) => binding.send(FrameMessage { slot: s, ..message }, true),
                None => binding.count_pool_exhausted(),
            }
        }
    }
    if owned {
        let _ = pool.release(slot);
    }
}

fn error_text(bytes: &[u8], length: u32) -> String {
    let n = (length as usize).min(bytes.len());
    let text = String::from_utf8_lossy(&bytes[..n]).into_owned();
    if text.is_empty() {
        "no message".to_owned()
    } else {
        text
    }
}
