#include "mlsmig/hex.h"

#include <stdlib.h>
#include <string.h>

static const char digits[] = "0123456789abcdef";

void mm_hex_encode(const uint8_t *data, size_t len, char *out) {
  for (size_t i = 0; i < len; i++) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 15];
  }
  out[2 * len] = '\0';
}

char *mm_hex_alloc(const uint8_t *data, size_t len) {
  if (len > (SIZE_MAX - 1) / 2) return NULL;
  char *s = malloc(2 * len + 1);
  if (s) mm_hex_encode(data, len, s);
  return s;
}

static int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool mm_hex_decode(const char *hex, size_t hex_len, uint8_t *out) {
  if (hex_len % 2) return false;
  for (size_t i = 0; i < hex_len / 2; i++) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = (uint8_t)(hi << 4 | lo);
  }
  return true;
}

bool mm_hex_decode_alloc(const char *hex, size_t hex_len, uint8_t **out, size_t *out_len) {
  if (hex_len % 2) return false;
  uint8_t *b = malloc(hex_len / 2 + 1);
  if (!b) return false;
  if (!mm_hex_decode(hex, hex_len, b)) {
    free(b);
    return false;
  }
  *out = b;
  *out_len = hex_len / 2;
  return true;
}
