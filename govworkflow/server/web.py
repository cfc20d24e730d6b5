"""The browser playground at ``/web``: pick a ruleset, task and seed, play, undo, run a policy.

``mount_web(app)`` adds the page (``GET /web``, its files from ``server/static/``,
``plotly.min.js`` from the installed ``plotly`` package) and its JSON API under
``/web/api`` (``docs/server.md``, ``## /web``). Episodes run in the package's own native
envs (``GovWorkflowEnv``, ``TriageEnv``), never through the OpenEnv routes; charts are the
page's own plotly.js charts of the series each view carries.

* Only valid actions are offered: the gym adapter's macro-actions that its exact mask
  allows (``office.encoding``), the others with the env's ``why_invalid`` reason; a step
  the env would count as invalid is refused with that reason, changing nothing.
* Undo replays the recorded actions minus the last on a fresh env of the same task and
  seed (exact, and costs no snapshots); a policy then restarts from its seed.
* The store is bounded (``WebConfig``): a full store answers 503 and creates nothing.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError
from starlette.concurrency import run_in_threadpool

from govworkflow.core import errors
from govworkflow.core.errors import GovWorkflowError, MissingExtraError, UnknownNameError, check_seed
from govworkflow.core.kernel import Policy, PublicView, Suite, is_privileged
from govworkflow.core.native import EpisodeHolder
from govworkflow.office.encoding import action_masks, action_table
from govworkflow.office.env import GovWorkflowEnv
from govworkflow.office.models import Action
from govworkflow.office.rulesets import DEFAULT_RULESET, RULESETS
from govworkflow.office.vocab import ActionType, Service
from govworkflow.triage.env import TriageEnv
from govworkflow.triage.suite import TRIAGE

__all__ = ["EpisodeStore", "WebConfig", "WebError", "mount_web"]

#: The page's own files, served from ``/web/static/<name>``.
STATIC_FILES = {"index.html": "text/html", "app.js": "text/javascript", "style.css": "text/css"}


# -- errors --------------------------------------------------------------------------
class WebError(GovWorkflowError):
    """An error of the ``/web/api`` routes; ``status`` and ``code`` say how it is sent."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.extra = status, code, extra


#: How the package's errors are sent: (class, HTTP status, code); any other is ``cannot_play``.
_ERRORS: tuple[tuple[type[Exception], int, str], ...] = (
    (errors.InvalidActionError, 422, "invalid_action"), (errors.BadValueError, 422, "bad_value"),
    (MissingExtraError, 503, "missing_extra"), (errors.EpisodeFinishedError, 409, "episode_over"),
)  # fmt: skip


def _describe(exc: Exception) -> WebError:
    """The typed error a package error is sent as."""
    if isinstance(exc, WebError):
        return exc
    if isinstance(exc, UnknownNameError):
        return WebError(422, "unknown_name", str(exc), kind=exc.kind, value=exc.value, choices=list(exc.choices))
    status, code = next(((s, c) for cls, s, c in _ERRORS if isinstance(exc, cls)), (409, "cannot_play"))
    return WebError(status, code, str(exc))


def _error_response(err: WebError) -> JSONResponse:
    return JSONResponse({"detail": str(err), "code": err.code, **err.extra}, status_code=err.status)


# -- limits and the store ------------------------------------------------------------
@dataclass(frozen=True)
class WebConfig:
    """Limits of the playground's episode store."""

    max_episodes: int = 16
    """Live episodes at most (every page holds one; a new episode replaces its page's)."""
    idle_timeout_s: float = 900.0
    """An episode without requests for this long is closed."""

    def __post_init__(self) -> None:
        errors.check_count(self.max_episodes, "max_episodes")
        errors.check_positive(self.idle_timeout_s, "idle_timeout_s")


class EpisodeStore:
    """The live episodes, under ``WebConfig``'s limits (``clock``: injectable for tests)."""

    def __init__(self, config: WebConfig, clock: Callable[[], float] = time.monotonic) -> None:
        self.config, self.clock = config, clock
        self._episodes: dict[str, Episode] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._episodes)

    def add(self, episode: Episode, replace: str | None = None) -> Episode:
        """Store ``episode`` (closing ``replace`` first), or 503 when every slot is taken."""
        with self._lock:
            self._episodes.pop(replace or "", None)
            self._reap()
            if len(self._episodes) >= self.config.max_episodes:
                raise WebError(
                    503, "store_full",
                    f"episode store full: {len(self._episodes)} of max_episodes={self.config.max_episodes} live; "
                    f"close one (POST /web/api/episodes/<id>/close) or wait for idle ones to expire after "
                    f"{self.config.idle_timeout_s:g} s",
                    max_episodes=self.config.max_episodes,
                )  # fmt: skip
            episode.last_active = self.clock()
            self._episodes[episode.episode_id] = episode
            return episode

    def get(self, episode_id: str) -> Episode:
        """The live episode ``episode_id``, marked active now (404 if unknown or expired)."""
        with self._lock:
            self._reap()
            episode = self._episodes.get(episode_id)
            if episode is None:
                raise WebError(
                    404, "unknown_episode",
                    f"unknown episode {episode_id[:64]!r}: it was closed, expired after "
                    f"{self.config.idle_timeout_s:g} s idle, or never existed; start one with POST /web/api/episodes",
                )  # fmt: skip
            episode.last_active = self.clock()
            return episode

    def close(self, episode_id: str) -> bool:
        with self._lock:
            return self._episodes.pop(episode_id, None) is not None

    def _reap(self) -> None:
        now = self.clock()
        for eid in [e for e, ep in self._episodes.items() if now - ep.last_active > self.config.idle_timeout_s]:
            del self._episodes[eid]


# -- one face per environment: actions, read-outs, charts ----------------------------
def _label(action: Action) -> str:
    """A person's reading of an office action (``advance the day``, ``move 2 officers from a to b``)."""
    s, t, d = action.service, action.target_service, action.officer_delta  # StrEnums: they print their values
    officers = f"{d} officer{'s' if d != 1 else ''}"
    return {
        ActionType.ADVANCE_TIME: "advance the day",
        ActionType.SET_PRIORITY_MODE: f"priority mode: {action.priority_mode}",
        ActionType.ASSIGN_CAPACITY: f"assign {officers} from the reserve to {s}",
        ActionType.REQUEST_MISSING_DOCUMENTS: f"request missing documents: {s}",
        ActionType.ESCALATE_SERVICE: f"escalate {s}" + (f" case {action.case_id}" if action.case_id else ""),
        ActionType.REALLOCATE_OFFICERS: f"move {officers} from {s} to {t}",
    }.get(action.action_type, str(action))


#: Office chart points, one per step and the reset: (day, open cases per service, at risk,
#: SLA breaches so far, completed so far).
OfficePoint = tuple[int, tuple[int, ...], int, int, int]


class OfficeFace:
    """The service office (rulesets ``legacy``, ``standard``, ...)."""

    environment = "office"

    def make(self, suite: Suite, task_id: str) -> EpisodeHolder[Any, Any]:
        return GovWorkflowEnv(task_id, ruleset=suite.name)

    def track(self, env: Any, trace: list[OfficePoint] | None) -> list[OfficePoint]:
        """The chart points so far, with the office as it is now appended."""
        obs, sim, trace = env.observe(), env.simulator, [] if trace is None else trace
        actives = tuple(q.active_cases for q in obs.queues)
        trace.append((obs.day, actives, sim.at_risk_cases(), obs.total_sla_breaches, obs.total_completed))
        return trace

    def entry(self, env: Any, action: Action) -> dict[str, Any]:
        """How the page lists an action: its label, its JSON form and its group."""
        json_form = action.model_dump(mode="json", exclude_none=True)
        return {"label": _label(action), "action": json_form, "group": action.action_type.value}

    def offered(self, env: Any) -> tuple[list[Any], list[tuple[Any, str]]]:
        """The gym adapter's macro-actions its exact mask allows now; the others that name
        only the task's services, with the env's reason."""
        sim = env.simulator
        if sim.done:
            return [], []
        services = {q.service for q in sim.observe().queues}
        pairs = list(zip(action_table(), action_masks(sim), strict=True))
        named = [a for a, ok in pairs if not ok and {a.service, a.target_service} - {None} <= services]
        return [a for a, ok in pairs if ok], [(a, sim.why_invalid(a) or "") for a in named]

    def counters(self, env: Any, trace: list[OfficePoint]) -> list[tuple[str, str, Any]]:
        obs = env.observe()
        return [
            ("day", "day", f"{obs.day} / {obs.max_days}"), ("step", "step", env.simulator.steps),
            ("backlog", "backlog", obs.total_backlog), ("completed", "completed", obs.total_completed),
            ("sla_breaches", "SLA breaches", obs.total_sla_breaches), ("at_risk", "at risk", trace[-1][2]),
            ("reserve", "reserve officers", obs.reserve_officers), ("mode", "priority mode", obs.priority_mode),
            ("reward", "reward so far", round(env.record.reward_sum, 4)),
        ]  # fmt: skip

    def series(self, env: Any, trace: list[OfficePoint]) -> dict[str, Any]:
        """What the backlog and deadlines charts plot: the office at the end of each day."""
        daily = list({p[0]: p for p in trace}.values())
        services = [q.service for q in env.observe().queues]
        return {
            "days": [p[0] for p in daily], "services": services,
            "colors": [list(Service).index(Service(s)) for s in services],  # a fixed colour per service
            "backlog": [[p[1][i] for p in daily] for i in range(len(services))],
            "at_risk": [p[2] for p in daily], "at_risk_rule": env.simulator.at_risk_rule(),
            "sla_breaches": [p[3] for p in daily], "completed": [p[4] for p in daily],
        }  # fmt: skip


class TriageFace:
    """Ticket triage (ruleset ``triage``): each step names the ticket the next worker takes."""

    environment = "triage"

    def make(self, suite: Suite, task_id: str) -> EpisodeHolder[Any, Any]:
        return TriageEnv(task_id)

    def track(self, env: Any, trace: list[tuple[int, float, int]] | None) -> list[tuple[int, float, int]]:
        """(step, reward so far, tickets left) after reset and each step."""
        obs, trace = env.observe(), [] if trace is None else trace
        trace.append((env.simulator.steps, env.record.reward_sum, len(obs.tickets) + obs.tickets_to_come))
        return trace

    def entry(self, env: Any, action: Any) -> dict[str, Any]:
        t = next((t for t in env.observe().tickets if t.ticket_id == action.ticket_id), None)
        label = str(action) if t is None else f"work {t.ticket_id}: {t.type.value}, effort {t.effort}, "
        label += "" if t is None else f"priority {t.priority}, due {t.deadline}"
        return {"label": label, "action": {"ticket_id": action.ticket_id}, "group": "tickets"}

    def offered(self, env: Any) -> tuple[list[Any], list[tuple[Any, str]]]:
        ids = set(env.valid_actions())
        tickets = [t for t in env.observe().tickets if t.ticket_id in ids]
        return [TriageEnv.parse_action(t.ticket_id) for t in tickets], []

    def counters(self, env: Any, trace: list[tuple[int, float, int]]) -> list[tuple[str, str, Any]]:
        obs = env.observe()
        return [
            ("time", "time", obs.time), ("step", "step", env.simulator.steps),
            ("steps_left", "steps left", obs.steps_left), ("tickets", "tickets waiting", len(obs.tickets)),
            ("to_come", "tickets to come", obs.tickets_to_come),
            ("reward", "reward so far", round(env.record.reward_sum, 4)),
        ]  # fmt: skip

    def series(self, env: Any, trace: list[tuple[int, float, int]]) -> dict[str, Any]:
        """What the progress chart plots, step by step."""
        return {"steps": [p[0] for p in trace], "reward": [p[1] for p in trace], "tickets_left": [p[2] for p in trace]}


FACES = (OfficeFace(), TriageFace())


def _find(ruleset: Any) -> tuple[OfficeFace | TriageFace, Suite]:
    if ruleset == TRIAGE.name:
        return FACES[1], TRIAGE
    if isinstance(ruleset, str) and ruleset in RULESETS:
        return FACES[0], RULESETS[ruleset]
    raise UnknownNameError("ruleset", ruleset, [*RULESETS, TRIAGE.name])


@cache
def usable_policies(ruleset: str) -> tuple[str, ...]:
    """The suite's policies that can act here: each takes one action on a fresh episode,
    and one that lacks a trained model or an extra is left out."""
    suite, names = _find(ruleset)[1], []
    for name in suite.policies:
        sim = suite.make(next(iter(suite.tasks)))
        try:
            policy = suite.policy(name)
            policy.reset(sim.seed)
            policy.act(sim.observe(), sim if is_privileged(policy) else PublicView(sim))
        except (GovWorkflowError, ImportError):
            continue
        names.append(name)
    return tuple(names)


# -- an episode ----------------------------------------------------------------------
@dataclass(eq=False)
class Episode:
    """One page's episode: its env, what was played (and by whom), the chart trace."""

    face: OfficeFace | TriageFace
    suite: Suite
    task_id: str
    seed: int
    episode_id: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    env: Any = None
    trace: Any = None
    played: list[tuple[Any, str]] = field(default_factory=list)
    policy: tuple[str, Policy] | None = None
    last_active: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def restart(self, actions: list[tuple[Any, str]]) -> None:
        """A fresh env of the task and seed with ``actions`` replayed (reset, and undo)."""
        env = self.face.make(self.suite, self.task_id)
        env.reset(seed=self.seed)
        self.env, self.trace, self.played, self.policy = env, self.face.track(env, None), [], None
        for action, by in actions:
            self._apply(action, by)

    def _apply(self, action: Any, by: str) -> None:
        self.env.step(action)
        self.trace = self.face.track(self.env, self.trace)
        self.played.append((action, by))

    def step(self, raw: Any) -> None:
        """Play a person's action: refused (nothing changes) unless the env finds it valid."""
        action = self.env.parse_action(raw)
        if self.env.done:
            raise WebError(409, "episode_over", "the episode is over: start a new one, or undo")
        why = self.env.why_invalid(action)
        if why is not None:
            raise WebError(422, "invalid_action", f"action {action} is not valid now: {why}", action=raw)
        self._apply(action, "you")

    def why(self, raw: Any) -> dict[str, Any]:
        action = self.env.parse_action(raw)
        reason = "the episode is over" if self.env.done else self.env.why_invalid(action)
        return {"action": self.face.entry(self.env, action)["action"], "valid": reason is None, "reason": reason}

    def undo(self) -> None:
        if not self.played:
            raise WebError(409, "nothing_to_undo", "nothing to undo: no step has been played in this episode")
        self.restart(self.played[:-1])

    def run_policy(self, req: PolicyBody) -> None:
        """``req.steps`` steps of policy ``req.policy`` (``None``: to the end), as ``run_episode`` plays."""
        name = req.policy
        if name not in usable_policies(self.suite.name):
            raise UnknownNameError(f"{self.suite.name} policy", name, usable_policies(self.suite.name))
        if self.env.done:
            raise WebError(409, "episode_over", "the episode is over: start a new one, or undo")
        if self.policy is None or self.policy[0] != name:
            self.policy = (name, self.suite.policy(name))
            self.policy[1].reset(self.env.simulator.seed)
        policy, n = self.policy[1], 0
        while not self.env.done and (req.steps is None or n < req.steps):
            sim = self.env.simulator
            self._apply(policy.act(sim.observe(), sim if is_privileged(policy) else PublicView(sim)), name)
            n += 1

    def view(self) -> dict[str, Any]:
        """Everything the page shows."""
        env, face, sim = self.env, self.face, self.env.simulator
        valid, invalid = face.offered(env)
        played = [{**face.entry(env, a), "by": by} for a, by in self.played]
        return {
            "episode_id": self.episode_id, "environment": face.environment, "ruleset": self.suite.name,
            "task_id": self.task_id, "seed": self.seed, "step": sim.steps, "done": env.done,
            "terminated": sim.terminated, "truncated": sim.truncated,
            "message": sim.last_message, "last_valid": sim.last_valid,
            "counters": [{"key": k, "label": lab, "value": v} for k, lab, v in face.counters(env, self.trace)],
            "actions": [face.entry(env, a) for a in valid],
            "invalid_actions": [{**face.entry(env, a), "reason": r} for a, r in invalid],
            "grade": env.grade().model_dump(mode="json"), "history": played,
            "can_undo": bool(self.played), "policy": self.policy[0] if self.policy else None,
            "series": face.series(env, self.trace),
        }  # fmt: skip


# -- request bodies ------------------------------------------------------------------
class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewEpisode(_Body):
    ruleset: str = Field(description="An office ruleset (legacy, standard) or triage.")
    task_id: str | None = Field(None, description="Default: the ruleset's first task.")
    seed: Any = Field(None, description="A non-negative integer (default: the task's own seed).")
    replace: str | None = Field(None, max_length=128, description="The page's current episode, closed first.")


class ActionBody(_Body):
    action: dict[str, Any] | str = Field(description="An action object (triage: also a ticket id).")


class PolicyBody(_Body):
    policy: str
    steps: StrictInt | None = Field(None, ge=1, le=100_000, description="Steps to play (default: to the end).")


def _parse(model: type[BaseModel], body: Any) -> Any:
    try:
        return model.model_validate(body)
    except ValidationError as err:
        raise WebError(422, "invalid_request", errors.validation_message(err, model, "request body")) from None


async def _read_json(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return {}
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if kind != "application/json":
        raise WebError(415, "unsupported_media_type", f"content-type must be application/json, got {kind!r}")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise WebError(400, "malformed_json", "request body is not valid JSON (or is nested too deeply)") from None


# -- routes --------------------------------------------------------------------------
def mount_web(app: FastAPI, config: WebConfig | None = None) -> EpisodeStore:
    """Add the playground (``/web``, ``/web/api/...``) to ``app``; returns its store."""
    store = EpisodeStore(config or WebConfig())

    async def answer(request: Request, work: Callable[[Any], Any], status: int = 200) -> Response:
        try:
            body = await _read_json(request)
            return JSONResponse(await run_in_threadpool(work, body), status_code=status)
        except GovWorkflowError as exc:
            return _error_response(_describe(exc))

    def create(body: Any) -> dict[str, Any]:
        req: NewEpisode = _parse(NewEpisode, body)
        face, suite = _find(req.ruleset)
        task = suite.task(req.task_id if req.task_id is not None else next(iter(suite.tasks)))
        seed = task.seed if req.seed is None else check_seed(req.seed)
        episode = Episode(face, suite, task.task_id, seed)
        episode.restart([])
        return store.add(episode, req.replace).view()

    def options(_: Any) -> dict[str, Any]:
        rows = []
        for face, suite in map(_find, [*RULESETS, TRIAGE.name]):  # the office's registry may grow at run time
            tasks = [{"task_id": t.task_id, "default_seed": t.seed, "description": t.description}
                     for t in suite.tasks.values()]  # fmt: skip
            rows.append({"ruleset": suite.name, "environment": face.environment, "description": suite.description,
                         "tasks": tasks, "policies": list(usable_policies(suite.name))})  # fmt: skip
        limits = {"max_episodes": store.config.max_episodes, "idle_timeout_s": store.config.idle_timeout_s}
        return {"rulesets": rows, "default_ruleset": DEFAULT_RULESET, "limits": limits}

    def route(method: str, path: str, work: Callable[[Request], Callable[[Any], Any]], status: int = 200) -> None:
        async def endpoint(request: Request) -> Response:
            return await answer(request, work(request), status)

        app.add_api_route(path, endpoint, methods=[method], include_in_schema=False)

    def acting(act: Callable[[Episode, Any], Any]) -> Callable[[Request], Callable[[Any], Any]]:
        """The work of a route on one episode (under its lock): ``act``'s reply, else the view."""

        def work_for(request: Request) -> Callable[[Any], Any]:
            def work(body: Any) -> Any:
                episode = store.get(str(request.path_params["episode_id"]))
                with episode.lock:
                    out = act(episode, body)
                    return episode.view() if out is None else out

            return work

        return work_for

    episode = "/web/api/episodes/{episode_id}"
    route("GET", "/web/api/options", lambda r: options)
    route("POST", "/web/api/episodes", lambda r: create, 201)
    route("GET", episode, acting(lambda e, b: None))
    route("POST", f"{episode}/step", acting(lambda e, b: e.step(_parse(ActionBody, b).action)))
    route("POST", f"{episode}/why", acting(lambda e, b: e.why(_parse(ActionBody, b).action)))
    route("POST", f"{episode}/undo", acting(lambda e, b: e.undo()))
    route("POST", f"{episode}/policy", acting(lambda e, b: e.run_policy(_parse(PolicyBody, b))))
    route("POST", f"{episode}/close", lambda r: lambda b: {"closed": store.close(str(r.path_params["episode_id"]))})
    app.add_api_route("/web", lambda: _static("index.html"), methods=["GET"], include_in_schema=False)
    app.add_api_route("/web/static/{name}", _static, methods=["GET"], include_in_schema=False)
    app.add_api_route("/web/plotly.min.js", _plotly_js, methods=["GET"], include_in_schema=False)
    return store


def _static(name: str) -> Response:
    if name not in STATIC_FILES:
        err = WebError(404, "unknown_file", f"unknown file {name[:64]!r}; files: {', '.join(STATIC_FILES)}")
        return _error_response(err)
    data = resources.files("govworkflow.server").joinpath("static", name).read_bytes()
    return Response(data, media_type=STATIC_FILES[name], headers={"Cache-Control": "no-cache"})


def _plotly_js() -> Response:
    """plotly.js as shipped in the installed ``plotly`` package (never fetched from elsewhere)."""
    try:
        import plotly
    except ImportError:
        return _error_response(WebError(503, "missing_extra", str(MissingExtraError("plotly", "notebooks"))))
    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        return _error_response(WebError(503, "missing_file", f"plotly {plotly.__version__} has no {path.name}"))
    return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "public, max-age=3600"})
