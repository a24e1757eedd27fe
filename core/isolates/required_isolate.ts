/**
 * Processor types that always run in an isolate of their own, whatever the placement: native
 * plugin processors run on their plugin's native threads.
 *
 * @module
 */

import type { CrossIsolateTransport } from "../transport/cross_isolate.ts";
import type { IsolateHost } from "./host.ts";

/**
 * The isolate every node of a processor type runs in (`NodeDefinition.isolate`). The runtime
 * creates its host the first time it adds such a node (one host per runtime and isolate name)
 * and connects the node to the others through the runtime's cross-isolate transport, as it does
 * for Worker placements.
 */
export interface RequiredIsolate {
  /** The isolate's name, e.g. `native:<plugin>`; never `main` or `worker:<name>`. */
  readonly name: string;
  /**
   * Creates the host of that isolate for one runtime.
   *
   * @param transport The runtime's cross-isolate transport (the host's nodes are connected to
   * the others through it; a host may also use it to look for frames it sent to the main
   * isolate before a drain ends).
   * @returns A host whose `isolate` is `name`.
   */
  createHost(transport: CrossIsolateTransport): IsolateHost;
}
