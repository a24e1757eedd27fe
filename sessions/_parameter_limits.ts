/**
 * How large a session's parameters may be however a transport carries them (the WebSocket open
 * and configure, a gRPC Struct, a WebRTC query string, a runner's caller): the wire format's
 * bounds, so values one transport takes the others take too. Internal.
 *
 * @module
 */

import { WIRE_LIMITS } from "./wire/format.ts";

/** The most UTF-8 bytes the parameters take as JSON text. */
export const PARAMETERS_MAX_BYTES: number = WIRE_LIMITS.parametersBytes;

/** How deeply the parameters nest: the object of names itself is level 1. */
export const PARAMETERS_MAX_DEPTH: number = WIRE_LIMITS.parametersDepth;
