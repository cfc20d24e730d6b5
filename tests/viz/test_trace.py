""" "At risk" has one owner, the ruleset: the trace (and so every chart and the player)
shows the simulator's own count, which for ``standard`` is the observation's."""

from __future__ import annotations

import pytest

from govworkflow.office.env import GovWorkflowEnv
from govworkflow.office.rulesets import RULESETS
from govworkflow.office.rulesets.legacy.sim import AT_RISK_DAYS
from govworkflow.viz.trace import Trace


@pytest.mark.parametrize("ruleset", sorted(RULESETS))
def test_the_trace_counts_at_risk_as_the_ruleset_does(ruleset: str) -> None:
    rs = RULESETS[ruleset]
    task_id = next(iter(rs.tasks))
    env = GovWorkflowEnv(task_id, ruleset=ruleset)
    env.reset(seed=3)
    sim = env.simulator
    policy = rs.policy("sla_aware")
    policy.reset(3)
    tr = Trace.start(sim)
    seen = set()
    while not env.done and sim.steps < 120:
        env.step(policy.act(env.observe(), env.simulator))
        sim = env.simulator
        tr.add(sim, env.record.steps[-1])
        seen.add(tr.points[-1].at_risk)
        if ruleset == "standard":  # the chart's number is the agent's own observation
            assert tr.points[-1].at_risk == sum(q.at_risk_cases for q in sim.observe().queues)
        else:
            state = sim.state()
            due = state.day + AT_RISK_DAYS
            assert tr.points[-1].at_risk == sum(1 for c in state.active_cases if not c.breached and c.due_day <= due)
    assert len(seen) > 1  # the count moves, so the comparison means something
    assert tr.at_risk_rule == sim.at_risk_rule()
    expected = "slack of at most" if ruleset == "standard" else "due within"
    assert tr.at_risk_rule.startswith(expected)


def test_the_chart_label_is_the_rulesets_definition() -> None:
    pytest.importorskip("plotly")
    from govworkflow.viz import figures

    rs = RULESETS["standard"]
    sim = rs.make("district_backlog_easy", seed=1)
    tr = Trace.start(sim)
    fig = figures.sla_figure(tr)
    names = [d.name for d in fig.data]
    task = rs.task("district_backlog_easy")
    assert f"at risk (slack of at most {task.at_risk_slack_days} days)" in names
