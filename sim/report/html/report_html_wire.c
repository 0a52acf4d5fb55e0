/* Envelopes in the HTML report, field by field: name, value (hex for
 * bytes, decimal and hex for integers) and what it means (the message
 * type's name, the suite's name, the error code's name, printable text).
 * An envelope that does not decode shows the decoder's reason and offset,
 * which is what a DS implementer needs to find the bad byte. */
#include <stdlib.h>
#include <string.h>

#include "codec/json_codec.h"
#include "mlsmig/crypto.h"
#include "report/html/report_html.h"

/* Bytes beyond this many are elided in the table (the raw hex below has
 * them all). */
#define SHOW_HEX 64

static bool printable_hex(const char *hex, char *text, size_t cap) {
  size_t n = strlen(hex) / 2, k = 0;
  if (n == 0 || n >= cap) return false;
  for (size_t i = 0; i < n; i++) {
    unsigned v;
    if (sscanf(hex + 2 * i, "%2x", &v) != 1 || v < 0x20 || v > 0x7e) return false;
    text[k++] = (char)v;
  }
  text[k] = '\0';
  return true;
}

static void meaning_int(FILE *f, const char *key, uint64_t v) {
  if (strcmp(key, "msg_type") == 0) {
    const char *n = mm_msg_type_name((int)v);
    h_esc(f, n ? n : "unknown message type");
  } else if (strcmp(key, "cipher_suite") == 0) {
    const mm_suite *s = mm_suite_get((uint16_t)v);
    h_esc(f, s ? s->name : "unknown ciphersuite");
  } else if (strcmp(key, "code") == 0) {
    h_esc(f, mm_err_name((mm_err)v));
  } else if (strcmp(key, "epoch") == 0) {
    fprintf(f, "epoch %llu", (unsigned long long)v);
  }
}

static void leaf(FILE *f, const char *path, const char *key, const json_t *v) {
  fputs("<tr><td class=\"fld\">", f);
  h_esc(f, path);
  fputs("</td><td class=\"hex\">", f);
  uint64_t n;
  if (mm_json_u64_value(v, &n)) {
    fprintf(f, "%llu <span class=\"dim\">0x%llx</span></td><td>", (unsigned long long)n,
            (unsigned long long)n);
    meaning_int(f, key, n);
  } else {
    /* the codec's JSON has unsigned integers, hex strings and objects only */
    const char *hex = json_is_string(v) ? json_string_value(v) : "";
    size_t len = strlen(hex);
    fprintf(f, "%.*s%s</td><td>", (int)(len > 2 * SHOW_HEX ? 2 * SHOW_HEX : len), hex,
            len > 2 * SHOW_HEX ? "&hellip;" : "");
    char text[256];
    if (printable_hex(hex, text, sizeof text)) {
      fputs("&ldquo;", f);
      h_esc(f, text);
      fputs("&rdquo; ", f);
    }
    fprintf(f, "<span class=\"dim\">%zu bytes</span>", len / 2);
  }
  fputs("</td></tr>\n", f);
}

static void rows(FILE *f, const char *prefix, const json_t *obj) {
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)obj, key, v) {
    char path[160];
    snprintf(path, sizeof path, "%s%s%s", prefix, prefix[0] ? "." : "", key);
    if (json_is_object(v))
      rows(f, path, v);
    else
      leaf(f, path, key, v);
  }
}

static void table_open(FILE *f) {
  fputs(
      "<table class=\"fields\"><thead><tr><th>field</th><th>value</th><th>meaning</th></tr>"
      "</thead><tbody>\n",
      f);
}

static void raw_hex(FILE *f, const uint8_t *b, size_t len) {
  fprintf(f, "<details class=\"raw\"><summary>raw bytes (%zu)</summary><pre class=\"hexdump\">",
          len);
  for (size_t i = 0; i < len; i++)
    fprintf(f, "%02x%s", b[i], i + 1 == len ? "" : (i + 1) % 32 == 0 ? "\n" : " ");
  fputs("</pre></details>\n", f);
}

/* The envelope decoder has checked the body against msg_type under the
 * envelope's suite, so this decode succeeds. */
static void body_rows(FILE *f, const mm_envelope *env) {
  mm_type bt;
  mm_any_msg body;
  mm_limits lim = mm_limits_default(env->cipher_suite);
  if (!mm_msg_type_body(env->msg_type, &bt) ||
      mm_decode(bt, env->body.data, env->body.len, &lim, &body, NULL) != MM_OK)
    return;
  json_t *j = mm_msg_to_json(bt, &body);
  if (!j) h_out_of_memory();
  fprintf(f, "<tr class=\"sub\"><td colspan=\"3\">body: %s</td></tr>\n", mm_type_name(bt));
  if (j) rows(f, "body", j);
  json_decref(j);
}

void h_envelope(FILE *f, const uint8_t *b, size_t len) {
  mm_envelope env;
  mm_derr err = {0};
  mm_limits lim = mm_limits_default(0);
  table_open(f);
  if (mm_decode(MM_T_ENVELOPE, b, len, &lim, &env, &err) != MM_OK) {
    fputs("<tr><td class=\"fld\">envelope</td><td colspan=\"2\" class=\"bad\">does not decode: ",
          f);
    h_esc(f, err.reason ? err.reason : "malformed");
    fprintf(f, " at offset %zu</td></tr>\n", err.offset);
  } else {
    json_t *j = mm_msg_to_json(MM_T_ENVELOPE, &env);
    if (!j) h_out_of_memory();
    json_object_del(j, "body");
    if (j) rows(f, "", j);
    json_decref(j);
    body_rows(f, &env);
  }
  fputs("</tbody></table>\n", f);
  raw_hex(f, b, len);
}

void h_decoded(FILE *f, const json_t *decoded) {
  table_open(f);
  json_t *copy = json_deep_copy(decoded);
  if (!copy && decoded) h_out_of_memory();
  json_t *body = json_incref(json_object_get(copy, "body_decoded"));
  json_object_del(copy, "body_decoded");
  json_object_del(copy, "msg_type_name");
  if (body) json_object_del(copy, "body");
  rows(f, "", copy);
  if (body) {
    fputs("<tr class=\"sub\"><td colspan=\"3\">body</td></tr>\n", f);
    rows(f, "body", body);
  }
  json_decref(body);
  json_decref(copy);
  fputs("</tbody></table>\n", f);
}
