"""Figures as raw MIME bundles, for charts updated in place (extra: ``notebooks``).

Plotly figures display themselves through ``_ipython_display_``, which IPython calls
without a display id; a raw bundle keeps the id, so the chart can be updated in place.
"""

from __future__ import annotations

from typing import Any

from govworkflow.core.errors import MissingExtraError

try:
    import plotly.io as pio
    from plotly.io.base_renderers import MimetypeRenderer
except ImportError as err:  # pragma: no cover - exercised only without the extra
    raise MissingExtraError("plotly", "notebooks") from err

__all__ = ["PLOTLY_MIME", "activate_renderers", "figure_bundle", "placeholder"]

PLOTLY_MIME = "application/vnd.plotly.v1+json"


def activate_renderers() -> None:
    """Let plotly's pending notebook renderers load what they need, once per kernel.

    Under plotly 5 the ``notebook`` renderer embeds plotly.js (about 3.5 MB) when it is
    activated. Plotly activates a renderer once, when the first figure is displayed;
    ``Figure._repr_mimebundle_`` activates every renderer again on each call, so going
    through it would embed one more copy per call. This asks only for the pending
    activations (none after the first), the same step plotly's own display takes.
    """
    activate = getattr(pio.renderers, "_activate_pending_renderers", None)
    if activate is not None:
        activate(cls=MimetypeRenderer)


def figure_bundle(fig: Any, activate: bool = False) -> dict[str, Any]:
    """The MIME bundle of a plotly figure for plotly's current renderers, plus plain text.

    ``activate=True`` first lets pending renderers load plotly.js where they need it
    (``activate_renderers``: once per kernel, however many players a notebook shows).
    Where no renderer gives a bundle (one that opens a browser), plotly's JSON MIME type
    is used.
    """
    if activate:
        activate_renderers()
    fig_dict = fig.to_dict()
    bundle: dict[str, Any] = {}
    for name in (pio.renderers.default or "").split("+"):
        renderer = pio.renderers[name] if name in pio.renderers else None  # noqa: SIM401 (no .get)
        to_bundle = getattr(renderer, "to_mimebundle", None)
        if to_bundle is not None:
            bundle.update(to_bundle(fig_dict))
    if not bundle:
        bundle[PLOTLY_MIME] = {**fig.to_plotly_json(), "config": {}}
    bundle.setdefault("text/plain", f"<Figure: {fig.layout.title.text}>")
    return bundle


def placeholder(fig: Any) -> dict[str, Any]:
    """An empty block of the figure's height, shown for an instant between two charts."""
    height = fig.layout.height or 320
    return {"text/html": f'<div style="height:{height}px"></div>', "text/plain": ""}
