//! The sixteen combs of [`super::Freeverb`] on targets without a vector kernel of ours: each
//! side's eight combs together, frame by frame.

use super::{Banks, COMBS, Coefficients, FLUSH, Line, Stores, window};

/// Both sides' combs over `mono`, each side's outputs summed into its sum in comb order.
pub(super) fn comb_banks(
    (left, right): Banks<'_>,
    (stores_l, stores_r): Stores<'_>,
    mono: &[f64],
    (sum_l, sum_r): (&mut [f64], &mut [f64]),
    c: Coefficients,
) {
    comb_bank(left, stores_l, mono, sum_l, c);
    comb_bank(right, stores_r, mono, sum_r, c);
}

/// One side's eight combs over `mono`, their outputs summed into `sum` in comb order (`0 +
/// comb 0 + comb 1 ...`, as the TypeScript adds them): all eight per frame, so their lowpass
/// recurrences overlap, over stretches where no delay line wraps.
fn comb_bank(
    lines: &mut [Line; COMBS],
    stores: &mut [f64; COMBS],
    mono: &[f64],
    sum: &mut [f64],
    c: Coefficients,
) {
    let Coefficients {
        undamped,
        damping,
        feedback,
    } = c;
    let mut s = *stores;
    let mut done = 0;
    while done < mono.len() {
        let stretch = lines
            .iter()
            .map(|line| line.buffer.len() - line.index)
            .fold(mono.len() - done, usize::min);
        let buffers = lines.each_mut().map(|line| window(line, stretch));
        let x = &mono[done..done + stretch];
        let out = &mut sum[done..done + stretch];
        for i in 0..stretch {
            let input = x[i];
            let mut acc = 0.0;
            for k in 0..COMBS {
                let y = buffers[k][i];
                let store = y * undamped + s[k] * damping;
                s[k] = if store.abs() < FLUSH { 0.0 } else { store };
                let next = input + s[k] * feedback;
                buffers[k][i] = if next.abs() < FLUSH { 0.0 } else { next };
                acc += y;
            }
            out[i] = acc;
        }
        for line in lines.iter_mut() {
            line.index = (line.index + stretch) % line.buffer.len();
        }
        done += stretch;
    }
    *stores = s;
}
