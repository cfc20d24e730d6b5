"""Evaluation: the episode loop (``run``) and the one statistics module (``stats``).

``from govworkflow.evaluation import evaluate, run_episode`` keeps working; the intervals
every leaderboard, figure and notebook publishes come from ``govworkflow.evaluation.stats``.
"""

from govworkflow.evaluation.run import EpisodeResult, evaluate, run_episode

__all__ = ["EpisodeResult", "evaluate", "run_episode"]
