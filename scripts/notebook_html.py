#!/usr/bin/env python
"""Convert an executed notebook to a self-contained HTML page, plotly figures included.

Usage::

    python scripts/notebook_html.py EXECUTED.ipynb OUTPUT.html

Figures in notebooks are stored as plotly JSON (``application/vnd.plotly.v1+json``),
which JupyterLab draws but nbconvert cannot. This adds an HTML rendering of each figure
(plotly.js embedded once, no network needed to view the page), then lets nbconvert write
the page.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
import plotly.io as pio
from nbconvert import HTMLExporter

PLOTLY_MIME = "application/vnd.plotly.v1+json"


def embed_figures(nb: nbformat.NotebookNode) -> int:
    """Give every plotly output an HTML rendering; returns how many figures it found."""
    n = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            fig = out.get("data", {}).get(PLOTLY_MIME)
            if fig is None:
                continue
            out["data"]["text/html"] = pio.to_html(
                dict(fig),
                include_plotlyjs=n == 0,
                full_html=False,
                div_id=f"plotly-figure-{n}",
                config={"displaylogo": False},
            )
            n += 1
    return n


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    source, target = Path(argv[0]), Path(argv[1])
    nb = nbformat.read(source, as_version=4)
    embed_figures(nb)
    body, _ = HTMLExporter().from_notebook_node(nb)
    target.write_text(body, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
