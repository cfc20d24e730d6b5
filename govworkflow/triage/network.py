"""Alias of ``govworkflow.training.networks`` for models saved before the one-core layout.

The shipped triage models name their policy class by this path (``SlotScorerPolicy``),
so it stays importable, without a warning, until the models are re-saved.
"""

from govworkflow.training.networks import SlotExtractor, SlotScorerPolicy

__deprecated_alias__ = "govworkflow.training.networks"
__all__ = ["SlotExtractor", "SlotScorerPolicy"]
