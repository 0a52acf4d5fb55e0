/* The scenario file format (docs/scenarios.md, sim/explore/scenario_parse.c), which
 * `mlsmig sim --scenario FILE` reads from anyone. Input: the text of a
 * scenario file (up to the first NUL; at most 64 KiB). Parsing only: running
 * a scenario is a whole simulation, far too slow per input.
 *
 * Oracles: a refusal fills a non-empty, NUL-terminated error message; an
 * accepted scenario formats (mm_scenario_format) to text that parses again
 * and formats identically (the round trip is idempotent), so every run a
 * campaign or the shrinker prints can be saved and replayed. */
#include "explore/scenario.h"
#include "fuzz_common.h"

int mm_fuzz_scenario(const uint8_t *data, size_t len);

#define MAX_INPUT (64u * 1024u)

/* Parses text; a refusal must say why. */
static bool parse(const char *text, mm_scenario *sc) {
  char err[256];
  memset(err, 0x55, sizeof err); /* no NUL: a message left unwritten shows */
  err[0] = '\0';
  if (mm_scenario_parse(text, sc, err, sizeof err)) return true;
  MM_FUZZ_CHECK(err[0] != '\0' && memchr(err, '\0', sizeof err) != NULL,
                "a refusal fills a NUL-terminated error message");
  return false;
}

int mm_fuzz_scenario(const uint8_t *data, size_t len) {
  if (len > MAX_INPUT) return 0;
  char *text = malloc(len + 1);
  MM_FUZZ_CHECK(text != NULL, "allocation");
  if (len) memcpy(text, data, len);
  text[len] = '\0';
  mm_scenario *sc = malloc(sizeof *sc), *again = malloc(sizeof *again);
  MM_FUZZ_CHECK(sc && again, "allocation");
  if (parse(text, sc)) {
    char *once = mm_scenario_format(sc);
    MM_FUZZ_CHECK(once != NULL, "an accepted scenario formats");
    if (!parse(once, again)) {
      char err[256];
      mm_scenario_parse(once, again, err, sizeof err);
      fprintf(stderr, "formatted:\n%s\nrefused: %s\n", once, err);
      MM_FUZZ_CHECK(false, "the formatted text parses again");
    }
    char *twice = mm_scenario_format(again);
    MM_FUZZ_CHECK(twice != NULL, "the reparsed scenario formats");
    if (strcmp(once, twice) != 0) {
      fprintf(stderr, "first:\n%s\nsecond:\n%s\n", once, twice);
      MM_FUZZ_CHECK(false, "format(parse(format(s))) == format(s)");
    }
    free(twice);
    free(once);
  }
  free(again);
  free(sc);
  free(text);
  return 0;
}

MM_FUZZ_MAIN(scenario)
