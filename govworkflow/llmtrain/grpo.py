"""GRPO training of a language-model agent on the office, with TRL (extra ``llm-train``).

Read top to bottom: ``GRPOArgs`` (one field per setting), ``train`` (the dataset of
development seeds, the model with optional LoRA, ``GRPOTrainer`` with the tool
environment as ``environment_factory`` and its ``get_reward`` as the reward), then
``ToolCallPolicy`` and ``evaluate_agent``: the trained model as a policy, graded on
held-out evaluation seeds by the one harness (``evaluation.run.run_episode``) next to the
ladder's policies, with ``pass^k`` over ``k`` sampled repeats per seed.

On a CPU with ``llmtrain.tiny``'s model this checks the plumbing only; learning needs a
real instruction-tuned model on a GPU (``docs/llm.md``).
"""

from __future__ import annotations

import inspect
import os
from dataclasses import asdict, dataclass, field
from typing import Any

from govworkflow.core.errors import BadValueError, check_count
from govworkflow.evaluation.run import EpisodeResult, get_suite, run_episode
from govworkflow.llmtrain.toolenv import ENVIRONMENTS, GovWorkflowToolEnv, build_dataset
from govworkflow.office.llm import render_observation
from govworkflow.office.models import Action

__all__ = ["GRPOArgs", "ToolCallPolicy", "TrainOutcome", "evaluate_agent", "pass_hat_k", "tool_schemas", "train"]


@dataclass
class GRPOArgs:
    """Settings of one GRPO run (defaults: a small instruction-tuned model on a Colab GPU)."""

    model: str = "Qwen/Qwen2.5-0.5B-Instruct"
    """A causal LM name or path (ignored when ``train`` is given a model)."""
    task: str = "district_backlog_easy"
    """The office task trained on."""
    ruleset: str = "standard"
    """The office ruleset."""
    n_episodes: int = 64
    """Dataset rows: one development seed each, from the start of the development range."""
    episode_steps: int | None = 10
    """Cut each training episode after this many steps (its grade is then provisional)."""
    num_generations: int = 8
    """Rollouts per prompt (GRPO's group size)."""
    batch_size: int = 8
    """Rollouts per optimisation step (a multiple of ``num_generations``)."""
    max_steps: int = 100
    """Optimisation steps."""
    learning_rate: float = 1e-5
    """AdamW learning rate (LoRA usually wants about 1e-5 to 1e-4)."""
    max_completion_length: int = 1024
    """Tokens per rollout, tool replies included."""
    max_tool_calls: int = 12
    """Tool-calling rounds per rollout."""
    temperature: float = 1.0
    """Sampling temperature of the rollouts."""
    lora_r: int = 16
    """LoRA rank (0: train every weight)."""
    seed: int = 0
    """Seed of the trainer (sampling, data order, initialisation of LoRA)."""
    output_dir: str = "runs/grpo"
    """Where the trainer writes checkpoints and the adapter."""
    use_cpu: bool = False
    """Force the CPU (the tiny CI run)."""
    logging_steps: int = 1
    """Log the rewards every this many steps (the learning curve)."""

    def __post_init__(self) -> None:
        for name in ("n_episodes", "num_generations", "batch_size", "max_steps", "max_completion_length"):
            check_count(getattr(self, name), name)
        if self.batch_size % self.num_generations:
            raise BadValueError(
                f"batch_size: {self.batch_size} is not a multiple of num_generations ({self.num_generations})"
            )
        if self.lora_r < 0:
            raise BadValueError(f"lora_r: must be 0 (no LoRA) or a positive rank, got {self.lora_r}")


@dataclass
class TrainOutcome:
    """What ``train`` returns: the trained model, its tokenizer and the learning curve."""

    model: Any
    tokenizer: Any
    curve: list[dict[str, float]] = field(default_factory=list)
    """One row per logged step: ``step``, ``reward`` (mean grade of the step's rollouts),
    ``reward_std``, ``tool_calls`` (calls per rollout) and ``tool_failures`` (their failed share)."""
    args: dict[str, Any] = field(default_factory=dict)


def tool_schemas(environment: str = "office") -> list[Any]:
    """The JSON schemas TRL builds from the tool environment's methods."""
    from transformers.utils import get_json_schema

    cls = ENVIRONMENTS[environment]
    env = cls()
    return [
        get_json_schema(getattr(env, name))
        for name, _ in inspect.getmembers(cls, predicate=inspect.isfunction)
        if name not in ("reset", "get_reward") and not name.startswith("_")
    ]


def _curve(log_history: list[dict[str, Any]], reward_key: str) -> list[dict[str, float]]:
    keys = {"reward": reward_key, "reward_std": "reward_std", "tool_calls": "tools/call_frequency",
            "tool_failures": "tools/failure_frequency"}  # fmt: skip
    return [
        {"step": float(row["step"]), **{k: float(row.get(v, float("nan"))) for k, v in keys.items()}}
        for row in log_history
        if reward_key in row
    ]


def train(
    args: GRPOArgs, model: Any = None, tokenizer: Any = None, env_class: type[GovWorkflowToolEnv] = GovWorkflowToolEnv
) -> TrainOutcome:
    """Train ``model`` (default: ``args.model`` loaded by name) with GRPO on the office's tools."""
    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")
    try:
        from datasets import Dataset
        from trl import GRPOConfig, GRPOTrainer
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(
            f'GRPO training needs the llm-train extra: pip install "govworkflow[llm-train]" ({err})'
        ) from err

    import torch

    # bf16 where the GPU has it (A100, L4, H100); fp16 mixed precision on older ones (Colab's
    # T4), which trains LoRA adapters (kept in fp32) but not every weight (use bf16 for that)
    gpu = torch.cuda.is_available() and not args.use_cpu
    bf16 = gpu and torch.cuda.is_bf16_supported()
    fp16 = gpu and not bf16
    if model is None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(args.model)
        dtype = torch.bfloat16 if bf16 else torch.float16 if fp16 else torch.float32
        model = AutoModelForCausalLM.from_pretrained(args.model, dtype=dtype)
    if tokenizer is None:
        raise BadValueError("tokenizer: a model given to train() needs its tokenizer too")
    rows = build_dataset(args.task, args.n_episodes, ruleset=args.ruleset, max_steps=args.episode_steps)
    peft_config = None
    if args.lora_r:
        from peft import LoraConfig

        peft_config = LoraConfig(r=args.lora_r, lora_alpha=2 * args.lora_r, target_modules="all-linear",
                                 task_type="CAUSAL_LM")  # fmt: skip
    config = GRPOConfig(
        output_dir=args.output_dir,
        per_device_train_batch_size=args.batch_size,
        num_generations=args.num_generations,
        max_completion_length=args.max_completion_length,
        max_tool_calling_iterations=args.max_tool_calls,
        max_steps=args.max_steps,
        learning_rate=args.learning_rate,
        temperature=args.temperature,
        logging_steps=args.logging_steps,
        save_strategy="no",
        report_to="none",
        seed=args.seed,
        use_cpu=args.use_cpu,
        bf16=bf16,
        fp16=fp16,
        disable_tqdm=True,
    )
    trainer = GRPOTrainer(
        model=model,
        processing_class=tokenizer,
        args=config,
        train_dataset=Dataset.from_list(rows),
        environment_factory=env_class,
        peft_config=peft_config,
    )
    trainer.train()
    curve = _curve(trainer.state.log_history, f"rewards/{env_class.__name__}/mean")
    return TrainOutcome(trainer.model, tokenizer, curve, asdict(args))


class ToolCallPolicy:
    """A causal LM as an office policy for the evaluation harness: each decision is one
    generation after the instructions and the current observation (the start of every
    training rollout); its first tool call is the action, and a reply without a usable
    call plays ``advance_time`` (counted in ``fallbacks``)."""

    description = "a language model calling the office's tools"

    def __init__(self, model: Any, tokenizer: Any, name: str = "llm_grpo", temperature: float = 0.0,
                 max_new_tokens: int = 64, repeat: int = 0) -> None:  # fmt: skip
        self.model, self.tokenizer, self.name = model, tokenizer, name
        self.temperature, self.max_new_tokens, self.repeat = temperature, max_new_tokens, repeat
        self.schemas = tool_schemas("office")
        self.fallbacks = 0
        self.decisions = 0

    def reset(self, seed: int | None = None) -> None:
        import torch

        self._generator_seed = (seed or 0) * 1000 + self.repeat
        torch.manual_seed(self._generator_seed)

    def act(self, observation: Any, simulator: Any = None) -> Action:
        import torch

        text = GovWorkflowToolEnv.instructions + "\n\n" + render_observation(observation)
        messages = [{"role": "user", "content": text}]
        prompt = self.tokenizer.apply_chat_template(messages, tools=self.schemas, tokenize=False,
                                                    add_generation_prompt=True)  # fmt: skip
        inputs = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=False).to(self.model.device)
        sample = self.temperature > 0
        with torch.no_grad():
            out = self.model.generate(**inputs, max_new_tokens=self.max_new_tokens, do_sample=sample,
                                      temperature=self.temperature if sample else None, top_p=None, top_k=None,
                                      pad_token_id=self.tokenizer.pad_token_id)  # fmt: skip
        reply = out[0][inputs["input_ids"].shape[1] :].tolist()
        self.decisions += 1
        action = self._action(reply, prompt, simulator)
        if action is None:
            self.fallbacks += 1
            return Action(action_type="advance_time")
        return action

    def _action(self, reply: list[int], prompt: str, simulator: Any) -> Action | None:
        from trl.chat_template_utils import parse_response

        from govworkflow.core.errors import InvalidActionError
        from govworkflow.office.models import parse_action

        prefix = self.tokenizer(prompt, add_special_tokens=False).input_ids
        message = parse_response(self.tokenizer, reply, prefix=prefix, tools=self.schemas)
        for call in message.get("tool_calls") or []:
            function = call.get("function", {})
            try:
                action = parse_action({"action_type": function.get("name"), **(function.get("arguments") or {})})
            except InvalidActionError:
                return None
            if simulator is not None and simulator.why_invalid(action) is not None:
                return None
            return action
        return None


def pass_hat_k(scores: list[list[float]], thresholds: list[float]) -> float:
    """``pass^k``: the share of seeds on which all ``k`` repeats score at least the seed's
    threshold (``scores[i]``: the repeats on seed ``i``)."""
    if len(scores) != len(thresholds) or not scores:
        raise BadValueError(f"scores: need one list of repeats per threshold, got {len(scores)} and {len(thresholds)}")
    return sum(all(s >= t for s in reps) for reps, t in zip(scores, thresholds, strict=True)) / len(scores)


def evaluate_agent(
    model: Any,
    tokenizer: Any,
    task: str = "district_backlog_easy",
    ruleset: str = "standard",
    n_seeds: int = 20,
    k: int = 4,
    ladder: tuple[str, ...] = ("advance_only", "urgent_first", "backlog_clearance", "sla_aware"),
    baseline: str = "urgent_first",
    temperature: float = 0.7,
    max_steps: int | None = None,
) -> dict[str, Any]:
    """The trained agent against the ladder on held-out evaluation seeds, by the one harness.

    Returns ``rows`` (one ``EpisodeResult`` dict per policy, seed and repeat; the agent's
    greedy run is repeat 0 of ``llm_grpo``, sampled repeats are ``llm_grpo@T``), the mean
    score of each policy, and ``pass^k``: the share of seeds on which all ``k`` sampled
    repeats score at least ``baseline`` on the same seed."""
    suite = get_suite(ruleset)
    spec = suite.task(task)
    seeds = spec.seeds.take("evaluation", check_count(n_seeds, "n_seeds"))
    rows: list[EpisodeResult] = []
    for name in ladder:
        rows += [run_episode(suite, spec, suite.policy(name), s, max_steps) for s in seeds]
    greedy = ToolCallPolicy(model, tokenizer)
    rows += [run_episode(suite, spec, greedy, s, max_steps) for s in seeds]
    sampled: list[list[float]] = []
    for s in seeds:
        reps = []
        for r in range(check_count(k, "k")):
            pol = ToolCallPolicy(model, tokenizer, name="llm_grpo@T", temperature=temperature, repeat=r)
            result = run_episode(suite, spec, pol, s, max_steps)
            rows.append(result)
            reps.append(result.score)
        sampled.append(reps)
    base = {r.seed: r.score for r in rows if r.policy == baseline}
    if len(base) != len(seeds):
        raise BadValueError(f"baseline: {baseline!r} must be one of the ladder's policies {list(ladder)}")
    means: dict[str, float] = {}
    for name in {r.policy for r in rows}:
        scores = [r.score for r in rows if r.policy == name]
        means[name] = sum(scores) / len(scores)
    return {
        "task": task,
        "ruleset": ruleset,
        "seeds": seeds,
        "k": k,
        "baseline": baseline,
        "pass_hat_k": pass_hat_k(sampled, [base[s] for s in seeds]),
        "mean_score": means,
        "fallback_share": greedy.fallbacks / max(greedy.decisions, 1),
        "rows": [r.to_dict() for r in rows],
    }
