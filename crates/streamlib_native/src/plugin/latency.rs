//! Durations of `process` calls in the buckets of `core/time/latency_histogram.ts` (quarter-octave
//! steps from 100 ns), so native nodes report p50/p99 the way TypeScript nodes do.

const FLOOR_NS: f64 = 100.0;
const STEPS_PER_OCTAVE: f64 = 4.0;
const BUCKETS: usize = 100;

/// A fixed-size latency histogram; recording allocates nothing.
#[derive(Clone, Debug)]
pub struct Latency {
    counts: [u32; BUCKETS],
    count: u64,
    sum_ns: f64,
    max_ns: f64,
}

impl Default for Latency {
    fn default() -> Self {
        Self {
            counts: [0; BUCKETS],
            count: 0,
            sum_ns: 0.0,
            max_ns: 0.0,
        }
    }
}

impl Latency {
    /// Records one duration.
    pub fn record(&mut self, ns: f64) {
        let ns = ns.max(0.0);
        let bucket = if ns <= FLOOR_NS {
            0
        } else {
            ((ns / FLOOR_NS).log2() * STEPS_PER_OCTAVE).ceil() as usize
        };
        self.counts[bucket.min(BUCKETS - 1)] += 1;
        self.count += 1;
        self.sum_ns += ns;
        self.max_ns = self.max_ns.max(ns);
    }

    /// The `q` quantile (upper bucket edge, at most the maximum).
    pub fn quantile(&self, q: f64) -> f64 {
        if self.count == 0 {
            return 0.0;
        }
        let rank = ((q * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0u64;
        for (bucket, &n) in self.counts.iter().enumerate() {
            seen += u64::from(n);
            if seen >= rank {
                if bucket == BUCKETS - 1 {
                    return self.max_ns;
                }
                let edge = (FLOOR_NS * 2f64.powf(bucket as f64 / STEPS_PER_OCTAVE)).round();
                return edge.min(self.max_ns);
            }
        }
        self.max_ns
    }

    /// `[count, p50, p99, max, mean]` in ns.
    pub fn summary(&self) -> [f64; 5] {
        let mean = if self.count == 0 {
            0.0
        } else {
            (self.sum_ns / self.count as f64).round()
        };
        [
            self.count as f64,
            self.quantile(0.5),
            self.quantile(0.99),
            self.max_ns,
            mean,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_match_the_typescript_histogram_buckets() {
        let mut latency = Latency::default();
        for ns in [50.0, 1_000.0, 1_000.0, 5_000.0] {
            latency.record(ns);
        }
        let [count, p50, p99, max, mean] = latency.summary();
        assert_eq!((count, max, mean), (4.0, 5_000.0, 1_763.0));
        // 1000 ns is in bucket ceil(log2(10) * 4) = 14, whose edge is round(100 * 2^3.5) = 1131.
        assert_eq!(p50, 1_131.0);
        assert_eq!(p99, 5_000.0);
    }
}
