/* MigrationError (profile section 8). Oracle: the codec's verdict equals
 * that of a second, independent parser written differently from the codec
 * (varint, code range, detail length, strict UTF-8 by RFC 3629's table). */
#include "fuzz_common.h"

int mm_fuzz_migration_error(const uint8_t *data, size_t len);

/* RFC 3629 table 2 (well-formed byte sequences), walked as ranges. */
static bool utf8_ok(const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n;) {
    uint8_t c = p[i];
    uint8_t lo = 0x80, hi = 0xbf;
    size_t k;
    if (c <= 0x7f)
      k = 0;
    else if (c >= 0xc2 && c <= 0xdf)
      k = 1;
    else if (c >= 0xe0 && c <= 0xef)
      k = 2, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
    else if (c >= 0xf0 && c <= 0xf4)
      k = 3, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
    else
      return false;
    if (n - i - 1 < k) return false;
    for (size_t j = 1; j <= k; j++) {
      uint8_t b = p[i + j];
      if (j == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf)) return false;
    }
    i += k + 1;
  }
  return true;
}

/* RFC 9420 varint header, minimal form only; returns its size or 0. */
static size_t varint(const uint8_t *p, size_t n, size_t *v) {
  if (n < 1) return 0;
  size_t sz = (size_t)1 << (p[0] >> 6);
  if (sz == 8 || n < sz) return 0;
  *v = p[0] & 0x3f;
  for (size_t i = 1; i < sz; i++) *v = (*v << 8) | p[i];
  static const size_t min[] = {0, 0, 64, 0, 16384};
  return *v >= min[sz] ? sz : 0;
}

int mm_fuzz_migration_error(const uint8_t *data, size_t len) {
  mm_migration_error m;
  mm_derr err = {0};
  bool accepted = mm_decode(MM_T_MIGRATION_ERROR, data, len, NULL, &m, &err) == MM_OK;
  /* The expected verdict, from the structure alone: uint16 code, then a
   * minimal varint length covering exactly the rest, UTF-8, <= 1024 bytes;
   * the code one of the profile's 1..18. */
  size_t dlen = 0, h = len >= 2 ? varint(data + 2, len - 2, &dlen) : 0;
  unsigned code = len >= 2 ? (unsigned)data[0] << 8 | data[1] : 0;
  bool expect = h && code >= 1 && code <= 18 && dlen == len - 2 - h && dlen <= MM_DETAIL_MAX &&
                utf8_ok(data + 2 + h, dlen);
  MM_FUZZ_CHECK(accepted == expect, "codec and independent parser agree");
  if (accepted) MM_FUZZ_CHECK(m.detail.len == dlen, "detail length");
  return 0;
}

MM_FUZZ_MAIN(migration_error)
