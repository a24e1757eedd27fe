//! No polyphase kernels on targets other than x86-64: rubato converts there (it has NEON code
//! on aarch64).

use super::polyphase::Filter;

/// A kernel's type, shared with x86-64 (`(filter, buffer, position, available, out) ->
/// (written, next position)`).
///
/// # Safety
///
/// Never called here: [`kernel`] returns none.
pub(super) type Kernel = unsafe fn(&Filter, &[f32], usize, usize, &mut [f32]) -> (usize, usize);

/// None: rubato converts on this target.
pub(super) fn kernel(_channels: usize) -> Option<Kernel> {
    None
}
