//! Loom model of the handle table's lookup/free protocol (`src/handle_table.rs`).
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test --release --test loom` (see the README).
//! Loom tracks every access to an entry's value, so a free that dropped the value while a lookup
//! was still using it, or a stale handle reaching a reused entry, fails the model.
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;
use streamlib_native::handle_table::HandleTable;

#[test]
fn free_waits_for_an_exclusive_access_in_progress() {
    loom::model(|| {
        let table = Arc::new(HandleTable::new("thing", 1, 1));
        let handle = table.insert(0u32).unwrap();
        let user = {
            let table = Arc::clone(&table);
            thread::spawn(move || table.with_exclusive(handle, |value| *value += 1).is_ok())
        };
        let value = table.remove(handle).unwrap();
        let used = user.join().unwrap();
        assert_eq!(
            value,
            u32::from(used),
            "an access that succeeded must happen before the free"
        );
        assert!(table.with_exclusive(handle, |_| ()).is_err());
    });
}

#[test]
fn free_waits_for_shared_readers() {
    loom::model(|| {
        let table = Arc::new(HandleTable::new("thing", 1, 1));
        let handle = table.insert(7u32).unwrap();
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let table = Arc::clone(&table);
                thread::spawn(move || {
                    if let Ok(value) = table.with_shared(handle, |value| *value) {
                        assert_eq!(value, 7);
                    }
                })
            })
            .collect();
        assert_eq!(table.remove(handle), Ok(7));
        for reader in readers {
            reader.join().unwrap();
        }
    });
}

#[test]
fn a_stale_handle_never_reaches_the_reused_entry() {
    loom::model(|| {
        let table = Arc::new(HandleTable::new("thing", 1, 1));
        let old = table.insert(1u32).unwrap();
        let user = {
            let table = Arc::clone(&table);
            thread::spawn(move || table.with_exclusive(old, |value| *value).ok())
        };
        table.remove(old).unwrap();
        let new = table.insert(2u32).unwrap();
        assert_ne!(new, old);
        let seen = user.join().unwrap();
        assert!(
            seen.is_none() || seen == Some(1),
            "stale handle saw {seen:?}"
        );
        assert_eq!(table.with_shared(new, |value| *value), Ok(2));
    });
}

#[test]
fn concurrent_double_free_succeeds_once() {
    loom::model(|| {
        let table = Arc::new(HandleTable::new("thing", 1, 1));
        let handle = table.insert(5u32).unwrap();
        let other = {
            let table = Arc::clone(&table);
            thread::spawn(move || table.remove(handle).is_ok())
        };
        let here = table.remove(handle).is_ok();
        let there = other.join().unwrap();
        assert!(here ^ there, "exactly one free succeeds");
        assert!(table.is_empty());
    });
}
