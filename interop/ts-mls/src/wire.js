// TLS presentation language (RFC 9420 section 2.1) for the client protocol's
// frames: big-endian integers and <V> vectors with a minimal
// variable-length length. Strict: a short input, a non-minimal length or a
// trailing byte is an error (ProtocolError), never a guess.

export class ProtocolError extends Error {}

export class Reader {
  constructor(bytes) {
    this.b = bytes;
    this.pos = 0;
  }

  need(n) {
    if (this.b.length - this.pos < n) throw new ProtocolError(`truncated at offset ${this.pos}`);
  }

  u8() {
    this.need(1);
    return this.b[this.pos++];
  }

  u16() {
    this.need(2);
    const v = (this.b[this.pos] << 8) | this.b[this.pos + 1];
    this.pos += 2;
    return v;
  }

  u32() {
    this.need(4);
    const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, 4).getUint32(0);
    this.pos += 4;
    return v;
  }

  u64() {
    this.need(8);
    const v = new DataView(this.b.buffer, this.b.byteOffset + this.pos, 8).getBigUint64(0);
    this.pos += 8;
    return v;
  }

  // RFC 9420 section 2.1.2, minimal forms only (profile ENC-1).
  varint() {
    const at = this.pos;
    const first = this.u8();
    const prefix = first >> 6;
    if (prefix === 3) throw new ProtocolError(`invalid length prefix at offset ${at}`);
    let v = first & 0x3f;
    const extra = [0, 1, 3][prefix];
    this.need(extra);
    for (let i = 0; i < extra; i++) v = v * 256 + this.b[this.pos++];
    const min = [0, 64, 16384][prefix];
    if (v < min) throw new ProtocolError(`non-minimal length at offset ${at}`);
    return v;
  }

  vec() {
    const n = this.varint();
    this.need(n);
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  // A vector of elements, each read by f from a reader over the contents.
  list(f) {
    const r = new Reader(this.vec());
    const out = [];
    while (r.pos < r.b.length) out.push(f(r));
    return out;
  }

  bool() {
    const v = this.u8();
    if (v > 1) throw new ProtocolError(`boolean ${v} at offset ${this.pos - 1}`);
    return v === 1;
  }

  end() {
    if (this.pos !== this.b.length) throw new ProtocolError(`${this.b.length - this.pos} trailing bytes`);
  }
}

export class Writer {
  constructor() {
    this.parts = [];
    this.len = 0;
  }

  bytes(b) {
    this.parts.push(b);
    this.len += b.length;
    return this;
  }

  u8(v) {
    return this.bytes(Uint8Array.of(v));
  }

  u16(v) {
    return this.bytes(Uint8Array.of((v >> 8) & 0xff, v & 0xff));
  }

  u32(v) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v);
    return this.bytes(b);
  }

  u64(v) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v));
    return this.bytes(b);
  }

  varint(n) {
    if (n < 64) return this.u8(n);
    if (n < 16384) return this.u16(0x4000 | n);
    if (n <= 0x3fffffff) return this.u32((0x80000000 | n) >>> 0);
    throw new ProtocolError(`vector of ${n} bytes is too long`);
  }

  vec(b) {
    return this.varint(b.length).bytes(b);
  }

  // A vector whose contents f writes.
  list(items, f) {
    const inner = new Writer();
    for (const it of items) f(inner, it);
    return this.vec(inner.finish());
  }

  finish() {
    const out = new Uint8Array(this.len);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

export const utf8 = (s) => new TextEncoder().encode(s);
