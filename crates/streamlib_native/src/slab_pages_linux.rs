//! Huge pages for large frame-pool slots, Linux: `madvise(MADV_HUGEPAGE)` (see
//! [`crate::slab_pages`]).

use std::ffi::c_void;

/// The size of a transparent huge page on the platforms this build targets (x86-64 and arm64
/// with 4 KiB base pages).
const HUGE_PAGE_BYTES: usize = 2 << 20;

/// Asks the kernel to back the whole huge pages inside `len` bytes at `start` with transparent
/// huge pages when they are first written. The partial huge pages at either end keep base pages.
/// Returns whether the kernel took the advice (false when the range holds no whole huge page, or
/// the kernel has no transparent huge pages).
pub fn advise_huge_pages(start: *mut u8, len: usize) -> bool {
    let first = (start as usize).next_multiple_of(HUGE_PAGE_BYTES);
    let end = (start as usize).saturating_add(len) / HUGE_PAGE_BYTES * HUGE_PAGE_BYTES;
    if end <= first {
        return false;
    }
    // SAFETY: `first..end` lies inside the caller's live allocation of `len` bytes at `start`;
    // MADV_HUGEPAGE changes only which page size backs it, never its contents or its mapping.
    unsafe { libc::madvise(first as *mut c_void, end - first, libc::MADV_HUGEPAGE) == 0 }
}

#[cfg(test)]
mod tests {
    use crate::frame_pool::FramePool;

    /// The address range of a mapping's header line in `/proc/self/smaps` (`start-end perms ...`).
    fn mapping_range(line: &str) -> Option<std::ops::Range<usize>> {
        let (start, end) = line.split_whitespace().next()?.split_once('-')?;
        Some(usize::from_str_radix(start, 16).ok()?..usize::from_str_radix(end, 16).ok()?)
    }

    /// The `THPeligible` line of the mapping in `/proc/self/smaps` that holds `address`.
    fn thp_eligible(address: usize) -> Option<bool> {
        let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
        let mut inside = false;
        for line in smaps.lines() {
            if let Some(range) = mapping_range(line) {
                inside = range.contains(&address);
            } else if inside {
                if let Some(value) = line.strip_prefix("THPeligible:") {
                    return Some(value.trim() == "1");
                }
            }
        }
        None
    }

    #[test]
    fn a_slab_of_video_slots_is_eligible_for_huge_pages_after_each_slots_prefix() {
        let modes = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled");
        let pool = FramePool::new(1920 * 1080 * 4 + 64, 4).unwrap();
        assert!(pool.huge_pages(), "the kernel refused MADV_HUGEPAGE");
        let slot = pool.acquire().unwrap();
        let start = pool.handle_ptr(slot).unwrap();
        // SAFETY: the slot is acquired and `slot_bytes` long; nothing else writes it.
        unsafe { std::ptr::write_bytes(start, 7, pool.slot_bytes() as usize) };
        // The middle of slot 0 lies in a whole huge page of the slab.
        let middle = start as usize + pool.slot_bytes() as usize / 2;
        match modes.as_deref() {
            Ok(modes) if !modes.contains("[never]") => {
                assert_eq!(thp_eligible(middle), Some(true), "THP modes: {modes}");
                if modes.contains("[madvise]") {
                    // The slot's first 256 KiB (header, small payloads) stay on base pages.
                    assert_eq!(thp_eligible(start as usize + 64), Some(false));
                }
            }
            // Huge pages switched off on this machine: the advice is taken, nothing changes.
            _ => assert_ne!(thp_eligible(middle), Some(true)),
        }
        pool.release(slot).unwrap();
    }

    #[test]
    fn a_slab_of_small_slots_keeps_base_pages() {
        let pool = FramePool::new(4096, 4096).unwrap();
        assert!(!pool.huge_pages());
        let modes = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled");
        if modes.is_ok_and(|modes| modes.contains("[madvise]")) {
            let middle = pool.base() as usize + 2048 * 4096;
            assert_eq!(thp_eligible(middle), Some(false));
        }
    }
}
