import assert from "node:assert/strict";
import { StreamClient } from "./stream_client.ts";

/** A socket that records what is sent and reports a settable buffered amount. */
function fakeSocket() {
  const sent: (string | Uint8Array)[] = [];
  const socket = {
    readyState: WebSocket.OPEN as number,
    bufferedAmount: 0,
    send(message: string | Uint8Array) {
      sent.push(message);
    },
  };
  return { socket, sent, ws: socket as unknown as WebSocket };
}

const limits = { highWaterBytes: 1000, maxQueuedEvents: 3 };

Deno.test("StreamClient.flush() sends the snapshot, then events in one batch, graph, stats and frames", () => {
  const { ws, sent } = fakeSocket();
  const client = new StreamClient(ws, limits);
  client.watched = new Set(["a.out"]);
  client.needSnapshot();
  client.offerEvent('{"seq":1}');
  client.offerGraph('{"type":"graph"}');
  client.flush(() => '{"type":"snapshot"}');
  assert.deepEqual(
    sent,
    ['{"type":"snapshot"}'],
    "the snapshot supersedes queued events and graph",
  );
  client.offerEvent('{"seq":2}');
  client.offerEvent('{"seq":3}');
  client.offerStats('{"type":"stats"}');
  client.offerFrame("a.out", new Uint8Array([1]));
  client.offerFrame("b.out", new Uint8Array([2]));
  client.flush(() => "unused");
  assert.deepEqual(sent.slice(1), [
    '{"type":"events","events":[{"seq":2},{"seq":3}]}',
    '{"type":"stats"}',
    new Uint8Array([1]),
  ]);
});

Deno.test("StreamClient keeps only the newest stats and frame while its socket is backed up", () => {
  const { socket, ws, sent } = fakeSocket();
  const client = new StreamClient(ws, limits);
  client.watched = new Set(["a.out"]);
  socket.bufferedAmount = 5000;
  for (let i = 0; i < 50; i++) {
    client.offerStats(`{"n":${i}}`);
    client.offerFrame("a.out", new Uint8Array([i]));
    client.flush(() => "snapshot");
  }
  assert.deepEqual(sent, [], "nothing is sent above the high-water mark");
  assert.equal(client.counters.droppedStats, 49);
  assert.equal(client.counters.droppedFrames, 49);
  socket.bufferedAmount = 0;
  client.flush(() => "snapshot");
  assert.deepEqual(sent, ['{"n":49}', new Uint8Array([49])]);
});

Deno.test("StreamClient replaces an overflowing event queue with a snapshot", () => {
  const { socket, ws, sent } = fakeSocket();
  const client = new StreamClient(ws, limits);
  socket.bufferedAmount = 5000;
  for (let i = 0; i < 10; i++) client.offerEvent(`{"seq":${i}}`);
  assert.equal(client.counters.resyncs, 1);
  socket.bufferedAmount = 0;
  client.flush(() => "snapshot");
  assert.deepEqual(sent, ["snapshot"]);
});

Deno.test("StreamClient.flush() never throws when the socket is closing or fails", () => {
  const { socket, ws } = fakeSocket();
  const client = new StreamClient(ws, limits);
  client.offerStats("{}");
  socket.send = () => {
    throw new Error("closed");
  };
  client.flush(() => "snapshot");
  socket.readyState = WebSocket.CLOSED;
  client.flush(() => "snapshot");
});

Deno.test("StreamClient.backlog() reports what waits for a slow client, bounded by its slots", () => {
  const { socket, ws } = fakeSocket();
  const client = new StreamClient(ws, limits);
  client.watched = new Set(["a.out", "b.out"]);
  socket.bufferedAmount = 5000; // above the high-water mark: nothing is sent
  for (let i = 0; i < 10; i++) {
    client.offerStats(`{"n":${i}}`);
    client.offerFrame("a.out", new Uint8Array([i]));
    client.offerFrame("b.out", new Uint8Array([i]));
    client.offerEvent(`{"seq":${i}}`);
    client.flush(() => "{}");
  }
  const backlog = client.backlog();
  assert.equal(backlog.bufferedBytes, 5000);
  assert.equal(backlog.queuedStats, true);
  assert.equal(backlog.queuedFrames, 2, "one per watched output");
  assert.equal(backlog.queuedEvents, 0, "a pending snapshot replaced the events");
  assert.deepEqual(backlog.watched, ["a.out", "b.out"]);
  assert.deepEqual([backlog.sent, backlog.droppedStats, backlog.droppedFrames], [0, 9, 18]);
  assert.equal(backlog.resyncs, 1, "the fourth event overflowed; later ones wait for the snapshot");
});
