import assert from "node:assert/strict";
import { ArrivalForecast } from "./arrival_forecast.ts";

Deno.test("ArrivalForecast blocks near the forecast of a live stream, bounded to twice the window", () => {
  const forecast = new ArrivalForecast(2);
  assert.equal(forecast.blockMs(0), 0, "no arrivals: no forecast");
  assert.equal(forecast.sleepMs(0), undefined);
  forecast.arrived(0);
  forecast.arrived(20);
  assert.equal(forecast.blockMs(30), 0, "10 ms early");
  assert.equal(forecast.sleepMs(30), 8);
  assert.equal(forecast.blockMs(38), 4, "2 ms early: up to 2 ms past the forecast");
  assert.equal(forecast.blockMs(41), 1, "1 ms late: the rest of the window");
  assert.equal(forecast.blockMs(42), 0, "a window late: give up until the next arrival");
  assert.equal(forecast.sleepMs(42), undefined, "past the forecast: sleep until woken");
});

Deno.test("ArrivalForecast never blocks for back-to-back frames, nor with a window of 0", () => {
  const fast = new ArrivalForecast(2);
  for (let t = 0; t < 10; t += 0.05) fast.arrived(t);
  assert.equal(fast.blockMs(10), 0, "frames 50 µs apart are a throughput stream");
  assert.equal(fast.sleepMs(10), undefined);
  const off = new ArrivalForecast(0);
  for (let t = 0; t < 100; t += 33) off.arrived(t);
  assert.equal(off.blockMs(131), 0);
  assert.equal(off.sleepMs(100), undefined);
});

Deno.test("ArrivalForecast follows a changing period with a moving average and forgets on reset()", () => {
  const forecast = new ArrivalForecast(1);
  forecast.arrived(0);
  forecast.arrived(40); // period 40
  forecast.arrived(60); // 40 + 0.25 * (20 - 40) = 35
  assert.equal(forecast.sleepMs(60), 34);
  forecast.reset();
  assert.equal(forecast.sleepMs(60), undefined);
});
