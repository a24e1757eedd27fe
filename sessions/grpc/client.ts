/**
 * {@linkcode loadSessionsClient}: a grpc-js client constructor of the `Sessions` service, for
 * TypeScript callers and tests.
 *
 * @module
 */

import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";
import { LOADER_OPTIONS, PROTO_URL } from "./_service.ts";

/**
 * The grpc-js client class of `streamlib.sessions.v1.Sessions`, loaded from the repository's
 * `.proto` with the server's mapping (camelCase fields, int64 as numbers, enums as names,
 * `bytes` as `Buffer`, a `oneof`'s name in its field: `message`, `kind`).
 *
 * @returns The client constructor: `new Sessions(address, credentials, options?)`.
 *
 * @example Make a client (no call)
 * ```ts
 * import assert from "node:assert/strict";
 * import * as grpc from "@grpc/grpc-js";
 * import { loadSessionsClient } from "@streamlib/streamlib/sessions/grpc";
 *
 * const Sessions = loadSessionsClient();
 * const client = new Sessions("127.0.0.1:1", grpc.credentials.createInsecure());
 * assert.equal(typeof client.Stream, "function");
 * client.close();
 * ```
 */
export function loadSessionsClient(): grpc.ServiceClientConstructor {
  const definition = protoLoader.loadSync(fileURLToPath(PROTO_URL), LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    streamlib: { sessions: { v1: { Sessions: grpc.ServiceClientConstructor } } };
  };
  return pkg.streamlib.sessions.v1.Sessions;
}
