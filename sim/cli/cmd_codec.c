/* mlsmig decode / mlsmig encode: the codec on the command line. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "codec/json_codec.h"
#include "mls/mls_json.h"
#include "mlsmig/hex.h"
#include "mlsmig/messages.h"
#include "mlsmig/mls.h"

#define MAX_INPUT ((size_t)1 << 30) /* 1 GiB of text: a 256 MiB group_state in hex, and more */

static void list_types(FILE *f) {
  fprintf(f, "types:");
  for (int t = 0; t < MM_T_COUNT; t++)
    if (t != MM_T_MLS_MESSAGE) fprintf(f, " %s", mm_type_name((mm_type)t));
  fprintf(f, "\nRFC 9420 and profile v2 (section 11) types:");
  for (int t = 0; t < MM_MLS_T_COUNT; t++) fprintf(f, " %s", mm_mls_type_name((mm_mls_type)t));
  fprintf(f, "\n");
}

static const char decode_help[] =
    "usage: mlsmig decode --type TYPE [--suite N] [--max-state BYTES] HEX|-\n\n"
    "Decodes one message strictly (profile ENC-1..ENC-4) and prints it as JSON:\n"
    "the draft's field names, nested structs as objects, bytes as lowercase hex,\n"
    "integers as JSON numbers (exact up to 2^64-1).\n"
    "HEX is the message in hex, or - to read hex from stdin (white space ignored).\n"
    "--suite N applies the suite's signature and hash limits (an envelope names\n"
    "its own suite; GroupInfo, KeyPackage and Welcome name theirs). mls_message\n"
    "is the full RFC 9420 MLSMessage (every wire format). Malformed input: exit 1\n"
    "and one line on stderr, e.g.\n"
    "  error: malformed (ENC-1): non-minimal length at offset 4\n";

static const char encode_help[] =
    "usage: mlsmig encode --type TYPE [--suite N] [--max-state BYTES]\n\n"
    "Reads the JSON form of one message (as printed by mlsmig decode) on stdin\n"
    "and prints its canonical encoding in hex. Fields that break the profile's\n"
    "limits (ENC-4) are refused: exit 1 and one line on stderr.\n";

typedef struct {
  bool mls; /* an RFC 9420 type (mls.h), else a migration message */
  mm_type type;
  mm_mls_type mls_type;
  mm_limits lim;
  const char *input; /* decode only */
} codec_args;

/* Shared option parsing; returns -1 to go on, or an exit code. */
static int parse_args(const char *verb, const char *help, int argc, char **argv, bool want_input,
                      codec_args *a) {
  const char *type = NULL, *suite = NULL, *max_state = NULL;
  bool bad = false;
  a->input = NULL;
  for (int i = 1; i < argc; i++) {
    if (cli_is_help(argv[i])) {
      fputs(help, stdout);
      list_types(stdout);
      return EXIT_OK;
    }
    if (cli_opt(argc, argv, &i, "--type", &type, &bad) ||
        cli_opt(argc, argv, &i, "--suite", &suite, &bad) ||
        cli_opt(argc, argv, &i, "--max-state", &max_state, &bad)) {
      if (bad) return EXIT_USAGE;
      continue;
    }
    if (want_input && !a->input && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) {
      a->input = argv[i];
      continue;
    }
    return cli_usage_error(verb, "unexpected argument '%s'", argv[i]);
  }
  if (!type) return cli_usage_error(verb, "--type is required");
  /* The RFC 9420 names first: mls_message is the full MLSMessage there. */
  a->mls = mm_mls_type_by_name(type, &a->mls_type);
  if (!a->mls && !mm_type_by_name(type, &a->type)) {
    list_types(stderr);
    return cli_usage_error(verb, "unknown type '%s'", type);
  }
  a->lim = mm_limits_default(0);
  if (suite && !cli_parse_suite(suite, &a->lim.suite))
    return cli_usage_error(verb, "unknown ciphersuite '%s' (supported: 1..7)", suite);
  if (max_state && !cli_parse_u64(max_state, &a->lim.max_group_state))
    return cli_usage_error(verb, "--max-state wants a byte count, got '%s'", max_state);
  if (want_input && !a->input) return cli_usage_error(verb, "missing HEX (or - for stdin)");
  return -1;
}

/* The hex text of the input, white space removed (malloc'd). */
static char *input_hex(const char *arg, size_t *len) {
  bool too_big = false;
  size_t n = 0;
  char *text = strcmp(arg, "-") == 0 ? cli_read_stdin(MAX_INPUT, &n, &too_big) : strdup(arg);
  if (!text) {
    fprintf(stderr, too_big ? "error: input larger than 1 GiB\n" : "error: cannot read input\n");
    return NULL;
  }
  if (arg[0] != '-') n = strlen(text);
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (!isspace((unsigned char)text[i])) text[k++] = text[i];
  text[k] = '\0';
  *len = k;
  return text;
}

/* One line: the rule, the reason, the offset and the field. */
static void print_malformed(const mm_derr *err) {
  fprintf(stderr, "error: malformed (%s): %s at offset %zu", err->rule, err->reason, err->offset);
  if (err->field) fprintf(stderr, ", field %s", err->field);
  fprintf(stderr, "\n");
}

int cmd_decode(int argc, char **argv) {
  codec_args a;
  int rc = parse_args("decode", decode_help, argc, argv, true, &a);
  if (rc >= 0) return rc;
  size_t hex_len;
  char *hex = input_hex(a.input, &hex_len);
  if (!hex) return EXIT_REJECTED;
  uint8_t *bytes;
  size_t len;
  if (!mm_hex_decode_alloc(hex, hex_len, &bytes, &len)) {
    fprintf(stderr, "error: input is not hex (even number of [0-9a-f] digits)\n");
    free(hex);
    return EXIT_REJECTED;
  }
  free(hex);
  mm_any_msg msg;
  mm_mls_any mls;
  mm_derr err;
  mm_err e = a.mls ? mm_mls_decode(a.mls_type, bytes, len, &a.lim, &mls, &err)
                   : mm_decode(a.type, bytes, len, &a.lim, &msg, &err);
  if (e != MM_OK) {
    if (e == MM_E_MALFORMED)
      print_malformed(&err);
    else
      fprintf(stderr, "error: %s\n", mm_err_message(e));
    free(bytes);
    return EXIT_REJECTED;
  }
  json_t *j = a.mls ? mm_mls_to_json(a.mls_type, &mls) : mm_msg_to_json(a.type, &msg);
  char *out = j ? mm_json_dumps(j, JSON_INDENT(2)) : NULL;
  json_decref(j);
  free(bytes);
  if (!out) {
    fprintf(stderr, "error: cannot print the message as JSON: out of memory\n");
    return EXIT_REJECTED;
  }
  puts(out);
  free(out);
  return EXIT_OK;
}

int cmd_encode(int argc, char **argv) {
  codec_args a;
  int rc = parse_args("encode", encode_help, argc, argv, false, &a);
  if (rc >= 0) return rc;
  json_error_t jerr;
  json_t *j = mm_json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr);
  if (!j) {
    fprintf(stderr, "error: stdin is not JSON: %s (line %d, column %d)\n", jerr.text, jerr.line,
            jerr.column);
    return EXIT_REJECTED;
  }
  mm_arena arena;
  mm_arena_init(&arena);
  mm_any_msg msg;
  mm_mls_any mls;
  const char *why = NULL;
  mm_err e = a.mls ? mm_mls_from_json(a.mls_type, j, &arena, &mls, &why)
                   : mm_msg_from_json(a.type, j, &arena, &msg, &why);
  rc = EXIT_REJECTED;
  if (e != MM_OK) {
    fprintf(stderr, "error: bad JSON for %s: %s\n",
            a.mls ? mm_mls_type_name(a.mls_type) : mm_type_name(a.type),
            why ? why : mm_err_message(e));
    goto out;
  }
  mm_writer w;
  mm_writer_init(&w);
  mm_derr derr = {0};
  e = a.mls ? mm_mls_encode(a.mls_type, &mls, &a.lim, &w, &derr)
            : mm_encode(a.type, &msg, &a.lim, &w, &derr);
  if (e == MM_OK) {
    char *hex = mm_hex_alloc(w.buf, w.len);
    if (hex) {
      puts(hex);
      rc = EXIT_OK;
    }
    free(hex);
  } else if (e == MM_E_MALFORMED && derr.rule) {
    print_malformed(&derr);
  } else {
    fprintf(stderr, "error: %s\n", mm_err_message(e));
  }
  mm_writer_free(&w);
out:
  mm_arena_free(&arena);
  json_decref(j);
  return rc;
}
