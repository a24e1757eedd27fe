//! The sixteen combs of [`super::Freeverb`] on x86_64: comb `k` of the left side and of the right
//! side as the two lanes of one SSE2 vector (every x86_64 CPU has SSE2), all eight pairs per frame,
//! over stretches where no delay line wraps. Each lane does what `combs_other.rs` does for its
//! comb, operation for operation (SSE2's `f64` lanes round as scalar `f64` does), so the output is
//! the same bit for bit.

use std::arch::x86_64::{
    __m128d, _mm_add_pd, _mm_and_pd, _mm_castsi128_pd, _mm_cmpnlt_pd, _mm_cvtsd_f64, _mm_load_sd,
    _mm_loadh_pd, _mm_mul_pd, _mm_set_pd, _mm_set1_epi64x, _mm_set1_pd, _mm_setzero_pd,
    _mm_storeh_pd, _mm_storel_pd, _mm_unpackhi_pd,
};

use super::{Banks, COMBS, Coefficients, FLUSH, Stores, window};

/// Both sides' combs over `mono`, each side's outputs summed into its sum in comb order (`0 +
/// comb 0 + comb 1 ...`, as the TypeScript adds them).
pub(super) fn comb_banks(
    (left, right): Banks<'_>,
    (stores_l, stores_r): Stores<'_>,
    mono: &[f64],
    (sum_l, sum_r): (&mut [f64], &mut [f64]),
    c: Coefficients,
) {
    // SAFETY: SSE2 is part of the x86_64 baseline, so these intrinsics run on every target CPU.
    let (u, d, fb, flush, magnitude) = unsafe {
        (
            _mm_set1_pd(c.undamped),
            _mm_set1_pd(c.damping),
            _mm_set1_pd(c.feedback),
            _mm_set1_pd(FLUSH),
            _mm_castsi128_pd(_mm_set1_epi64x(i64::MAX)),
        )
    };
    // SAFETY: as above (SSE2 baseline).
    let mut s: [__m128d; COMBS] =
        std::array::from_fn(|k| unsafe { _mm_set_pd(stores_r[k], stores_l[k]) });
    let mut done = 0;
    while done < mono.len() {
        let stretch = left
            .iter()
            .chain(right.iter())
            .map(|line| line.buffer.len() - line.index)
            .fold(mono.len() - done, usize::min);
        let bl = left
            .each_mut()
            .map(|line| window(line, stretch).as_mut_ptr());
        let br = right
            .each_mut()
            .map(|line| window(line, stretch).as_mut_ptr());
        let x = &mono[done..done + stretch];
        let out_l = &mut sum_l[done..done + stretch];
        let out_r = &mut sum_r[done..done + stretch];
        for i in 0..stretch {
            // SAFETY: every pointer starts a window of `stretch` values of its own delay line (16
            // distinct buffers, borrowed mutably until the loop ends) and `i < stretch`; SSE2 is
            // part of the x86_64 baseline.
            let acc = unsafe {
                let input = _mm_set1_pd(x[i]);
                let mut acc = _mm_setzero_pd();
                for k in 0..COMBS {
                    let y = _mm_loadh_pd(_mm_load_sd(bl[k].add(i)), br[k].add(i));
                    let store = _mm_add_pd(_mm_mul_pd(y, u), _mm_mul_pd(s[k], d));
                    // `if |v| < FLUSH { 0 } else { v }`: keep where not less (NaN kept too).
                    s[k] = _mm_and_pd(_mm_cmpnlt_pd(_mm_and_pd(store, magnitude), flush), store);
                    let next = _mm_add_pd(input, _mm_mul_pd(s[k], fb));
                    let next = _mm_and_pd(_mm_cmpnlt_pd(_mm_and_pd(next, magnitude), flush), next);
                    _mm_storel_pd(bl[k].add(i), next);
                    _mm_storeh_pd(br[k].add(i), next);
                    acc = _mm_add_pd(acc, y);
                }
                acc
            };
            // SAFETY: SSE2 baseline.
            unsafe {
                out_l[i] = _mm_cvtsd_f64(acc);
                out_r[i] = _mm_cvtsd_f64(_mm_unpackhi_pd(acc, acc));
            }
        }
        for line in left.iter_mut().chain(right.iter_mut()) {
            line.index = (line.index + stretch) % line.buffer.len();
        }
        done += stretch;
    }
    for k in 0..COMBS {
        // SAFETY: SSE2 baseline.
        unsafe {
            stores_l[k] = _mm_cvtsd_f64(s[k]);
            stores_r[k] = _mm_cvtsd_f64(_mm_unpackhi_pd(s[k], s[k]));
        }
    }
}
