/// <reference lib="dom" />
/**
 * What a WHIP publisher page does, run inside Chromium (`page.evaluate`): the fake camera and
 * microphone (`--use-fake-device-for-media-stream`), sendonly transceivers with H.264 first in
 * the codec preferences, the offer POSTed as `application/sdp` with the token, the answer set.
 *
 * @module
 */

/** What {@linkcode startWhip} returns to the test. */
export interface WhipStarted {
  /** The HTTP status of the POST. */
  status: number;
  /** The `Location` of the session. */
  location: string | null;
  /** The answer, or the error body. */
  body: string;
  /** The codec the offer put first for video. */
  videoCodec: string;
}

/**
 * Runs in the page: publishes the fake camera and microphone to `url`.
 *
 * @param args The endpoint URL and the token.
 * @returns The POST's status, location and body.
 */
export async function startWhip(args: { url: string; token: string }): Promise<WhipStarted> {
  const media = await navigator.mediaDevices.getUserMedia({
    video: { width: 640, height: 480, frameRate: 30 },
    audio: true,
  });
  const pc = new RTCPeerConnection();
  (globalThis as unknown as { pc: RTCPeerConnection }).pc = pc;
  let videoCodec = "";
  for (const track of media.getTracks()) {
    const transceiver = pc.addTransceiver(track, { direction: "sendonly", streams: [media] });
    if (track.kind === "video") {
      // Our side records H.264 without re-encoding: offer only H.264 (packetization mode 1).
      const codecs = RTCRtpSender.getCapabilities("video")!.codecs;
      const h264 = codecs.filter((c) =>
        c.mimeType === "video/H264" && /packetization-mode=1/.test(c.sdpFmtpLine ?? "")
      );
      transceiver.setCodecPreferences(h264);
      videoCodec = `${h264[0]?.mimeType} ${h264[0]?.sdpFmtpLine}`;
    }
  }
  await pc.setLocalDescription(await pc.createOffer());
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
  return { status: response.status, location: response.headers.get("location"), body, videoCodec };
}
