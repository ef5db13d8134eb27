#!/usr/bin/env bash
# Train reference experiments at the `full` budget on a lent GPU machine (the sandbox's `device`
# tool), within its limits: a call runs at most 10 minutes, only the working tree and the paths
# named in `carry` travel (not ../shared/data), and files come back only under $OUT (at most 8
# files of 16 MiB, 64 MiB in all). Shipping (the Table 3 benchmark needs the full Urban100) is
# done back here, on the CPU.
#
#   here, once:  bash scripts/device_reference.sh --pack
#                  copies the images a training run reads (T91, BSD200, Set5) into .data/ (ignored)
#   there:       bash scripts/device_reference.sh main [depth ...]
#                  (carry: [".data", "runs/main/full", ...]: only the runs being resumed; all of
#                  runs/ is over the 64 MiB a call may carry)
#                  trains each experiment at the full budget until MINUTES (default 8) have passed,
#                  resuming whatever runs/ holds, and packs runs/<experiment>/full into $OUT
#   here, after: bash scripts/device_reference.sh --unpack FILES_AT
#                  puts those runs back into runs/; then, for each finished experiment,
#                  python -m vdsr_lib reproduce EXPERIMENT --budget full --ship --jobs 2
#                  finds the finished runs, trains nothing, and ships them (hardware: the GPU's).
# An unfinished experiment is resumed by the next call (carry its runs/<experiment>/full).
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET=${BUDGET:-full}
MINUTES=${MINUTES:-8}
PART=15m  # each file back under the 16 MiB limit

case "${1:-}" in
--pack)
    src=${VDSR_DATA:-../shared/data}
    mkdir -p .data
    for set in T91 BSD200 Set5; do
        [ -d "$src/$set" ] || { echo "error: $src/$set not found; set VDSR_DATA to the data folder" >&2; exit 2; }
        rm -rf ".data/$set" && cp -r "$src/$set" .data/
    done
    if [ -d .git ]; then  # keep the images out of git (and out of what travels uncarried)
        mkdir -p .git/info
        grep -qx '/.data/' .git/info/exclude 2>/dev/null || echo '/.data/' >> .git/info/exclude
    fi
    echo "packed $(du -sh .data | cut -f1) into .data/ (git ignores it); carry it: [\".data\"]"
    ;;
--unpack)
    dir=${2:?usage: $0 --unpack FILES_AT}
    ls "$dir"/runs_"$BUDGET".tgz.part-* > /dev/null || { echo "error: no runs_$BUDGET.tgz.part-* in $dir" >&2; exit 2; }
    cat "$dir"/runs_"$BUDGET".tgz.part-* | tar xzf - -C .
    cat "$dir"/device_log.txt 2>/dev/null | tail -n 20 || true
    echo "unpacked into runs/; ship each finished experiment with:"
    echo "  python -m vdsr_lib reproduce EXPERIMENT --budget $BUDGET --ship --jobs 2"
    ;;
""|-*)
    echo "usage: $0 --pack | EXPERIMENT... | --unpack FILES_AT" >&2; exit 2
    ;;
*)
    [ -d .data/T91 ] || { echo "error: no .data/T91: run '$0 --pack' here first and carry .data" >&2; exit 2; }
    export VDSR_DATA=$PWD/.data PYTHONUNBUFFERED=1
    out=${OUT:-$PWD/device_out}
    mkdir -p "$out"
    PY=$(command -v python3 || command -v python)
    start=$(date +%s)
    for exp in "$@"; do
        left=$(( MINUTES * 60 - ($(date +%s) - start) ))
        [ "$left" -gt 30 ] || { echo "$exp: no time left in this call; run it again" ; break; }
        # --max-minutes stops after the epoch in which the time runs out; `timeout` is the backstop
        timeout --signal=INT $(( left + 60 )) "$PY" -m vdsr_lib reproduce "$exp" --budget "$BUDGET" --out runs \
            --max-minutes "$(( left / 60 )).$(( (left % 60) * 10 / 60 ))" 2>&1 | tee -a "$out/device_log.txt" || true
    done
    nvidia-smi --query-gpu=name,memory.used --format=csv >> "$out/device_log.txt" 2>/dev/null || true
    dirs=$(for exp in "$@"; do [ -d "runs/$exp/$BUDGET" ] && echo "runs/$exp/$BUDGET"; done)
    [ -n "$dirs" ] || { echo "error: nothing was trained" >&2; exit 1; }
    tar czf - $dirs | split -b "$PART" -d - "$out/runs_$BUDGET.tgz.part-"
    ls -l "$out"
    ;;
esac
