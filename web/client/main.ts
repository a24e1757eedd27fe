/**
 * The browser bundle's entry: starts the page the server rendered (`<body data-page>`): the
 * dashboard of one runtime, or the sessions page of `streamlib serve`.
 *
 * @module
 */

import { startDashboard } from "./dashboard_page.ts";
import { startSessionsPage } from "./sessions_page.ts";

if (document.body.dataset.page === "sessions") startSessionsPage();
else startDashboard();
