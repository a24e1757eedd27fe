/**
 * How large a session's parameters may be as a transport carries them (a gRPC Struct, a WebRTC
 * query string): the same bounds as the WebSocket open's, so values one transport takes the
 * others take too. Internal.
 *
 * @module
 */

/** The most UTF-8 bytes the parameters take as JSON text. */
export const PARAMETERS_MAX_BYTES = 65_535;

/** How deeply the parameters nest: the object of names itself is level 1. */
export const PARAMETERS_MAX_DEPTH = 64;
