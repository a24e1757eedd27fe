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
export default function App({ snapshot, children }: AppProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>streamlib dashboard</title>
        <link rel="stylesheet" href="/static/dashboard.css" />
        <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
      </head>
      <body>
        {children}
        <script
          type="application/json"
          id="snapshot"
          // deno-lint-ignore react-no-danger
          dangerouslySetInnerHTML={{ __html: scriptJson(snapshot) }}
        />
        <script type="module" src="/static/islands.js" />
      </body>
    </html>
  );
}
