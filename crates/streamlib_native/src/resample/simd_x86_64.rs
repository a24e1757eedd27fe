//! The polyphase kernels on x86-64: AVX2 with FMA, when the CPU has them (checked once, at
//! creation). Without them there is no kernel and rubato converts (it has SSE code).

use std::arch::x86_64::{
    __m256, _mm_add_ps, _mm_add_ss, _mm_cvtss_f32, _mm_movehdup_ps, _mm_movehl_ps, _mm_storeu_ps,
    _mm256_add_ps, _mm256_castps256_ps128, _mm256_extractf128_ps, _mm256_fmadd_ps, _mm256_loadu_ps,
    _mm256_setzero_ps, _mm256_storeu_ps,
};

use super::polyphase::Filter;

/// A kernel: `(filter, buffer, position, available, out) -> (written, next position)`: makes
/// every output frame whose newest input frame is in `buffer` (`available` is the position of
/// its last frame, in `1 / phases` input frames), from `position` on, into `out` while it has
/// room, and returns the frames written and the next position.
///
/// # Safety
///
/// Only a kernel [`kernel`] returned on this CPU may be called.
pub(super) type Kernel = unsafe fn(&Filter, &[f32], usize, usize, &mut [f32]) -> (usize, usize);

/// The AVX2 kernel for `channels` (1 to 8), or `None` when the CPU lacks AVX2 or FMA.
pub(super) fn kernel(channels: usize) -> Option<Kernel> {
    if !(std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")) {
        return None;
    }
    // V: 8-lane vectors per lcm(8, C) samples, so each lane always holds the same channel;
    // U: independent accumulators, enough to cover the FMA latency.
    Some(match channels {
        1 => run::<1, 1, 4>,
        2 => run::<2, 1, 4>,
        3 => run::<3, 3, 2>,
        4 => run::<4, 1, 4>,
        5 => run::<5, 5, 1>,
        6 => run::<6, 3, 2>,
        7 => run::<7, 7, 1>,
        8 => run::<8, 1, 4>,
        _ => return None,
    })
}

/// See [`Kernel`]. Each output frame is one pass over `taps * C` input samples and as many
/// table entries (the table repeats each coefficient `C` times), accumulated in `U` times `V`
/// 8-lane vectors; lane `l` of vector `v` then holds a partial sum of channel `(8 v + l) % C`.
///
/// # Safety
///
/// The CPU must have AVX2 and FMA; `filter.taps * C` must be a multiple of `8 * V`, and
/// `8 * V` of `C`.
#[target_feature(enable = "avx2,fma")]
unsafe fn run<const C: usize, const V: usize, const U: usize>(
    filter: &Filter,
    buffer: &[f32],
    mut position: usize,
    available: usize,
    out: &mut [f32],
) -> (usize, usize) {
    let (taps, phases) = (filter.taps, filter.phases);
    let (step_frames, step_phases) = (filter.step / phases, filter.step % phases);
    let n = taps * C;
    let lanes = 8 * V;
    debug_assert!(n % lanes == 0 && lanes % C == 0);
    // `position` as whole input frames and a phase, stepped without dividing.
    let (mut frames, mut phase) = (position / phases, position % phases);
    let mut written = 0;
    for o in out.chunks_exact_mut(C) {
        if position > available {
            break;
        }
        let newest = frames + usize::from(phase > 0);
        let row = phase * n;
        let first = (newest + 1 - taps) * C;
        let x = &buffer[first..first + n];
        let h = &filter.table[row..row + n];
        let (xp, hp) = (x.as_ptr(), h.as_ptr());
        let mut acc: [[__m256; V]; U] = [[_mm256_setzero_ps(); V]; U];
        let mut i = 0;
        while i + lanes * U <= n {
            for (u, acc) in acc.iter_mut().enumerate() {
                for (v, a) in acc.iter_mut().enumerate() {
                    let at = i + (u * V + v) * 8;
                    // SAFETY: `at + 8 <= i + lanes * U <= n`, the length of `x` and `h`.
                    *a = unsafe {
                        _mm256_fmadd_ps(
                            _mm256_loadu_ps(xp.add(at)),
                            _mm256_loadu_ps(hp.add(at)),
                            *a,
                        )
                    };
                }
            }
            i += lanes * U;
        }
        while i + lanes <= n {
            for (v, a) in acc[0].iter_mut().enumerate() {
                let at = i + v * 8;
                // SAFETY: `at + 8 <= i + lanes <= n`, the length of `x` and `h`.
                *a = unsafe {
                    _mm256_fmadd_ps(_mm256_loadu_ps(xp.add(at)), _mm256_loadu_ps(hp.add(at)), *a)
                };
            }
            i += lanes;
        }
        let mut vectors = acc[0];
        for a in &acc[1..] {
            for (s, a) in vectors.iter_mut().zip(a) {
                *s = _mm256_add_ps(*s, *a);
            }
        }
        // SAFETY: this function runs with AVX2 (caller contract).
        unsafe { reduce::<C, V>(&vectors, o) };
        position += filter.step;
        frames += step_frames;
        phase += step_phases;
        if phase >= phases {
            phase -= phases;
            frames += 1;
        }
        written += 1;
    }
    (written, position)
}

/// Sums the lanes of `vectors` by channel into `out` (`C` samples): lane `l` of vector `v`
/// holds channel `(8 v + l) % C`. For 1, 2, 4 and 8 channels (one vector) the halves are added
/// in registers.
///
/// # Safety
///
/// The CPU must have AVX (it is inlined into [`run`], compiled for AVX2).
#[inline(always)]
unsafe fn reduce<const C: usize, const V: usize>(vectors: &[__m256; V], out: &mut [f32]) {
    assert!(out.len() >= C);
    // SAFETY: the CPU has AVX (caller contract), which includes SSE3; each store writes within
    // `out` (at least `C` samples, asserted), `two` (4) or `sums` (`8 * V <= 56`).
    unsafe {
        if V == 1 && 8 % C == 0 {
            let v = vectors[0];
            if C == 8 {
                _mm256_storeu_ps(out.as_mut_ptr(), v);
                return;
            }
            let q = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
            if C == 4 {
                _mm_storeu_ps(out.as_mut_ptr(), q);
                return;
            }
            // Lanes 0 and 1 now hold channels 0 and 1 (for 2 channels) or two halves (for 1).
            let d = _mm_add_ps(q, _mm_movehl_ps(q, q));
            if C == 2 {
                let mut two = [0f32; 4];
                _mm_storeu_ps(two.as_mut_ptr(), d);
                out[..2].copy_from_slice(&two[..2]);
            } else {
                out[0] = _mm_cvtss_f32(_mm_add_ss(d, _mm_movehdup_ps(d)));
            }
            return;
        }
        let mut sums = [0f32; 56];
        for (v, vector) in vectors.iter().enumerate() {
            _mm256_storeu_ps(sums.as_mut_ptr().add(v * 8), *vector);
        }
        for (c, sample) in out.iter_mut().enumerate() {
            *sample = sums[..8 * V].iter().skip(c).step_by(C).sum();
        }
    }
}
