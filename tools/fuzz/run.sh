#!/usr/bin/env bash
# Runs one fuzz target for a bounded time (and, given RUNS, at most that many executions) and prints one line:
# executions, seconds, rate, coverage, result.
#   tools/fuzz/run.sh BUILD_DIR TARGET SECONDS [RUNS]
# New inputs go to tools/fuzz/.build/corpus/TARGET (the committed corpus/TARGET is read as seeds); a finding is
# written to tools/fuzz/.build/findings/ and fails the run. libFuzzer's own output is kept in .build/logs/TARGET.log.
set -uo pipefail
build=$1 target=$2 seconds=$3 runs_limit=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
work=$here/.build/corpus/$target findings=$here/.build/findings log=$here/.build/logs/$target.log
mkdir -p "$work" "$findings" "$(dirname "$log")"

# A finding is a crash, a trap, a sanitizer report, an input that runs over 10 s, a single allocation over 2 GB, or a
# process over 3 GB (ASan's shadow memory and quarantine count against -rss_limit_mb, so it sits above the 2 GB).
# Swift's own backtracer is turned off: it runs inside the crashed process, where ASan reports its memory reads instead
# of the trap that started it.
# ASan records no allocation stacks (a fifth of the time of the query target, which allocates in every String
# operation); replaying a finding by hand gives them again.
SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=0} "$build/fuzz-$target" "$work" "$here/corpus/$target" -dict="$here/dictionaries/$target.dict" \
  -max_total_time="$seconds" ${runs_limit:+-runs=$runs_limit} -timeout=10 -malloc_limit_mb=2048 -rss_limit_mb=3072 \
  -print_final_stats=1 -artifact_prefix="$findings/$target-" >"$log" 2>&1
status=$?

runs=$(grep -o '^stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
took=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*')
last=$(grep -E '^#[0-9]+' "$log" | tail -1)
cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*')
ft=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*')
corpus=$(echo "$last" | grep -o 'corp: [0-9]*' | grep -o '[0-9]*$')
rate=$(( ${took:-0} > 0 ? ${runs:-0} / took : 0 ))
if [ $status = 0 ]; then result=clean; else
  result="FINDING ($(grep -m1 -oE 'ERROR: [A-Za-z]+: [^ ]+.*|Fatal error: .*|ERROR: libFuzzer: [a-z-]+' "$log" | head -1); \
$(grep -o 'Test unit written to .*' "$log" | tail -1))"
fi
printf '%-12s %12s executions in %5s s (%s/s), cov %s, ft %s, corpus %s: %s\n' \
  "$target" "${runs:-?}" "${took:-?}" "$rate" "${cov:-?}" "${ft:-?}" "${corpus:-?}" "$result"
exit $status
