//! `SL_ERR_TABLE_FULL` through the C ABI. Filling the process-wide handle table would fail the
//! FFI tests beside it in this binary, so the filling runs in a child process: this test binary
//! again, with only this test and `STREAMLIB_TABLE_FULL_CHILD` set. (A test binary of its own did
//! the same at the cost of another whole-crate link-time optimisation: 103 s of CPU in CI.)

use std::process::Command;

use streamlib_native::ffi::{sl_last_error, sl_pool_attach, sl_pool_create, sl_pool_free};

const TABLE_FULL: i32 = -7;
const CHILD: &str = "STREAMLIB_TABLE_FULL_CHILD";
const NAME: &str = "ffi_table_full_test::sl_pool_attach_reports_a_full_table_and_recovers";

#[test]
fn sl_pool_attach_reports_a_full_table_and_recovers() {
    if std::env::var_os(CHILD).is_some() {
        fill_the_table_and_recover();
        return;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let output = Command::new(exe)
        .args(["--exact", NAME, "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .expect("run the test binary again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the child process failed:\n{stdout}\n{stderr}"
    );
    // It ran this test, not zero tests filtered out.
    assert!(
        stdout.contains("test result: ok. 1 passed"),
        "the child ran no test:\n{stdout}"
    );
}

fn fill_the_table_and_recover() {
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
