//! The crate's integration tests in one binary: each test binary is linked with the release
//! profile's link-time optimisation over the whole crate, so one binary instead of five saves four
//! of those links (minutes of CI). `ffi_table_full_test` fills the process-wide handle table, which
//! would fail the tests beside it, so it does that in a child process of this binary; the loom
//! models are a binary of their own (`tests/loom/`), with tests only under `--cfg loom`.

mod ffi_media_test;
mod ffi_table_full_test;
mod ffi_test;
mod media_test;
mod net_srt_fuzz_test;
