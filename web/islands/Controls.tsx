/**
 * The lifecycle buttons (start, pause, resume, stop), the runtime's state, the stream's state
 * and the last notice.
 *
 * @module
 */

import { LIFECYCLE, LIFECYCLE_ACTIONS } from "../../core/lifecycle/state.ts";
import { callApi } from "../client/api_client.ts";
import { ManifestTools } from "../components/ManifestTools.tsx";
import { StateBadge } from "../components/StateBadge.tsx";
import { noAccess, useStore } from "../shared/store.ts";

/** Bytes as MiB with one decimal. */
function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** Props of the controls (none: they read the store). */
export type ControlsProps = Record<never, never>;

/** A button per lifecycle call, enabled in the states the graph's transition table allows it. */
const ACTIONS = LIFECYCLE_ACTIONS.map((action) => ({
  action,
  label: action[0].toUpperCase() + action.slice(1),
  when: LIFECYCLE[action].from,
}));

/**
 * The controls island.
 *
 * @returns The controls.
 */
export default function Controls(_props: ControlsProps) {
  const store = useStore();
  const state = store.state.value;
  const link = store.link.value;
  const notice = store.notice.value;
  const past = store.history.past.value;
  const future = store.history.future.value;
  const gpu = store.stats.value?.gpu;
  return (
    <div class="controls">
      <span class="label">runtime</span>
      {noAccess(link)
        ? <span class="badge state-unknown" data-state="unknown">no access</span>
        : <StateBadge state={state} />}
      {ACTIONS.map(({ action, label, when }) => (
        <button
          key={action}
          type="button"
          data-action={action}
          disabled={!store.token.value || !when.includes(state)}
          onClick={() => void callApi(store, "POST", `/runtime/${action}`)}
        >
          {label}
        </button>
      ))}
      <span class="history-tools">
        <button
          type="button"
          data-action="undo"
          disabled={!store.token.value || past.length === 0}
          title={past.length ? `Undo ${past.at(-1)!.label} (Ctrl+Z)` : "Nothing to undo"}
          onClick={() => void store.history.undo()}
        >
          Undo
        </button>
        <button
          type="button"
          data-action="redo"
          disabled={!store.token.value || future.length === 0}
          title={future.length ? `Redo ${future.at(-1)!.label} (Ctrl+Shift+Z)` : "Nothing to redo"}
          onClick={() => void store.history.redo()}
        >
          Redo
        </button>
      </span>
      <ManifestTools />
      {gpu !== undefined && gpu.created > 0 && (
        <span
          class="gpu-memory"
          data-gpu-bytes={gpu.bytesInUse}
          title={`${gpu.adapter}: ${gpu.inUse} textures in use, ${gpu.free} free (${
            formatMiB(gpu.freeBytes)
          }), budget ${formatMiB(gpu.budgetBytes)}`}
        >
          GPU {formatMiB(gpu.bytesInUse)}
        </span>
      )}
      <span class={`link link-${link}`} data-link={link}>
        {link === "read-only"
          ? "read-only: no token"
          : link === "refused"
          ? "read-only: token refused"
          : link}
      </span>
      {notice
        ? (
          <span class={`notice notice-${notice.kind}`} role="alert" data-notice={notice.kind}>
            {notice.text}
            <button type="button" class="dismiss" onClick={() => store.notice.value = null}>
              ×
            </button>
          </span>
        )
        : null}
    </div>
  );
}
