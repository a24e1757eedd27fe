import assert from "node:assert/strict";
import { RoundTrips } from "./_round_trip.ts";

Deno.test("RoundTrips.left() gives each sequence number's time once, in seconds", () => {
  const trips = new RoundTrips(2);
  trips.arrived(0, 10);
  trips.arrived(0, 20); // a repeat keeps the first arrival
  trips.arrived(1, 30);
  assert.equal(trips.left(0, 1010), 1);
  assert.equal(trips.left(0, 2000), undefined);
  trips.arrived(2, 40);
  trips.arrived(3, 50); // over capacity: 1 goes
  assert.equal(trips.left(1, 60), undefined);
  assert.equal(trips.left(3, 60), 0.01);
});
