/**
 * Undo and redo of graph edits. Each edit is a pair of control-API calls (do and undo), so an
 * undo is an ordinary edit that every client sees; the history is the page's own.
 *
 * @module
 */

import { type Signal, signal } from "@preact/signals";

/** One undoable edit. */
export interface Edit {
  /** What it does, for the buttons' titles (`add gain_1`). */
  readonly label: string;
  /** Does (or redoes) it; resolves `false` when the API refused (the notice says why). */
  apply(): Promise<boolean>;
  /** Undoes it; resolves `false` when the API refused. */
  revert(): Promise<boolean>;
}

/** The page's edits, undoable in order. */
export class EditHistory {
  /** Done edits, oldest first. */
  readonly past: Signal<readonly Edit[]> = signal([]);
  /** Undone edits, the next to redo last. */
  readonly future: Signal<readonly Edit[]> = signal([]);
  // Edits run one after another, in the order asked (an undo pressed while an edit is still
  // on its way waits for it).
  #queue: Promise<unknown> = Promise.resolve();

  #serial(task: () => Promise<boolean>): Promise<boolean> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => false);
    return run;
  }

  /**
   * Does an edit and records it (clearing what could be redone).
   *
   * @param edit The edit.
   * @returns Whether it was done.
   *
   * @example Undo and redo a counter edit
   * ```ts
   * import assert from "node:assert/strict";
   * import { EditHistory } from "./edit_history.ts";
   *
   * let n = 0;
   * const history = new EditHistory();
   * const add = { label: "add", apply: async () => (n++, true), revert: async () => (n--, true) };
   * await history.run(add);
   * await history.undo();
   * assert.equal(n, 0);
   * await history.redo();
   * assert.equal(n, 1);
   * ```
   */
  run(edit: Edit): Promise<boolean> {
    return this.#serial(async () => {
      if (!await edit.apply()) return false;
      this.past.value = [...this.past.value, edit].slice(-100);
      this.future.value = [];
      return true;
    });
  }

  /**
   * Undoes the last edit.
   *
   * @returns Whether one was undone.
   */
  undo(): Promise<boolean> {
    return this.#serial(async () => {
      const edit = this.past.value.at(-1);
      if (!edit || !await edit.revert()) return false;
      this.past.value = this.past.value.slice(0, -1);
      this.future.value = [...this.future.value, edit];
      return true;
    });
  }

  /**
   * Redoes the last undone edit.
   *
   * @returns Whether one was redone.
   */
  redo(): Promise<boolean> {
    return this.#serial(async () => {
      const edit = this.future.value.at(-1);
      if (!edit || !await edit.apply()) return false;
      this.future.value = this.future.value.slice(0, -1);
      this.past.value = [...this.past.value, edit];
      return true;
    });
  }
}
