/* Lowercase hex, the byte notation of every JSON file mlsmig reads or writes. */
#ifndef MLSMIG_HEX_H
#define MLSMIG_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* mm_hex_encode writes data as 2*len lowercase hex digits and a NUL into out (at least 2*len+1
 * bytes). */
void mm_hex_encode(const uint8_t *data, size_t len, char *out);
/* mm_hex_alloc returns data as a malloc'd NUL-terminated lowercase hex string, NULL when out of
 * memory. */
char *mm_hex_alloc(const uint8_t *data, size_t len);
/* mm_hex_decode_alloc decodes the hex_len hex digits at hex (an even number, either case) into a
 * malloc'd buffer (a real pointer even when empty); false on bad input or out of memory. */
bool mm_hex_decode_alloc(const char *hex, size_t hex_len, uint8_t **out, size_t *out_len);
/* mm_hex_decode decodes the hex_len hex digits at hex into out, exactly hex_len/2 bytes; false on
 * bad input. */
bool mm_hex_decode(const char *hex, size_t hex_len, uint8_t *out);

#endif
