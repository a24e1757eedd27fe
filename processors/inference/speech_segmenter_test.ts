import assert from "node:assert/strict";
import { type SegmentBoundary, SpeechSegmenter } from "./speech_segmenter.ts";

const W = 512;

function feed(seg: SpeechSegmenter, probabilities: number[]): SegmentBoundary[] {
  return probabilities.flatMap((p, i) => seg.push(p, i * W, (i + 1) * W) ?? []);
}

Deno.test("SpeechSegmenter ignores speech shorter than minSpeech", () => {
  const seg = new SpeechSegmenter({ threshold: 0.5, minSpeech: 3 * W, minSilence: W, pad: 0 });
  assert.deepEqual(feed(seg, [0, 0.9, 0.9, 0.1, 0, 0.9, 0.1, 0]), []);
  assert.equal(seg.speaking, false);
  assert.deepEqual(seg.segments, []);
});

Deno.test("SpeechSegmenter keeps speech through a dip above the negative threshold", () => {
  const seg = new SpeechSegmenter({ threshold: 0.5, minSpeech: 0, minSilence: 2 * W, pad: 0 });
  // 0.4 is under the threshold but above threshold - 0.15: still speech.
  const found = feed(seg, [0.9, 0.4, 0.4, 0.4, 0.9, 0.1, 0.1, 0.1]);
  assert.deepEqual(found, [{ type: "speech-start", at: 0 }, { type: "speech-stop", at: 5 * W }]);
});

Deno.test("SpeechSegmenter pads segments without overlapping them or going before 0", () => {
  const seg = new SpeechSegmenter({ threshold: 0.5, minSpeech: 0, minSilence: W, pad: 2 * W });
  const found = feed(seg, [0.9, 0.1, 0.9, 0.9, 0.1, 0]);
  assert.deepEqual(found, [
    { type: "speech-start", at: 0 }, // 0 - pad, clamped to the stream's start
    { type: "speech-stop", at: 3 * W }, // silence from 1 W, plus the pad
    { type: "speech-start", at: 3 * W }, // 2 W - pad, clamped to the previous stop
    { type: "speech-stop", at: 6 * W },
  ]);
});

Deno.test("SpeechSegmenter.decidedUntil never passes a sample a later window could change", () => {
  const pad = W;
  const seg = new SpeechSegmenter({ threshold: 0.5, minSpeech: 2 * W, minSilence: 2 * W, pad });
  seg.push(0, 0, W);
  seg.push(0, W, 2 * W);
  assert.equal(seg.decidedUntil, 2 * W - pad); // a start at 2 W would begin at 2 W - pad
  seg.push(0.9, 2 * W, 3 * W); // a candidate from 2 W
  assert.equal(seg.decidedUntil, 2 * W - pad);
  seg.push(0.9, 3 * W, 4 * W); // confirmed: speech from W
  assert.deepEqual(seg.segments, [{ start: W, end: Infinity }]);
  assert.equal(seg.decidedUntil, 4 * W);
  seg.push(0.1, 4 * W, 5 * W); // a candidate silence from 4 W: speech until 4 W + pad at least
  assert.equal(seg.decidedUntil, 5 * W);
  seg.push(0.1, 5 * W, 6 * W); // stopped at 4 W + pad
  assert.deepEqual(seg.segments, [{ start: W, end: 5 * W }]);
  assert.equal(seg.decidedUntil, 6 * W - pad);
  seg.prune(5 * W);
  assert.deepEqual(seg.segments, []);
});

Deno.test("SpeechSegmenter.finish() stops an open segment where the audio ends", () => {
  const seg = new SpeechSegmenter({ threshold: 0.5, minSpeech: 0, minSilence: W, pad: 0 });
  assert.equal(seg.finish(0), undefined);
  feed(seg, [0.9, 0.9]);
  assert.deepEqual(seg.finish(2 * W), { type: "speech-stop", at: 2 * W });
  assert.equal(seg.speaking, false);
});

Deno.test("SpeechSegmenter keeps candidate speech through a dip shorter than minSilence", () => {
  // A plosive's dip below threshold - 0.15 right after the onset must not move the start.
  const seg = new SpeechSegmenter({ threshold: 0.5, minSpeech: 4 * W, minSilence: 3 * W, pad: 0 });
  const found = feed(seg, [0, 0.9, 0.9, 0.2, 0.9, 0.9, 0.9]);
  assert.deepEqual(found, [{ type: "speech-start", at: W }]);
});

Deno.test("SpeechSegmenter stamps the stop where its refiner says speech ended, within the lookback", () => {
  const calls: number[][] = [];
  let answer = 0;
  const refiner = {
    lookback: 3 * W,
    refine(earliest: number, stop: number, now: number) {
      calls.push([earliest, stop, now]);
      return answer;
    },
  };
  const seg = new SpeechSegmenter({
    threshold: 0.5,
    minSpeech: W,
    minSilence: 2 * W,
    pad: 10,
    refiner,
  });
  answer = 5 * W + 100;
  const found = feed(seg, [0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.1, 0.1]);
  assert.deepEqual(calls, [[W, 7 * W, 9 * W]]); // first speech, the model's stop, the decision
  assert.deepEqual(found[1], { type: "speech-stop", at: 5 * W + 110 });
  // An answer outside the lookback (or after the model's stop) is held to it.
  answer = 0;
  const late = feed(
    new SpeechSegmenter({ threshold: 0.5, minSpeech: W, minSilence: 2 * W, pad: 10, refiner }),
    [0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.1, 0.1],
  );
  assert.deepEqual(late[1], { type: "speech-stop", at: 4 * W + 10 });
});

Deno.test("SpeechSegmenter.decidedUntil holds back a refiner's lookback while speaking", () => {
  const refiner = { lookback: 3 * W, refine: (_e: number, stop: number) => stop };
  const seg = new SpeechSegmenter({
    threshold: 0.5,
    minSpeech: 0,
    minSilence: 2 * W,
    pad: W,
    refiner,
  });
  feed(seg, [0.9, 0.9, 0.9, 0.9, 0.9]);
  assert.equal(seg.decidedUntil, 5 * W - 3 * W + W); // a stop at 5 W could move back 3 W
  seg.push(0.1, 5 * W, 6 * W); // candidate silence from 5 W
  assert.equal(seg.decidedUntil, 5 * W - 3 * W + W);
});
