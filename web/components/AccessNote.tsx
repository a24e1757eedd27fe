/**
 * `<AccessNote>`: what the graph shows over itself when nothing in it is live, and how to get
 * access: no token in the tab, a token the dashboard refused, or a lost connection.
 *
 * @module
 */

import type { LinkState } from "../shared/store.ts";

/** Props of {@linkcode AccessNote}. */
export interface AccessNoteProps {
  /** Why nothing is live. */
  readonly link: Extract<LinkState, "read-only" | "refused" | "offline">;
}

/** Where the token comes from, for the two no-access notes. */
function howToGetAccess() {
  return (
    <>
      Open the dashboard with the link printed when it started (<code>…/?token=…</code>; the{" "}
      <code>streamlib dashboard</code> command prints it, <code>--json</code> gives it as{" "}
      <code>token</code>, and <code>createDashboard()</code> returns it as <code>url</code>).
    </>
  );
}

/**
 * The note.
 *
 * @param props Why nothing is live.
 * @returns The note, marked `data-access` with the link state.
 */
export function AccessNote({ link }: AccessNoteProps) {
  return (
    <div class="access-note" role="status" data-access={link}>
      {link === "read-only"
        ? (
          <>
            <strong>No access token in this tab</strong>, so nothing here is live.{" "}
            {howToGetAccess()} The token stays in this tab only.
          </>
        )
        : link === "refused"
        ? (
          <>
            <strong>The dashboard refused this tab's token</strong>, so nothing here is live and
            nothing can be changed. A token is good for one run of the dashboard: this one is
            mistyped, or from an earlier start (each start makes a new one). {howToGetAccess()}
          </>
        )
        : <>Connection to the dashboard lost: reconnecting. Numbers are not current.</>}
    </div>
  );
}
