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

/* A decoded vector of structs (RFC 9420 `T items<V>`): its contents, the
 * elements back to back, and how many there are. Walking it decodes one
 * element at a time; nothing is allocated per element. */
typedef struct mm_list {
  mm_view data;
  uint32_t count;
} mm_list;

/* Why a decode failed. rule is a profile rule ID ("ENC-1"), never NULL once
 * set; offset counts bytes from the start of the outermost input. */
typedef struct mm_derr {
  const char *rule;
  size_t offset;
  const char *reason;
  const char *field; /* the innermost named field being read, NULL if none */
} mm_derr;

typedef struct mm_reader {
  const uint8_t *base; /* start of the outermost input */
  size_t pos;          /* absolute offset of the next byte */
  size_t end;          /* absolute offset one past the last readable byte */
  mm_derr *err;        /* shared, sticky */
} mm_reader;

/* mm_reader_init makes r read the len bytes at data, recording its first failure in *err (which may
 * be NULL). */
void mm_reader_init(mm_reader *r, const uint8_t *data, size_t len, mm_derr *err);
/* mm_reader_remaining returns the number of bytes r has left to read. */
size_t mm_reader_remaining(const mm_reader *r);
/* mm_reader_failed says whether a read of r (or of a reader sharing its error record) has failed. */
bool mm_reader_failed(const mm_reader *r);
/* mm_reader_fail records a failure of rule (an ID such as "ENC-2") with reason at r's current
 * offset, unless one is recorded already, and returns false. */
bool mm_reader_fail(mm_reader *r, const char *rule, const char *reason);
/* mm_reader_fail_at is mm_reader_fail at the absolute offset given. */
bool mm_reader_fail_at(mm_reader *r, size_t offset, const char *rule, const char *reason);

/* mm_read_u8 reads one byte into *out. */
bool mm_read_u8(mm_reader *r, uint8_t *out);
/* mm_read_u16 reads a big-endian uint16 into *out. */
bool mm_read_u16(mm_reader *r, uint16_t *out);
/* mm_read_u32 reads a big-endian uint32 into *out. */
bool mm_read_u32(mm_reader *r, uint32_t *out);
/* mm_read_u64 reads a big-endian uint64 into *out. */
bool mm_read_u64(mm_reader *r, uint64_t *out);
/* mm_read_varint reads an RFC 9420 variable-length integer into *out, strictly: the prefix 0b11 and
 * non-minimal forms fail (ENC-1). */
bool mm_read_varint(mm_reader *r, uint32_t *out);
/* mm_read_fixed sets *out to a view of the next n bytes (ENC-2 if fewer remain). */
bool mm_read_fixed(mm_reader *r, size_t n, mm_view *out);
/* mm_read_vec reads opaque x<V>, a varint length and that many bytes, into the view *out (ENC-2 if
 * they run past the container). */
bool mm_read_vec(mm_reader *r, mm_view *out);
/* mm_read_vec_reader is mm_read_vec handing back a child reader over the vector's contents, which
 * shares r's error record and offsets. */
bool mm_read_vec_reader(mm_reader *r, mm_reader *child);
/* mm_read_rest sets *out to a view of every byte left, which never fails unless r already has. */
bool mm_read_rest(mm_reader *r, mm_view *out);
/* mm_reader_expect_end fails with ENC-2 if any byte is left. */
bool mm_reader_expect_end(mm_reader *r);

/* Writer: a growable buffer with a sticky failure flag (allocation failure,
 * a vector longer than MM_VARINT_MAX, or an explicit mm_writer_fail). */
typedef struct mm_writer {
  uint8_t *buf;
  size_t len;
  size_t cap;
  mm_err error; /* MM_OK until something fails */
} mm_writer;

/* mm_writer_init makes w an empty writer (no allocation yet). */
void mm_writer_init(mm_writer *w);
/* mm_writer_reserve makes room for extra more bytes up front, so that one message is one
 * allocation; false (and w failed) when out of memory. */
bool mm_writer_reserve(mm_writer *w, size_t extra);
/* mm_writer_free frees w's buffer and leaves w empty. */
void mm_writer_free(mm_writer *w);
/* mm_writer_finish hands w's bytes to the caller (*out, freed with free()) and resets w; if any
 * write failed it frees everything and returns that failure. */
MM_MUST_USE mm_err mm_writer_finish(mm_writer *w, uint8_t **out, size_t *out_len);
/* mm_writer_ok says whether every write to w has succeeded so far. */
bool mm_writer_ok(const mm_writer *w);
/* mm_writer_fail records e as w's failure unless one is recorded already, and returns false. */
bool mm_writer_fail(mm_writer *w, mm_err e);
/* mm_writer_view returns a view of what w holds, valid until the next write. */
mm_view mm_writer_view(const mm_writer *w);

/* mm_put_u8 appends one byte. */
bool mm_put_u8(mm_writer *w, uint8_t v);
/* mm_put_u16 appends v big-endian. */
bool mm_put_u16(mm_writer *w, uint16_t v);
/* mm_put_u32 appends v big-endian. */
bool mm_put_u32(mm_writer *w, uint32_t v);
/* mm_put_u64 appends v big-endian. */
bool mm_put_u64(mm_writer *w, uint64_t v);
/* mm_put_varint appends v as an RFC 9420 variable-length integer in its minimal form (ENC-3); v >
 * MM_VARINT_MAX fails the writer. */
bool mm_put_varint(mm_writer *w, uint32_t v);
/* mm_put_bytes appends the len bytes at data. */
bool mm_put_bytes(mm_writer *w, const uint8_t *data, size_t len);
/* mm_put_vec appends opaque x<V>: the minimal varint length of data, then data. */
bool mm_put_vec(mm_writer *w, const uint8_t *data, size_t len);
/* mm_vec_begin starts a vector whose contents the caller writes in place, and returns the mark to
 * give mm_vec_end. */
size_t mm_vec_begin(mm_writer *w);
/* mm_vec_end inserts the minimal length header of what was written since mark in front of it,
 * closing the vector mm_vec_begin opened. */
bool mm_vec_end(mm_writer *w, size_t mark);

/* mm_varint_size returns the size of the varint header for len (1, 2 or 4 bytes), 0 if len is above
 * MM_VARINT_MAX. */
size_t mm_varint_size(size_t len);

/* ---- views ---- */

/* mm_view_of returns a view of the len bytes at data. */
mm_view mm_view_of(const uint8_t *data, size_t len);
/* mm_view_str returns a view of the NUL-terminated string s, without the NUL. */
mm_view mm_view_str(const char *s);
/* mm_view_eq says whether a and b hold the same bytes. */
bool mm_view_eq(mm_view a, mm_view b);
/* mm_view_eq_str says whether a holds exactly the bytes of the string s. */
bool mm_view_eq_str(mm_view a, const char *s);

#endif
