import assert from "node:assert/strict";
import {
  actionsFrom,
  checkAction,
  checkNodeTransition,
  checkRuntimeTransition,
  LIFECYCLE,
  LIFECYCLE_ACTIONS,
  NODE_STATES,
  NODE_TRANSITIONS,
  RUNTIME_STATES,
  RUNTIME_TRANSITIONS,
  type RuntimeState,
  StateTransitionError,
} from "./state.ts";
import { RuntimeStateError } from "./errors.ts";

/** The graph's moves, written out once more by hand: the table must say exactly these. */
const RUNTIME_MOVES = new Set([
  "stopped>starting",
  "starting>running",
  "running>paused",
  "running>stopping",
  "paused>running",
  "paused>stopping",
  "stopping>stopped",
]);

/** The nodes' moves, written out by hand. */
const NODE_MOVES = new Set([
  "stopped>starting",
  "starting>running",
  "starting>paused",
  "starting>stopping",
  "starting>error",
  "running>paused",
  "running>stopping",
  "running>error",
  "paused>running",
  "paused>stopping",
  "paused>error",
  "stopping>stopped",
  "stopping>starting",
  "stopping>error",
  "error>starting",
  "error>stopped",
]);

Deno.test("checkRuntimeTransition() allows exactly the table's moves, for every pair of states", () => {
  let checked = 0;
  for (const from of RUNTIME_STATES) {
    for (const to of RUNTIME_STATES) {
      if (from === to) continue;
      checked++;
      const move = `${from}>${to}`;
      if (RUNTIME_MOVES.has(move)) {
        checkRuntimeTransition(from, to);
        assert.ok(RUNTIME_TRANSITIONS[from].includes(to), move);
        continue;
      }
      assert.throws(() => checkRuntimeTransition(from, to), (error) => {
        assert.ok(error instanceof StateTransitionError, move);
        assert.equal(error.code, "invalid_state");
        assert.equal(error.details.subject, "runtime");
        assert.equal(error.details.state, from);
        assert.equal(error.details.to, to);
        assert.deepEqual(error.details.available, RUNTIME_TRANSITIONS[from], move);
        return true;
      }, move);
    }
  }
  assert.equal(checked, 5 * 4);
});

Deno.test("checkNodeTransition() allows exactly the table's moves, for every pair of states", () => {
  let checked = 0;
  for (const from of NODE_STATES) {
    for (const to of NODE_STATES) {
      if (from === to) continue;
      checked++;
      const move = `${from}>${to}`;
      if (NODE_MOVES.has(move)) {
        checkNodeTransition("n", from, to);
        continue;
      }
      assert.throws(() => checkNodeTransition("n", from, to), (error) => {
        assert.ok(error instanceof StateTransitionError, move);
        assert.equal(error.details.subject, "n");
        assert.deepEqual(error.details.available, NODE_TRANSITIONS[from], move);
        assert.match(error.message, new RegExp(`^Cannot move node 'n' from ${from} to ${to}`));
        return true;
      }, move);
    }
  }
  assert.equal(checked, 6 * 5);
  // The tables name no move the hand-written lists lack.
  const tableMoves = (table: Record<string, readonly string[]>) =>
    Object.entries(table).flatMap(([from, next]) => next.map((to) => `${from}>${to}`));
  assert.deepEqual(new Set(tableMoves(NODE_TRANSITIONS)), NODE_MOVES);
  assert.deepEqual(new Set(tableMoves(RUNTIME_TRANSITIONS)), RUNTIME_MOVES);
});

Deno.test("checkAction() allows each call in exactly its states, enters a state the table allows, and names the calls open now", () => {
  const allowed: Record<string, RuntimeState[]> = {
    start: ["stopped"],
    pause: ["running"],
    resume: ["paused"],
    stop: ["running", "paused"],
  };
  for (const action of LIFECYCLE_ACTIONS) {
    for (const state of RUNTIME_STATES) {
      if (allowed[action].includes(state)) {
        const to = checkAction(action, state);
        assert.equal(to, LIFECYCLE[action].to);
        checkRuntimeTransition(state, to); // every call is a move of the table
        assert.ok(actionsFrom(state).includes(action));
        continue;
      }
      assert.throws(() => checkAction(action, state), (error) => {
        assert.ok(error instanceof RuntimeStateError, `${action} in ${state}`);
        assert.equal(error.code, "invalid_state");
        assert.equal(error.details.state, state);
        assert.deepEqual(error.details.allowed, allowed[action]);
        assert.deepEqual(error.details.available, actionsFrom(state));
        return true;
      }, `${action} in ${state}`);
    }
  }
  assert.deepEqual(actionsFrom("starting"), []);
  assert.deepEqual(actionsFrom("stopping"), []);
});
