/**
 * A stock Python WebSocket client (`websockets` 17, with the wire codec of `clients/python`) runs
 * a session end to end against `serveSessions()` on a real port: open with a token, frames with
 * sequence numbers and metadata, end, the outputs, the close; and a refused open. Needs `python3`
 * with `websockets`: without them the test fails, it does not skip.
 *
 * @module
 */

import assert from "node:assert/strict";
import { serveSessions, TokenPolicy } from "../../serve/mod.ts";
import { gain } from "./ws_helpers.ts";

const PACKAGE = new URL("../../clients/python/src", import.meta.url).pathname;

const SCRIPT = `
import array, json, sys
from websockets.sync.client import connect
from streamlib_client import wire

url, token, pipeline = sys.argv[1], sys.argv[2], sys.argv[3]
result = {"types": [], "got": []}
with connect(url, max_size=None, open_timeout=60) as ws:
    ws.send(wire.encode(wire.Open(pipeline=pipeline, token=token, metadata={"client": "python"})))
    first = wire.decode(ws.recv(timeout=60))
    result["types"].append(first.type)
    if first.type == "accept":
        result["inputs"] = [[p.name, p.kind] for p in first.inputs]
        for i in range(5):
            samples = array.array("f", [0.25, -0.5] * 160)
            frame = wire.AudioFrame(channels=2, sample_rate=16000.0, frame_count=160,
                                    samples=samples, timestamp_ns=i * 10_000_000, frame_number=i)
            ws.send(wire.encode(wire.FrameMessage(port="audio", sequence=100 + i, frame=frame,
                                                  metadata={"i": str(i)})))
        ws.send(wire.encode(wire.Ping(id=9)))
        ws.send(wire.encode(wire.End(port="audio")))
    while True:
        message = wire.decode(ws.recv(timeout=60))
        result["types"].append(message.type)
        if message.type == "frame":
            result["got"].append([message.sequence, message.metadata.get("i"),
                                  message.frame.samples[0], message.frame.samples[1]])
        if message.type in ("error", "close"):
            result.setdefault("codes", []).append(message.code)
        if message.type == "close":
            break
print(json.dumps(result))
`;

async function python(...args: string[]): Promise<Record<string, unknown>> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command("python3", {
      args: ["-c", SCRIPT, ...args],
      env: { PYTHONPATH: PACKAGE, PYTHONDONTWRITEBYTECODE: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (error) {
    throw new Error(`python3 is needed for this test: ${(error as Error).message}`);
  }
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, `python3 failed: ${stderr}`);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

Deno.test("a Python websockets client runs a session end to end against the server", async () => {
  const tokens = new TokenPolicy({ tokens: { "py-client-0123456789": ["voice-fx"] } });
  const server = await serveSessions({
    catalog: new Map([["voice-fx", gain(2)]]),
    port: 0,
    tokens,
  });
  try {
    const ok = await python(server.sessionsUrl, "py-client-0123456789", "voice-fx");
    assert.deepEqual(ok.inputs, [["audio", "audio"]]);
    assert.deepEqual(ok.got, [0, 1, 2, 3, 4].map((i) => [100 + i, String(i), 0.5, -1]));
    // The pong comes once the graph took the 5 frames: before, between or after their outputs.
    const types = ok.types as string[];
    assert.deepEqual(types.filter((t) => t !== "pong"), [
      "accept",
      ...Array(5).fill("frame"),
      "end",
      "close",
    ]);
    assert.ok((ok.types as string[]).includes("pong"));
    assert.deepEqual(ok.codes, [""]);
    const refused = await python(server.sessionsUrl, "wrong-token-000", "voice-fx");
    assert.deepEqual(refused.types, ["error", "close"]);
    assert.deepEqual(refused.codes, ["invalid_token"]); // the close's, after the fatal error
  } finally {
    await server.close();
  }
});
