//! Loom model of the frame pool's free list (`src/free_stack.rs`): concurrent pops never hand
//! out one index twice, and a pop racing a pop-and-push of the same index (the ABA case) never
//! installs a stale link.
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test --release --test loom` (see the README).
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;
use streamlib_native::free_stack::FreeStack;

fn drained(stack: &FreeStack) -> Vec<u32> {
    let mut all: Vec<u32> = std::iter::from_fn(|| stack.pop()).collect();
    all.sort_unstable();
    all
}

#[test]
fn concurrent_pops_take_distinct_indices() {
    loom::model(|| {
        let stack = Arc::new(FreeStack::new(2));
        stack.push(1).unwrap();
        stack.push(0).unwrap();
        let other = {
            let stack = Arc::clone(&stack);
            thread::spawn(move || stack.pop())
        };
        let here = stack.pop();
        let there = other.join().unwrap();
        let mut both = [here.unwrap(), there.unwrap()];
        both.sort_unstable();
        assert_eq!(both, [0, 1]);
        assert_eq!(stack.pop(), None);
    });
}

#[test]
fn pop_racing_pop_and_push_back_keeps_every_index_once() {
    loom::model(|| {
        let stack = Arc::new(FreeStack::new(3));
        for index in [2, 1, 0] {
            stack.push(index).unwrap();
        }
        // Pops 0 and 1 and pushes 0 back: if the other thread read head = 0 with next = 1 before,
        // installing 1 now would hand out 1 twice; the tag makes that swap fail.
        let churn = {
            let stack = Arc::clone(&stack);
            thread::spawn(move || {
                let a = stack.pop().unwrap();
                let b = stack.pop().unwrap();
                stack.push(a).unwrap();
                b
            })
        };
        let taken = stack.pop().unwrap();
        let kept = churn.join().unwrap();
        assert_ne!(taken, kept);
        let mut all = drained(&stack);
        all.push(taken);
        all.push(kept);
        all.sort_unstable();
        assert_eq!(all, [0, 1, 2]);
    });
}

#[test]
fn concurrent_pushes_keep_both() {
    loom::model(|| {
        let stack = Arc::new(FreeStack::new(2));
        let other = {
            let stack = Arc::clone(&stack);
            thread::spawn(move || stack.push(1).unwrap())
        };
        stack.push(0).unwrap();
        other.join().unwrap();
        assert_eq!(drained(&stack), [0, 1]);
    });
}
