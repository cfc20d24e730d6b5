"""The criteria report: checks as rows of a pass/fail table, saved as JSON and HTML.

The criteria notebook declares each check with ``Criteria.check``; the check runs at
once and its result becomes a row. New checks (PPO against the heuristics, standard
calibration) slot in as more rows without changing this module::

    crit = Criteria()

    @crit.check("determinism.same_seed", "determinism", "same seed, same trajectory")
    def _() -> str:
        ...  # raise AssertionError to fail, SkipCheck to skip; return a detail line
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["CheckResult", "Criteria", "SkipCheck"]

PASS, FAIL, SKIP = "pass", "fail", "skip"


class SkipCheck(Exception):  # noqa: N818 - reads as a verb: raise SkipCheck("no model")
    """Raised by a check that cannot run here (a missing ruleset, model or extra)."""


@dataclass(frozen=True)
class CheckResult:
    """One row of the table."""

    id: str
    group: str
    title: str
    status: str
    detail: str
    seconds: float


class Criteria:
    """An ordered set of check results (re-running a check replaces its row)."""

    def __init__(self, title: str = "govworkflow criteria") -> None:
        self.title = title
        self.results: dict[str, CheckResult] = {}
        self.figures: dict[str, Any] = {}

    def check(self, id: str, group: str, title: str) -> Callable[[Callable[[], object]], CheckResult]:
        """Decorator: run the function now and record a row. The function passes by
        returning (its return value, if any, is the detail line), fails by raising
        ``AssertionError`` (or any other error), and is skipped by raising ``SkipCheck``."""

        def run(fn: Callable[[], object]) -> CheckResult:
            start = time.perf_counter()
            try:
                detail = fn()
                status, text = PASS, "" if detail is None else str(detail)
            except SkipCheck as err:
                status, text = SKIP, str(err)
            except AssertionError as err:
                status, text = FAIL, str(err) or "assertion failed"
            except Exception as err:
                status, text = FAIL, f"{type(err).__name__}: {err}"
            result = CheckResult(id, group, title, status, text, round(time.perf_counter() - start, 3))
            self.results[id] = result
            print(f"{status.upper():4}  {id}: {text}" if text else f"{status.upper():4}  {id}")
            return result

        return run

    @property
    def passed(self) -> bool:
        """True when no check failed (skipped checks do not fail the report)."""
        return all(r.status != FAIL for r in self.results.values())

    def summary(self) -> dict[str, int]:
        counts = {PASS: 0, FAIL: 0, SKIP: 0}
        for r in self.results.values():
            counts[r.status] += 1
        return counts

    def to_dict(self, **extra: Any) -> dict[str, Any]:
        """The ``criteria.json`` content (``extra``: provenance such as parameters)."""
        return {
            "title": self.title,
            "passed": self.passed,
            "summary": self.summary(),
            **extra,
            "checks": [asdict(r) for r in self.results.values()],
        }

    def table_html(self) -> str:
        """The pass/fail table as an HTML fragment (readable in light and dark themes)."""
        colors = {PASS: "#009E73", FAIL: "#D55E00", SKIP: "#8C8C8C"}
        rows = "".join(
            "<tr>"
            f'<td style="color:{colors[r.status]};font-weight:bold">{r.status.upper()}</td>'
            f"<td>{html.escape(r.group)}</td><td><code>{html.escape(r.id)}</code></td>"
            f"<td>{html.escape(r.title)}</td><td>{html.escape(r.detail)}</td>"
            "</tr>"
            for r in self.results.values()
        )
        s = self.summary()
        verdict = "PASSED" if self.passed else "FAILED"
        return (
            f"<p><b>{html.escape(self.title)}: {verdict}</b> — {s[PASS]} passed, {s[FAIL]} failed, "
            f"{s[SKIP]} skipped</p>"
            '<table class="govworkflow-criteria"><thead><tr><th>status</th><th>group</th><th>check</th>'
            f"<th>what it checks</th><th>detail</th></tr></thead><tbody>{rows}</tbody></table>"
        )

    def save(self, output_dir: str | Path, **extra: Any) -> tuple[Path, Path]:
        """Write ``criteria.json`` and ``criteria_summary.html`` (the table and the
        figures in ``self.figures``, self-contained) into ``output_dir``."""
        out = Path(output_dir)
        out.mkdir(parents=True, exist_ok=True)
        json_path = out / "criteria.json"
        json_path.write_text(json.dumps(self.to_dict(**extra), indent=1) + "\n", encoding="utf-8")
        parts = [self.table_html()]
        for i, (name, fig) in enumerate(self.figures.items()):
            parts.append(f"<h2>{html.escape(name)}</h2>")
            parts.append(fig.to_html(full_html=False, include_plotlyjs="inline" if i == 0 else False, div_id=f"fig{i}"))
        html_path = out / "criteria_summary.html"
        html_path.write_text(
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(self.title)}</title>"
            "<style>body{font-family:system-ui,sans-serif;margin:2em}td,th{padding:.2em .6em;"
            "text-align:left;vertical-align:top}</style></head><body>"
            f"<h1>{html.escape(self.title)}</h1>{''.join(parts)}</body></html>\n",
            encoding="utf-8",
        )
        return json_path, html_path
