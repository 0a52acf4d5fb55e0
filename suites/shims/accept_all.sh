#!/bin/sh
# A DS that accepts everything, for the runner's own tests: the reference
# DS with every mutant switched on at once (no signature, nonce, domain,
# member, epoch, Commit, hash or policy check). $1: path of mlsmig-ref-ds.
ref="$1"
set --
for m in skip-init-sig skip-response-sig skip-content-sig accept-reused-nonce \
         accept-expired-nonce skip-hash-check early-fanout early-confirm \
         commits-during-migration skip-target-reauth import-existing-group \
         forget-on-crash abort-after-content skip-epoch-check skip-commit-check \
         skip-member-check skip-domain-check skip-target-authz; do
  set -- "$@" --mutant "$m"
done
exec "$ref" "$@"
