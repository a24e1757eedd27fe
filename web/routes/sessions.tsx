/**
 * The sessions page (`/dashboard` of `streamlib serve`): the live sessions on top, the open
 * session's graph below (the dashboard's graph view, read-only).
 *
 * @module
 */

import { Island } from "../components/Island.tsx";
import GraphView from "../islands/GraphView.tsx";
import SessionList from "../islands/SessionList.tsx";
import { SessionsContext, type SessionsStore } from "../shared/sessions_store.ts";

/** Props of {@linkcode SessionsPage}. */
export interface SessionsPageProps {
  /** The store the islands render from. */
  store: SessionsStore;
}

/**
 * The page.
 *
 * @param props The store.
 * @returns The page's body.
 */
export default function SessionsPage({ store }: SessionsPageProps) {
  return (
    <div class="page sessions-page">
      <header class="topbar">
        <h1>
          streamlib <span class="muted">sessions</span>
        </h1>
      </header>
      <SessionsContext.Provider value={store}>
        <Island name="SessionList" component={SessionList} props={{}} store={store.graph} />
      </SessionsContext.Provider>
      <section class="center session-graph">
        <Island name="GraphView" component={GraphView} props={{}} store={store.graph} />
      </section>
    </div>
  );
}
