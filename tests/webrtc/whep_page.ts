/// <reference lib="dom" />
/**
 * What a WHEP player page does, run inside Chromium (`page.evaluate`): a recvonly
 * RTCPeerConnection, the offer POSTed as `application/sdp` with the token, the answer set, the
 * remote tracks played in a `<video>`; and helpers the tests evaluate on the page to find the
 * test pattern's white box in a frame.
 *
 * @module
 */

/** What {@linkcode startWhep} returns to the test. */
export interface WhepStarted {
  /** The HTTP status of the POST. */
  status: number;
  /** The `Location` of the session. */
  location: string | null;
  /** The answer's first line, or the error body. */
  body: string;
}

/**
 * Runs in the page: negotiates WHEP with `url` and plays into `<video id="v">`.
 *
 * @param args The endpoint URL and the token.
 * @returns The POST's status, location and body.
 */
export async function startWhep(args: { url: string; token: string }): Promise<WhepStarted> {
  const pc = new RTCPeerConnection();
  (globalThis as unknown as { pc: RTCPeerConnection }).pc = pc;
  pc.addTransceiver("video", { direction: "recvonly" });
  pc.addTransceiver("audio", { direction: "recvonly" });
  const video = document.createElement("video");
  video.id = "v";
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  document.body.appendChild(video);
  const stream = new MediaStream();
  video.srcObject = stream;
  pc.ontrack = (event) => {
    stream.addTrack(event.track);
    video.play().catch(() => {});
  };
  await pc.setLocalDescription(await pc.createOffer());
  // Non-trickle WHEP: wait (bounded) for the candidates to be in the offer.
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === "complete") return resolve();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && resolve();
    setTimeout(resolve, 3000);
  });
  const response = await fetch(args.url, {
    method: "POST",
    headers: { "content-type": "application/sdp", authorization: `Bearer ${args.token}` },
    body: pc.localDescription!.sdp,
  });
  const body = await response.text();
  if (response.status === 201) {
    await pc.setRemoteDescription({ type: "answer", sdp: body });
  }
  return { status: response.status, location: response.headers.get("location"), body };
}

/**
 * Runs in the page: draws the current video frame and returns the centre of the pattern's
 * white box (pixels brighter than the bars' 75% white) in the upper 60% of the picture (the
 * bottom row of the bars has a 100% white patch), with the frame count decoded so far.
 *
 * @param selector The `<video>` (`#v` is the one {@linkcode startWhep} makes).
 * @returns The box centre (or `null` when not in the upper area) and the counters.
 */
export function sampleBox(selector: string): {
  box: { x: number; y: number } | null;
  frames: number;
  width: number;
  time: number;
} {
  const video = document.querySelector(selector) as HTMLVideoElement;
  const width = video.videoWidth;
  const height = video.videoHeight;
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext("2d", { willReadFrequently: true })!;
  g.drawImage(video, 0, 0);
  const area = Math.floor(height * 0.6);
  const pixels = g.getImageData(0, 0, width, area).data;
  let sx = 0, sy = 0, n = 0;
  for (let y = 0; y < area; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      if (pixels[i] > 225 && pixels[i + 1] > 225 && pixels[i + 2] > 225) {
        sx += x;
        sy += y;
        n++;
      }
    }
  }
  const frames = video.getVideoPlaybackQuality().totalVideoFrames;
  const box = n > 20 ? { x: Math.round(sx / n), y: Math.round(sy / n) } : null;
  return { box, frames, width, time: video.currentTime };
}
