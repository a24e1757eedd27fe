/// <reference lib="dom" />
/**
 * Chromium as the independent WHIP server of the WhipSink test: the test's few lines of HTTP hand
 * each offer to this page (`page.evaluate`), which answers with a recvonly RTCPeerConnection and
 * plays what arrives in `<video id="v">`.
 *
 * @module
 */

/**
 * Runs in the page: answers a WHIP offer and plays the tracks in a fresh `<video id="v">`.
 *
 * @param offer The publisher's SDP offer.
 * @returns The SDP answer, with the page's candidates.
 */
export async function answerWhip(offer: string): Promise<string> {
  document.getElementById("v")?.remove();
  const video = document.createElement("video");
  video.id = "v";
  video.muted = true;
  video.autoplay = true;
  document.body.appendChild(video);
  const stream = new MediaStream();
  video.srcObject = stream;
  const pc = new RTCPeerConnection();
  (globalThis as unknown as { pc: RTCPeerConnection }).pc = pc;
  pc.ontrack = (event) => {
    stream.addTrack(event.track);
    video.play().catch(() => {});
  };
  await pc.setRemoteDescription({ type: "offer", sdp: offer });
  await pc.setLocalDescription(await pc.createAnswer());
  await new Promise<void>((resolve) => {
    if (pc.iceGatheringState === "complete") return resolve();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === "complete" && resolve();
    setTimeout(resolve, 3000);
  });
  return pc.localDescription!.sdp;
}

/** Runs in the page: the server "dies": its peer connection closes and its video goes. */
export function killWhipServer(): void {
  (globalThis as unknown as { pc?: RTCPeerConnection }).pc?.close();
  document.getElementById("v")?.remove();
}
