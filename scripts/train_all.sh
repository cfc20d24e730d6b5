#!/usr/bin/env bash
# Train the shipped PPO models: every standard task, then every legacy task.
#   bash scripts/train_all.sh [TIMESTEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
STEPS=${1:-300000}
for task in district_backlog_easy mixed_urgency_medium cross_department_hard district_backlog_easy_extreme; do
  govworkflow train --ruleset standard --task "$task" --timesteps "$STEPS" --seed 1 --no-progress
done
for task in district_backlog_easy mixed_urgency_medium cross_department_hard; do
  govworkflow train --ruleset legacy --task "$task" --timesteps "$STEPS" --seed 1 --no-progress
done
