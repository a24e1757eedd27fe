/**
 * The JSON a `streamlib serve` answers at `GET /v1/pipelines` (beside the sessions' WebSocket at
 * `/v1/sessions`): the pipelines a caller's token may open, with their inputs, outputs and
 * parameters. Shared by the server (`serve/pipelines.ts`) and the clients.
 *
 * @module
 */

/** A pipeline's parameter as the listing gives it. */
export interface ListedParameter {
  /** The config field it sets, `"node.field"`. */
  readonly target: string;
  /** The manifest author's description, `""` when none. */
  readonly description: string;
  /** The field's JSON Schema (its processor's), when the server knows the processor. */
  readonly schema?: object;
  /** The value a session gets when it sets none, when known. */
  readonly default?: unknown;
  /** Whether a session may change it while it runs, when known. */
  readonly live?: boolean;
}

/** A pipeline as the listing gives it. */
export interface ListedPipeline {
  /** Its name: what an `open` names. */
  readonly name: string;
  /** Its application inputs' names. */
  readonly inputs: readonly string[];
  /** Its application outputs' names. */
  readonly outputs: readonly string[];
  /** The parameters a caller may set, by name. */
  readonly parameters: Readonly<Record<string, ListedParameter>>;
}
