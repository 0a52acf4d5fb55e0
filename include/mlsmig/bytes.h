/* The one bounds-checked reader and writer (in the manner of BoringSSL's
 * CBS/CBB). All message code parses through mm_reader and serializes through
 * mm_writer; neither exposes pointer arithmetic to its callers.
 *
 * Reader: every read returns true on success. On failure the reader records
 * the first error (rule ID, absolute byte offset, reason) in the mm_derr it
 * was created with, and every later read fails too, so a decoder may chain
 * reads and test once. Child readers (one vector's contents) share the error
 * record and report offsets relative to the outermost input.
 *
 * Opaque fields come back as mm_view: a pointer into the input, never a copy.
 */
#ifndef MLSMIG_BYTES_H
#define MLSMIG_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlsmig/error.h"

/* RFC 9420 section 2.1.2: the largest length a variable-length integer
 * header may carry (ENC-1). */
#define MM_VARINT_MAX 0x3fffffffu

typedef struct mm_view {
  const uint8_t *data;
  size_t len;
} mm_view;

/* Why a decode failed. rule is a profile rule ID ("ENC-1"), never NULL once
 * set; offset counts bytes from the start of the outermost input. */
typedef struct mm_derr {
  const char *rule;
  size_t offset;
  const char *reason;
} mm_derr;

typedef struct mm_reader {
  const uint8_t *base; /* start of the outermost input */
  size_t pos;          /* absolute offset of the next byte */
  size_t end;          /* absolute offset one past the last readable byte */
  mm_derr *err;        /* shared, sticky */
} mm_reader;

void mm_reader_init(mm_reader *r, const uint8_t *data, size_t len, mm_derr *err);
size_t mm_reader_remaining(const mm_reader *r);
bool mm_reader_failed(const mm_reader *r);
/* Record a failure at the current offset (first one wins). Returns false. */
bool mm_reader_fail(mm_reader *r, const char *rule, const char *reason);
/* Same, at an explicit absolute offset. */
bool mm_reader_fail_at(mm_reader *r, size_t offset, const char *rule, const char *reason);

bool mm_read_u8(mm_reader *r, uint8_t *out);
bool mm_read_u16(mm_reader *r, uint16_t *out);
bool mm_read_u32(mm_reader *r, uint32_t *out);
bool mm_read_u64(mm_reader *r, uint64_t *out);
/* RFC 9420 variable-length integer, strictly: prefix 0b11 and non-minimal
 * forms are rejected (ENC-1). */
bool mm_read_varint(mm_reader *r, uint32_t *out);
/* Exactly n bytes as a view (ENC-2 if fewer remain). */
bool mm_read_fixed(mm_reader *r, size_t n, mm_view *out);
/* opaque x<V>: varint length, then that many bytes (ENC-2 if they run past
 * the container). */
bool mm_read_vec(mm_reader *r, mm_view *out);
/* Like mm_read_vec, but hands back a child reader over the contents. */
bool mm_read_vec_reader(mm_reader *r, mm_reader *child);
/* Everything left, as a view. Never fails unless the reader already failed. */
bool mm_read_rest(mm_reader *r, mm_view *out);
/* Fails with ENC-2 if any byte is left. */
bool mm_reader_expect_end(mm_reader *r);

/* Writer: a growable buffer with a sticky failure flag (allocation failure,
 * a vector longer than MM_VARINT_MAX, or an explicit mm_writer_fail). */
typedef struct mm_writer {
  uint8_t *buf;
  size_t len;
  size_t cap;
  mm_err error; /* MM_OK until something fails */
} mm_writer;

void mm_writer_init(mm_writer *w);
/* Reserve capacity up front, so that one message is one allocation. */
bool mm_writer_reserve(mm_writer *w, size_t extra);
void mm_writer_free(mm_writer *w);
/* Hand the bytes to the caller (who frees them with free()); resets w.
 * Fails, freeing everything, if any write failed. */
MM_MUST_USE mm_err mm_writer_finish(mm_writer *w, uint8_t **out, size_t *out_len);
bool mm_writer_ok(const mm_writer *w);
bool mm_writer_fail(mm_writer *w, mm_err e);
mm_view mm_writer_view(const mm_writer *w);

bool mm_put_u8(mm_writer *w, uint8_t v);
bool mm_put_u16(mm_writer *w, uint16_t v);
bool mm_put_u32(mm_writer *w, uint32_t v);
bool mm_put_u64(mm_writer *w, uint64_t v);
/* Minimal form only (ENC-3); v > MM_VARINT_MAX fails the writer. */
bool mm_put_varint(mm_writer *w, uint32_t v);
bool mm_put_bytes(mm_writer *w, const uint8_t *data, size_t len);
/* opaque x<V> */
bool mm_put_vec(mm_writer *w, const uint8_t *data, size_t len);
/* A vector whose contents are written in place: mm_vec_begin returns a mark,
 * the caller writes the contents, mm_vec_end inserts the minimal length
 * header in front of them. */
size_t mm_vec_begin(mm_writer *w);
bool mm_vec_end(mm_writer *w, size_t mark);

/* Number of bytes the varint header for len takes (1, 2 or 4), 0 if len is
 * too large. */
size_t mm_varint_size(size_t len);

/* Views */
mm_view mm_view_of(const uint8_t *data, size_t len);
mm_view mm_view_str(const char *s);
bool mm_view_eq(mm_view a, mm_view b);
bool mm_view_eq_str(mm_view a, const char *s);

#endif
