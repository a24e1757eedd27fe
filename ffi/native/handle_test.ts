import assert from "node:assert/strict";
import { InvalidHandleError, NativeError } from "./errors.ts";
import { type NativeFree, NativeHandle } from "./handle.ts";
import { CLOSED_HANDLE } from "./status.ts";
import type { NativeLibrary } from "./symbols.ts";

const lib = { symbols: { sl_last_error: () => 0 } } as unknown as NativeLibrary;

class Wrapper extends NativeHandle {
  extra = 0;
  constructor(handle: number, free: NativeFree | undefined) {
    super(lib, handle, free);
  }
  get raw(): number {
    return this.nativeHandle;
  }
  call(operation: string, status = -2): never {
    return this.fail(status, operation);
  }
  give(): number | undefined {
    return this.detach();
  }
  /** What a call on the closed handle is told. */
  protected override closedDetail(): string {
    return "this wrapper is closed";
  }
}

class Stopping extends Wrapper {
  protected override free(handle: number): void {
    this.extra = handle;
    super.free(handle);
  }
}

Deno.test("NativeHandle.close() frees the handle once", () => {
  const freed: number[] = [];
  const w = new Wrapper(3, (_lib, h) => void freed.push(h));
  assert.equal(w.closed, false);
  assert.equal(w.raw, 3);
  w.close();
  w.close();
  assert.deepEqual(freed, [3]);
  assert.equal(w.closed, true);
  assert.equal(w.raw, CLOSED_HANDLE);
});

Deno.test("NativeHandle[Symbol.dispose]() closes", () => {
  const freed: number[] = [];
  {
    using _w = new Wrapper(5, (_lib, h) => void freed.push(h));
  }
  assert.deepEqual(freed, [5]);
});

Deno.test("NativeHandle.fail() throws InvalidHandleError once closed, with the subclass's detail", () => {
  const w = new Wrapper(1, () => {});
  w.close();
  assert.throws(() => w.call("use a wrapper"), (e: unknown) => {
    assert.ok(e instanceof InvalidHandleError);
    assert.match((e as Error).message, /this wrapper is closed/);
    return true;
  });
});

Deno.test("NativeHandle.fail() throws the status's error while open", () => {
  const w = new Wrapper(1, () => {});
  assert.throws(() => w.call("use a wrapper", -99), (e: unknown) => {
    assert.ok(e instanceof NativeError && !(e instanceof InvalidHandleError));
    assert.equal((e as NativeError).code, -99);
    return true;
  });
  w.close();
});

Deno.test("NativeHandle.detach() gives the handle up without freeing it", () => {
  const freed: number[] = [];
  const w = new Wrapper(9, (_lib, h) => void freed.push(h));
  assert.equal(w.give(), 9);
  assert.equal(w.give(), undefined);
  w.close();
  assert.deepEqual(freed, []);
  assert.ok(w.closed);
});

Deno.test("NativeHandle.close() of a borrowed handle frees nothing", () => {
  const w = new Wrapper(4, undefined);
  w.close();
  assert.ok(w.closed);
});

Deno.test("NativeHandle.free() overridden runs instead, once", () => {
  const freed: number[] = [];
  const w = new Stopping(6, (_lib, h) => void freed.push(h));
  w.close();
  w.close();
  assert.equal(w.extra, 6);
  assert.deepEqual(freed, [6]);
});
