/**
 * A coloured state label.
 *
 * @module
 */

/** Props of {@linkcode StateBadge}. */
export interface StateBadgeProps {
  /** A runtime or node state. */
  state: string;
}

/**
 * The state as a coloured pill.
 *
 * @param props The state.
 * @returns The badge.
 */
export function StateBadge({ state }: StateBadgeProps) {
  return <span class={`badge state-${state}`} data-state={state}>{state}</span>;
}
