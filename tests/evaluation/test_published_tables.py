"""The office tables in the README and the docs quote the committed leaderboard files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from govworkflow.evaluation import table

ROOT = Path(__file__).resolve().parents[2]
CELL = re.compile(r"\*{0,2}(\d\.\d{3} \[\d\.\d{3}, \d\.\d{3}\])\*{0,2}")


def _rows(ruleset: str) -> dict[tuple[str, str], table.Row]:
    doc = table.load(ROOT / "data" / "results" / f"leaderboard-{ruleset}.json")
    return {(r.task_id, r.policy): r for r in doc.rows}


def _cell(r: table.Row) -> str:
    return f"{r.mean:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}]"


def _policy_tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """Markdown tables whose first header cell is ``policy``: (task columns, body rows)."""
    out = []
    for block in re.findall(r"(\| policy \|.*?\n)(\| ---.*?\n)((?:\|.*\n)+)", text):
        header = [c.strip() for c in block[0].strip().strip("|").split("|")]
        body = [[c.strip() for c in line.strip().strip("|").split("|")] for line in block[2].splitlines()]
        out.append((header[1:], body))
    return out


@pytest.mark.parametrize(("page", "ruleset"), [("README.md", "standard"), ("docs/standard-ruleset.md", "standard")])
def test_policy_tables_quote_the_leaderboard(page: str, ruleset: str) -> None:
    rows = _rows(ruleset)
    known = {t for t, _ in rows}
    checked = 0
    for tasks, body in _policy_tables((ROOT / page).read_text(encoding="utf-8")):
        if not set(tasks) <= known:  # a table of policies, not of their scores
            continue
        for cells in body:
            name = re.search(r"`(\w+)`", cells[0])
            if name is None:  # e.g. "best legacy heuristic": a summary, not a policy
                continue
            for task, cell in zip(tasks, cells[1:], strict=True):
                m = CELL.fullmatch(cell)
                assert m is not None, (page, cells[0], task, cell)
                assert m.group(1) == _cell(rows[(task, name.group(1))]), (page, name.group(1), task)
                checked += 1
    assert checked >= 20, checked


def test_the_gym_page_quotes_the_leaderboard() -> None:
    """docs/gym.md's results table: PPO's and the strongest heuristic's held-out cells, and
    the paired difference, as the leaderboard and ``evaluation.claims`` give them."""
    from govworkflow.evaluation.claims import claims

    rows = _rows("standard")
    by_task = {c["task_id"]: c for c in claims(table.load(ROOT / "data" / "results" / "leaderboard-standard.json"))}
    text = (ROOT / "docs" / "gym.md").read_text(encoding="utf-8")
    pattern = r"^\| (\w+) \| \d+ \| [^|]+ \| [^|]+ \| [^|]+ \| ([^|]+) \| `(\w+)` ([^|]+) \| ([^|]+) \|"
    quoted = re.findall(pattern, text, flags=re.M)
    assert len(quoted) == 4
    for task, ppo, rule, cell, diff in quoted:
        claim = by_task[task]
        assert ppo.strip() == _cell(rows[(task, "ppo")])
        assert rule == claim["strongest_heuristic"] and cell.strip() == _cell(rows[(task, rule)])
        d = claim["difference"]
        assert diff.strip() == f"{d['mean']:+.4f} [{d['ci_low']:+.4f}, {d['ci_high']:+.4f}]"


def test_a_leaderboard_file_that_lies_is_refused(tmp_path: Path) -> None:
    import json

    good = json.loads((ROOT / "data" / "results" / "leaderboard-legacy.json").read_text())
    cases = [
        (lambda d: d["rows"][0].update(mean=0.99, ci_high=1.0), "is not the mean of the scores"),
        (lambda d: d["rows"][0]["metrics"].update(completion_rate=float("nan")), "are not finite numbers"),
        (lambda d: d["rows"].append(d["rows"][0]), "listed more than once"),
        (lambda d: d.update(environment="triage"), "does not belong to environment"),
    ]
    for edit, message in cases:
        doc = json.loads(json.dumps(good))
        edit(doc)
        path = tmp_path / "lb.json"
        path.write_text(json.dumps(doc))
        with pytest.raises(ValueError, match=message):
            table.load(path)


def test_the_claims_command_reads_the_shipped_leaderboard_from_anywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from govworkflow.evaluation import claims

    monkeypatch.chdir(tmp_path)  # no checkout here: the package's copy is read
    assert claims.default_leaderboard().name == "leaderboard-standard.json"
    assert claims.main([]) == 0
    assert "district_backlog_easy" in capsys.readouterr().out
    with pytest.raises(SystemExit) as stop:
        claims.main([str(tmp_path / "nope.json")])
    assert stop.value.code == 2 and "no leaderboard file at" in capsys.readouterr().err
