#!/usr/bin/env bash
# Train the shipped PPO models (two at a time: one torch thread each on a 2-core machine) into
# the package, govworkflow/assets/models/, with their records in data/results/ (the default
# of `govworkflow train` in a repository checkout).
#   bash scripts/train_all.sh [TIMESTEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${1:-450000}
train() { govworkflow train --ruleset "$1" --task "$2" --timesteps "$STEPS" --seed 1 --no-progress; }
(
  train standard district_backlog_easy
  train standard cross_department_hard
  train legacy district_backlog_easy
  train legacy cross_department_hard
) &
(
  train standard mixed_urgency_medium
  train standard district_backlog_easy_extreme
  train legacy mixed_urgency_medium
) &
wait
