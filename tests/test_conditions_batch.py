"""compile_all (every condition of a rule set in one generated function) agrees with compile_condition."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from advocate_cli.conditions import KeySpec, compile_all, compile_condition
from advocate_cli.engine import context, evaluate
from advocate_cli.errors import ProfileError

KEYS = {
    "setting": KeySpec("choice", ("urban", "rural", "mixed")),
    "goals": KeySpec("multi", ("a", "b", "c")),
    "minors": KeySpec("bool", (True, False)),
    "country": KeySpec("country", ("AL", "MK", "DE")),
    "name": KeySpec("text"),
    "mix.virtual": KeySpec("number"),
}
VALUES = st.sampled_from(["urban", "rural", "mixed", "a", "b", "c", "AL", "MK", "DE", "x", True, False, 0.5, 1, None])
OPERATORS = st.sampled_from(["eq", "ne", "in", "not_in", "contains", "contains_any", "contains_all", "contains_none",
                             "gt", "gte", "lt", "lte", "is_set", "nonsense"])


def clause():
    key = st.sampled_from([*KEYS, "unknown"])
    op_value = st.one_of(VALUES, st.lists(VALUES, max_size=3))
    return st.one_of(
        st.builds(lambda k, v: {k: v}, key, op_value),
        st.builds(lambda k, o, v: {k: {o: v}}, key, OPERATORS, op_value),
    )


CONDITIONS = st.recursive(
    st.one_of(st.none(), clause()),
    lambda inner: st.one_of(
        st.builds(lambda items: {"all": items}, st.lists(inner, max_size=3)),
        st.builds(lambda items: {"any": items}, st.lists(inner, max_size=3)),
        st.builds(lambda c: {"not": c}, inner),
        st.builds(lambda a, b: {**(a or {}), **(b or {})}, clause(), clause()),
    ),
    max_leaves=6,
)
CONTEXTS = st.fixed_dictionaries(
    {},
    optional={
        "setting": st.sampled_from(["urban", "rural", "mixed"]),
        "goals": st.frozensets(st.sampled_from(["a", "b", "c"])),
        "minors": st.booleans(),
        "country": st.sampled_from(["AL", "MK", "DE", "KE"]),
        "name": st.sampled_from(["x", "y"]),
        "mix.virtual": st.floats(0, 1),
    },
)


# Answers of kinds the keys do not declare as well: the shared tests may raise where a condition would
# not have reached them; the function must then give what the closures give, or raise as they raise.
ODD_VALUES = st.one_of(VALUES, st.lists(VALUES, max_size=2), st.dictionaries(st.sampled_from("ab"), VALUES,
                                                                              max_size=1), st.frozensets(VALUES))
ODD_CONTEXTS = st.dictionaries(st.sampled_from(list(KEYS)), ODD_VALUES, max_size=6)


def _outcome(function, ctx):
    try:
        return function(ctx)
    except Exception as exc:  # noqa: BLE001 - the kind of exception is what is compared
        return type(exc)


@settings(max_examples=600, deadline=None)
@given(conditions=st.lists(CONDITIONS, max_size=8),
       contexts=st.lists(CONTEXTS.map(lambda c: (c, True)) | ODD_CONTEXTS.map(lambda c: (c, False)),
                         min_size=1, max_size=5))
def test_one_function_for_all_conditions_agrees_with_each_closure(conditions, contexts):
    holds = compile_all(conditions, KEYS)
    tests = [compile_condition(c, KEYS).test for c in conditions]
    def closures(ctx):
        return [i for i, test in enumerate(tests) if test(ctx)]

    for ctx, declared in contexts:
        found = _outcome(holds, ctx)
        assert found == _outcome(closures, ctx)
        assert isinstance(found, list) or not declared  # answers of the declared kinds never raise


def test_the_default_rules_agree_on_real_profiles(default_rules):
    from tests.conftest import COMPLETE

    keys = default_rules.key_specs()
    rules = list(default_rules.rules.values())
    holds = compile_all([r.when for r in rules], keys)
    compiled = default_rules.compiled
    tests = [compile_condition(r.when, keys).test for r in rules]
    for audiences in (["youth"], ["older_people", "parents"], ["decision_makers", "media", "rural_communities"]):
        for habits in ("mostly_online", "mostly_offline"):
            answers = default_rules.profile_model.validate({**COMPLETE, "audiences": audiences, "online_habits": habits})
            ctx = context(answers, compiled)
            fired = holds(ctx)
            assert fired and fired == [i for i, test in enumerate(tests) if test(ctx)]


def test_no_rule_text_reaches_the_generated_source():
    """Values and keys are passed as constants, so text written in a rule is never compiled."""
    hostile = "x') or __import__('os').system('echo pwned') or ('"
    keys = {"name": KeySpec("text")}
    holds = compile_all([{"name": hostile}, {"name": {"in": [hostile, "y"]}}], keys)
    assert holds({"name": hostile}) == [0, 1]
    assert holds({"name": "y"}) == [1]
    assert hostile not in "".join(str(c) for c in holds.__code__.co_consts)


def test_the_generated_scoring_matches_applying_each_rule_in_turn(default_rules, mini):
    """compiled.score runs each applying rule's effects inline; the result is the plain loop's, and each
    method's points are the sum of its reasons' points."""
    from tests.conftest import COMPLETE, COMPLETE_MINI, TODAY

    for ruleset, base in ((default_rules, COMPLETE), (mini, COMPLETE_MINI)):
        compiled = ruleset.compiled
        n = len(compiled.method_ids)
        for audiences in (["youth"], ["older_people", "parents"], ["decision_makers", "media", "rural_communities"]):
            for habits in ("mostly_online", "mostly_offline", "mixed"):
                try:
                    answers = ruleset.profile_model.validate({**base, "audiences": audiences, "online_habits": habits})
                except ProfileError:  # an audience the mini rule set does not know
                    continue
                ctx = context(answers, compiled)
                reasons, facts = [[] for _ in range(n)], {}
                compiled.score(ctx, [r.append for r in reasons], facts)
                want_raw, want_reasons, want_facts = list(compiled.bases), [[] for _ in range(n)], {}
                for r in [k for k, rule in enumerate(compiled.rules) if rule.test(ctx)]:
                    for i, contribution in compiled.rules[r].hits:
                        want_raw[i] += contribution.points
                        want_reasons[i].append(contribution)
                    want_facts.update(dict.fromkeys(compiled.rules[r].facts))
                assert (reasons, list(facts)) == (want_reasons, list(want_facts))
                plan = evaluate(answers, compiled, today=TODAY)
                assert {m.id: m.score for m in plan.methods} == {
                    m: max(0, min(100, want_raw[i])) for i, m in enumerate(compiled.method_ids)}
                assert any(reasons)


def test_the_inline_form_is_compiled_only_when_a_shared_test_raises():
    keys = {"setting": KeySpec("choice", ("urban", "rural")), "n": KeySpec("number")}
    holds = compile_all([{"setting": "rural"}, {"setting": "rural", "n": {"gt": 1}}], keys)
    assert holds({"setting": "rural", "n": 2}) == [0, 1]
    inline = holds.__globals__["F"]
    assert inline._function is None  # answers of the declared kinds never need it
    assert holds({"setting": "urban", "n": "2"}) == []  # "2" > 1 raises in the shared test; no condition reaches it
    assert inline._function is not None


def test_generated_functions_take_plain_parameter_names_only():
    """The inline form is called with the parameters by name, so defaults and *args are refused up front."""
    import pytest

    from advocate_cli.conditions import compile_actions

    keys = {"setting": KeySpec("choice", ("urban", "rural"))}
    with pytest.raises(ValueError, match="plain names"):
        compile_actions([{"setting": "rural"}], keys, [["out.append(0)"]], params="c, out=None")
    holds = compile_actions([{"setting": "rural"}], keys, [["out.append(0)"]], params="c, out")
    got: list[int] = []
    holds({"setting": "rural"}, got)
    assert got == [0]
