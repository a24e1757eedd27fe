/**
 * The dashboard page (`/`): controls on top, the palette on the left, the live graph and the event
 * log in the middle, the side panel on the right.
 *
 * @module
 */

import { Island } from "../components/Island.tsx";
import Controls from "../islands/Controls.tsx";
import EventLog from "../islands/EventLog.tsx";
import GraphView from "../islands/GraphView.tsx";
import Palette from "../islands/Palette.tsx";
import SidePanel from "../islands/SidePanel.tsx";
import type { DashboardStore } from "../shared/store.ts";

/** Props of {@linkcode IndexPage}. */
export interface IndexPageProps {
  /** The store the islands render from. */
  store: DashboardStore;
}

/**
 * The page.
 *
 * @param props The store.
 * @returns The page's body.
 */
export default function IndexPage({ store }: IndexPageProps) {
  return (
    <div class="page">
      <header class="topbar">
        <h1>
          streamlib <span class="muted">dashboard</span>
        </h1>
        <Island name="Controls" component={Controls} props={{}} store={store} />
      </header>
      <main class="columns">
        <Island name="Palette" component={Palette} props={{}} store={store} />
        <section class="center">
          <Island name="GraphView" component={GraphView} props={{}} store={store} />
          <Island name="EventLog" component={EventLog} props={{ limit: 100 }} store={store} />
        </section>
        <Island name="SidePanel" component={SidePanel} props={{}} store={store} />
      </main>
    </div>
  );
}
