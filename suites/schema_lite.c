/* The JSON Schema subset of schema_lite.h: type, enum, const, required,
 * properties, additionalProperties (false), items, minItems, minimum,
 * maximum, pattern (as a POSIX extended regex, which the schema's patterns
 * are), oneOf, $ref to "#/$defs/NAME"; annotations are ignored. Integers
 * are exact up to 2^64-1 (base/json_io.h: load documents and schema with
 * mm_json_load*). */
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "base/json_io.h"
#include "schema_lite.h"

typedef struct ctx {
  const json_t *root;
  char *why;
  size_t why_len;
} ctx;

static bool check(ctx *c, const json_t *s, const json_t *v, const char *path);

static bool fail(ctx *c, const char *path, const char *what) {
  snprintf(c->why, c->why_len, "%s: %s", path[0] ? path : "/", what);
  return false;
}

/* A uint64 above 2^63-1 (json_io's marker, a string in the tree)? */
static bool is_big(const json_t *v) {
  uint64_t x;
  return json_is_string(v) && mm_json_u64_value(v, &x);
}

static bool is_type(const json_t *v, const char *t) {
  if (strcmp(t, "object") == 0) return json_is_object(v);
  if (strcmp(t, "array") == 0) return json_is_array(v);
  if (strcmp(t, "string") == 0) return json_is_string(v) && !is_big(v);
  if (strcmp(t, "integer") == 0) return json_is_integer(v) || is_big(v);
  if (strcmp(t, "number") == 0) return json_is_number(v) || is_big(v);
  if (strcmp(t, "boolean") == 0) return json_is_boolean(v);
  if (strcmp(t, "null") == 0) return json_is_null(v);
  return false;
}

static double as_double(const json_t *v) {
  uint64_t x;
  return is_big(v) && mm_json_u64_value(v, &x) ? (double)x : json_number_value(v);
}

/* a < b, for numbers (exact for two unsigned integers); false otherwise. */
static bool less(const json_t *a, const json_t *b) {
  uint64_t x, y;
  if (mm_json_u64_value(a, &x) && mm_json_u64_value(b, &y)) return x < y;
  if (!is_type(a, "number") || !is_type(b, "number")) return false;
  return as_double(a) < as_double(b);
}

static bool type_ok(const json_t *t, const json_t *v) {
  if (json_is_string(t)) return is_type(v, json_string_value(t));
  size_t i;
  json_t *one;
  json_array_foreach(t, i, one) {
    if (is_type(v, json_string_value(one))) return true;
  }
  return false;
}

static bool in_enum(const json_t *e, const json_t *v) {
  size_t i;
  json_t *one;
  json_array_foreach(e, i, one) {
    if (json_equal(one, v)) return true;
  }
  return false;
}

static bool pattern_ok(const char *pattern, const char *s) {
  regex_t re;
  if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0) return false;
  bool ok = regexec(&re, s, 0, NULL, 0) == 0;
  regfree(&re);
  return ok;
}

static bool object_ok(ctx *c, const json_t *s, const json_t *v, const char *path) {
  const json_t *props = json_object_get(s, "properties");
  const json_t *extra = json_object_get(s, "additionalProperties");
  char sub[512];
  size_t i;
  json_t *req;
  json_array_foreach(json_object_get(s, "required"), i, req) {
    if (!json_object_get(v, json_string_value(req))) {
      snprintf(sub, sizeof sub, "required property '%s' missing", json_string_value(req));
      return fail(c, path, sub);
    }
  }
  const char *key;
  json_t *val;
  json_object_foreach((json_t *)v, key, val) {
    snprintf(sub, sizeof sub, "%s/%s", path, key);
    const json_t *ps = json_object_get(props, key);
    if (ps && !check(c, ps, val, sub)) return false;
    if (!ps && json_is_false(extra)) return fail(c, sub, "property not allowed");
  }
  return true;
}

static bool array_ok(ctx *c, const json_t *s, const json_t *v, const char *path) {
  const json_t *min = json_object_get(s, "minItems"), *items = json_object_get(s, "items");
  if (min && json_array_size(v) < (size_t)json_integer_value(min))
    return fail(c, path, "fewer items than minItems");
  char sub[512];
  size_t i;
  json_t *one;
  json_array_foreach(v, i, one) {
    snprintf(sub, sizeof sub, "%s/%zu", path, i);
    if (items && !check(c, items, one, sub)) return false;
  }
  return true;
}

static const char *const annotations[] = {"$schema", "$id", "title", "description", "$defs"};
static const char *const keywords[] = {
    "type",  "enum",     "const",   "required", "properties", "additionalProperties",
    "items", "minItems", "minimum", "maximum",  "pattern",    "oneOf",
    "$ref"};

static bool known(const char *k) {
  for (size_t i = 0; i < sizeof annotations / sizeof annotations[0]; i++)
    if (strcmp(k, annotations[i]) == 0) return true;
  for (size_t i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
    if (strcmp(k, keywords[i]) == 0) return true;
  return false;
}

static bool check(ctx *c, const json_t *s, const json_t *v, const char *path) {
  const char *k;
  json_t *kv;
  json_object_foreach((json_t *)s, k, kv) {
    if (!known(k)) {
      char what[128];
      snprintf(what, sizeof what, "schema keyword '%s' not supported by schema_lite", k);
      return fail(c, path, what);
    }
  }
  const json_t *ref = json_object_get(s, "$ref");
  if (ref) {
    const char *r = json_string_value(ref);
    if (!r || strncmp(r, "#/$defs/", 8) != 0) return fail(c, path, "unsupported $ref");
    const json_t *target = json_object_get(json_object_get(c->root, "$defs"), r + 8);
    if (!target) return fail(c, path, "dangling $ref");
    if (!check(c, target, v, path)) return false;
  }
  const json_t *t = json_object_get(s, "type");
  if (t && !type_ok(t, v)) return fail(c, path, "wrong type");
  const json_t *e = json_object_get(s, "enum");
  if (e && !in_enum(e, v)) return fail(c, path, "not in enum");
  const json_t *cst = json_object_get(s, "const");
  if (cst && !json_equal(cst, v)) return fail(c, path, "not the const value");
  const json_t *min = json_object_get(s, "minimum"), *max = json_object_get(s, "maximum");
  if (min && less(v, min)) return fail(c, path, "below minimum");
  if (max && less(max, v)) return fail(c, path, "above maximum");
  const json_t *pat = json_object_get(s, "pattern");
  if (pat && json_is_string(v) && !pattern_ok(json_string_value(pat), json_string_value(v)))
    return fail(c, path, "does not match pattern");
  const json_t *one_of = json_object_get(s, "oneOf");
  if (one_of) {
    size_t i, matches = 0;
    json_t *alt;
    char saved[512];
    snprintf(saved, sizeof saved, "%s", c->why);
    json_array_foreach(one_of, i, alt) matches += check(c, alt, v, path);
    snprintf(c->why, c->why_len, "%s", saved);
    if (matches != 1) return fail(c, path, "not exactly one of oneOf");
  }
  if (json_is_object(v) && !object_ok(c, s, v, path)) return false;
  if (json_is_array(v) && !array_ok(c, s, v, path)) return false;
  return true;
}

bool schema_lite_validate(const json_t *schema, const json_t *doc, char *why, size_t why_len) {
  ctx c = {schema, why, why_len};
  if (why_len) why[0] = '\0';
  return check(&c, schema, doc, "");
}
