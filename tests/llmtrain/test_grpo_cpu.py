"""The whole TRL path on a CPU: ``GRPOTrainer`` + ``environment_factory`` + the office's
tool environment + its ``get_reward``, a few optimisation steps of a tiny model made here
(a random two-layer Qwen2 and a BPE tokenizer trained on the environment's own text;
nothing is downloaded). It checks the plumbing, not learning: rollouts call our tools,
the rewards the trainer logs are our grades, and the parameters move."""

from __future__ import annotations

import math

import pytest
import torch

from govworkflow.evaluation.run import get_suite
from govworkflow.llmtrain import GovWorkflowToolEnv, build_dataset
from govworkflow.llmtrain.grpo import GRPOArgs, ToolCallPolicy, pass_hat_k, tool_schemas, train
from govworkflow.llmtrain.tiny import tiny_model, tiny_tokenizer, tool_call_targets, warm_start

pytestmark = pytest.mark.slow

TASK, RULESET = "district_backlog_easy", "standard"


class RecordingEnv(GovWorkflowToolEnv):
    """The tool environment, remembering every reward it hands the trainer (per class)."""

    rewards: list[float] = []  # noqa: RUF012 - shared by the trainer's pool of instances
    grades: list[float] = []  # noqa: RUF012
    tool_calls_seen: list[int] = []  # noqa: RUF012

    def get_reward(self) -> float:
        reward = super().get_reward()
        RecordingEnv.rewards.append(reward)
        RecordingEnv.grades.append(self.env.grade().score)
        RecordingEnv.tool_calls_seen.append(self.tool_calls)
        return reward


@pytest.fixture(scope="module")
def tiny() -> tuple[object, object]:
    """The tiny model, warm-started to answer with a tool call (its loss must have fallen)."""
    tokenizer = tiny_tokenizer("office", TASK)
    model = tiny_model(tokenizer, seed=0)
    schemas = tool_schemas("office")
    prompts = []
    for row in build_dataset(TASK, 2, ruleset=RULESET):
        text = row["prompt"][0]["content"] + GovWorkflowToolEnv().reset(**row)
        messages = [{"role": "user", "content": text}]
        prompts.append(
            tokenizer.apply_chat_template(messages, tools=schemas, tokenize=False, add_generation_prompt=True)
        )
    losses = warm_start(model, tokenizer, prompts, tool_call_targets("office"))
    assert losses[-1] < losses[0] / 5
    return model, tokenizer


def test_grpo_trains_through_the_tool_environment(tiny: tuple[object, object], tmp_path: object) -> None:
    model, tokenizer = tiny
    RecordingEnv.rewards, RecordingEnv.grades, RecordingEnv.tool_calls_seen = [], [], []
    before = {n: p.detach().clone() for n, p in model.named_parameters()}  # type: ignore[attr-defined]
    args = GRPOArgs(task=TASK, ruleset=RULESET, n_episodes=2, episode_steps=3, num_generations=4, batch_size=8,
                    max_steps=2, learning_rate=1e-3, max_completion_length=64, max_tool_calls=2, lora_r=0,
                    output_dir=str(tmp_path), use_cpu=True, seed=0)  # fmt: skip
    out = train(args, model=model, tokenizer=tokenizer, env_class=RecordingEnv)
    # 2 steps x 8 rollouts, each scored by our get_reward: the grade of its own episode
    assert len(RecordingEnv.rewards) == 16
    assert RecordingEnv.rewards == RecordingEnv.grades
    assert all(0.0 <= r <= 1.0 for r in RecordingEnv.rewards)
    assert len(set(RecordingEnv.rewards)) >= 2  # the tools changed some episodes' grades
    assert sum(c > 0 for c in RecordingEnv.tool_calls_seen) >= 2, RecordingEnv.tool_calls_seen
    # what the trainer logged as the environment's reward is the mean of our grades
    assert [row["step"] for row in out.curve] == [1.0, 2.0]
    for i, row in enumerate(out.curve):
        assert row["reward"] == pytest.approx(sum(RecordingEnv.rewards[8 * i : 8 * i + 8]) / 8, abs=1e-6)
        assert not math.isnan(row["tool_calls"])
    assert sum(row["tool_calls"] for row in out.curve) > 0
    moved = sum(float((p.detach() - before[n]).abs().sum()) for n, p in out.model.named_parameters())
    assert moved > 0.0


def test_the_trained_model_plays_through_the_harness(tiny: tuple[object, object]) -> None:
    from govworkflow.evaluation.run import run_episode

    model, tokenizer = tiny
    suite = get_suite(RULESET)
    seed = suite.task(TASK).seeds.evaluation.start
    policy = ToolCallPolicy(model, tokenizer, max_new_tokens=32)
    result = run_episode(suite, TASK, policy, seed, max_steps=3)
    assert result.steps == 3 and policy.decisions == 3
    assert 0.0 <= result.score <= 1.0 and result.faithful
    again = run_episode(suite, TASK, ToolCallPolicy(model, tokenizer, max_new_tokens=32), seed, max_steps=3)
    assert again.score == result.score  # greedy decoding: the same episode


def test_pass_hat_k_counts_seeds_where_every_repeat_passes() -> None:
    assert pass_hat_k([[0.5, 0.6], [0.7, 0.2]], [0.5, 0.5]) == 0.5
    assert pass_hat_k([[0.4]], [0.5]) == 0.0
    with pytest.raises(ValueError, match="one list of repeats per threshold"):
        pass_hat_k([[0.5]], [0.5, 0.5])
    assert torch.__version__.startswith("2.13.0")
