"""An ipywidgets episode player (extra: ``notebooks``).

Pick a ruleset, task and seed; choose actions (the picker shows only the fields the
chosen action needs and offers only valid choices), advance days, let a policy play,
undo, export the episode to JSON and load it back for replay. Charts are plain plotly
figures shown through IPython display handles and updated in place.

Every button calls a public method (``step``, ``advance_day``, ``undo``, ``reset``,
``autoplay_tick``, ``export``, ``load``, ``replay``), so the player can be driven
without a browser, as the tests do. It works with ipywidgets 7.7 and 8.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from govworkflow.core.errors import GovWorkflowError, MissingExtraError, check_seed
from govworkflow.core.kernel import Policy
from govworkflow.office.env import GovWorkflowEnv, Snapshot
from govworkflow.office.models import Action, StepResult, action_fields, parse_action
from govworkflow.office.record import EpisodeRecord
from govworkflow.office.rulesets import RULESETS, get_ruleset
from govworkflow.office.vocab import ActionType
from govworkflow.viz import figures
from govworkflow.viz import player_text as readout
from govworkflow.viz.actions import valid_actions
from govworkflow.viz.display import figure_bundle, placeholder
from govworkflow.viz.results import usable_policies
from govworkflow.viz.trace import Trace

try:
    import ipywidgets as widgets
    from IPython.display import DisplayHandle, display
except ImportError as err:  # pragma: no cover - exercised only without the extra
    raise MissingExtraError("ipywidgets", "notebooks") from err

__all__ = ["AUTOPLAY_DEFAULT", "CHARTS", "REPLAY", "EpisodePlayer", "figure_bundle"]

#: Chart name -> function of the player that builds it.
CHARTS: dict[str, Callable[[EpisodePlayer], Any]] = {
    "backlog": lambda p: figures.backlog_figure(p.trace),
    "deadlines": lambda p: figures.sla_figure(p.trace),
    "officers": lambda p: figures.officers_figure(p.trace),
    "reward": lambda p: figures.reward_components_figure(p.trace),
    "grade": lambda p: figures.grade_figure(p.env.grade()),
}
#: The auto-play choice that replays a loaded episode instead of running a policy.
REPLAY = "(replay loaded episode)"
#: The policy auto-play offers first, where the ruleset has it: the strongest heuristic.
AUTOPLAY_DEFAULT = "sla_aware"
_FIELDS = ("priority_mode", "service", "target_service", "officer_delta")
_HIDDEN, _SHOWN = "none", ""
#: The status line's two styles (the error style is also the palette's vermillion).
_STYLE = {True: ("govworkflow-ok", "inherit", "✔"), False: ("govworkflow-error", "#D55E00", "✘")}


def _shown(kind: ActionType) -> tuple[str, ...]:
    """The pickers shown for ``kind``: the fields it reads (``office.models.action_fields``)
    that have one (an escalation's ``case_id`` has none: the player escalates by service)."""
    return tuple(name for name in action_fields(kind) if name in _FIELDS)


def _value(action: Action, name: str) -> Any:
    v = getattr(action, name)
    return v.value if hasattr(v, "value") else v


def _set_playing(play: widgets.Play, playing: bool) -> None:
    """Start or stop a ``Play`` widget (``playing`` in ipywidgets 8, ``_playing`` in 7)."""
    setattr(play, "playing" if play.has_trait("playing") else "_playing", playing)


class EpisodePlayer:
    """Play one episode by hand or let a policy play it; charts update in place.

    Args:
        task_id: The task (default: the ruleset's first).
        ruleset: The ruleset (default: the package default).
        seed: The episode seed (default: the task's own).
        policy: The policy auto-play uses (default: ``sla_aware`` where the ruleset has it).
        charts: Which charts to show, from ``CHARTS``.

    Display it as a notebook cell's last expression (or call ``show()``).
    """

    env: GovWorkflowEnv
    trace: Trace
    _valid: list[Action]

    def __init__(
        self,
        task_id: str | None = None,
        ruleset: str | None = None,
        seed: int | None = None,
        policy: str | None = None,
        charts: tuple[str, ...] = tuple(CHARTS),
    ) -> None:
        unknown = [c for c in charts if c not in CHARTS]
        if unknown:
            raise ValueError(f"charts: unknown {unknown}; valid: {list(CHARTS)}")
        rs = get_ruleset(ruleset)
        task_id = task_id if task_id is not None else next(iter(rs.tasks))
        rs.task(task_id)
        self.chart_names = charts
        self.figures: dict[str, Any] = {}
        self.handles: dict[str, DisplayHandle] = {}
        self.policy: Policy | None = None
        self.loaded: EpisodeRecord | None = None
        self._history: list[Snapshot] = []
        self._auto: list[bool] = []  # per step of the episode: taken by auto-play (or replay)
        self._busy = False  # set while the player updates its own widgets
        self._build_widgets(rs.name, task_id, seed, policy)
        self.reset()

    # -- widgets -----------------------------------------------------------------------
    def _build_widgets(self, ruleset: str, task_id: str, seed: int | None, policy: str | None) -> None:
        rs = RULESETS[ruleset]
        self.ruleset_picker = widgets.Dropdown(options=list(RULESETS), value=ruleset, description="ruleset")
        self.task_picker = widgets.Dropdown(options=list(rs.tasks), value=task_id, description="task")
        self.seed_picker = widgets.IntText(value=rs.task(task_id).seed if seed is None else seed, description="seed")
        self.action_type = widgets.Dropdown(options=[a.value for a in ActionType], description="action")
        self.fields = {
            "priority_mode": widgets.Dropdown(options=[], description="mode"),
            "service": widgets.Dropdown(options=[], description="service"),
            "target_service": widgets.Dropdown(options=[], description="to"),
            "officer_delta": widgets.Dropdown(options=[], description="officers"),
        }
        policies = usable_policies(ruleset)
        if policy is not None and policy not in policies:
            policies.append(policy)  # asked for by name: if it cannot act, auto-play says why
        self.policy_picker = widgets.Dropdown(
            options=policies, value=policy if policy is not None else _default_policy(policies), description="policy"
        )
        self.play = widgets.Play(value=0, min=0, max=10**6, step=1, interval=300, description="auto-play")
        self.speed = widgets.IntSlider(value=300, min=20, max=2000, step=20, description="ms/step")
        widgets.link((self.speed, "value"), (self.play, "interval"))
        self.path = widgets.Text(value="episode.json", description="file")
        labels = {
            "reset": "Reset",
            "step": "Step",
            "advance": "Advance day",
            "undo": "Undo",
            "stop": "Stop",
            "export": "Export JSON",
            "load": "Load JSON",
        }
        self.buttons = {k: widgets.Button(description=v) for k, v in labels.items()}
        self.buttons["advance"].button_style = "primary"
        self.counters_html = widgets.HTML()
        self.describe_html = widgets.HTML()  # what the picked action does and costs, before Step
        self.message_html = widgets.HTML()
        self.explain_html = widgets.HTML()

        self.ruleset_picker.observe(self._on_ruleset, names="value")
        self.task_picker.observe(self._on_task, names="value")
        self.seed_picker.observe(lambda _: self._guarded(self._reset_or_say), names="value")
        self.action_type.observe(lambda _: self._guarded(self._sync_fields), names="value")
        for w in self.fields.values():
            w.observe(lambda _: self._guarded(self._sync_fields), names="value")
        self.policy_picker.observe(lambda _: self._guarded(self._new_policy), names="value")
        self.play.observe(self._on_play, names="value")
        b = self.buttons
        b["reset"].on_click(lambda _: self._reset_or_say())
        b["step"].on_click(lambda _: self.step())
        b["advance"].on_click(lambda _: self.advance_day())
        b["undo"].on_click(lambda _: self.undo())
        b["stop"].on_click(lambda _: self.stop())
        b["export"].on_click(lambda _: self._file_or_say("Export", self.export))
        b["load"].on_click(lambda _: self._file_or_say("Load", self.load))
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.ruleset_picker, self.task_picker, self.seed_picker, b["reset"]]),
                widgets.HBox([self.action_type, *self.fields.values()]),
                self.describe_html,
                widgets.HBox([b["step"], b["advance"], b["undo"]]),
                widgets.HBox([self.policy_picker, self.play, self.speed, b["stop"]]),
                widgets.HBox([self.path, b["export"], b["load"]]),
                self.counters_html,
                self.message_html,
                self.explain_html,
            ]
        )

    def _guarded(self, fn: Callable[[], object]) -> None:
        if not self._busy:
            fn()

    def _reset_or_say(self) -> None:
        """Reset for a new seed; a refused seed is said in the status line, the episode goes on."""
        try:
            self.reset()
        except ValueError as err:
            self._say(f"{err}; the episode goes on", ok=False)

    def _file_or_say(self, what: str, fn: Callable[[str], object]) -> None:
        """Export or load the file named in the path box; a failure (no such file, not an
        episode, a folder that cannot be written) is said in the status line, in the
        error style, and the episode goes on."""
        try:
            fn(self.path.value)
        except (OSError, ValueError, GovWorkflowError) as err:
            self._say(f"{what} failed for {self.path.value!r}: {err}", ok=False)

    def _on_ruleset(self, change: dict[str, Any]) -> None:
        if self._busy:
            return
        rs = get_ruleset(change["new"])
        self._busy = True
        try:
            self.task_picker.options = list(rs.tasks)
            self.task_picker.value = next(iter(rs.tasks))
            self.seed_picker.value = rs.task(self.task_picker.value).seed
            self.policy_picker.options = usable_policies(rs.name)
            self.policy_picker.value = _default_policy(list(self.policy_picker.options))
        finally:
            self._busy = False
        self.reset()

    def _on_task(self, change: dict[str, Any]) -> None:
        if self._busy:
            return
        self._busy = True
        try:
            self.seed_picker.value = get_ruleset(self.ruleset_picker.value).task(change["new"]).seed
        finally:
            self._busy = False
        self.reset()

    def _on_play(self, change: dict[str, Any]) -> None:
        if not self._busy and change["new"] > change["old"]:  # a rewind (stop button): ignore
            self.autoplay_tick()

    # -- display -----------------------------------------------------------------------
    def _ipython_display_(self) -> None:
        self.show()

    def show(self) -> None:
        """Display the controls, then each chart with a display handle to update it."""
        display(self.widget)
        for i, name in enumerate(self.chart_names):
            bundle = figure_bundle(self.figures[name], activate=i == 0)  # plotly.js: once per kernel
            handle = display(bundle, raw=True, display_id=True)
            if handle is not None:
                self.handles[name] = handle

    # -- the episode -------------------------------------------------------------------
    def reset(self) -> None:
        """Start a new episode with the pickers' ruleset, task and seed."""
        env = GovWorkflowEnv(self.task_picker.value, ruleset=self.ruleset_picker.value)
        env.reset(seed=self.seed_picker.value)  # a refused seed leaves the running episode as it was
        self.env = env
        self.trace = Trace.start(self.env.simulator)
        self._history.clear()
        self._auto.clear()
        self._new_policy()
        self._busy = True
        try:
            self.play.value = 0
        finally:
            self._busy = False
        self._refresh()

    def _new_policy(self) -> None:
        name = self.policy_picker.value
        if name == REPLAY:
            self.policy = None
            return
        self.policy = self.env.ruleset.policy(name)
        self.policy.reset(self.env.simulator.seed)

    def step(self, action: Action | dict[str, Any] | str | None = None, *, auto: bool = False) -> StepResult | None:
        """Apply ``action`` (default: the one picked in the widgets). None once over.

        ``auto`` marks a step auto-play took (the challenge counts only episodes played
        by hand: ``auto_steps``)."""
        env = self.env
        if env.done:
            self._say("The episode is over: Reset to play again, or Undo.", ok=False)
            return None
        act = self.selected_action() if action is None else parse_action(action)
        self._history.append(env.snapshot())
        self._auto.append(auto)
        result = env.step(act)
        self.trace.add(env.simulator, env.record.steps[-1])
        self._refresh()
        return result

    def advance_day(self) -> StepResult | None:
        """Let one day pass (the ``advance_time`` action)."""
        return self.step(Action(action_type=ActionType.ADVANCE_TIME))

    def undo(self) -> bool:
        """Go back one step (False when there is nothing to undo)."""
        if not self._history:
            self._say("Nothing to undo.", ok=False)
            return False
        snap = self._history.pop()
        self._auto.pop()
        self.env.restore(snap)
        self.trace.truncate(snap.steps)
        self._refresh()
        obs = self.env.observe()
        self._say(f"↶ Undone: back to step {self.env.simulator.steps}, day {obs.day}.")
        return True

    @property
    def auto_steps(self) -> int:
        """Steps of this episode that auto-play (or a replay) took."""
        return sum(self._auto)

    def verdict(self, rival: str, target_score: float) -> str:
        """The challenge's verdict against ``rival``'s ``target_score``: only an episode
        played to its end by hand counts (no auto-play step, no replay)."""
        return readout.verdict(self.counters, self.env.grade(), self.auto_steps, rival, target_score)

    def next_policy_action(self) -> Action | None:
        """What auto-play would do now: the loaded episode's next action, or the policy's."""
        if self.policy is None:
            rec, loaded = self.env.record, self.loaded
            if loaded is None or (loaded.ruleset, loaded.task_id, loaded.seed) != (
                rec.ruleset,
                rec.task_id,
                rec.seed,
            ):
                return None
            n = len(rec.steps)
            return loaded.steps[n].action if n < len(loaded.steps) else None
        return self.policy.act(self.env.observe(), self.env.simulator)

    def autoplay_tick(self) -> StepResult | None:
        """One auto-play step (what each tick of the Play widget does)."""
        try:
            action = None if self.env.done else self.next_policy_action()
        except GovWorkflowError as err:  # say, a trained policy without its model
            self.stop()
            self._say(f"{self.policy_picker.value} cannot play: {err}", ok=False)
            return None
        if action is None:
            self.stop()
            return None
        result = self.step(action, auto=True)
        if self.env.done:
            self.stop()
        return result

    def play_steps(self, n: int | None = None) -> int:
        """Auto-play up to ``n`` steps (default: to the end); returns the steps taken."""
        taken = 0
        while (n is None or taken < n) and self.autoplay_tick() is not None:
            taken += 1
        return taken

    def stop(self) -> None:
        """Stop auto-play."""
        _set_playing(self.play, False)

    # -- export and replay ---------------------------------------------------------------
    def export(self, path: str | Path) -> Path:
        """Write the episode so far to a JSON file."""
        out = Path(path)
        self.env.record.save(out)
        self._say(f"Saved {len(self.env.record.steps)} steps to {out}.")
        return out

    def load(self, source: str | Path | EpisodeRecord) -> EpisodeRecord:
        """Load an exported episode: reset to its ruleset, task and seed, ready to replay
        (auto-play, ``replay()``, or step by hand)."""
        record = source if isinstance(source, EpisodeRecord) else EpisodeRecord.load(source)
        rs = get_ruleset(record.ruleset)
        rs.task(record.task_id)
        check_seed(record.seed)  # everything checked before a picker changes
        self._busy = True
        try:
            self.ruleset_picker.value = rs.name
            self.task_picker.options = list(rs.tasks)
            self.task_picker.value = record.task_id
            self.seed_picker.value = record.seed
            self.policy_picker.options = [REPLAY, *usable_policies(rs.name)]
            self.policy_picker.value = REPLAY
        finally:
            self._busy = False
        self.loaded = record
        self.reset()
        self._say(f"Loaded {len(record.steps)} steps: auto-play (or replay()) to watch them.")
        return record

    def replay(self) -> int:
        """Replay the rest of the loaded episode at once; returns the steps taken."""
        if self.loaded is None:
            raise ValueError("no episode loaded: call load() first")
        self.policy_picker.value = REPLAY
        return self.play_steps()

    # -- the action picker ---------------------------------------------------------------
    def _sync_fields(self) -> None:
        """Offer the valid action types, then for each field the values that keep the
        action valid given the fields before it; hide the fields the type does not read."""
        self._busy = True
        try:
            types = list(dict.fromkeys(a.action_type.value for a in self._valid))
            self._set_options(self.action_type, types)
            chosen = self.action_type.value
            pool = [a for a in self._valid if a.action_type.value == chosen]
            needed = _shown(ActionType(chosen)) if chosen else ()
            for name in _FIELDS:
                w = self.fields[name]
                if name not in needed:
                    w.layout.display = _HIDDEN
                    continue
                w.layout.display = _SHOWN
                self._set_options(w, list(dict.fromkeys(_value(a, name) for a in pool)))
                pool = [a for a in pool if _value(a, name) == w.value]
            self.buttons["step"].disabled = not self._valid
            self.buttons["advance"].disabled = self.env.done
            self.describe_html.value = readout.lines_html(self.describe(), "govworkflow-describe")
        finally:
            self._busy = False

    def describe(self) -> str:
        """What the picked action does and costs, and whether it is valid now (plain text)."""
        if self.env.done or not self.action_type.value:
            return readout.describe(self.env.ruleset.name, None, None, None)
        kind = ActionType(self.action_type.value)
        mode = self.fields["priority_mode"].value if kind is ActionType.SET_PRIORITY_MODE else None
        return readout.describe(self.env.ruleset.name, kind, mode, self.env.why_invalid(self.selected_action()))

    @staticmethod
    def _set_options(w: widgets.Dropdown, options: list[Any]) -> None:
        keep = w.value
        if list(w.options) != options:
            w.options = options
        if options:
            w.value = keep if keep in options else options[0]

    def selected_action(self) -> Action:
        """The action the picker describes."""
        kind = ActionType(self.action_type.value)
        fields = {name: self.fields[name].value for name in _shown(kind)}
        return Action.model_validate({"action_type": kind.value, **fields})

    # -- read-outs -----------------------------------------------------------------------
    @property
    def counters(self) -> dict[str, Any]:
        """What the counters line shows."""
        obs = self.env.observe()
        return {
            "day": obs.day,
            "max_days": obs.max_days,
            "step": self.env.simulator.steps,
            "backlog": obs.total_backlog,
            "completed": obs.total_completed,
            "sla_breaches": obs.total_sla_breaches,
            "at_risk": self.trace.last.at_risk,
            "reserve_officers": obs.reserve_officers,
            "priority_mode": obs.priority_mode,
            "reward_sum": round(self.env.record.reward_sum, 4),
            "score": self.env.grade().score,
            "done": self.env.done,
        }

    @property
    def message(self) -> str:
        """The last action's message."""
        return self.env.simulator.last_message

    def _say(self, text: str, ok: bool = True) -> None:
        """The status line: ``✔`` and the plain style, or ``✘`` and the error style."""
        css, color, mark = _STYLE[ok]
        self.message_html.value = f'<span class="{css}" style="color:{color}">{mark} {html.escape(text)}</span>'

    def _refresh(self) -> None:
        self.counters_html.value = readout.counters_html(self.counters)

        sim = self.env.simulator
        self._say(sim.last_message, ok=sim.last_valid)
        if self.env.done:
            grade = self.env.grade()
            self.explain_html.value = f"<pre>Episode over.\n{html.escape(grade.explain())}</pre>"
        else:
            self.explain_html.value = ""
        self._valid = valid_actions(sim)
        self._sync_fields()
        for name in self.chart_names:
            self.figures[name] = CHARTS[name](self)
            handle = self.handles.get(name)
            if handle is not None:
                # JupyterLab's plotly renderer keeps a chart it has drawn when new data
                # of the same MIME type arrive; passing through another MIME type makes
                # it draw the new figure. Elsewhere the placeholder is simply replaced.
                handle.update(placeholder(self.figures[name]), raw=True)
                handle.update(figure_bundle(self.figures[name]), raw=True)


def _default_policy(policies: list[str]) -> str:
    """Auto-play's first choice: ``AUTOPLAY_DEFAULT`` where offered, else the first."""
    return AUTOPLAY_DEFAULT if AUTOPLAY_DEFAULT in policies else policies[0]
