/**
 * The live sessions of a `streamlib serve`: one row each (pipeline, state, age, frames, heap),
 * with a button that opens its graph and one that ends it.
 *
 * @module
 */

import { StateBadge } from "../components/StateBadge.tsx";
import { formatCount } from "../shared/format.ts";
import { useSessions } from "../shared/sessions_store.ts";

/** Props of the session list (none: it reads the sessions store). */
export type SessionListProps = Record<never, never>;

/** Bytes as MiB with one decimal, or a dash when unknown. */
function mebibytes(bytes: number | null): string {
  return bytes === null ? "–" : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** The time since an ISO date, in whole seconds, minutes or hours. */
function age(startedAt: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(startedAt)) / 1000));
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/**
 * The session list island.
 *
 * @returns The list.
 */
export default function SessionList(_props: SessionListProps) {
  const store = useSessions();
  const sessions = store.sessions.value;
  const open = store.open.value;
  const notice = store.notice.value;
  const now = Date.now();
  return (
    <section class="session-list" aria-label="Sessions">
      <h2>
        Sessions{" "}
        <span class="muted" data-count={sessions.length}>
          {sessions.length} open{store.maxSessions.value ? ` of ${store.maxSessions.value}` : ""}
        </span>
      </h2>
      {notice
        ? (
          <p class={`session-notice notice-${notice.kind}`} role="status">
            {notice.text}
          </p>
        )
        : null}
      {!store.authorized.value
        ? (
          <p class="access-note" data-access="read-only">
            <strong>No operator token in this tab</strong>, so no session is listed. Open the page
            with the link <code>streamlib serve</code> printed when it started (<code>
              …/dashboard?token=…
            </code>), or with <code>?token=</code> and an operator token of the token file.
          </p>
        )
        : null}
      <table class="sessions">
        <thead>
          <tr>
            <th>id</th>
            <th>pipeline</th>
            <th>state</th>
            <th>age</th>
            <th>frames in</th>
            <th>frames out</th>
            <th>heap</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr key={s.id} data-session={s.id} class={s.id === open ? "open" : ""}>
              <td>
                <code>{s.id}</code>
              </td>
              <td>{s.pipeline || <span class="muted">unnamed</span>}</td>
              <td>
                <StateBadge state={s.state} />
              </td>
              <td>{age(s.startedAt, now)}</td>
              <td>{formatCount(s.framesIn)}</td>
              <td>{formatCount(s.framesOut)}</td>
              <td>{mebibytes(s.heapBytes)}</td>
              <td class="actions">
                <button
                  type="button"
                  data-action="open"
                  onClick={() =>
                    store.onOpen(s.id)}
                >
                  Graph
                </button>
                <button
                  type="button"
                  class="danger"
                  data-action="end"
                  onClick={() =>
                    store.onEnd(s.id)}
                >
                  End
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {sessions.length === 0 && store.authorized.value
        ? <p class="empty">No session is open.</p>
        : null}
      {open
        ? (
          <h3 class="open-session" data-open={open}>
            Graph of <code>{open}</code>{" "}
            <button type="button" data-action="close" onClick={() => store.onOpen(null)}>
              Close
            </button>
          </h3>
        )
        : null}
    </section>
  );
}
