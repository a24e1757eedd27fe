/**
 * The `Sessions` service definition, loaded from the repository's `.proto`. Internal.
 *
 * @module
 */

import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";
import { UNDECODABLE } from "./_context.ts";
import { SESSIONS_PROTO_OPTIONS, SESSIONS_PROTO_URL } from "./proto.ts";

let cached: grpc.ServiceDefinition | undefined;

/**
 * The service, its request decoders wrapped so that bytes that are not a message become a
 * request marked {@linkcode UNDECODABLE} (answered with `grpc_invalid_message`), not a library
 * error.
 */
export function sessionsService(): grpc.ServiceDefinition {
  if (cached) return cached;
  const definition = protoLoader.loadSync(fileURLToPath(SESSIONS_PROTO_URL), {
    ...SESSIONS_PROTO_OPTIONS,
  });
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
