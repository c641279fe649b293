#!/bin/bash
# W11: synchronous FedAvg with over-selection against buffered asynchronous training, on fmnist-async, seeds 0-2,
# interleaved seed by seed (sync then async, then the next seed), one invocation at a time.
# Usage: run.sh [FLOCK_HOME=.] [RUNS=/tmp/w11]; then collect.py RUNS > report.json and plot.py RUNS.
set -euo pipefail
HOME_DIR=${1:-.}
RUNS=${2:-/tmp/w11}
mkdir -p "$RUNS"
SCENARIO="$HOME_DIR/simulator/src/main/resources/scenarios/fmnist-async.yaml"
for seed in 0 1 2; do
  sed "s/^seed: 0$/seed: $seed/" "$SCENARIO" > "$RUNS/fmnist-async-seed$seed.yaml"
  for mode in sync async; do
    args=()
    [ "$mode" = sync ] && args=(--set async.enabled=false)
    echo "$(date -u +%FT%TZ) start $mode seed $seed" >> "$RUNS/series.txt"
    "$HOME_DIR/bin/flock" simulate --config "$RUNS/fmnist-async-seed$seed.yaml" "${args[@]}" --out "$RUNS/$mode-seed$seed" \
      > "$RUNS/$mode-seed$seed.log" 2>&1
    echo "$(date -u +%FT%TZ) end $mode seed $seed" >> "$RUNS/series.txt"
  done
done
