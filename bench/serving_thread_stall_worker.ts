/**
 * The serving Worker of `serving_thread_stall.ts`: its session isolates started by the main
 * isolate, as in `streamlib serve`.
 *
 * @module
 */

import { useIsolateHost } from "../sessions/_isolate.ts";
import { tickLags } from "./serving_thread_stall_probe.ts";

const scope = self as unknown as {
  postMessage(message: number[]): void;
  onmessage: ((event: MessageEvent<{ port: MessagePort; rounds: number }>) => void) | null;
};
scope.onmessage = async (event) => {
  useIsolateHost(event.data.port);
  scope.postMessage(await tickLags(event.data.rounds));
};
