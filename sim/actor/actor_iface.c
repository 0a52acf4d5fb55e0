/* The actor interface (mlsmig/actor.h): one dispatch for every driver. */
#include "mlsmig/actor.h"

mm_err mm_actor_handle(mm_actor a, const uint8_t *env, size_t len, uint64_t now, mm_outbox *out) {
  if (!a.ops) return MM_E_USAGE;
  return a.ops->handle(a.self, env, len, now, out);
}

mm_err mm_actor_handle_owned(mm_actor a, uint8_t **env, size_t len, uint64_t now, mm_outbox *out) {
  if (!a.ops) return MM_E_USAGE;
  if (!a.ops->handle_owned) return a.ops->handle(a.self, *env, len, now, out);
  return a.ops->handle_owned(a.self, env, len, now, out);
}

mm_err mm_actor_tick(mm_actor a, uint64_t now, mm_outbox *out) {
  if (!a.ops) return MM_E_USAGE;
  return a.ops->tick(a.self, now, out);
}

uint64_t mm_actor_next_timer(mm_actor a) { return a.ops ? a.ops->next_timer(a.self) : MM_NO_TIMER; }

void mm_actor_free(mm_actor a) {
  if (a.ops) a.ops->free(a.self);
}
