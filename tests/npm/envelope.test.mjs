// The low-level envelope primitives `sealRecord` / `openRecord` (AES-256-GCM with a data key, as the
// simulated Feature Store data plane seals each record) through ESM in Node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";

import { openRecord, sealRecord } from "kmslab";

const code = (c) => (e) => e.name === "KmslabError" && e.code === c;

test("sealRecord/openRecord: a round trip for 0 B to 64 KiB; a fresh nonce each time", () => {
  const key = randomBytes(32);
  const aad = new TextEncoder().encode("orders\u0000o-1001");
  for (const size of [0, 1, 256, 1024, 64 * 1024]) {
    const plaintext = randomBytes(size);
    const sealed = sealRecord(key, aad, plaintext);
    assert.ok(sealed instanceof Uint8Array);
    assert.equal(sealed.length, 4 + 1 + 12 + size + 16);
    assert.deepEqual(Buffer.from(sealed.subarray(0, 4)).toString(), "KMSR");
    assert.deepEqual(Buffer.from(openRecord(key, aad, sealed)), plaintext);
    assert.notDeepEqual(sealRecord(key, aad, plaintext), sealed, "a fresh random nonce");
  }
});

test("openRecord refuses a wrong key, wrong aad, a flipped bit or a truncation as InvalidCiphertext", () => {
  const key = randomBytes(32);
  const aad = new Uint8Array([1, 2, 3]);
  const sealed = sealRecord(key, aad, randomBytes(100));
  assert.throws(() => openRecord(randomBytes(32), aad, sealed), code("InvalidCiphertext"));
  assert.throws(() => openRecord(key, new Uint8Array([1, 2]), sealed), code("InvalidCiphertext"));
  const flipped = Uint8Array.from(sealed);
  flipped[40] ^= 1;
  assert.throws(() => openRecord(key, aad, flipped), code("InvalidCiphertext"));
  assert.throws(() => openRecord(key, aad, sealed.subarray(0, 20)), code("InvalidCiphertext"));
});

test("sealRecord refuses a key that is not 32 bytes as InvalidArgument", () => {
  assert.throws(() => sealRecord(randomBytes(16), new Uint8Array(), new Uint8Array(8)), code("InvalidArgument"));
});
