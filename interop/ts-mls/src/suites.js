// The seven RFC 9420 ciphersuites over ts-mls, with every random draw routed
// through Randomness (rng.js) so that a seeded run is reproducible:
// - ts-mls's own draws (path secrets, reuse guards, the first epoch secret)
//   through CiphersuiteImpl.rng;
// - HPKE key pairs (init and encryption keys) by DeriveKeyPair from drawn
//   bytes instead of generateKeyPair;
// - HPKE ephemeral keys (Welcome secrets, UpdatePath secrets, the external
//   init) by @hpke/core's `ekm` parameter, derived from the recipient key
//   and what is sealed (order independent);
// - signature keys drawn here: raw 32-byte Ed25519 and 57-byte Ed448 keys,
//   ECDSA scalars with *uncompressed* SEC1 public keys. ts-mls's own keygen
//   returns compressed P-256/P-384/P-521 points, which RFC 9420 section 5.1.1
//   does not allow for signature keys.
// Signatures themselves are deterministic already (EdDSA; ECDSA by RFC 6979
// in @noble/curves, ts-mls passes no extra entropy).
import { existsSync } from "node:fs";

import { CipherSuite } from "@hpke/core";
import { getCiphersuiteFromName, getCiphersuiteImpl } from "ts-mls";
import { makeAead } from "ts-mls/crypto/implementation/default/makeAead.js";
import { makeDhKem } from "ts-mls/crypto/implementation/default/makeDhKem.js";
import { makeKdf } from "ts-mls/crypto/implementation/default/makeKdfImpl.js";

export const SUITE_NAMES = {
  1: "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519",
  2: "MLS_128_DHKEMP256_AES128GCM_SHA256_P256",
  3: "MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519",
  4: "MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448",
  5: "MLS_256_DHKEMP521_AES256GCM_SHA512_P521",
  6: "MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448",
  7: "MLS_256_DHKEMP384_AES256GCM_SHA384_P384",
};

// The packages each suite needs beyond ts-mls and @hpke/core (ts-mls's
// README; @noble/curves for every suite, the adapter draws Ed25519 keys
// with it too).
const SUITE_PACKAGES = {
  1: ["@noble/curves"],
  2: ["@noble/curves"],
  3: ["@noble/curves", "@hpke/chacha20poly1305", "@noble/ciphers"],
  4: ["@noble/curves", "@hpke/dhkem-x448"],
  5: ["@noble/curves"],
  6: ["@noble/curves", "@hpke/dhkem-x448", "@hpke/chacha20poly1305", "@noble/ciphers"],
  7: ["@noble/curves"],
};

// The suites whose packages are installed, without loading them (loading
// X448 alone takes half a second): the PICS, cheaply.
export function installedSuites() {
  const have = (p) => existsSync(new URL(`../node_modules/${p}/package.json`, import.meta.url));
  return Object.keys(SUITE_NAMES)
    .map(Number)
    .filter((id) => SUITE_PACKAGES[id].every(have));
}

export const SUITE_IDS = Object.fromEntries(Object.entries(SUITE_NAMES).map(([id, n]) => [n, Number(id)]));

// Bytes of input keying material for DeriveKeyPair: at least Nsk for every
// KEM (66 for P-521), RFC 9180 section 7.1.3.
const IKM_LEN = 80;

async function signatureKeygen(alg, rng) {
  switch (alg) {
    case "Ed25519": {
      const { ed25519 } = await import("@noble/curves/ed25519.js");
      const signKey = rng.bytes(32);
      return { signKey, publicKey: ed25519.getPublicKey(signKey) };
    }
    case "Ed448": {
      const { ed448 } = await import("@noble/curves/ed448.js");
      const signKey = rng.bytes(57);
      return { signKey, publicKey: ed448.getPublicKey(signKey) };
    }
    case "P256":
    case "P384":
    case "P521": {
      const nist = await import("@noble/curves/nist.js");
      const curve = nist[alg.toLowerCase()];
      const signKey = curve.utils.randomSecretKey(rng.bytes(curve.lengths.seed));
      return { signKey, publicKey: curve.getPublicKey(signKey, false) };
    }
  }
  throw new Error(`no key generation for ${alg}`);
}

// One CiphersuiteImpl per suite, drawing from rng (whose stream changes per
// request).
export async function makeSuite(id, rng) {
  const name = SUITE_NAMES[id];
  if (!name) return undefined;
  const cs = getCiphersuiteFromName(name);
  const base = await getCiphersuiteImpl(cs);
  const [, aeadInterface] = await makeAead(cs.hpke.aead);
  const hpkeSuite = new CipherSuite({
    kem: await makeDhKem(cs.hpke.kem),
    kdf: makeKdf(cs.hpke.kdf),
    aead: aeadInterface,
  });
  const ab = (u8) => u8.slice().buffer;
  const ekm = async (label, publicKey, ...parts) =>
    ab(rng.bound(IKM_LEN, label, await base.hpke.exportPublicKey(publicKey), ...parts));
  const hpke = {
    ...base.hpke,
    async generateKeyPair() {
      return base.hpke.deriveKeyPair(rng.bytes(IKM_LEN));
    },
    async seal(publicKey, plaintext, info, aad) {
      const a = aad ?? new Uint8Array();
      const params = { recipientPublicKey: publicKey, info: ab(info), ekm: await ekm("seal", publicKey, info, a, plaintext) };
      const r = await hpkeSuite.seal(params, ab(plaintext), ab(a));
      return { ct: new Uint8Array(r.ct), enc: new Uint8Array(r.enc) };
    },
    async exportSecret(publicKey, exporterContext, length, info) {
      const params = { recipientPublicKey: publicKey, info: ab(info), ekm: await ekm("export", publicKey, info, exporterContext) };
      const ctx = await hpkeSuite.createSenderContext(params);
      return { enc: new Uint8Array(ctx.enc), secret: new Uint8Array(await ctx.export(ab(exporterContext), length)) };
    },
  };
  const signature = {
    ...base.signature,
    keygen: () => signatureKeygen(cs.signature, rng),
  };
  return {
    ...base,
    hpke,
    signature,
    rng: { randomBytes: (n) => rng.bytes(n) },
  };
}
