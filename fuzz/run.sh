#!/bin/sh
# Runs each libFuzzer target for a while and prints one line per target:
# executions, coverage (libFuzzer's cov: edges, ft: features) and crashes.
# Usage: fuzz/run.sh BUILD_DIR SECONDS TARGET...
# New inputs go to BUILD_DIR/corpus/TARGET (the committed fuzz/corpus/TARGET
# is read, never written; FUZZ_CORPUS names another seed root); crashes to
# BUILD_DIR/crashes/TARGET/. Exit 1 if any target crashed.
bdir=$1 secs=$2
seeds=${FUZZ_CORPUS:-fuzz/corpus}
shift 2
status=0
printf '%-16s %12s %8s %8s %8s\n' target execs cov ft crashes
for t in "$@"; do
  mkdir -p "$bdir/corpus/$t" "$bdir/crashes/$t" "$seeds/$t"
  before=$(ls "$bdir/crashes/$t" | wc -l)
  log="$bdir/$t.log"
  # Inputs up to 4 KiB, or the largest seed (the vector files are larger).
  maxlen=$(find "$seeds/$t" -type f -printf '%s\n' | sort -n | tail -1)
  [ "${maxlen:-0}" -gt 4096 ] || maxlen=4096
  # malloc_limit_mb: one request above 64 MiB counts as a crash (the
  # allocation bound); timeout: 10 s for one input counts as a hang.
  "$bdir/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 -malloc_limit_mb=64 \
    -rss_limit_mb=2048 -timeout=10 -max_len="$maxlen" \
    -artifact_prefix="$bdir/crashes/$t/" "$bdir/corpus/$t" "$seeds/$t" >"$log" 2>&1
  rc=$?
  after=$(ls "$bdir/crashes/$t" | wc -l)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  crashes=$((after - before))
  printf '%-16s %12s %8s %8s %8s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$crashes"
  if [ "$rc" != 0 ] || [ "$crashes" != 0 ]; then
    status=1
    echo "  $t failed (exit $rc): see $log and $bdir/crashes/$t/"
    grep -m1 -E 'ERROR|fuzz oracle failed' "$log" | sed 's/^/  /'
  fi
done
exit $status
