/**
 * Coalesced scheduling of `push` and `pull` nodes in one isolate.
 *
 * @module
 */

import type { NodeInstance } from "./node_instance.ts";
import type { RuntimeTimers } from "../../time/timers.ts";

/** Longest run of back-to-back turns in microtasks before one waits for a task, in ms. */
const SLICE_MS = 1;
/** Most turns between two clock reads of the slice (a clock read costs 0.1-0.4 µs here). */
const MAX_TURNS_UNCHECKED = 16;

/**
 * Runs nodes that asked to run (a frame arrived on an input of a `push` node, or a `pull` node
 * was woken), in turns. `schedule()` is idempotent while a node waits, so a thousand frames
 * arriving before a turn cost one run. A turn runs every waiting node once, in the order they
 * asked; nodes that become ready during the turn (downstream of the ones running) run in the
 * same turn, and a node asking again after it ran waits for the next turn. The first turn
 * runs in a microtask; following ones too, for up to 1 ms, then one in a later task (`timers.defer`,
 * `setImmediate` by default), so timers, I/O and messages from other isolates run at least every
 * millisecond. With timers that cannot defer (test clocks), following turns run from a timer.
 * The slice's clock is not read after every turn: after a read, the next one comes after as many
 * turns (at most {@linkcode MAX_TURNS_UNCHECKED}) as would fill half the slice left at the slice's
 * average turn so far, so short turns pay for a clock read once in many, and a slice overruns by
 * about half of what was left only if its turns suddenly grow long.
 *
 * Hot-path methods never allocate once the ready queue has grown to the graph's size.
 */
export class Scheduler {
  readonly #timers: RuntimeTimers;
  /**
   * Nodes waiting for a turn, the first `#readyCount` of `#ready`; `#deferred` is the other
   * queue's array. Counted rather than emptied with `length = 0`, which drops an array's backing
   * store in V8 (the next turn's pushes allocated it again).
   */
  #ready: (NodeInstance | undefined)[] = [];
  #readyCount = 0;
  #deferred: (NodeInstance | undefined)[] = [];
  #turn = 0;
  #active = false;
  #microtask = false;
  #timer: number | undefined;
  #deferPending = false;
  #sliceStart = performance.now();
  /** Turns run in this slice, and turns left before its clock is read again. */
  #sliceTurns = 0;
  #turnsUnchecked = 0;
  /** `timers.guard`, when the timers have one. */
  #guard: ((turn: () => void) => void) | undefined;
  /** What the microtasks, timers and deferred tasks call: the drains, through the guard if any. */
  readonly #runDrain: () => void;
  readonly #runDeferred: () => void;

  /**
   * Creates an inactive scheduler.
   *
   * @param timers The timer for deferred turns.
   */
  constructor(timers: RuntimeTimers) {
    this.#timers = timers;
    const guard = timers.guard?.bind(timers);
    if (guard) {
      const drain = this.#drain;
      const deferred = this.#deferredDrain;
      this.#runDrain = () => guard(drain);
      this.#runDeferred = () => guard(deferred);
      this.#guard = guard;
    } else {
      this.#runDrain = this.#drain;
      this.#runDeferred = this.#deferredDrain;
    }
  }

  /** Whether turns run on their own (when nodes ask). */
  get active(): boolean {
    return this.#active;
  }

  /** Starts or stops running turns on their own; waiting nodes stay queued. */
  set active(active: boolean) {
    this.#active = active;
    if (active) {
      if (this.#readyCount > 0) this.#kick();
    } else if (this.#timer !== undefined) {
      this.#timers.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  /** Whether nodes are waiting. */
  get pending(): boolean {
    return this.#readyCount > 0;
  }

  /**
   * Asks for a run of `node` in the next turn; no-op when it already waits. Never throws.
   *
   * @param node The node.
   */
  schedule(node: NodeInstance): void {
    if (node.queued) return;
    node.queued = true;
    this.#ready[this.#readyCount++] = node;
    if (this.#active) this.#kick();
  }

  /**
   * Runs one turn now.
   *
   * @returns How many nodes ran.
   */
  runTurn(): number {
    const turn = ++this.#turn;
    const ready = this.#ready;
    const deferred = this.#deferred;
    let deferredCount = 0;
    let runs = 0;
    // `#readyCount` grows while the turn runs: nodes that ask now run in this turn too.
    for (let i = 0; i < this.#readyCount; i++) {
      const node = ready[i]!;
      ready[i] = undefined; // a removed node is not kept alive here
      if (node.lastTurn === turn) {
        deferred[deferredCount++] = node;
        continue;
      }
      node.queued = false;
      node.lastTurn = turn;
      if (!node.active) {
        node.missed = true;
        node.wokenInactive(); // a node failed for good ends when its inputs have
        continue;
      }
      node.run();
      runs++;
    }
    this.#ready = deferred;
    this.#readyCount = deferredCount;
    this.#deferred = ready;
    return runs;
  }

  /**
   * Runs one turn now, through the timers' guard when they have one (`RuntimeTimers.guard`).
   *
   * @returns How many nodes ran.
   */
  runGuardedTurn(): number {
    const guard = this.#guard;
    if (guard === undefined) return this.runTurn();
    let runs = 0;
    guard(() => {
      runs = this.runTurn();
    });
    return runs;
  }

  /** Forgets every waiting node. */
  clear(): void {
    const ready = this.#ready;
    for (let i = 0; i < this.#readyCount; i++) {
      ready[i]!.queued = false;
      ready[i] = undefined;
    }
    this.#readyCount = 0;
  }

  #kick(): void {
    if (this.#microtask || this.#timer !== undefined || this.#deferPending) return;
    this.#microtask = true;
    queueMicrotask(this.#runDrain);
  }

  #drain = (): void => {
    this.#timer = undefined;
    if (!this.#active) {
      this.#microtask = false;
      return;
    }
    // Nodes that ask during the turn are queued for this drain's continuation below: `#kick`
    // sees `#microtask` still set and queues nothing. (Kicks queueing a microtask of their own
    // here made a second chain of turns that never yielded to timers or I/O.)
    try {
      this.runTurn();
      // Turns the slice's clock is not read before run back to back here rather than each in a
      // microtask of its own (queueing one cost about 0.1 µs a turn): microtasks queued in them,
      // such as wakes, run after these turns, still before any timer or I/O.
      while (this.#turnsUnchecked > 0 && this.#readyCount > 0 && this.#active) {
        this.#turnsUnchecked--;
        this.#sliceTurns++;
        this.runTurn();
      }
    } finally {
      this.#microtask = false;
    }
    // Nodes that asked again after running get a turn of their own, after the event loop has
    // had a chance to run timers and I/O.
    if (this.#readyCount === 0 || this.#deferPending || this.#timer !== undefined) return;
    if (this.#timers.defer) {
      // Turns follow each other in microtasks for up to SLICE_MS (a source woken by its reader
      // making room, a chain moving a burst), then one goes through a task so timers and I/O run.
      const turns = ++this.#sliceTurns;
      if (this.#turnsUnchecked > 0) {
        this.#turnsUnchecked--;
        this.#microtask = true;
        queueMicrotask(this.#runDrain);
        return;
      }
      const elapsed = performance.now() - this.#sliceStart;
      if (elapsed < SLICE_MS) {
        // Half of what is left, in turns of the slice's average length so far.
        const fit = Math.floor(((SLICE_MS - elapsed) * turns) / (2 * elapsed));
        this.#turnsUnchecked = fit < MAX_TURNS_UNCHECKED ? fit : MAX_TURNS_UNCHECKED;
        this.#microtask = true;
        queueMicrotask(this.#runDrain);
        return;
      }
      this.#deferPending = true;
      this.#timers.defer(this.#runDeferred);
    } else {
      this.#timer = this.#timers.setTimeout(this.#runDrain, 0);
    }
  };

  #deferredDrain = (): void => {
    this.#deferPending = false;
    this.#sliceStart = performance.now();
    this.#sliceTurns = 0;
    this.#turnsUnchecked = 0;
    this.#drain();
  };
}
