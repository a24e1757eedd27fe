/**
 * The `Sessions` service definition, loaded from the repository's `.proto`. Internal.
 *
 * @module
 */

import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";
import { UNDECODABLE } from "./_context.ts";

/** Where the `.proto` is: `proto/streamlib/sessions/v1/sessions.proto`. */
export const PROTO_URL = new URL(
  "../../proto/streamlib/sessions/v1/sessions.proto",
  import.meta.url,
);

/** How proto-loader maps messages: camelCase fields, int64 as numbers, enums as names. */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: false,
  oneofs: true,
};

let cached: grpc.ServiceDefinition | undefined;

/**
 * The service, its request decoders wrapped so that bytes that are not a message become a
 * request marked {@linkcode UNDECODABLE} (answered with `grpc_invalid_message`), not a library
 * error.
 */
export function sessionsService(): grpc.ServiceDefinition {
  if (cached) return cached;
  const definition = protoLoader.loadSync(fileURLToPath(PROTO_URL), LOADER_OPTIONS);
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    streamlib: { sessions: { v1: { Sessions: { service: grpc.ServiceDefinition } } } };
  };
  const service = pkg.streamlib.sessions.v1.Sessions.service;
  const wrapped: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(service)) {
    wrapped[name] = {
      ...method,
      requestDeserialize: (bytes: Uint8Array) => {
        try {
          return method.requestDeserialize(bytes as never);
        } catch (error) {
          return { [UNDECODABLE]: (error as Error).message };
        }
      },
    };
  }
  cached = wrapped;
  return wrapped;
}
