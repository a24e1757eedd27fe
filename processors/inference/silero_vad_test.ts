import assert from "node:assert/strict";
import { speak } from "../../tests/fixtures/speech.ts";
import { SILERO_VAD_MODEL, SILERO_WINDOW, SileroVad } from "./silero_vad.ts";

const root = new URL("../../", import.meta.url);

Deno.test("SILERO_VAD_MODEL names the version package.json installs and deno.json maps", async () => {
  const pkg = JSON.parse(await Deno.readTextFile(new URL("package.json", root)));
  const deno = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  const version = pkg.devDependencies["@ricky0123/vad-web"];
  assert.ok(SILERO_VAD_MODEL.startsWith(`npm:@ricky0123/vad-web@${version}/`), version);
  assert.equal(deno.imports["@ricky0123/vad-web/"], `npm:/@ricky0123/vad-web@${version}/`);
  assert.equal(
    deno.imports["onnxruntime-web"],
    `npm:onnxruntime-web@${pkg.devDependencies["onnxruntime-web"]}`,
  );
});

Deno.test("SileroVad scores espeak-ng speech high and silence low; reset() forgets the stream", async () => {
  using vad = await SileroVad.open();
  const speech = await speak("hello there how are you today", 16_000);
  const scores: number[] = [];
  for (let i = 0; i + SILERO_WINDOW <= speech.length; i += SILERO_WINDOW) {
    scores.push(await vad.probability(speech.subarray(i, i + SILERO_WINDOW)));
  }
  const speechy = scores.filter((p) => p >= 0.5).length / scores.length;
  assert.ok(speechy > 0.8, `${(speechy * 100).toFixed(0)}% of windows scored as speech`);
  vad.reset();
  const silence = new Float32Array(SILERO_WINDOW);
  const first = await vad.probability(silence);
  assert.ok(first < 0.1, `silence scored ${first}`);
  vad.reset();
  assert.equal(await vad.probability(silence), first); // the same start: state and context cleared
});
