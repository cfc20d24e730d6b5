"""The Python examples in the docs run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Pages whose every Python example runs here (the server's examples need a server: they
#: are played against a real one in ``tests/server``).
PAGES = ["README.md", "docs/index.md", "docs/gym.md", "docs/statistics.md"]
#: Pages whose examples run up to the first that talks to a server.
UNTIL_SERVER = ["docs/triage.md"]


def _blocks(page: str) -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / page).read_text(), flags=re.S)
    assert blocks, f"{page} has no python example"
    return blocks


@pytest.mark.parametrize("page", PAGES + UNTIL_SERVER)
def test_python_examples_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    blocks = _blocks(page)
    if page in UNTIL_SERVER:
        blocks = blocks[: next(i for i, b in enumerate(blocks) if "127.0.0.1" in b)]
        assert blocks, f"{page}: no example before the server's"
    for i, block in enumerate(blocks):
        exec(compile(block, f"{page}[{i}]", "exec"), {})
