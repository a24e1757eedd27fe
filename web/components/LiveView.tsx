/**
 * A live view in the side panel: a WHEP player (a recvonly RTCPeerConnection whose offer goes to
 * `POST /api/v1/whep/:id` for a `WhepSink` node, or `POST /api/v1/live/:node/:port` for any
 * encoded output, with the page's token), started and stopped by a button; the session is
 * DELETEd when the view stops or goes away.
 *
 * @module
 */

import { useEffect, useRef, useState } from "preact/hooks";

/** Props of {@linkcode LiveView}. */
export interface LiveViewProps {
  /** What is watched: a `WhepSink` node's id, or `node.port` of an encoded output. */
  node: string;
  /** The WHEP endpoint to offer to; default `/api/v1/whep/<node>`. */
  path?: string;
  /** The dashboard token (`""` when the page has none: the button is disabled). */
  token: string;
  /** Whether the node runs (a stopped node has no endpoint). */
  running: boolean;
}

/** One playing session. */
interface Session {
  pc: RTCPeerConnection;
  location: string | null;
}

/** Offers, POSTs, answers; resolves with the session. */
async function startSession(
  path: string,
  token: string,
  video: HTMLVideoElement,
): Promise<Session> {
  const pc = new RTCPeerConnection();
  pc.addTransceiver("video", { direction: "recvonly" });
  pc.addTransceiver("audio", { direction: "recvonly" });
  const stream = new MediaStream();
  video.srcObject = stream;
  pc.ontrack = (event) => {
    stream.addTrack(event.track);
    video.play().catch(() => {});
  };
  try {
    await pc.setLocalDescription(await pc.createOffer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === "complete") return resolve();
      pc.addEventListener("icegatheringstatechange", () => {
        if (pc.iceGatheringState === "complete") resolve();
      });
      setTimeout(resolve, 2000);
    });
    const response = await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/sdp", authorization: `Bearer ${token}` },
      body: pc.localDescription!.sdp,
    });
    const text = await response.text();
    if (response.status !== 201) {
      let message = text;
      try {
        message = JSON.parse(text).error.message;
      } catch { /* not JSON */ }
      throw new Error(message);
    }
    await pc.setRemoteDescription({ type: "answer", sdp: text });
    return { pc, location: response.headers.get("location") };
  } catch (error) {
    pc.close();
    throw error;
  }
}

function endSession(session: Session, token: string): void {
  session.pc.close();
  if (session.location) {
    void fetch(session.location, {
      method: "DELETE",
      headers: { authorization: `Bearer ${token}` },
    }).catch(() => {});
  }
}

/**
 * The live view.
 *
 * @param props What is watched, where to offer, the token and whether the node runs.
 * @returns The player and its button.
 */
export function LiveView({ node, path, token, running }: LiveViewProps) {
  const video = useRef<HTMLVideoElement>(null);
  const session = useRef<Session | null>(null);
  const [state, setState] = useState<"off" | "starting" | "playing">("off");
  const [error, setError] = useState<string | null>(null);
  const stop = () => {
    if (session.current) endSession(session.current, token);
    session.current = null;
    if (video.current) video.current.srcObject = null;
    setState("off");
  };
  // A view that goes away (another node selected, the page closed) ends its session.
  useEffect(() => stop, [node]);
  useEffect(() => {
    if (!running && session.current) stop();
  }, [running]);
  const start = async () => {
    if (!video.current) return;
    setError(null);
    setState("starting");
    try {
      session.current = await startSession(
        path ?? `/api/v1/whep/${encodeURIComponent(node)}`,
        token,
        video.current,
      );
      setState("playing");
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setState("off");
    }
  };
  return (
    <section class="live-view" data-live={node} data-live-state={state}>
      <video ref={video} muted playsInline class="live-video" data-live-video={node} />
      {error ? <p class="live-error" data-live-error={node}>{error}</p> : null}
      <button
        type="button"
        data-action="live"
        disabled={!token || (!running && state === "off") || state === "starting"}
        onClick={() => state === "off" ? void start() : stop()}
      >
        {state === "off" ? "Watch live" : state === "starting" ? "Starting…" : "Stop"}
      </button>
    </section>
  );
}
