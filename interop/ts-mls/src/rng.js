// Randomness for the members. With a seed (configure), every byte the
// members draw comes from HMAC-SHA256 keyed by the seed, so one seed and one
// sequence of requests give the same replies byte for byte. Each request
// gets its own key (seed, request number), so that whatever order the
// library's concurrent promises draw in within one request cannot leak
// into the next one; HPKE ephemeral keys are derived from what they encrypt
// (see suites.js), so they do not depend on draw order at all. Without a seed
// the bytes come from the system (node:crypto).
import { createHmac, randomBytes } from "node:crypto";

const enc = new TextEncoder();

function hmac(key, ...parts) {
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

function u64(n) {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
}

// Length-prefixed parts, so that ("ab","c") and ("a","bc") differ.
function framed(parts) {
  const out = [];
  for (const p of parts) out.push(u64(p.length), p);
  return out;
}

export class Randomness {
  constructor(seed) {
    this.seeded = seed.length > 0;
    this.root = this.seeded ? hmac(enc.encode("mlsmig client seed"), seed) : null;
    this.request = 0n;
    this.key = null;
    this.counter = 0n;
  }

  // Called before each request: a fresh stream for it.
  nextRequest() {
    this.request += 1n;
    this.counter = 0n;
    if (this.seeded) this.key = hmac(this.root, enc.encode("request"), u64(this.request));
  }

  // n bytes of the request's stream.
  bytes(n) {
    if (!this.seeded) return new Uint8Array(randomBytes(n));
    const out = new Uint8Array(n);
    for (let at = 0; at < n; at += 32) {
      this.counter += 1n;
      const block = hmac(this.key, enc.encode("stream"), u64(this.counter));
      out.set(block.subarray(0, Math.min(32, n - at)), at);
    }
    return out;
  }

  // n bytes bound to a label and some inputs rather than to the draw order
  // (fresh random bytes without a seed).
  bound(n, label, ...parts) {
    if (!this.seeded) return new Uint8Array(randomBytes(n));
    const out = new Uint8Array(n);
    const base = hmac(this.key, enc.encode(label), ...framed(parts));
    for (let at = 0, i = 0n; at < n; at += 32, i++) {
      const block = hmac(base, u64(i));
      out.set(block.subarray(0, Math.min(32, n - at)), at);
    }
    return out;
  }
}
