"""The engine: scores explained by contributions, the balance guarantee, clamping, facts and warnings."""

from __future__ import annotations

import datetime as dt

import pytest

from advocate_cli.engine import evaluate
from advocate_cli.ruleset import load_ruleset
from tests.conftest import COMPLETE, COMPLETE_MINI, TODAY, write


def plan_for(ruleset, **answers):
    return evaluate(ruleset.profile_model.validate(answers), ruleset, today=TODAY)


def test_every_score_is_base_plus_contributions(mini):
    plan = plan_for(mini, **{**COMPLETE_MINI, "audiences": ["youth", "older_people"]})
    for m in plan.methods:
        assert m.score == max(0, min(100, m.base + sum(c.points for c in m.contributions)))
    radio = next(m for m in plan.methods if m.id == "radio")
    assert {c.rule for c in radio.contributions} == {"offline-analog", "accessible"}
    assert next(c for c in radio.contributions if c.rule == "accessible").points == 15  # 5 per accessibility level


def test_methods_are_ranked_and_shares_sum_to_one(mini):
    plan = plan_for(mini, **COMPLETE_MINI)
    scores = [m.score for m in plan.methods]
    assert scores == sorted(scores, reverse=True)
    assert sum(m.share for m in plan.methods) == pytest.approx(1.0)
    assert sum(1 for m in plan.methods if m.recommended) == 5
    assert all(m.share == 0 for m in plan.methods if not m.recommended)
    assert plan.mix["virtual"] + plan.mix["analog"] == pytest.approx(1.0)


def test_evaluate_is_deterministic(mini):
    answers = mini.profile_model.validate(COMPLETE_MINI)
    assert evaluate(answers, mini, today=TODAY).to_dict() == evaluate(answers, mini, today=TODAY).to_dict()


def lopsided(tmp_path, analog: int = 1):
    methods = "methods:\n" + "".join(
        f"  - {{id: v{i}, label: V{i}, channel: virtual}}\n" for i in range(6)
    ) + "".join(f"  - {{id: a{i}, label: A{i}, channel: analog, base: 10}}\n" for i in range(analog))
    directory = tmp_path / "lop"
    write(directory / "methods.yaml", methods)
    write(directory / "questions.yaml", "questions:\n  - {id: country, prompt: Which country, type: country}\n")
    ruleset, _ = load_ruleset([directory], include_default=False)
    return ruleset


def test_a_one_sided_mix_gets_the_best_method_of_the_other_side_and_a_balance_warning(tmp_path):
    ruleset = lopsided(tmp_path)
    plan = plan_for(ruleset, country="AL")
    recommended = [m.id for m in plan.methods if m.recommended]
    assert "a0" in recommended and len(recommended) == 5
    assert {m.channel for m in plan.recommended} == {"virtual", "analog"}
    balance = [w for w in plan.warnings if w.topic == "balance"]
    assert [w.id for w in balance] == ["balance-added-analog"]
    assert "A0" in balance[0].message


def test_a_rule_set_without_one_channel_says_so(tmp_path):
    ruleset = lopsided(tmp_path, analog=0)
    plan = plan_for(ruleset, country="AL")
    assert [w.id for w in plan.warnings] == ["balance-no-analog"]
    assert plan.mix == {"virtual": 1.0, "analog": 0.0}


def test_scores_are_clamped_to_0_100(tmp_path):
    directory = tmp_path / "r"
    write(directory / "q.yaml", "questions:\n  - {id: country, prompt: Which country, type: country}\n")
    write(directory / "m.yaml", "methods:\n  - {id: a, label: A, channel: analog, base: 90}\n"
          "  - {id: v, label: V, channel: virtual, base: 10}\n")
    write(directory / "r.yaml", "rules:\n"
          "  - {id: up, summary: s, why: w, source: s, effects: {a: 100, v: -100}}\n"
          "  - {id: up2, summary: s, why: w, source: s, effects: {a: 50}}\n")
    ruleset, _ = load_ruleset([directory], include_default=False)
    plan = plan_for(ruleset, country="AL")
    assert [(m.id, m.score) for m in plan.methods] == [("a", 100), ("v", 0)]
    assert [c.points for c in plan.methods[0].contributions] == [100, 50]


def test_warnings_can_depend_on_the_mix(mini):
    online = plan_for(mini, **{**COMPLETE_MINI, "audiences": ["youth"], "online_habits": "mostly_online"})
    offline = plan_for(mini, **COMPLETE_MINI)
    assert "mostly-virtual" in [w.id for w in online.warnings]
    assert "mostly-virtual" not in [w.id for w in offline.warnings]


def test_cited_facts_carry_review_state(mini):
    plan = plan_for(mini, **COMPLETE_MINI)
    assert [(f.id, f.verified, f.stale) for f in plan.facts] == [("xa-fact", False, True)]
    fresh = evaluate(mini.profile_model.validate(COMPLETE_MINI), mini, today=dt.date(2024, 6, 1))
    assert fresh.facts[0].stale is False


def test_unknown_country_fires_the_generic_warning(mini):
    plan = plan_for(mini, **{**COMPLETE_MINI, "country": "DE"})
    assert "unknown-country" in [w.id for w in plan.warnings]


def test_the_json_shape_is_the_public_contract(mini):
    data = plan_for(mini, **COMPLETE_MINI).to_dict()
    assert {"name", "profile", "methods", "mix", "warnings", "source"} <= set(data)
    method = data["methods"][0]
    assert {"id", "label", "channel", "score", "recommended", "share", "contributions"} <= set(method)
    assert set(method["contributions"][0]) >= {"rule", "points", "why"}
    assert set(data["mix"]) == {"virtual", "analog"}


# -- the principles, on the shipped rules -------------------------------------------------------

def test_older_offline_rural_audiences_get_analog_methods_on_top(default_rules):
    plan = plan_for(default_rules, **{**COMPLETE, "setting": "rural", "audiences": ["older_people"],
                                      "online_habits": "mostly_offline"})
    assert plan.methods[0].channel == "analog"
    assert plan.mix["analog"] > plan.mix["virtual"]


def test_young_online_urban_audiences_get_virtual_methods_on_top(default_rules):
    plan = plan_for(default_rules, **{**COMPLETE, "country": "MK", "setting": "urban", "audiences": ["youth"],
                                      "online_habits": "mostly_online"})
    assert plan.methods[0].channel == "virtual"
    assert plan.mix["virtual"] > plan.mix["analog"]


def test_minors_bring_a_minors_warning(default_rules):
    plan = plan_for(default_rules, **{**COMPLETE, "involves_minors": True})
    assert "minors" in {w.topic for w in plan.warnings}


def test_every_shipped_plan_holds_both_channels(default_rules):
    for habits in ("mostly_online", "mixed", "mostly_offline"):
        for audience in ("youth", "older_people", "decision_makers"):
            plan = plan_for(default_rules, **{**COMPLETE, "audiences": [audience], "online_habits": habits})
            assert {m.channel for m in plan.recommended} == {"virtual", "analog"}
