/**
 * Where the service's `.proto` is and how the server loads it, for clients that load it the
 * same way.
 *
 * @module
 */

/** Where the `.proto` is, in the package: `proto/streamlib/sessions/v1/sessions.proto`. */
export const SESSIONS_PROTO_URL: URL = new URL(
  "../../proto/streamlib/sessions/v1/sessions.proto",
  import.meta.url,
);

/**
 * How the server has `@grpc/proto-loader` map messages, for a grpc-js client to load the
 * `.proto` the same way: camelCase fields, int64 as numbers, enums by name, no defaults for
 * unset fields, and each `oneof`'s set member named in its own field (`message`, `kind`).
 */
export const SESSIONS_PROTO_OPTIONS: {
  readonly keepCase: boolean;
  readonly longs: NumberConstructor;
  readonly enums: StringConstructor;
  readonly defaults: boolean;
  readonly oneofs: boolean;
} = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: false,
  oneofs: true,
};
