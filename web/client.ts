/**
 * The browser bundle's entry (fresh's `client.ts`): starts the page the server rendered
 * (`<body data-page>`): the dashboard of one runtime (`pages/dashboard.ts`), or the sessions page
 * of `streamlib serve` (`pages/sessions.ts`).
 *
 * @module
 */

import { startDashboard } from "./pages/dashboard.ts";
import { startSessionsPage } from "./pages/sessions.ts";

if (document.body.dataset.page === "sessions") startSessionsPage();
else startDashboard();
