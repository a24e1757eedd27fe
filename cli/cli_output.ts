/**
 * Where the command lines write, so tests can capture it.
 *
 * @module
 */

/** Where a command line writes. */
export interface CliOutput {
  /** Normal output. */
  readonly out: (text: string) => void;
  /** Errors and diagnostics. */
  readonly err: (text: string) => void;
}

/** The process's stdout and stderr. */
export const CONSOLE: CliOutput = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
};
