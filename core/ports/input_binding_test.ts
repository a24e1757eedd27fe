import assert from "node:assert/strict";
import { InputBinding, PortAlreadyConnectedError } from "./input_binding.ts";
import { LocalConnection } from "./local_connection.ts";

Deno.test("InputBinding reads nothing and never throws while unconnected", () => {
  const input = new InputBinding<number>("in", "DataFrame");
  assert.equal(input.isConnected, false);
  assert.equal(input.available, 0);
  assert.equal(input.read(), undefined);
  assert.equal(input.readLatest(), undefined);
});

Deno.test("InputBinding.attach() takes one connection; a second is a typed error", () => {
  const input = new InputBinding<number>("in_0", "AudioFrame<2>");
  const first = new LocalConnection<number>();
  input.attach(first);
  first.push(4);
  assert.equal(input.available, 1);
  assert.equal(input.read(), 4);
  const error = assert.throws(
    () => input.attach(new LocalConnection<number>()),
    (e: unknown) => e instanceof PortAlreadyConnectedError && e.port === "in_0",
  );
  assert.equal(error, undefined);
  assert.equal(input.detach(), first);
  assert.equal(input.isConnected, false);
  input.attach(new LocalConnection<number>());
});

Deno.test("InputBinding.framesRead counts frames returned by read() and readLatest() across connections", () => {
  const input = new InputBinding<number>("in", "DataFrame");
  assert.equal(input.read(), undefined);
  const first = new LocalConnection<number>({ capacity: 4 });
  input.attach(first);
  first.push(1);
  first.push(2);
  first.push(3);
  input.read();
  input.readLatest(); // takes 3, skips 2
  input.read(); // nothing
  input.detach();
  const second = new LocalConnection<number>();
  input.attach(second);
  second.push(4);
  input.read();
  assert.equal(input.framesRead, 3);
});
