"""Scenario weights: the named tables, overrides, and clear errors for bad input."""

from __future__ import annotations

import pytest

from app.loadtest.scenarios import ACTIONS, SCENARIOS, ScenarioError, weights


def test_every_scenario_names_real_actions_only():
    for table in SCENARIOS.values():
        assert set(table) <= set(ACTIONS)
        assert all(w > 0 for w in table.values())


def test_scenarios_differ_in_what_they_stress():
    def reads(name: str) -> float:
        table = SCENARIOS[name]
        read = sum(w for a, w in table.items() if a.split("_")[0] in {"browse", "open", "search",
                                                                     "read", "task"})
        return read / sum(table.values())

    assert reads("read-heavy") > reads("mixed") > reads("write-heavy")


def test_overrides_change_add_and_turn_off_actions():
    table = weights("mixed", "create_task=50, delete_task=0,task_stats=7")
    assert table["create_task"] == 50
    assert "delete_task" not in table
    assert table["task_stats"] == 7
    assert weights("write-heavy", "task_stats=3")["task_stats"] == 3


@pytest.mark.parametrize("scenario, overrides, message", [
    ("calm", None, "unknown scenario"),
    ("mixed", "fly=3", "action=weight"),
    ("mixed", "create_task", "action=weight"),
    ("mixed", "create_task=lots", "integer"),
    ("mixed", "create_task=-1", "0-1000"),
    ("read-heavy", ",".join(f"{a}=0" for a in ACTIONS), "nothing to do"),
])
def test_bad_scenarios_and_weights_say_what_is_wrong(scenario, overrides, message):
    with pytest.raises(ScenarioError, match=message):
        weights(scenario, overrides)


def test_the_mixed_scenario_does_every_action():
    assert set(SCENARIOS["mixed"]) == set(ACTIONS)
