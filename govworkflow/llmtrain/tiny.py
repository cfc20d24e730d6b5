"""A tiny causal language model made here, from nothing downloaded: for tests and CI runs.

``tiny_tokenizer`` trains a byte-level BPE tokenizer on text the tool environments
produce (their prompt with its tool schemas, observations, tool calls) and gives it
TRL's Qwen2.5 chat template, which renders tool calls and tool replies and which TRL
knows how to parse. ``tiny_model`` is a randomly initialised two-layer Qwen2 model of
that vocabulary. ``warm_start`` teaches it, in a few hundred small steps, the one thing a
random model cannot do by chance: to answer in the tool-call format (``advance_time``
or ``set_priority_mode``), so GRPO has rollouts that call tools.

None of this learns to run an office; it exists so that the whole training path can run
on a CPU in seconds (``docs/llm.md``). Needs the ``llm-train`` extra.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from govworkflow.llmtrain.toolenv import ENVIRONMENTS, build_dataset

__all__ = ["SPECIAL_TOKENS", "tiny_agent", "tiny_model", "tiny_tokenizer", "tool_call_targets", "warm_start"]

#: The tokens of the Qwen2.5 chat template, kept whole.
SPECIAL_TOKENS: tuple[str, ...] = (
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<tool_call>",
    "</tool_call>",
    "<tool_response>",
    "</tool_response>",
)


def _chat_template() -> str:
    """TRL's Qwen2.5 template with the tool list cut to the tools' names: the schemas run
    to a thousand tokens, which a two-layer model need not read (real models get them)."""
    from trl.chat_template_utils import qwen2_5_chat_template

    template = str(qwen2_5_chat_template)
    head, rest = template.split("\n{%- else %}", 1)  # the outer else: no indent
    compact = (
        "{%- if tools %}\n"
        "    {{- '<|im_start|>system\\nTools:' }}\n"
        "    {%- for tool in tools %}{{- ' ' + (tool.function.name if tool.function is defined else tool.name) }}"
        "{%- endfor %}\n"
        "    {{- '<|im_end|>\\n' }}\n"
    )
    if not head.startswith("{%- if tools %}"):
        raise RuntimeError("TRL's Qwen2.5 chat template changed shape; update llmtrain.tiny._chat_template")
    return compact + "{%- else %}" + rest


def _set_response_parser(tokenizer: Any) -> None:
    """Tool calls are read as in Qwen (``<tool_call>{json}</tool_call>``)."""
    from trl import chat_template_utils as ctu

    if getattr(ctu, "_SUPPORTS_RESPONSE_TEMPLATE", False):
        tokenizer.response_template = ctu.qwen3_template
    else:
        tokenizer.response_schema = ctu.qwen3_schema


def tool_call_targets(environment: str = "office") -> list[str]:
    """The assistant replies ``warm_start`` teaches: one tool call each, in the template's format."""
    if environment == "triage":
        calls = [("work_on_ticket", {"ticket_id": f"T0{i}"}) for i in (1, 2)]
    else:
        calls = [("advance_time", {}), ("set_priority_mode", {"priority_mode": "urgent_first"})]
    return [
        f'<tool_call>\n{{"name": "{name}", "arguments": {json.dumps(args)}}}\n</tool_call><|im_end|>'
        for name, args in calls
    ]


def _corpus(environment: str, task: str | None, n_episodes: int) -> list[str]:
    """Text the tokenizer is trained on: rendered prompts, observations and tool calls."""
    from transformers import PreTrainedTokenizerFast

    plain = PreTrainedTokenizerFast(tokenizer_object=_bare_tokenizer(), chat_template=_chat_template())
    from govworkflow.llmtrain.grpo import tool_schemas

    schemas = tool_schemas(environment)
    texts = []
    cls = ENVIRONMENTS[environment]
    for row in build_dataset(task, n_episodes, environment=environment):
        env = cls()
        obs = env.reset(**row)
        messages = [{"role": "user", "content": row["prompt"][0]["content"] + obs}]
        texts.append(
            str(plain.apply_chat_template(messages, tools=schemas, tokenize=False, add_generation_prompt=True))
        )
    texts += tool_call_targets(environment) * 50
    texts.append('{"error": "invalid action: the episode has ended"} Episode over. Score 0.123.')
    return texts


def _bare_tokenizer() -> Any:
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    return tok


def tiny_tokenizer(environment: str = "office", task: str | None = None, vocab_size: int = 800) -> Any:
    """A ``PreTrainedTokenizerFast`` trained here on the environment's own text, with the
    Qwen2.5 chat template (tool calls supported) and ``<|im_end|>`` as end of turn."""
    from tokenizers import trainers
    from transformers import PreTrainedTokenizerFast

    from govworkflow.core.errors import check_count

    tok = _bare_tokenizer()
    trainer = trainers.BpeTrainer(
        vocab_size=check_count(vocab_size, "vocab_size"),
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=__import__("tokenizers").pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_corpus(environment, task, 4), trainer=trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        chat_template=_chat_template(),
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        padding_side="left",
    )
    _set_response_parser(tokenizer)
    return tokenizer


def tiny_model(tokenizer: Any, seed: int = 0, hidden_size: int = 64, layers: int = 2) -> Any:
    """A randomly initialised Qwen2 causal LM over ``tokenizer``'s vocabulary (seeded)."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(seed)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=2 * hidden_size,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        tie_word_embeddings=True,
        bos_token_id=None,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    model = Qwen2ForCausalLM(config)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model


def warm_start(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[str],
    targets: Sequence[str],
    steps: int = 80,
    lr: float = 5e-3,
    context_tokens: int = 1024,
) -> list[float]:
    """Supervised steps on ``prompt + target`` pairs (loss on the target tokens only), so the
    model answers in the tool-call format. Each step is one batch of every target after
    each prompt (its last ``context_tokens`` tokens). Returns each step's loss."""
    import torch

    from govworkflow.core.errors import check_count

    rows = []
    for p in prompts:
        tail = tokenizer(p, add_special_tokens=False).input_ids[-check_count(context_tokens, "context_tokens") :]
        rows += [(tail, tokenizer(t, add_special_tokens=False).input_ids) for t in targets]
    width = max(len(a) + len(b) for a, b in rows)
    pad = tokenizer.pad_token_id
    ids = torch.tensor([a + b + [pad] * (width - len(a) - len(b)) for a, b in rows])
    labels = torch.tensor([[-100] * len(a) + b + [-100] * (width - len(a) - len(b)) for a, b in rows])
    mask = (labels != -100) | (torch.arange(width) < torch.tensor([[len(a)] for a, _ in rows]))
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(check_count(steps, "steps")):
        loss = model(input_ids=ids, attention_mask=mask.long(), labels=labels).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    model.eval()
    return losses


def tiny_agent(
    task: str = "district_backlog_easy", ruleset: str = "standard", seed: int = 0, warm_steps: int = 80
) -> tuple[Any, Any]:
    """``(model, tokenizer)``: the tiny model over the tiny tokenizer, warm-started on the
    first two development episodes of ``task`` to answer with a tool call."""
    from govworkflow.llmtrain.grpo import tool_schemas
    from govworkflow.llmtrain.toolenv import GovWorkflowToolEnv

    tokenizer = tiny_tokenizer("office", task)
    model = tiny_model(tokenizer, seed=seed)
    schemas = tool_schemas("office")
    prompts = []
    for row in build_dataset(task, 2, ruleset=ruleset):
        messages = [{"role": "user", "content": row["prompt"][0]["content"] + GovWorkflowToolEnv().reset(**row)}]
        prompts.append(
            tokenizer.apply_chat_template(messages, tools=schemas, tokenize=False, add_generation_prompt=True)
        )
    warm_start(model, tokenizer, prompts, tool_call_targets("office"), steps=warm_steps)
    return model, tokenizer
