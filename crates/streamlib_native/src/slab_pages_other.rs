//! Huge pages for large frame-pool slabs where they are not asked for (see
//! [`crate::slab_pages`]): the slab keeps the allocator's pages.

/// Does nothing on this platform (and in the loom build): returns false.
pub fn advise_huge_pages(_start: *mut u8, _len: usize) -> bool {
    false
}
