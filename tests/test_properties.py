"""Properties over generated profiles and rule files: the engine never raises, stays in bounds, is
deterministic, always balances its mix, and every invalid input becomes an error rather than an exception."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advocate_cli import yamlio
from advocate_cli.batch import plan_documents
from advocate_cli.engine import evaluate
from advocate_cli.errors import AdvocateError
from tests.conftest import TODAY

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def profiles(ruleset):
    """Valid profiles of any rule set, drawn from its own questions."""
    fields = {}
    for q in ruleset.questions.values():
        kind = q.type.value
        if kind == "choice":
            fields[q.id] = st.sampled_from(q.choice_ids)
        elif kind == "multi":
            fields[q.id] = st.lists(st.sampled_from(q.choice_ids), min_size=1, max_size=len(q.choice_ids), unique=True)
        elif kind == "bool":
            fields[q.id] = st.booleans()
        elif kind == "country":
            fields[q.id] = st.sampled_from(["AL", "MK", "RS", "ME", "BA", "XK", "DE", "KE", "BR", "NO"])
        else:
            fields[q.id] = st.text(max_size=40)
    return st.fixed_dictionaries(fields)


@pytest.fixture(scope="module")
def rules():
    from advocate_cli.ruleset import load_ruleset

    return load_ruleset()[0]


@SETTINGS
@given(data=st.data())
def test_plans_are_in_bounds_balanced_and_deterministic(rules, data):
    answers = rules.profile_model.validate(data.draw(profiles(rules)))
    plan = evaluate(answers, rules, today=TODAY)
    assert all(0 <= m.score <= 100 for m in plan.methods)
    assert sum(m.share for m in plan.methods) == pytest.approx(1.0)
    channels = {m.channel for m in plan.recommended}
    assert channels == {"virtual", "analog"} or any(w.topic == "balance" for w in plan.warnings)
    assert plan.to_dict() == evaluate(answers, rules, today=TODAY).to_dict()


@SETTINGS
@given(data=st.data())
def test_going_offline_never_raises_the_virtual_share(rules, data):
    answers = data.draw(profiles(rules))
    online = evaluate(rules.profile_model.validate({**answers, "online_habits": "mostly_online"}), rules, today=TODAY)
    offline = evaluate(rules.profile_model.validate({**answers, "online_habits": "mostly_offline"}), rules, today=TODAY)
    assert offline.mix["virtual"] <= online.mix["virtual"] + 1e-9


junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)


@SETTINGS
@given(data=st.data())
def test_corrupted_profiles_become_error_records(rules, data):
    profile = data.draw(profiles(rules))
    key = data.draw(st.sampled_from(sorted(profile) + ["extra_key"]))
    corrupted = {**profile, key: data.draw(junk)}
    outcomes = list(plan_documents([yamlio.Document(corrupted, None, "gen", 1, 1)], rules.profile_model,
                                   rules.compiled, today=TODAY))
    assert len(outcomes) == 1
    outcome = outcomes[0]
    if outcome.plan is None:
        assert isinstance(outcome.error, AdvocateError)
        record = outcome.to_dict()
        assert set(record) == {"error", "source"} and record["error"]["message"]


@SETTINGS
@given(text=st.text(alphabet=string.printable + "äçë\u202e\x00\x1b", max_size=300))
def test_any_text_parses_or_fails_cleanly(text):
    try:
        yamlio.parse_document(text, file="gen.yaml")
    except AdvocateError:
        pass


rule_values = st.fixed_dictionaries({
    "id": st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True),
    "summary": st.text(min_size=1, max_size=20),
    "why": st.text(min_size=1, max_size=20),
    "source": st.text(min_size=1, max_size=20),
    "effects": st.dictionaries(st.sampled_from(["facebook", "tv", "virtual", "analog", "nope"]),
                               st.integers(-150, 150), min_size=1, max_size=3),
    "when": st.none() | st.fixed_dictionaries({"setting": st.sampled_from(["rural", "urban", "town"])}),
})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule=rule_values, data=st.data())
def test_generated_rule_files_load_or_report_and_never_leave_0_100(tmp_path_factory, rule, data, rules):
    import yaml

    from advocate_cli.ruleset import load_ruleset

    directory = tmp_path_factory.mktemp("gen")
    (directory / "r.yaml").write_text(yaml.safe_dump({"rules": [rule]}), encoding="utf-8")
    try:
        ruleset, _ = load_ruleset([directory])
    except AdvocateError as exc:
        assert str(exc)
        return
    answers = ruleset.profile_model.validate(data.draw(profiles(ruleset)))
    plan = evaluate(answers, ruleset, today=TODAY)
    assert all(0 <= m.score <= 100 for m in plan.methods)
