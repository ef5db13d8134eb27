#!/usr/bin/env bash
# Train reference experiments on a lent GPU machine (the sandbox's `device` tool), within its
# limits: a call runs at most 10 minutes, only the working tree and the paths named in `carry`
# travel (not ../shared/data), and files come back only under $OUT (at most 8 files of 16 MiB,
# 64 MiB in all). Shipping (the Table 3 benchmark needs the full Urban100) is done back here, on
# the CPU.
#
#   here, once:  bash scripts/device_reference.sh --pack
#                  copies the images a training run reads (T91, BSD200, Set5) into .data/ (ignored)
#   there:       bash scripts/device_reference.sh EXPERIMENT[:BUDGET] ...
#                  e.g. `main:extended residual clipping` (a bare name takes $BUDGET, default full)
#                  (carry: [".data", "runs/main/extended", ...]: only the runs being resumed; all
#                  of runs/ is over the 64 MiB a call may carry)
#                  trains every run of each experiment at its budget, one process per run, JOBS
#                  (default 9) at a time on the one GPU, in the order given, until MINUTES (default
#                  7) have passed, resuming whatever runs/ holds; drops the optimizer state of
#                  finished runs and packs runs/<experiment>/<budget> into $OUT/runs_<budget>.tgz
#                  (in parts of 15 MiB)
#   here, after: bash scripts/device_reference.sh --unpack FILES_AT
#                  puts those runs back into runs/; then, for each finished experiment,
#                  python -m vdsr_lib reproduce EXPERIMENT --budget BUDGET --ship --jobs 2
#                  finds the finished runs, trains nothing, and ships them (hardware: the GPU's).
# An unfinished experiment is resumed by the next call (carry its runs/<experiment>/<budget>).
# Runs left in runs/ do not outlive this checkout: a later session starts them afresh.
set -euo pipefail
cd "$(dirname "$0")/.."
BUDGET=${BUDGET:-full}
MINUTES=${MINUTES:-7}
JOBS=${JOBS:-9}
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
    mapfile -t budgets < <(ls "$dir" 2>/dev/null | sed -n 's/^runs_\(.*\)\.tgz\.part-[0-9]*$/\1/p' | sort -u)
    [ "${#budgets[@]}" -gt 0 ] || { echo "error: no runs_<budget>.tgz.part-* in $dir" >&2; exit 2; }
    for b in "${budgets[@]}"; do
        # the packed runs replace those here (a run folder here may hold an older state.pt that a
        # finished run, packed without one, would otherwise be resumed from)
        for run in $(cat "$dir"/runs_"$b".tgz.part-* | tar tzf - | cut -d/ -f1-4 | grep -E '^runs/[^/]+/[^/]+/[^/]+$' | sort -u); do
            rm -rf "$run"
        done
        cat "$dir"/runs_"$b".tgz.part-* | tar xzf - -C .
    done
    cat "$dir"/device_log.txt 2>/dev/null | tail -n 30 || true
    echo "unpacked into runs/ (budgets: ${budgets[*]}); ship each finished experiment with:"
    echo "  python -m vdsr_lib reproduce EXPERIMENT --budget BUDGET --ship --jobs 2"
    ;;
""|-*)
    echo "usage: $0 --pack | EXPERIMENT[:BUDGET]... | --unpack FILES_AT" >&2; exit 2
    ;;
*)
    [ -d .data/T91 ] || { echo "error: no .data/T91: run '$0 --pack' here first and carry .data" >&2; exit 2; }
    export VDSR_DATA=$PWD/.data PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1
    out=${OUT:-$PWD/device_out}
    mkdir -p "$out"
    PY=$(command -v python3 || command -v python)
    log="$out/device_log.txt"
    { date -u; nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true; } >> "$log" 2>&1
    # one process per run, JOBS at a time, in the order given: one small VDSR leaves most of the GPU
    # idle (each step syncs on its loss), so the runs share it; each stops cleanly after the epoch in
    # which the call's MINUTES run out, and no run starts with less than 3 minutes left
    start=$(date +%s)
    # every run as EXPERIMENT/BUDGET/RUN, listed by one Python start (a bad name or budget fails
    # here, before training)
    mapfile -t queue < <("$PY" -c "import sys
from vdsr_lib.experiments import experiment_runs
try:
    pairs = [(a.split(':', 1) + [sys.argv[1]])[:2] for a in sys.argv[2:]]
    runs = [f'{e}/{b}/{r}' for e, b in pairs for r in experiment_runs(e, b)]
except ValueError as err:
    sys.exit(f'error: {err}')
print(*runs, sep='\n')" "$BUDGET" "$@")
    [ "${#queue[@]}" -gt 0 ] || { echo "error: no runs to train (see above)" >&2; exit 2; }
    for item in "${queue[@]}"; do
        while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
        left=$(( MINUTES * 60 - ($(date +%s) - start) ))
        [ "$left" -ge 180 ] || { echo "$item: not started (${left}s left in this call)" >> "$log"; continue; }
        IFS=/ read -r exp budget run <<< "$item"
        mkdir -p "runs/$item"
        echo "$(date -u +%T) start $item (${left}s left)" >> "$log"
        timeout --signal=INT $(( left + 60 )) "$PY" -m vdsr_lib reproduce "$exp" --budget "$budget" --out runs \
            --runs "$run" --max-minutes "$(( left / 60 )).$(( (left % 60) * 10 / 60 ))" \
            > "runs/$item/device.log" 2>&1 &
    done
    wait || true
    nvidia-smi --query-gpu=name,memory.used --format=csv >> "$log" 2>/dev/null || true
    dirs=$(printf '%s\n' "${queue[@]}" | cut -d/ -f1-2 | sort -u | while read -r d; do
        if [ -d "runs/$d" ]; then echo "runs/$d"; fi; done)
    [ -n "$dirs" ] || { echo "error: nothing was trained" >&2; exit 1; }
    for run in $(find $dirs -mindepth 1 -maxdepth 1 -type d | sort); do
        # a finished run needs no optimizer state (train() resumes it from history.json + the model)
        if [ -f "$run/model.safetensors" ] && grep -q '"finished": true' "$run/history.json" 2>/dev/null; then
            rm -f "$run/state.pt"; echo "$run: finished" >> "$log"
        else
            echo "$run: NOT finished (state.pt kept: carry runs/ back to resume)" >> "$log"
        fi
        tail -n 3 "$run/device.log" >> "$log" 2>/dev/null || true
    done
    rm -f "$out"/runs_*.tgz.part-*  # parts of an earlier call into the same folder
    pack() {  # one archive per budget, runs_<budget>.tgz (tar options in "$@")
        for b in $(echo "$dirs" | cut -d/ -f3 | sort -u); do
            tar czf "$out/runs_$b.tgz" "$@" $(echo "$dirs" | awk -F/ -v b="$b" '$3 == b')
        done
    }
    pack
    # over what a call brings back (64 MB in all): give up resumability, keep the histories and models
    if [ "$(cat "$out"/runs_*.tgz | wc -c)" -gt 60000000 ]; then
        echo "over 60 MB: packed without the optimizer state of unfinished runs" >> "$log"
        pack --exclude=state.pt
    fi
    for tgz in "$out"/runs_*.tgz; do
        split -b "$PART" -d "$tgz" "$tgz.part-" && rm "$tgz"
    done
    date -u >> "$log"
    cat "$log"
    ls -l "$out"
    ;;
esac
