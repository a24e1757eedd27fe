/**
 * Server-side rendering of the page with `preact-render-to-string`.
 *
 * @module
 */

import { render } from "preact-render-to-string";
import App from "../routes/_app.tsx";
import IndexPage from "../routes/index.tsx";
import type { SnapshotMessage } from "../shared/protocol.ts";
import { DashboardStore } from "../shared/store.ts";

/**
 * The page's HTML for a snapshot. The token is not in it: the browser reads it from the URL.
 *
 * @param snapshot The snapshot to render.
 * @returns The HTML document.
 */
export function renderPage(snapshot: SnapshotMessage): string {
  const store = new DashboardStore(snapshot);
  return `<!DOCTYPE html>${
    render(
      <App snapshot={snapshot}>
        <IndexPage store={store} />
      </App>,
    )
  }`;
}
