#!/usr/bin/env bash
# Train the shipped PPO models (two at a time: one torch thread each on a 2-core machine) into
# the package, govworkflow/assets/models/, with their records in data/results/ (the default
# of `govworkflow train` in a repository checkout). Each standard run is capped at 570 s of
# wall clock (warm start included); the exact command of each shipped model is the
# `provenance.command` of its record.
#   bash scripts/train_all.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# standard v1: a warm start cloned from the privileged look-ahead's play on development seeds,
# then PPO; validation on development seeds keeps the best checkpoint
LOOK="--imitate oracle_lookahead --seed 1 --max-wall-s 570 --no-progress"
GENTLE="--learning-rate 1e-5 --clip-range 0.05 --n-epochs 4 --ent-coef 0.0"
std() { govworkflow train --ruleset standard --task "$@"; }
legacy() { govworkflow train --ruleset legacy --task "$1" --timesteps 450000 --seed 1 --no-progress; }
(
  std cross_department_hard --timesteps 3000000 --imitation-episodes 48 $LOOK
  std district_backlog_easy --timesteps 3000000 --imitation-episodes 48 $LOOK $GENTLE
  legacy district_backlog_easy
  legacy cross_department_hard
) &
(
  std mixed_urgency_medium --timesteps 100000 --imitation-episodes 96 $LOOK $GENTLE
  std district_backlog_easy_extreme --timesteps 100000 --imitation-episodes 96 $LOOK $GENTLE
  legacy mixed_urgency_medium
) &
wait
