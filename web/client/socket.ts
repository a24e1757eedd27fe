/**
 * The page's end of the event stream: applies messages to the store, draws previews, asks for
 * the previews of every video and audio output, and reconnects when the server goes away (but
 * not when it refuses the token: the page then says how to get access).
 *
 * @module
 */

import { previewKind } from "../shared/geometry.ts";
import { decodePreviewFrame } from "../shared/preview_frame.ts";
import { API_BASE, type ServerMessage } from "../shared/protocol.ts";
import type { DashboardStore } from "../shared/store.ts";
import { checkToken } from "./api_client.ts";

/**
 * Connects the store to the event stream (a read-only page, without a token, does not).
 *
 * @param store The page's store.
 */
export function connectStream(store: DashboardStore): void {
  if (!store.token.value) return;
  let delay = 250;
  const open = () => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const url = `${scheme}://${location.host}${API_BASE}/stream?token=${
      encodeURIComponent(store.token.value!)
    }`;
    const socket = new WebSocket(url);
    socket.binaryType = "arraybuffer";
    let watched = "";
    let opened = false;
    const watch = () => {
      const outputs = store.graph.value.nodes.flatMap((n) =>
        n.outputs.filter((p) => previewKind(p.portType) !== null).map((p) => `${n.id}.${p.name}`)
      );
      const key = outputs.join(",");
      if (key === watched || socket.readyState !== WebSocket.OPEN) return;
      watched = key;
      socket.send(JSON.stringify({ type: "watch", outputs }));
    };
    socket.onopen = () => {
      opened = true;
      delay = 250;
      store.link.value = "live";
    };
    socket.onmessage = (e) => {
      if (typeof e.data !== "string") {
        const frame = decodePreviewFrame(e.data as ArrayBuffer);
        if (frame) store.frames.publish(frame);
        return;
      }
      const message = JSON.parse(e.data) as ServerMessage;
      store.apply(message);
      if (message.type === "snapshot" || message.type === "graph") watch();
    };
    socket.onclose = async () => {
      const token = store.token.value;
      // Refused before it opened: a wrong token (the page says so and stops), or the server away.
      if (!token || (!opened && await checkToken(token) === "refused")) {
        if (token) store.refuse();
        return;
      }
      store.link.value = "offline";
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 5000);
    };
  };
  open();
}
