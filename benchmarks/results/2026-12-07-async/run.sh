#!/bin/bash
# W11: synchronous FedAvg with over-selection (fmnist-async-sync) against buffered asynchronous training (fmnist-async),
# seeds 0-2, interleaved seed by seed (sync then async, then the next seed), one invocation at a time.
# Usage: run.sh [FLOCK_HOME=.] [RUNS=/tmp/w11]; then collect.py RUNS > report.json and plot.py RUNS.
set -euo pipefail
HOME_DIR=${1:-.}
RUNS=${2:-/tmp/w11}
mkdir -p "$RUNS"
SCENARIOS="$HOME_DIR/simulator/src/main/resources/scenarios"
for seed in 0 1 2; do
  for mode in sync async; do
    name=fmnist-async; [ "$mode" = sync ] && name=fmnist-async-sync
    sed "s/^seed: 0$/seed: $seed/" "$SCENARIOS/$name.yaml" > "$RUNS/$name-seed$seed.yaml"
    echo "$(date -u +%FT%TZ) start $mode seed $seed" >> "$RUNS/series.txt"
    "$HOME_DIR/bin/flock" simulate --config "$RUNS/$name-seed$seed.yaml" --out "$RUNS/$mode-seed$seed" > "$RUNS/$mode-seed$seed.log" 2>&1
    echo "$(date -u +%FT%TZ) end $mode seed $seed" >> "$RUNS/series.txt"
  done
done
