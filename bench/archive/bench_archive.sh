#!/usr/bin/env bash
# Archive throughput: messages/s stored by `careerops archive put` (one
# process, many files) to the local folder and to an S3 server on loopback
# (SeaweedFS, tests/archive/weed.sh; left out when unavailable), for new
# messages and for repeats (idempotent: stat / HEAD only).
# Messages: the corpus (CAREEROPS_CORPUS) when present, else synthetic
# 2-40 KB mails. N (default 500) messages.
set -euo pipefail
: "${CAREEROPS_BIN:?run through meson test --benchmark}"
B=$CAREEROPS_BIN
N=${N:-500}
T=$(mktemp -d "${TMPDIR:-/tmp}/careerops-bench-archive.XXXXXX")
WEED_PID=
trap 'weed_stop; rm -rf "$T"' EXIT
. "$CAREEROPS_SOURCE_ROOT/tests/archive/weed.sh"
mkdir -p "$T/m"
i=0
if [ -d "${CAREEROPS_CORPUS:-/nonexistent}" ]; then
    while IFS= read -r -d '' f && [ $i -lt "$N" ]; do
        cp "$f" "$T/m/$i.eml"
        i=$((i + 1))
    done < <(find "$CAREEROPS_CORPUS" -type f -name '*.eml' -size -2M -print0)
fi
while [ $i -lt "$N" ]; do
    { printf 'From: bench@example.org\nSubject: bench %d\n\n' $i
      head -c $((2000 + RANDOM % 38000)) /dev/urandom | base64; } > "$T/m/$i.eml"
    i=$((i + 1))
done
bytes=$(du -sb "$T/m" | cut -f1)
now() { date +%s%N; }
# rate LABEL CMD...: run, print messages/s
rate() {
    local label=$1 t0 t1
    shift
    t0=$(now)
    "$@" > /dev/null
    t1=$(now)
    awk -v n="$N" -v ns=$((t1 - t0)) -v b="$bytes" -v l="$label" \
        'BEGIN { s = ns / 1e9; printf "%-28s %8.0f messages/s  %7.1f MB/s  (%d in %.2f s)\n", l, n / s, b / s / 1e6, n, s }'
}
echo "archive throughput: $N messages, $((bytes / N)) bytes on average"
export CAREEROPS_ARCHIVE="file://$T/store"
rate "folder: new" "$B" archive put "$T"/m/*.eml
rate "folder: repeat (stat)" "$B" archive put "$T"/m/*.eml
if (weed_find) 2> "$T/why"; then
    weed_find
    weed_up "$T/weed" || { echo "SeaweedFS did not start"; exit 1; }
    printf 'careerops-test\n' > "$T/ak"
    printf 'careerops-test-secret\n' > "$T/sk"
    export CAREEROPS_ARCHIVE=s3://bench/raw CAREEROPS_ARCHIVE_S3_ENDPOINT=http://127.0.0.1:$S3_PORT
    export CAREEROPS_ARCHIVE_S3_ACCESS_KEY_FILE=$T/ak CAREEROPS_ARCHIVE_S3_SECRET_KEY_FILE=$T/sk
    for _ in $(seq 1 60); do "$B" archive init 2> "$T/init.err" && break; sleep 1; done
    "$B" archive init || { echo "SeaweedFS: no bucket: $(cat "$T/init.err")"; exit 1; }
    rate "S3 (SeaweedFS): new" "$B" archive put "$T"/m/*.eml
    rate "S3 (SeaweedFS): repeat (HEAD)" "$B" archive put "$T"/m/*.eml
else
    echo "S3: left out: $(cat "$T/why")"
fi
