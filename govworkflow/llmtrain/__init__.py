"""Training language-model agents with TRL's GRPO (extra ``llm-train``).

``llmtrain.toolenv`` holds the tool environments (``GovWorkflowToolEnv``,
``TriageToolEnv``) and the development-seed dataset builder; it needs no extra.
``llmtrain.grpo`` runs ``GRPOTrainer`` over them and evaluates the trained model through
the one harness; ``llmtrain.tiny`` builds the tiny local model the CPU test and the
notebook's CI run use. Those two import torch, transformers and TRL when called.
"""

from govworkflow.llmtrain.toolenv import (
    ENVIRONMENTS,
    GovWorkflowToolEnv,
    InvalidToolCallError,
    ReplayPolicy,
    TriageToolEnv,
    build_dataset,
    replay_policy,
)

__all__ = [
    "ENVIRONMENTS",
    "GovWorkflowToolEnv",
    "InvalidToolCallError",
    "ReplayPolicy",
    "TriageToolEnv",
    "build_dataset",
    "replay_policy",
]
