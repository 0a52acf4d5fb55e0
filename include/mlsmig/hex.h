/* Lowercase hex, the byte notation of every JSON file mlsmig reads or writes. */
#ifndef MLSMIG_HEX_H
#define MLSMIG_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Writes 2*len chars plus NUL into out (size >= 2*len+1). */
void mm_hex_encode(const uint8_t *data, size_t len, char *out);
/* malloc'd NUL-terminated string, NULL on OOM. */
char *mm_hex_alloc(const uint8_t *data, size_t len);
/* Decodes hex_len chars (even, [0-9a-fA-F]) into a malloc'd buffer (a real
 * pointer even when empty). false on bad input or OOM. */
bool mm_hex_decode_alloc(const char *hex, size_t hex_len, uint8_t **out, size_t *out_len);
/* Decodes into a caller buffer of exactly hex_len/2 bytes. */
bool mm_hex_decode(const char *hex, size_t hex_len, uint8_t *out);

#endif
