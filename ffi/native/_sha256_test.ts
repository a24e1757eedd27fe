import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { Sha256 } from "./_sha256.ts";

Deno.test("Sha256.hex() matches the FIPS 180-4 test vectors", () => {
  assert.equal(
    new Sha256().hex(),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assert.equal(
    new Sha256().update("abc").hex(),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
  );
  assert.equal(
    new Sha256().update("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex(),
    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
  );
});

Deno.test("Sha256.update() in pieces agrees with node:crypto at every block boundary", () => {
  const bytes = new Uint8Array(300).map((_, i) => (i * 131 + 7) & 0xff);
  for (const length of [1, 55, 56, 63, 64, 65, 119, 120, 128, 300]) {
    const data = bytes.subarray(0, length);
    const ours = new Sha256();
    for (let i = 0; i < length; i += 17) ours.update(data.subarray(i, i + 17));
    assert.equal(ours.hex(), createHash("sha256").update(data).digest("hex"), `length ${length}`);
  }
  assert.equal(
    new Sha256().update("crates/Cargo.toml").update("\0").update("é→").hex(),
    createHash("sha256").update("crates/Cargo.toml").update("\0").update("é→").digest("hex"),
  );
});
