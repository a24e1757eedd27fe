import assert from "node:assert/strict";
import { TcpWebSocket } from "./_tcp_websocket.ts";

function echoServer(): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (request) => {
    if (new URL(request.url).pathname === "/refuse") return new Response("no", { status: 404 });
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.binaryType = "arraybuffer";
    socket.onmessage = (event) => {
      if (event.data === "close-please") socket.close(4001, "asked");
      else socket.send(event.data);
    };
    return response;
  });
}

function next<T>(socket: TcpWebSocket, type: "message" | "close" | "open" | "error"): Promise<T> {
  return new Promise((resolve) =>
    socket.addEventListener(type, (event) => resolve(event as T), { once: true })
  );
}

Deno.test("TcpWebSocket echoes binary messages of every length class and text, byte for byte", async () => {
  const server = echoServer();
  const socket = new TcpWebSocket(`ws://127.0.0.1:${server.addr.port}/`);
  await next(socket, "open");
  assert.equal(socket.readyState, TcpWebSocket.OPEN);
  for (const size of [0, 125, 126, 65_535, 65_536, 1_000_000]) {
    const message = new Uint8Array(size).map((_, i) => (i * 7) & 255);
    socket.send(message);
    const event = await next<MessageEvent>(socket, "message");
    assert.deepEqual(new Uint8Array(event.data as ArrayBuffer), message, `size ${size}`);
  }
  socket.send("héllo");
  assert.equal((await next<MessageEvent>(socket, "message")).data, "héllo");
  const closed = next<CloseEvent>(socket, "close");
  socket.close(1000);
  assert.equal((await closed).code, 1000);
  assert.equal(socket.readyState, TcpWebSocket.CLOSED);
  await server.shutdown();
});

Deno.test("TcpWebSocket reports the server's close code and reason", async () => {
  const server = echoServer();
  const socket = new TcpWebSocket(`ws://127.0.0.1:${server.addr.port}/`);
  await next(socket, "open");
  const closed = next<CloseEvent & { code: number; reason: string }>(socket, "close");
  socket.send("close-please");
  const event = await closed;
  assert.deepEqual([event.code, event.reason, event.wasClean], [4001, "asked", true]);
  await server.shutdown();
});

Deno.test("TcpWebSocket: a refused upgrade or no listener is an error, then a close with 1006", async () => {
  const server = echoServer();
  for (const url of [`ws://127.0.0.1:${server.addr.port}/refuse`, "ws://127.0.0.1:1/"]) {
    const socket = new TcpWebSocket(url);
    const error = next<ErrorEvent>(socket, "error");
    const closed = next<{ code: number }>(socket, "close");
    assert.ok((await error).message.length > 0);
    assert.equal((await closed).code, 1006);
  }
  await server.shutdown();
});

Deno.test("TcpWebSocket takes fragmented messages and answers pings (Python websockets server)", async () => {
  const script = `
import asyncio, sys, websockets
async def handler(ws):
    await ws.send([b"ab", b"cd", b"ef"])          # one binary message in three frames
    await ws.send(["x" * 70000, "y"])             # a fragmented text message
    pong = await ws.ping(b"p1")
    await asyncio.wait_for(pong, 5)
    await ws.send(b"pong-ok")
    await ws.wait_closed()
async def main():
    async with websockets.serve(handler, "127.0.0.1", 0) as server:
        print(list(server.sockets)[0].getsockname()[1], flush=True)
        await asyncio.sleep(30)
asyncio.run(main())
`;
  const child = new Deno.Command("python3", { args: ["-c", script], stdout: "piped" }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const port = Number((await reader.read()).value?.trim());
  assert.ok(port > 0, "the Python websockets server did not start (pip install websockets)");
  const socket = new TcpWebSocket(`ws://127.0.0.1:${port}/`);
  const messages: (ArrayBuffer | string)[] = [];
  const three = new Promise<void>((resolve) =>
    socket.onmessage = (event) => {
      messages.push(event.data);
      if (messages.length === 3) resolve();
    }
  );
  await three;
  assert.equal(new TextDecoder().decode(messages[0] as ArrayBuffer), "abcdef");
  assert.equal(messages[1], "x".repeat(70000) + "y");
  assert.equal(new TextDecoder().decode(messages[2] as ArrayBuffer), "pong-ok");
  const closed = next(socket, "close");
  socket.close();
  await closed;
  child.kill();
  await child.status;
  await reader.cancel();
});
