/* The HTML report's section per test that did not pass: what it checks,
 * what was expected and what happened, the conversation with the IUT step
 * by step (each envelope decoded), the IUT's stderr tail and the command
 * that reruns just that test. Warnings get a short list after. */
#include <stdlib.h>
#include <string.h>

#include "codec/json_codec.h"
#include "mlsmig/hex.h"
#include "report/html/report_html.h"

#define STDERR_TAIL_LINES 40

static void stderr_tail(FILE *f, const char *err) {
  if (!err[0]) {
    fputs("<p class=\"dim\">The IUT wrote nothing on stderr.</p>\n", f);
    return;
  }
  const char *p = err + strlen(err);
  int lines = 0;
  while (p > err && lines <= STDERR_TAIL_LINES) lines += *--p == '\n';
  if (*p == '\n') p++;
  fprintf(f, "<h4>IUT stderr%s</h4>\n<pre class=\"stderr\">", p > err ? " (last lines)" : "");
  h_esc(f, p);
  fputs("</pre>\n", f);
}

/* The envelope's type and sender for the step's one-line title. */
static void envelope_title(FILE *f, const uint8_t *b, size_t len) {
  mm_envelope env;
  mm_limits lim = mm_limits_default(0);
  if (mm_decode(MM_T_ENVELOPE, b, len, &lim, &env, NULL) != MM_OK) {
    fprintf(f, "<b>undecodable envelope</b> (%zu bytes)", len);
    return;
  }
  const char *type = mm_msg_type_name(env.msg_type);
  fprintf(f, "<b>%s</b> from ", type ? type : "unknown msg_type");
  fprintf(f, "<code>");
  for (size_t i = 0; i < env.sender.len; i++) {
    char ch[2] = {(char)env.sender.data[i], 0};
    h_esc(f, ch);
  }
  fprintf(f, "</code> <span class=\"dim\">%zu bytes</span>", len);
}

/* The offending envelope, as recorded, is the same bytes as this step. */
static bool is_offending(const uint8_t *b, size_t len, const json_t *off) {
  const char *body = h_str(off, "body");
  if (!body[0]) return false;
  mm_envelope env;
  mm_limits lim = mm_limits_default(0);
  if (mm_decode(MM_T_ENVELOPE, b, len, &lim, &env, NULL) != MM_OK) return false;
  char *hex = mm_hex_alloc(env.body.data, env.body.len);
  if (!hex) h_out_of_memory();
  bool same = hex && strcmp(hex, body) == 0 && h_int(off, "msg_type") == env.msg_type;
  free(hex);
  return same;
}

static void step(FILE *f, size_t num, const json_t *e, const json_t *off) {
  const char *kind = h_str(e, "kind"), *hex = h_str(e, "hex");
  uint8_t *b = NULL;
  size_t n = strlen(hex), len = n / 2;
  if (n && n % 2 == 0 && !(b = malloc(len))) h_out_of_memory();
  if (b && !mm_hex_decode(hex, n, b)) { /* not hex: no bytes to show */
    free(b);
    b = NULL;
  }
  if (!b) len = 0;
  bool env = strcmp(kind, "deliver") == 0 || strcmp(kind, "output") == 0;
  bool bad = env && b && off && is_offending(b, len, off);
  fprintf(f, "<li class=\"step k-%s%s\">", kind, bad ? " offending" : "");
  if (env && b) fprintf(f, "<details%s><summary>", bad ? " open" : "");
  fprintf(f, "<span class=\"num\">%zu</span> ", num);
  if (strcmp(kind, "deliver") == 0) {
    fputs("<span class=\"dir\">runner &rarr; IUT</span> ", f);
  } else if (strcmp(kind, "output") == 0) {
    fputs("<span class=\"dir\">IUT &rarr; <code>", f);
    h_esc(f, h_str(e, "to"));
    fputs("</code></span> ", f);
  } else if (strcmp(kind, "clock") == 0) {
    fprintf(f, "<span class=\"dir\">clock</span> the IUT's clock advances %llu ms", h_u64(e, "ms"));
  } else if (strcmp(kind, "install") == 0) {
    fprintf(f, "<span class=\"dir\">install</span> a group state of %zu bytes at the IUT", len);
  } else if (strcmp(kind, "restart") == 0) {
    fputs(
        "<span class=\"dir\">restart</span> SIGKILL, then a restart on the same state "
        "directory",
        f);
  }
  if (env && b) {
    envelope_title(f, b, len);
    if (bad) fputs(" <span class=\"badge v-fail\">offending</span>", f);
    fputs("</summary>\n", f);
    h_envelope(f, b, len);
    fputs("</details>", f);
  } else if (h_int(e, "len")) { /* too long to keep: its ends, length and hash */
    fprintf(f, "<b>%lld bytes</b>, kept as their first and last %zu bytes, SHA-256 <code>",
            h_int(e, "len"), strlen(h_str(e, "head_hex")) / 2);
    h_esc(f, h_str(e, "sha256"));
    fputs("</code>", f);
  }
  fputs("</li>\n", f);
  free(b);
}

static void conversation(FILE *f, const json_t *t) {
  const json_t *wire = json_object_get(t, "wire");
  const json_t *off = json_object_get(t, "offending_envelope");
  if (!json_array_size(wire)) {
    fputs("<p class=\"dim\">No envelope was exchanged.</p>\n", f);
    return;
  }
  fputs("<h4>Conversation</h4>\n<ol class=\"wire\">\n", f);
  size_t i;
  json_t *e;
  json_array_foreach(wire, i, e) step(f, i + 1, e, json_is_object(off) ? off : NULL);
  fputs("</ol>\n", f);
  if (h_int(t, "wire_dropped"))
    fprintf(f, "<p class=\"dim\">%lld later steps not recorded.</p>\n", h_int(t, "wire_dropped"));
}

static void rules_list(FILE *f, const json_t *t) {
  size_t i;
  json_t *id;
  json_array_foreach(json_object_get(t, "rules"), i, id) {
    fputs("<a class=\"rule\" href=\"#r-", f);
    h_esc(f, json_string_value(id));
    fputs("\">", f);
    h_esc(f, json_string_value(id));
    fputs("</a> ", f);
  }
}

static void failing_test(FILE *f, const json_t *t) {
  fprintf(f, "<article class=\"test v-%s\" id=\"", h_str(t, "verdict"));
  h_anchor(f, h_str(t, "name"));
  fputs("\">\n<h3>", f);
  h_badge(f, h_str(t, "verdict"));
  fputs(" ", f);
  h_esc(f, h_str(t, "name"));
  fputs("</h3>\n<p class=\"meta\">IUT as ", f);
  h_esc(f, h_str(t, "role"));
  fprintf(f, " &middot; suite %lld &middot; rules ", h_int(t, "cipher_suite"));
  rules_list(f, t);
  fputs("</p>\n", f);
  /* the summary says what the test does; shown when the expectation that
   * failed is a narrower one */
  if (strcmp(h_str(t, "summary"), h_str(t, "expected")) != 0) {
    fputs("<p>", f);
    h_esc(f, h_str(t, "summary"));
    fputs("</p>\n", f);
  }
  fputs("<table class=\"outcome\"><tr><th>expected</th><td>", f);
  h_esc(f, h_str(t, "expected"));
  fputs("</td></tr>\n<tr><th>actual</th><td class=\"actual\">", f);
  h_esc(f, h_str(t, "message"));
  fputs("</td></tr></table>\n<h4>Rerun just this test</h4>\n<pre class=\"cmd\">", f);
  h_esc(f, h_str(t, "rerun"));
  fputs("</pre>\n", f);
  const json_t *off = json_object_get(t, "offending_envelope");
  if (json_is_object(off)) {
    fputs("<h4>Offending envelope</h4>\n", f);
    h_decoded(f, off);
  }
  conversation(f, t);
  if (h_int(t, "escaped_processes"))
    fprintf(f, "<p>%lld IUT processes had left its process group and were killed.</p>\n",
            h_int(t, "escaped_processes"));
  if (h_str(t, "cleanup")[0]) {
    fputs("<p>Not cleaned up: ", f);
    h_esc(f, h_str(t, "cleanup"));
    fputs("</p>\n", f);
  }
  stderr_tail(f, h_str(t, "iut_stderr"));
  fputs("</article>\n", f);
}

void h_failures(FILE *f, const json_t *doc) {
  const json_t *tests = json_object_get(doc, "tests");
  size_t i, bad = 0, warn = 0;
  json_t *t;
  json_array_foreach(tests, i, t) {
    int r = h_verdict_rank(h_str(t, "verdict"));
    bad += r >= 4;
    warn += r == 3;
  }
  fputs("<section id=\"failures\">\n<h2>Failing tests</h2>\n", f);
  if (!bad) fputs("<p class=\"ok\">No test failed or erred.</p>\n", f);
  /* errors first (the IUT broke the protocol: nothing else is reliable),
   * then failures, each in run order */
  for (int want = 5; want >= 4; want--) json_array_foreach(tests, i, t) {
      if (h_verdict_rank(h_str(t, "verdict")) == want) failing_test(f, t);
    }
  if (warn) {
    fputs(
        "<h3>Warnings</h3>\n<table class=\"list\"><thead><tr><th>test</th><th>rules</th>"
        "<th>why</th></tr></thead><tbody>\n",
        f);
    json_array_foreach(tests, i, t) {
      if (h_verdict_rank(h_str(t, "verdict")) != 3) continue;
      fputs("<tr><td>", f);
      h_esc(f, h_str(t, "name"));
      fputs("</td><td>", f);
      rules_list(f, t);
      fputs("</td><td>", f);
      h_esc(f, h_str(t, "message"));
      fputs("<br><code class=\"small\">", f);
      h_esc(f, h_str(t, "rerun"));
      fputs("</code></td></tr>\n", f);
    }
    fputs("</tbody></table>\n", f);
  }
  fputs("</section>\n", f);
}
