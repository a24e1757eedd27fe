//! `SL_ERR_TABLE_FULL` through the C ABI. Kept in its own test binary (its own process) because
//! it fills a process-wide handle table that the other FFI tests share.

use streamlib_native::ffi::{sl_last_error, sl_pool_attach, sl_pool_create, sl_pool_free};

const TABLE_FULL: i32 = -7;

#[test]
fn sl_pool_attach_reports_a_full_table_and_recovers() {
    let mut pool = 0u32;
    // SAFETY: `pool` is one writable u32.
    assert_eq!(unsafe { sl_pool_create(64, 1, &mut pool) }, 0);
    let mut handles = vec![pool];
    let status = loop {
        let mut handle = 0u32;
        // SAFETY: `handle` is one writable u32.
        let status = unsafe { sl_pool_attach(pool, &mut handle) };
        if status != 0 {
            break status;
        }
        handles.push(handle);
    };
    assert_eq!(status, TABLE_FULL);
    assert_eq!(handles.len(), 4096);
    let mut buf = [0u8; 200];
    // SAFETY: `buf` is writable for 200 bytes.
    let length = unsafe { sl_last_error(buf.as_mut_ptr(), 200) } as usize;
    assert_eq!(
        std::str::from_utf8(&buf[..length]).unwrap(),
        "Handle table full: 4096 live pool handles already, free some first"
    );
    for handle in handles.drain(1..) {
        assert_eq!(sl_pool_free(handle), 0);
    }
    let mut again = 0u32;
    // SAFETY: `again` is one writable u32.
    assert_eq!(unsafe { sl_pool_attach(pool, &mut again) }, 0);
    assert_eq!((sl_pool_free(again), sl_pool_free(pool)), (0, 0));
}
