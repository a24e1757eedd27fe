/**
 * The document around every page (Fresh's `_app.tsx`): head, stylesheet, the snapshot the islands
 * start from, and the islands' bundle.
 *
 * @module
 */

import type { ComponentChildren } from "preact";
import type { SnapshotMessage } from "../shared/protocol.ts";

/** Props of {@linkcode App}. */
export interface AppProps {
  /** The snapshot the page was rendered from (the bundle starts from it). */
  snapshot: SnapshotMessage;
  /** The page. */
  children: ComponentChildren;
  /** Where the page is mounted (`/dashboard` on `streamlib serve`); `/static/` is under it. Default `""`. */
  base?: string;
  /** The page's name, on `<body data-page>`: the bundle starts that page. Default `dashboard`. */
  page?: "dashboard" | "sessions";
  /** The document's title. Default `streamlib dashboard`. */
  title?: string;
}

/**
 * JSON safe to put inside a `<script>` element.
 *
 * @param value A JSON value.
 * @returns The JSON with `<`, `>`, `&` and line separators escaped.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * The document.
 *
 * @param props The snapshot and the page.
 * @returns The `<html>` element.
 */
export default function App(
  { snapshot, children, base = "", page = "dashboard", title = "streamlib dashboard" }: AppProps,
) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <link rel="stylesheet" href={`${base}/static/dashboard.css`} />
        <link rel="icon" href={`${base}/static/favicon.svg`} type="image/svg+xml" />
      </head>
      <body data-page={page}>
        {children}
        <script
          type="application/json"
          id="snapshot"
          // deno-lint-ignore react-no-danger
          dangerouslySetInnerHTML={{ __html: scriptJson(snapshot) }}
        />
        <script type="module" src={`${base}/static/islands.js`} />
      </body>
    </html>
  );
}
