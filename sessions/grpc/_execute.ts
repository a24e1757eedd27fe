/**
 * The `Execute` RPC: a pipeline on whole inputs, in a session of its own. Internal.
 *
 * @module
 */

import type * as grpc from "@grpc/grpc-js";
import type { Session } from "../session.ts";
import {
  admit,
  codeOf,
  type LiveCall,
  outcomeOf,
  type ServeContext,
  statusOf,
  UNDECODABLE,
} from "./_context.ts";
import { fromProtoFrame, type InboundFrame, type ProtoFrame, toProtoFrame } from "./_frames.ts";
import { type ProtoStruct, structToParameters } from "./_struct.ts";
import { GrpcRequestError } from "./errors.ts";

/** An `ExecuteRequest` as proto-loader decodes it. */
interface ExecuteRequest {
  pipeline?: string;
  inputs?: { port?: string; frames?: ProtoFrame[] }[];
  parameters?: ProtoStruct;
  [UNDECODABLE]?: string;
}

/**
 * About the bytes a frame adds to an `ExecuteResponse`: its payload, its JSON text, its metadata
 * (string lengths), and a few bytes of fields.
 */
function protoFrameBytes(frame: ProtoFrame): number {
  let bytes = 32;
  for (const [key, value] of Object.entries(frame.metadata ?? {})) {
    bytes += key.length + value.length + 4;
  }
  bytes += frame.audio?.samplesF32le?.byteLength ?? 0;
  bytes += frame.video?.data?.byteLength ?? 0;
  bytes += frame.encoded?.data?.byteLength ?? 0;
  bytes += (frame.encodedAudio?.data?.byteLength ?? 0) +
    (frame.encodedAudio?.extradata?.byteLength ?? 0);
  bytes += frame.data?.json?.length ?? 0;
  return bytes;
}

/**
 * The request's parameters and frames by input, for the runner.
 *
 * @throws {ParameterError} `invalid_parameter` for parameters that are not JSON values.
 * @throws {GrpcRequestError} `grpc_invalid_message` for an input given twice.
 * @throws {SessionError} `app_frame_mismatch` for a frame that does not decode.
 */
function readRequest(request: ExecuteRequest): {
  parameters: ReturnType<typeof structToParameters>;
  inputs: Map<string, InboundFrame[]>;
} {
  const parameters = structToParameters(request.parameters);
  const inputs = new Map<string, InboundFrame[]>();
  for (const entry of request.inputs ?? []) {
    const port = entry.port ?? "";
    if (inputs.has(port)) {
      throw new GrpcRequestError(
        "grpc_invalid_message",
        `Input '${port.slice(0, 80)}' appears twice in the ExecuteRequest: give each input once`,
        { input: port.slice(0, 256) },
      );
    }
    inputs.set(port, (entry.frames ?? []).map((frame) => fromProtoFrame(port, frame)));
  }
  return { parameters, inputs };
}

/**
 * Serves one `Execute` call: runs the pipeline on the request's inputs and answers with every
 * output's frames, or ends the call with the failure's status.
 *
 * @param ctx The server's state.
 * @param call The call.
 * @param callback Where the answer goes.
 */
export function handleExecute(
  ctx: ServeContext,
  call: grpc.ServerUnaryCall<unknown, unknown>,
  callback: grpc.sendUnaryData<unknown>,
): void {
  const outcome = outcomeOf(ctx, call.metadata);
  let session: Session | undefined;
  let stopped: GrpcRequestError | undefined;
  let stop!: () => void;
  const stopping = new Promise<void>((resolve) => (stop = resolve));
  let answered = false;
  /** Sends the call's one answer (a refusal is told as it is sent, `OK` once it went out). */
  const answer = (
    ...args: [grpc.ServerErrorResponse | Partial<grpc.StatusObject> | null, unknown?]
  ) => {
    if (answered) return;
    answered = true;
    if (args[0]) outcome.end(codeOf(args[0]));
    if (!call.cancelled) callback(...args);
  };
  const live: LiveCall = {
    async shutdown(graceMs: number) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        running,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
      stopped = new GrpcRequestError(
        "server_shutting_down",
        "The server is stopping: the pipeline did not finish in time",
      );
      // Answered at the grace's end: the session's close waits for a processor still in
      // `process()` (up to `maxRunMs`), which must not hold the status past the grace.
      answer(statusOf(stopped));
      stop();
      await session?.close();
      await running;
    },
  };
  call.on("cancelled", () => {
    stop();
    void session?.close();
  });
  const run = async () => {
    const request = call.request as ExecuteRequest;
    if (request[UNDECODABLE] !== undefined) {
      throw new GrpcRequestError(
        "grpc_invalid_message",
        `An ExecuteRequest that does not decode: ${request[UNDECODABLE]}`,
      );
    }
    const manifest = await admit(ctx, call.metadata, request.pipeline ?? "");
    const { parameters, inputs } = readRequest(request);
    const opening = outcome.open(() =>
      ctx.runner.stream(manifest, { pipeline: request.pipeline ?? "", parameters })
    );
    const opened = await Promise.race([opening, stopping]);
    if (opened === undefined) {
      opening.then((late) => late.close(), () => {});
      return undefined;
    }
    session = opened;
    if (stopped || call.cancelled) return undefined;
    const outputs: Record<string, ProtoFrame[]> = {};
    for (const name of Object.keys(opened.outputTypes)) outputs[name] = [];
    // The answer is one message held whole until it is sent: past the bound the run is stopped
    // (a pipeline that makes more than it takes, an upscaler say, held gigabytes).
    const limit = ctx.maxExecuteResponseBytes;
    let bytes = 0;
    let count = 0;
    let overflow: GrpcRequestError | undefined;
    const reading = (async () => {
      for await (const item of opened.outputs()) {
        const { frame } = toProtoFrame(item);
        bytes += protoFrameBytes(frame);
        if (bytes > limit) {
          overflow = new GrpcRequestError(
            "wire_too_large",
            `Cannot answer Execute: its outputs come to more than ${limit} bytes ` +
              `(maxExecuteResponseBytes) at output frame ${count + 1}; run the pipeline over ` +
              "Stream, whose output frames go one message each",
            { found: bytes, expected: `at most ${limit} bytes` },
          );
          await opened.close();
          return;
        }
        count++;
        outputs[item.output].push(frame);
      }
    })();
    const names = new Set([...Object.keys(opened.inputTypes), ...inputs.keys()]);
    const sending = [...names].map(async (name) => {
      for (const f of inputs.get(name) ?? []) {
        await opened.send(name, f.frame, { metadata: f.metadata, seq: f.seq });
      }
      opened.end(name);
    });
    try {
      await Promise.all([...sending, reading]);
    } catch (error) {
      // The sends the closed session refused.
      if (overflow === undefined) throw error;
    }
    if (overflow) throw overflow;
    if (opened.state === "failed") throw opened.error;
    if (stopped) throw stopped;
    return {
      sessionId: opened.id,
      outputs: Object.entries(outputs).map(([port, frames]) => ({ port, frames })),
    };
  };
  const running: Promise<void> = (async () => {
    ctx.calls.add(live);
    let result: [grpc.ServerErrorResponse | Partial<grpc.StatusObject> | null, unknown?];
    try {
      const response = await run();
      result = response === undefined ? [statusOf(stopped ?? session?.error)] : [null, response];
    } catch (error) {
      result = [statusOf(stopped ?? error)];
    } finally {
      ctx.calls.delete(live);
      // Freed before the answer: a caller that got it can open the next session at once.
      await session?.close();
    }
    answer(...result);
  })();
}
