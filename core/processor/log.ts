/**
 * `ctx.log`: how a processor logs. Each line is a `node-log` runtime event, attributed to the
 * node, that `rt.on()`, the dashboard's event stream, MCP clients (as logging messages) and
 * `streamlib run` (stderr, or a JSON line with `--json`) show. A processor never writes to
 * stdout: that is where `run --json`, `dashboard --json` and MCP on stdio speak their protocol.
 *
 * @module
 */

import type { JsonValue } from "../schema/json_schema.ts";
import { terminalSafe } from "./terminal_text.ts";

/** The levels of {@linkcode NodeLog}, least severe first. */
export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** A level of {@linkcode NodeLog}. */
export type LogLevel = typeof LOG_LEVELS[number];

/** Most characters of a message a log line keeps; the rest is cut with a note of how much. */
export const LOG_MESSAGE_MAX_CHARS = 2000;

/** Most characters of a line's `data`, as JSON; larger data is replaced by a note. */
export const LOG_DATA_MAX_CHARS = 4000;

/** Most lines one node logs per second; the rest are counted and reported with the next line. */
export const LOG_LINES_PER_SECOND = 100;

/** One line a processor logged, as it reaches the runtime. */
export interface LogRecord {
  /** How severe. */
  readonly level: LogLevel;
  /** The text (at most {@linkcode LOG_MESSAGE_MAX_CHARS}). */
  readonly message: string;
  /** Structured detail, when given (JSON). */
  readonly data?: JsonValue;
  /** Lines of this node dropped since its previous line, over the rate limit. */
  readonly dropped?: number;
}

/**
 * A node's logger (`ctx.log` in `setup()` and `process()`). Never throws, whatever it is given:
 * a message that is not a string is shown as `String(message)`, data that is not JSON is shown as
 * text, and a node that logs faster than {@linkcode LOG_LINES_PER_SECOND} has the excess counted
 * (`dropped` on its next line), not queued.
 *
 * @example Log from a processor
 * ```ts
 * import assert from "node:assert/strict";
 * import { createNodeLog, type LogRecord } from "@streamlib/streamlib";
 *
 * const lines: LogRecord[] = [];
 * const log = createNodeLog((record) => lines.push(record));
 * log.info("opened the device", { rate: 48000 });
 * log.warn("late by 3 ms");
 * assert.deepEqual(lines, [
 *   { level: "info", message: "opened the device", data: { rate: 48000 } },
 *   { level: "warn", message: "late by 3 ms" },
 * ]);
 * ```
 */
export interface NodeLog {
  /** Detail for debugging. */
  debug(message: string, data?: JsonValue): void;
  /** What the node did. */
  info(message: string, data?: JsonValue): void;
  /** Something went wrong that the node works around. */
  warn(message: string, data?: JsonValue): void;
  /** Something went wrong that the node cannot work around (throwing fails the node). */
  error(message: string, data?: JsonValue): void;
}

/**
 * Makes a {@linkcode NodeLog} that hands each line to `sink`, bounded in size and rate.
 *
 * @param sink Receives each line (the runtime emits it as a `node-log` event).
 * @param options `nowMs`: the clock of the rate limit (default `performance.now`);
 *   `linesPerSecond`: the limit (default {@linkcode LOG_LINES_PER_SECOND}).
 * @returns The logger.
 *
 * @example Lines over the rate limit are counted, not queued
 * ```ts
 * import assert from "node:assert/strict";
 * import { createNodeLog, type LogRecord } from "@streamlib/streamlib";
 *
 * let now = 0;
 * const lines: LogRecord[] = [];
 * const log = createNodeLog((r) => lines.push(r), { nowMs: () => now, linesPerSecond: 2 });
 * for (let i = 0; i < 5; i++) log.debug(`frame ${i}`);
 * now = 1000; // a second later
 * log.info("caught up");
 * assert.deepEqual(lines.map((l) => [l.message, l.dropped]), [
 *   ["frame 0", undefined],
 *   ["frame 1", undefined],
 *   ["caught up", 3],
 * ]);
 * ```
 */
export function createNodeLog(
  sink: (record: LogRecord) => void,
  options: { nowMs?: () => number; linesPerSecond?: number } = {},
): NodeLog {
  const nowMs = options.nowMs ?? (() => performance.now());
  const limit = options.linesPerSecond ?? LOG_LINES_PER_SECOND;
  let windowStart = -Infinity;
  let inWindow = 0;
  let dropped = 0;
  const line = (level: LogLevel) => (message: unknown, data?: unknown): void => {
    try {
      const now = nowMs();
      if (now - windowStart >= 1000) {
        windowStart = now;
        inWindow = 0;
      }
      if (inWindow >= limit) {
        dropped++;
        return;
      }
      inWindow++;
      const record: { -readonly [K in keyof LogRecord]: LogRecord[K] } = {
        level,
        message: boundedMessage(message),
      };
      if (data !== undefined) record.data = boundedData(data);
      if (dropped > 0) {
        record.dropped = dropped;
        dropped = 0;
      }
      sink(record);
    } catch {
      // A logger never fails its node.
    }
  };
  return { debug: line("debug"), info: line("info"), warn: line("warn"), error: line("error") };
}

/**
 * One logged line as a person reads it: `[node] level: message {data}`, with how many earlier
 * lines were dropped over the rate limit, on one line safe for a terminal. What `streamlib run`,
 * `dashboard` and a session's isolate print for a `node-log` event.
 *
 * @param node The node's name.
 * @param record The line.
 * @returns The text, without a newline.
 *
 * @example A line with data
 * ```ts
 * import assert from "node:assert/strict";
 * import { logLineText } from "./log.ts";
 *
 * assert.equal(
 *   logLineText("mic", { level: "info", message: "opened\nnow", data: { rate: 48000 } }),
 *   '[mic] info: opened\\nnow {"rate":48000}',
 * );
 * ```
 */
export function logLineText(node: string, record: LogRecord): string {
  const data = record.data === undefined ? "" : ` ${JSON.stringify(record.data)}`;
  const dropped = record.dropped
    ? ` (${record.dropped} earlier lines dropped: over the rate limit)`
    : "";
  return terminalSafe(`[${node}] ${record.level}: ${record.message}${data}${dropped}`);
}

/**
 * A logger for a processor run by hand (`createProcessContext()`, a test): each line goes to
 * stderr as `[node] level: message` ({@linkcode logLineText}), never to stdout.
 *
 * @param node The node's name.
 * @returns The logger.
 */
export function stderrNodeLog(node: string): NodeLog {
  const encoder = new TextEncoder();
  return createNodeLog((record) => {
    try {
      Deno.stderr.writeSync(encoder.encode(`${logLineText(node, record)}\n`));
    } catch {
      // No stderr (closed): the line is lost, the processor runs on.
    }
  });
}

function boundedMessage(message: unknown): string {
  let text: string;
  try {
    text = typeof message === "string" ? message : String(message);
  } catch {
    text = Object.prototype.toString.call(message);
  }
  if (text.length <= LOG_MESSAGE_MAX_CHARS) return text;
  return `${text.slice(0, LOG_MESSAGE_MAX_CHARS)}... (${
    text.length - LOG_MESSAGE_MAX_CHARS
  } more characters)`;
}

function boundedData(data: unknown): JsonValue {
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch {
    json = undefined;
  }
  if (json === undefined) return boundedMessage(data);
  if (json.length > LOG_DATA_MAX_CHARS) {
    return `${json.slice(0, LOG_DATA_MAX_CHARS)}... (${
      json.length - LOG_DATA_MAX_CHARS
    } more characters of JSON)`;
  }
  return JSON.parse(json) as JsonValue;
}
