#!/usr/bin/env bash
# Run the criteria notebook headlessly and write its report:
#   reports/criteria.json          the pass/fail table, with provenance
#   reports/criteria_summary.html  the table and its figures (self-contained)
#   reports/criteria.ipynb         the executed notebook
#   reports/criteria.html          the executed notebook as HTML
# Usage: scripts/run_criteria.sh [OUTPUT_DIR] [papermill options, e.g. -p grader_seeds 2]
# Exit status: 0 when every check passed or was skipped, 1 when a check failed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-reports}"
[ $# -gt 0 ] && shift
mkdir -p "$out"
out="$(cd "$out" && pwd)"
# The kernel imports the package from this checkout, installed or not (and so reads the
# models shipped in it, govworkflow/assets/models).
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"

status=0
python -m papermill "$root/notebooks/criteria.ipynb" "$out/criteria.ipynb" \
  --cwd "$root/notebooks" --kernel python3 --execution-timeout 600 --log-level WARNING \
  -p output_dir "$out" -p results_dir "$root/data/results" \
  "$@" || status=$?
if [ -f "$out/criteria.ipynb" ]; then
  python "$root/scripts/notebook_html.py" "$out/criteria.ipynb" "$out/criteria.html"
fi
if [ "$status" -eq 0 ]; then
  echo "criteria passed: $out/criteria.json, $out/criteria.html"
else
  echo "criteria FAILED (exit $status): see $out/criteria.html" >&2
  status=1
fi
exit "$status"
