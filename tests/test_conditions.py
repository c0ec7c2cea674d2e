"""The `when` language: every operator, and load-time problems for unknown keys, operators and values."""

from __future__ import annotations

import pytest

from advocate_cli.conditions import KeySpec, compile_condition

KEYS = {
    "setting": KeySpec("choice", ("urban", "rural", "mixed")),
    "audiences": KeySpec("multi", ("youth", "parents", "older_people")),
    "involves_minors": KeySpec("bool", (True, False)),
    "mix.virtual": KeySpec("number"),
    "name": KeySpec("text"),
}
CTX = {
    "setting": "rural",
    "audiences": frozenset({"youth", "parents"}),
    "involves_minors": True,
    "mix.virtual": 0.4,
}


@pytest.mark.parametrize(
    "when, expected",
    [
        ({"setting": "rural"}, True),
        ({"setting": {"eq": "urban"}}, False),
        ({"setting": {"ne": "urban"}}, True),
        ({"setting": {"in": ["urban", "rural"]}}, True),
        ({"setting": {"not_in": ["urban", "rural"]}}, False),
        ({"audiences": {"contains": "youth"}}, True),
        ({"audiences": {"contains": "older_people"}}, False),
        ({"audiences": {"contains_any": ["older_people", "parents"]}}, True),
        ({"audiences": {"contains_all": ["youth", "parents"]}}, True),
        ({"audiences": {"contains_all": ["youth", "older_people"]}}, False),
        ({"audiences": {"contains_none": ["older_people"]}}, True),
        ({"mix.virtual": {"gt": 0.4}}, False),
        ({"mix.virtual": {"gte": 0.4}}, True),
        ({"mix.virtual": {"lt": 0.5}}, True),
        ({"mix.virtual": {"lte": 0.3}}, False),
        ({"name": {"is_set": True}}, False),
        ({"name": {"is_set": False}}, True),
        ({"involves_minors": True}, True),
        ({"all": [{"setting": "rural"}, {"involves_minors": False}]}, False),
        ({"any": [{"setting": "urban"}, {"involves_minors": True}]}, True),
        ({"not": {"setting": "rural"}}, False),
        ({"setting": "rural", "involves_minors": True}, True),
        ({"setting": {"in": ["rural", "mixed"], "ne": "mixed"}}, True),
    ],
)
def test_operator(when, expected):
    compiled = compile_condition(when, KEYS)
    assert compiled.problems == []
    assert compiled.test(CTX) is expected


def test_no_condition_always_holds():
    assert compile_condition(None, KEYS).test({}) is True


def test_missing_multi_answer_counts_as_empty():
    assert compile_condition({"audiences": {"contains_none": ["youth"]}}, KEYS).test({}) is True


@pytest.mark.parametrize(
    "when, code, fragment",
    [
        ({"settings": "rural"}, "unknown-key", "did you mean 'setting'"),
        ({"setting": {"equals": "rural"}}, "unknown-operator", "operators: eq, ne"),
        ({"setting": "town"}, "unknown-value", "allowed: urban, rural, mixed"),
        ({"audiences": {"contains": "kids"}}, "unknown-value", None),
        ({"audiences": "youth"}, "wrong-operator", "contains"),
        ({"setting": {"contains": "rural"}}, "wrong-operator", None),
        ({"mix.virtual": {"gt": "high"}}, "condition", None),
        ({"all": []}, "condition", None),
        ({"involves_minors": "yes"}, "unknown-value", "allowed: true, false"),
    ],
)
def test_problems_are_reported_not_raised(when, code, fragment):
    compiled = compile_condition(when, KEYS)
    assert [p.code for p in compiled.problems] == [code]
    if fragment:
        assert fragment in (compiled.problems[0].hint or "")
    assert compiled.test(CTX) is False  # a broken condition never fires


def test_problem_path_points_inside_the_condition():
    compiled = compile_condition({"any": [{"setting": "rural"}, {"audiences": {"contains": "kids"}}]}, KEYS)
    assert compiled.problems[0].path == ("any", 1, "audiences", "contains")


def test_a_misspelt_country_in_a_condition_gets_the_nearest_code():
    from advocate_cli.iso3166 import COUNTRIES

    keys = {"country": KeySpec("country", tuple(COUNTRIES))}
    [problem] = compile_condition({"country": {"in": ["Albnia"]}}, keys).problems
    assert problem.hint.startswith("did you mean AL (Albania)?") and "alpha-2" in problem.hint
