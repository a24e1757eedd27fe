/**
 * The serving Worker of `streamlib serve` (`_serve_in_worker.ts`): runs `commands/serve.ts` with
 * the arguments the main isolate sends, its session isolates started by the main isolate, its
 * output sent there.
 *
 * @module
 */

import { useIsolateHost } from "../sessions/_isolate.ts";
import { command } from "./commands/serve.ts";
import { type FromServing, outputTo, type ToServing } from "./_serve_in_worker.ts";
import { noteStdoutClosed } from "./wait_for_stop.ts";
import { divertStdoutIn } from "./protocol_stdout.ts";

const scope = self as unknown as {
  postMessage(message: FromServing): void;
  onmessage: ((event: MessageEvent<ToServing>) => void) | null;
};
const stop = new AbortController();
divertStdoutIn(() => {
  scope.postMessage({ t: "reserve-stdout" });
  return () => scope.postMessage({ t: "release-stdout" });
});

scope.onmessage = (event) => {
  const message = event.data;
  if (message.t === "stop") return stop.abort();
  if (message.t === "stdout-closed") return noteStdoutClosed();
  useIsolateHost(message.isolates);
  const output = outputTo((m) => scope.postMessage(m), message.log);
  command.run(message.args, output, { signal: stop.signal }).then(
    (code) => scope.postMessage({ t: "done", code }),
    (error) => {
      const e = error instanceof Error ? error : new Error(String(error));
      const code = (e as { code?: unknown }).code;
      scope.postMessage({
        t: "threw",
        name: e.name,
        message: e.message,
        ...(e.stack !== undefined && { stack: e.stack }),
        ...(typeof code === "string" && { code }),
      });
    },
  );
};
