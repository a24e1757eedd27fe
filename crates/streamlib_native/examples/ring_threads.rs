//! Benchmark "row 3": a native producer thread and a native consumer thread over the same ring
//! implementation the FFI uses — the ceiling the Deno rows are compared against.
//!
//! ```text
//! cargo run --release --example ring_threads -- --messages 20000000 --batch 256 --capacity 4096 --policy fifo
//! ```
//!
//! The producer pushes messages `0..messages` in batches, each message's fields derived from its
//! sequence number; the consumer pops in batches, checks every message is intact and in order
//! (`fifo`: exactly `0, 1, 2, ...`; `latest`: strictly increasing and the last one present) and
//! sums a checksum. Under `latest` the producer pushes with `push_evict`, as a producer of pooled
//! frames must, and checks the messages it gets back are intact and in order; both sides mark the
//! messages they own in a bitmap, and at the end every message must be owned exactly once (read
//! or evicted) and the counters must agree (`read + dropped == messages`, `dropped` = evicted).
//! It prints one JSON line:
//!
//! ```text
//! {"policy":"fifo","messages":20000000,"batch":256,"capacity":4096,"seconds":..,"messages_per_second":..,"ns_per_message":..,"checksum_ok":true}
//! ```
//!
//! and exits with status 1 if the check failed, 2 on bad arguments.

use std::process::ExitCode;
use std::thread;
use std::time::Instant;

use streamlib_native::message::FrameMessage;
use streamlib_native::policy::Policy;
use streamlib_native::ring::{MAX_CAPACITY, RingConsumer, RingProducer, ring};

struct Options {
    messages: u64,
    batch: usize,
    capacity: u32,
    policy: Policy,
}

const USAGE: &str =
    "usage: ring_threads [--messages N] [--batch N] [--capacity N] [--policy fifo|latest]";

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        messages: 20_000_000,
        batch: 256,
        capacity: 4096,
        policy: Policy::Fifo,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("Missing value for {flag}"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|_| format!("Invalid {flag}: {value}, expected a positive integer"))
        };
        match flag.as_str() {
            "--messages" => options.messages = number()?,
            "--batch" => options.batch = number()? as usize,
            "--capacity" => options.capacity = u32::try_from(number()?).unwrap_or(u32::MAX),
            "--policy" => {
                options.policy = match value.as_str() {
                    "fifo" => Policy::Fifo,
                    "latest" => Policy::Latest,
                    _ => {
                        return Err(format!(
                            "Invalid --policy: {value}, valid policies: fifo, latest"
                        ));
                    }
                }
            }
            _ => return Err(format!("Unknown option {flag}")),
        }
    }
    if options.messages == 0 || options.messages > 1 << 53 {
        return Err(format!(
            "Invalid --messages: {}, valid range 1..=2^53",
            options.messages
        ));
    }
    if options.batch == 0 || options.batch > 1 << 20 {
        return Err(format!(
            "Invalid --batch: {}, valid range 1..=1048576",
            options.batch
        ));
    }
    if options.capacity == 0 || options.capacity > MAX_CAPACITY {
        return Err(format!(
            "Invalid --capacity: {}, valid range 1..={MAX_CAPACITY}",
            options.capacity
        ));
    }
    Ok(options)
}

/// Message `n`: every field derived from `n`, so a torn copy is detectable.
fn message(n: u64) -> FrameMessage {
    FrameMessage {
        slot: n as u32,
        format: (n >> 32) as u32,
        byte_length: !(n as u32),
        flags: 0x5A5A_5A5A ^ (n as u32),
        timestamp_ns: (n * 2) as f64,
        sequence: n as f64,
    }
}

/// Waits a little after finding nothing to do: spin first, then give the core away.
fn back_off(idle_rounds: &mut u32) {
    *idle_rounds += 1;
    if *idle_rounds < 128 {
        std::hint::spin_loop();
    } else {
        thread::yield_now();
    }
}

/// One bit per message: who owns it.
struct Ownership(Vec<u64>);

impl Ownership {
    fn new(messages: u64) -> Self {
        Ownership(vec![0; messages.div_ceil(64) as usize])
    }

    fn mark(&mut self, n: u64) {
        if let Some(word) = self.0.get_mut((n / 64) as usize) {
            *word |= 1 << (n % 64);
        }
    }
}

/// Checks that `a` and `b` split `0..messages` between them: every message in exactly one.
fn owned_exactly_once(a: &Ownership, b: &Ownership, messages: u64) -> bool {
    a.0.iter().zip(&b.0).enumerate().all(|(i, (a, b))| {
        let first = i as u64 * 64;
        let all = if messages - first >= 64 {
            u64::MAX
        } else {
            (1 << (messages - first)) - 1
        };
        a & b == 0 && a | b == all
    })
}

/// What the producer got back from a `latest` ring.
struct Evicted {
    count: u64,
    owned: Ownership,
    intact_and_ordered: bool,
}

fn produce(
    mut producer: RingProducer,
    messages: u64,
    batch_size: usize,
    policy: Policy,
) -> Evicted {
    let mut batch = vec![FrameMessage::EMPTY; batch_size];
    let mut evicted_out = vec![FrameMessage::EMPTY; batch_size];
    let mut evicted = Evicted {
        count: 0,
        owned: Ownership::new(if policy == Policy::Latest {
            messages
        } else {
            0
        }),
        intact_and_ordered: true,
    };
    let mut last_evicted: Option<u64> = None;
    let mut next = 0;
    while next < messages {
        let count = batch_size.min((messages - next) as usize);
        for (i, slot) in batch[..count].iter_mut().enumerate() {
            *slot = message(next + i as u64);
        }
        if policy == Policy::Latest {
            let n = producer
                .push_evict(&batch[..count], &mut evicted_out[..count])
                .expect("a latest ring evicts");
            for frame in &evicted_out[..n] {
                let n = frame.sequence as u64;
                evicted.intact_and_ordered &=
                    *frame == message(n) && last_evicted.is_none_or(|last| n > last);
                evicted.owned.mark(n);
                last_evicted = Some(n);
            }
            evicted.count += n as u64;
        } else {
            let mut sent = 0;
            let mut idle_rounds = 0;
            while sent < count {
                let written = producer.push_batch(&batch[sent..count]);
                if written == 0 {
                    back_off(&mut idle_rounds);
                } else {
                    idle_rounds = 0;
                }
                sent += written;
            }
        }
        next += count as u64;
    }
    evicted
}

struct Received {
    count: u64,
    checksum: u64,
    last: Option<u64>,
    intact_and_ordered: bool,
    owned: Ownership,
}

fn consume(
    mut consumer: RingConsumer,
    messages: u64,
    batch_size: usize,
    policy: Policy,
) -> (Received, RingConsumer) {
    let mut out = vec![FrameMessage::EMPTY; batch_size];
    let mut received = Received {
        count: 0,
        checksum: 0,
        last: None,
        intact_and_ordered: true,
        owned: Ownership::new(if policy == Policy::Latest {
            messages
        } else {
            0
        }),
    };
    let mut idle_rounds = 0;
    loop {
        let abandoned = consumer.is_abandoned();
        let count = consumer.pop_batch(&mut out);
        for frame in &out[..count] {
            let n = frame.sequence as u64;
            let in_order = match (policy, received.last) {
                (Policy::Fifo, last) => n == last.map_or(0, |last| last + 1),
                (Policy::Latest, last) => last.is_none_or(|last| n > last),
            };
            received.intact_and_ordered &= in_order && *frame == message(n);
            received.checksum = received.checksum.wrapping_add(n);
            received.last = Some(n);
            received.owned.mark(n);
        }
        received.count += count as u64;
        if count > 0 {
            idle_rounds = 0;
        } else if abandoned {
            break;
        } else {
            back_off(&mut idle_rounds);
        }
    }
    (received, consumer)
}

fn main() -> ExitCode {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (producer, consumer) = match ring(options.capacity, options.policy) {
        Ok(pair) => pair,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::from(2);
        }
    };
    let Options {
        messages,
        batch,
        capacity,
        policy,
    } = options;
    let start = Instant::now();
    let reader = thread::spawn(move || consume(consumer, messages, batch, policy));
    let writer = thread::spawn(move || produce(producer, messages, batch, policy));
    let evicted = writer.join().expect("producer thread panicked");
    let (received, consumer) = reader.join().expect("consumer thread panicked");
    let seconds = start.elapsed().as_secs_f64();

    let stats = consumer.stats();
    let checksum_ok = received.intact_and_ordered
        && received.last == Some(messages - 1)
        && stats.written == messages
        && stats.read == received.count
        && match policy {
            Policy::Fifo => {
                received.count == messages
                    && received.checksum
                        == (u128::from(messages) * u128::from(messages - 1) / 2) as u64
                    && stats.dropped == 0
            }
            Policy::Latest => {
                evicted.intact_and_ordered
                    && stats.read + stats.dropped == messages
                    && stats.dropped == evicted.count
                    && stats.queued == 0
                    && owned_exactly_once(&received.owned, &evicted.owned, messages)
            }
        };
    println!(
        "{{\"policy\":\"{}\",\"messages\":{messages},\"batch\":{batch},\"capacity\":{capacity},\
         \"seconds\":{seconds:.6},\"messages_per_second\":{:.0},\"ns_per_message\":{:.3},\
         \"checksum_ok\":{checksum_ok}}}",
        policy.name(),
        messages as f64 / seconds,
        seconds * 1e9 / messages as f64,
    );
    if checksum_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
