/**
 * A plugin's own panel for a node, in the side panel: opened on demand in a sandboxed iframe
 * (`sandbox="allow-scripts"`, an opaque origin) that reaches the page only through a
 * {@linkcode PluginBridge}; what goes wrong in it (a throw, a syntax error, a module that never
 * loads, a flood of messages) is shown here and nowhere else.
 *
 * @module
 */

import { useEffect, useRef, useState } from "preact/hooks";
import { type PanelStatus, PluginBridge } from "../client/plugin_bridge.ts";
import type { ApiErrorBody, ProcessorUi } from "../shared/protocol.ts";
import { useStore } from "../shared/store.ts";

/** Props of {@linkcode PluginPanel}. */
export interface PluginPanelProps {
  /** The node. */
  node: string;
  /** The plugin's panel for its processor. */
  ui: ProcessorUi;
}

/**
 * The panel: a button, then the frame with its status and the last refused patch.
 *
 * @param props The node and its plugin UI.
 * @returns The section.
 */
export function PluginPanel({ node, ui }: PluginPanelProps) {
  const store = useStore();
  const [open, setOpen] = useState(false);
  const [status, setStatus] = useState<PanelStatus>({ kind: "loading" });
  const [warning, setWarning] = useState<string | null>(null);
  const [refused, setRefused] = useState<ApiErrorBody["error"] | null>(null);
  const [height, setHeight] = useState(240);
  const frame = useRef<HTMLIFrameElement>(null);
  useEffect(() => {
    if (!open || !frame.current) return;
    const bridge = new PluginBridge(frame.current, node, store, {
      status: setStatus,
      warning: setWarning,
      patch: setRefused,
      resize: setHeight,
    });
    bridge.start();
    // The frame loads once the bridge listens, so its first message is never missed.
    frame.current.src = ui.frame;
    return () => bridge.close();
  }, [open, node]);
  const alive = open && (status.kind === "loading" || status.kind === "ready");
  return (
    <section class="plugin-panel" data-plugin-panel={ui.plugin} data-panel-state={status.kind}>
      <h3>Panel of plugin {ui.plugin}</h3>
      {!open
        ? (
          <button type="button" data-action="open-plugin-panel" onClick={() => setOpen(true)}>
            Open the {ui.plugin} panel
          </button>
        )
        : null}
      {alive
        ? (
          <iframe
            ref={frame}
            sandbox="allow-scripts"
            allow=""
            referrerpolicy="no-referrer"
            title={`Panel of plugin ${ui.plugin} for ${node}`}
            style={{ width: "100%", height: `${height}px`, border: "1px solid #ccc" }}
          />
        )
        : null}
      {status.kind === "failed" || status.kind === "closed"
        ? (
          <p class="error-box" data-plugin-status={status.kind}>
            {status.text}
          </p>
        )
        : null}
      {warning ? <p class="error-box" data-plugin-warning>{warning}</p> : null}
      {refused
        ? (
          <p class="error-box" data-plugin-refused={refused.code}>
            Patch refused ({refused.code}): {refused.message}
          </p>
        )
        : null}
    </section>
  );
}
