"""A small ipywidgets player for ticket triage (extra: ``notebooks``).

A dropdown offers the tickets that are valid now (nothing else), **Step** works the
picked one, **Undo** goes back one step and **Reset** starts the episode again. Under
them: the clock, the steps left, the running reward, the remaining tickets and the
tickets worked so far.

Every button calls a public method (``step``, ``undo``, ``reset``), so the player can be
driven from code, as the tests do. It works with ipywidgets 7.7 and 8.
"""

from __future__ import annotations

import html
from typing import Any

from govworkflow.core.errors import MissingExtraError
from govworkflow.triage.env import TriageEnv, TriageSnapshot
from govworkflow.triage.instance import Ticket, ticket_reward
from govworkflow.triage.tasks import TriageTask

try:
    import ipywidgets as widgets
    from IPython.display import display
except ImportError as err:  # pragma: no cover - exercised only without the extra
    raise MissingExtraError("ipywidgets", "notebooks") from err

__all__ = ["TriagePlayer", "ticket_label"]

_CELL = "padding:2px 8px;text-align:right"


def ticket_label(ticket: Ticket, time: int) -> str:
    """One line per ticket for the picker: id, type, effort, priority, deadline, reward now."""
    worth = ticket_reward(ticket, time + ticket.effort)
    return (
        f"{ticket.ticket_id}  {ticket.type.value:<11} effort {ticket.effort}  priority {ticket.priority}  "
        f"due {ticket.deadline}  (worth {worth:+.1f} now)"
    )


def _table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th style='{_CELL}'>{html.escape(h)}</th>" for h in header)
    cells = ("".join(f"<td style='{_CELL}'>{html.escape(str(v))}</td>" for v in r) for r in rows)
    body = "".join(f"<tr>{c}</tr>" for c in cells)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


class TriagePlayer:
    """Play a triage episode by hand: pick a valid ticket, Step; Undo; Reset.

    ``env`` is the ``TriageEnv`` being played (``env.grade()``, ``env.oracle()``).
    """

    def __init__(self, task_id: str | TriageTask | None = None, *, seed: int | None = None) -> None:
        self.env = TriageEnv(task_id, seed=seed)
        self.seed = seed
        self.message = ""
        self._history: list[TriageSnapshot] = []
        self.picker = widgets.Dropdown(description="ticket", layout=widgets.Layout(width="520px"))
        self.buttons = {
            "step": widgets.Button(description="Step", button_style="primary", tooltip="work the picked ticket"),
            "undo": widgets.Button(description="Undo", tooltip="go back one step"),
            "reset": widgets.Button(description="Reset", tooltip="start the episode again"),
        }
        self.buttons["step"].on_click(lambda _: self.step())
        self.buttons["undo"].on_click(lambda _: self.undo())
        self.buttons["reset"].on_click(lambda _: self.reset())
        self.status = widgets.HTML()
        self.tickets_html = widgets.HTML()
        self.worked_html = widgets.HTML()
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.picker, *self.buttons.values()]),
                self.status,
                widgets.HTML("<b>Remaining tickets</b> (arrived)"),
                self.tickets_html,
                widgets.HTML("<b>Worked</b>"),
                self.worked_html,
            ]
        )
        self.reset()

    # -- what the buttons call ----------------------------------------------------------
    def reset(self, seed: int | None = None) -> None:
        """Start again (same seed unless ``seed`` is given)."""
        self.env.reset(seed=self.seed if seed is None else seed)  # a refused seed changes nothing
        if seed is not None:
            self.seed = seed
        self._history.clear()
        self.message = "reset"
        self.refresh()

    def step(self, ticket_id: str | None = None) -> float | None:
        """Work ``ticket_id`` (default: the picked ticket); returns the reward, or None if nothing to do."""
        ticket_id = ticket_id if ticket_id is not None else self.picker.value
        if self.env.done or ticket_id is None:
            self.message = "the episode is over: Undo or Reset" if self.env.done else "no ticket picked"
            self.refresh()
            return None
        self._history.append(self.env.snapshot())
        _, reward, _, _, info = self.env.step(ticket_id)
        self.message = f"{info['message']} (reward {reward:+.1f})"
        self.refresh()
        return float(reward)

    def undo(self) -> None:
        """Go back one step (nothing happens at the start)."""
        if not self._history:
            self.message = "nothing to undo"
        else:
            self.env.restore(self._history.pop())
            self.message = f"undone: back to step {self.env.simulator.steps}"
        self.refresh()

    # -- state -------------------------------------------------------------------------
    @property
    def counters(self) -> dict[str, Any]:
        """Time, steps, steps left, running reward, tickets left and whether the episode is over."""
        sim = self.env.simulator
        return {
            "time": sim.time,
            "step": sim.steps,
            "steps_left": sim.max_steps - sim.steps,
            "reward": sim.reward_sum,
            "remaining": len(self.env.observe().tickets) + self.env.observe().tickets_to_come,
            "worked": [s.ticket_id for s in sim.scheduled],
            "done": self.env.done,
        }

    def refresh(self) -> None:
        """Redraw the picker, the status line and the tables from the environment."""
        obs = self.env.observe()
        valid = set(self.env.valid_actions())
        options = [(ticket_label(t, obs.time), t.ticket_id) for t in obs.tickets if t.ticket_id in valid]
        self.picker.options = options
        self.picker.value = options[0][1] if options else None
        self.picker.disabled = not options
        self.buttons["step"].disabled = not options
        self.buttons["undo"].disabled = not self._history
        c = self.counters
        end = " &middot; <b>episode over</b>" if c["done"] else ""
        workers = ", ".join(str(t) for t in obs.workers_free_at)
        self.status.value = (
            f"<b>time</b> {c['time']} &middot; <b>step</b> {c['step']} ({c['steps_left']} left) &middot; "
            f"<b>reward</b> {c['reward']:+.1f} &middot; <b>to come</b> {obs.tickets_to_come} &middot; "
            f"<b>workers free at</b> {workers}{end}<br><i>{html.escape(self.message)}</i>"
        )
        self.tickets_html.value = _table(
            ["id", "type", "effort", "priority", "deadline", "arrived", "worth now"],
            [
                [t.ticket_id, t.type.value, t.effort, t.priority, t.deadline, t.arrival,
                 f"{ticket_reward(t, obs.time + t.effort):+.1f}"]
                for t in obs.tickets
            ],
        )  # fmt: skip
        self.worked_html.value = _table(
            ["id", "worker", "start", "finish", "on time", "reward"],
            [
                [s.ticket_id, s.worker, s.start, s.finish, "yes" if s.on_time else "no", f"{s.reward:+.1f}"]
                for s in self.env.simulator.scheduled
            ],
        )

    def _ipython_display_(self) -> None:
        display(self.widget)
