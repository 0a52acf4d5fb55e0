/* The seven MLS ciphersuites of RFC 9420 section 17.1 (profile SUITE-1).
 * Only the signature scheme and the hash matter to a migration; of the KEM
 * only the public key length (the HPKEPublicKey of ratchet trees, profile
 * section 11); the AEAD part of each name is carried for reporting. */
#include "mlsmig/crypto.h"

/* Lengths: raw EdDSA keys and signatures (RFC 8032); for ECDSA the private
 * key is the big-endian scalar, the public key an uncompressed SEC1 point and
 * the signature a DER ECDSA-Sig-Value of at most max_sig_len bytes. */
static const mm_suite suites[MM_SUITE_COUNT] = {
    {0x0001, "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519", MM_SIG_ED25519, "SHA256", 32, 64, 64,
     32, 32, 32},
    {0x0002, "MLS_128_DHKEMP256_AES128GCM_SHA256_P256", MM_SIG_P256, "SHA256", 32, 0, 72, 65, 32,
     65},
    {0x0003, "MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519", MM_SIG_ED25519, "SHA256", 32,
     64, 64, 32, 32, 32},
    {0x0004, "MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448", MM_SIG_ED448, "SHA512", 64, 114, 114, 57,
     57, 56},
    {0x0005, "MLS_256_DHKEMP521_AES256GCM_SHA512_P521", MM_SIG_P521, "SHA512", 64, 0, 139, 133, 66,
     133},
    {0x0006, "MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448", MM_SIG_ED448, "SHA512", 64, 114,
     114, 57, 57, 56},
    {0x0007, "MLS_256_DHKEMP384_AES256GCM_SHA384_P384", MM_SIG_P384, "SHA384", 48, 0, 104, 97, 48,
     97},
};

const mm_suite *mm_suite_get(uint16_t id) {
  if (id < 1 || id > MM_SUITE_COUNT) return NULL;
  return &suites[id - 1];
}

const mm_suite *mm_suite_at(size_t i) { return i < MM_SUITE_COUNT ? &suites[i] : NULL; }
