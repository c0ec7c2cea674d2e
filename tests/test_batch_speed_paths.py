"""The batch's fast paths give exactly what the reference paths give: YAML read from events, plans encoded from cached parts."""

from __future__ import annotations

import json
import string
import sys

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advocate_cli import yamlio
from advocate_cli.engine import BALANCE_NOTES_KEPT, FiredWarning, evaluate
from advocate_cli.errors import InputError
from advocate_cli.render.jsonout import CompactPlanEncoder
from tests.conftest import COMPLETE, COMPLETE_MINI, TODAY

# --- YAML: the event reader against the full composer --------------------------------------------


def typed(value):
    """A value with every type spelled out, so that 1 == True or 'NO' == Yaml11Scalar('NO') cannot hide a difference."""
    if isinstance(value, dict):
        return ("map", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", [typed(v) for v in value])
    if isinstance(value, yamlio.Yaml11Scalar):
        return ("yaml11", str(value), value.yaml11)
    return (type(value).__name__, value)


def both_paths(text: str, line_offset: int = 0):
    """(fast, full): each a (typed data, line, item lines) or an error (message, place, hint)."""
    results = []
    for lazy in (True, False):
        try:
            if lazy:
                doc = yamlio.parse_document(text, file="f.yaml", index=3, line_offset=line_offset, lazy_nodes=True)
            else:  # the reference: the node tree composed by PyYAML, not another event reader
                doc = yamlio._compose_document(text, file="f.yaml", index=3, line_offset=line_offset)
        except InputError as exc:
            results.append(("error", exc.message, exc.place, exc.hint))
            continue
        lines = None
        if isinstance(doc.data, list) and doc.node is not None:
            lines = [n.start_mark.line + 1 + line_offset for n in doc.node.value]
        results.append(("doc", typed(doc.data), doc.line, lines, doc.index))
    return results


TRICKY = [
    "",
    "# only a comment\n",
    "---\n",
    "--- # nothing\n...\n",
    "name: a\n",
    "---\nname: a\n...\n",
    "- a\n- b: 1\n  c: [x, y]\n- [1, 2]\n",
    "[]\n",
    "{}\n",
    "just text\n",
    "country: NO\nsetting: off\nbudget: 012\nx: 1:20\ny: 1_000\nz: 0x1F\n",
    "a: true\nb: True\nc: FALSE\nd: yes\ne: ~\nf: null\ng:\nh: ''\n",
    "a: 1.5\nb: .inf\nc: -.INF\nd: .nan\ne: 1e3\nf: 6.8523015e+5\n",
    "a: 2026-01-31\nb: 2026-01-31T10:00:00Z\nc: '2026-01-31'\n",
    "a: 2026-02-30\n",
    "a: 99999-01-01\n",
    "a: 1\nb: 2\na: 3\n",
    "1: a\n+1: b\n",
    "true: a\nTrue: b\n",
    "1: a\n'1': b\n",
    "1: a\ntrue: b\n",
    "null: a\n~: b\n",
    "a: &x [1, 2]\nb: *x\n",
    "a: *nothing\n",
    "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",
    "<<: {x: 1}\n",
    "=: a\n",
    "a: !!str 12\n",
    "a: !!python/name:os.system\n",
    "a: !custom x\n",
    "!!map {a: 1}\n",
    "a: ! 12\n",
    "? [a, b]\n: c\n",
    "? {a: 1}\n: c\n",
    "a: [1, 2\n",
    "a: 1\n b: 2\n",
    "a: b: c\n",
    "name: x\n\tcountry: AL\n",
    "a: 1\n---\nb: 2\n",
    "%YAML 1.2\n---\na: 1\n",
    "%YAML 1.1\n---\na: yes\n",
    "a: \"caf\\u00e9 \\t tab\"\nb: 'it''s'\nc: |\n  two\n  lines\nd: >-\n  folded\n  text\n",
    "a: \x07\n",
    "a: \"\x07\"\n",
    "a: [" * 70 + "]" * 70 + "\n",
    "k" * 1100 + ": 1\n",
    "name: Shqipëri ✓ 𝄞\n",
    "a: [1, [2, [3, {b: c}]]]\n",
]


@pytest.mark.parametrize("text", TRICKY, ids=[f"tricky-{i}" for i in range(len(TRICKY))])
def test_event_reader_matches_the_full_composer(text):
    fast, full = both_paths(text)
    assert fast == full
    fast, full = both_paths(text, line_offset=40)
    assert fast == full


# Documents past the size limits, with the limits made small so the test stays light.
SMALL_NODES, SMALL_CHARS = 1_000, 200
OVER_LIMITS = [
    "a: " + "x" * (SMALL_CHARS + 1) + "\n",
    "'" + "k" * (SMALL_CHARS + 1) + "': 1\n",
    "- [x, x, x, x, x, x, x, x, x, x]\n" * 100,
    "items: [" + ", ".join(["x"] * (SMALL_NODES + 5)) + "]\n",
    "items: [" + ", ".join(["x"] * (SMALL_NODES - 5)) + "]\n",
]


@pytest.mark.parametrize("text", OVER_LIMITS, ids=[f"limit-{i}" for i in range(len(OVER_LIMITS))])
def test_limits_are_kept_on_the_event_path(text, monkeypatch):
    monkeypatch.setattr(yamlio, "MAX_EXPANDED_NODES", SMALL_NODES)
    monkeypatch.setattr(yamlio, "MAX_SCALAR_CHARS", SMALL_CHARS)
    fast, full = both_paths(text)
    assert fast == full
    if "x" * (SMALL_CHARS + 1) in text or text.count("x") > SMALL_NODES:
        assert fast[0] == "error"


def test_the_fast_path_is_taken_for_profiles():
    """Guard the speed claim: a plain profile document is read without composing nodes."""
    doc = yamlio.parse_document(yaml.safe_dump(COMPLETE), file="f.yaml", lazy_nodes=True)
    assert doc._compose is not None  # nodes not built yet
    assert doc.node is not None and doc._compose is None


def test_a_lazily_composed_document_points_at_the_same_places():
    text = "name: x\ngoals:\n  - a\n  - b\nbudget: 12\n"
    fast = yamlio.parse_document(text, file="f.yaml", line_offset=9, lazy_nodes=True)
    full = yamlio.parse_document(text, file="f.yaml", line_offset=9)
    for path in [(), ("goals", 1), ("budget",), ("missing",)]:
        assert fast.place(path) == full.place(path)
        assert fast.place(path, at_key=True) == full.place(path, at_key=True)


# Scalars that mean something to a YAML reader, to be written in every style PyYAML has.
SCALAR_TEXT = st.sampled_from(
    ["yes", "No", "ON", "off", "true", "False", "012", "0o17", "0x1F", "1:20", "-3", "+4", "1_000", "1.5", ".inf",
     "~", "null", "", " ", "2026-01-31", "2026-02-30", "<<", "=", "#", "a: b", "- x", "'q'", '"dq"', "café",
     "\t", "line\nbreak", "[x]", "{y}", "&a", "*a", "!t", "%", "@", "`"]
) | st.text(alphabet=string.printable + "éšđ✓", max_size=12)
SCALARS = SCALAR_TEXT | st.integers(-10**6, 10**6) | st.booleans() | st.none() | st.floats(allow_nan=False)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(SCALAR_TEXT | st.integers(-5, 5), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=DATA,
    flow=st.sampled_from([None, True, False]),
    style=st.sampled_from([None, '"', "'", "|", ">"]),
    explicit=st.booleans(),
)
def test_event_reader_matches_the_full_composer_on_generated_documents(data, flow, style, explicit):
    try:
        text = yaml.safe_dump(data, default_flow_style=flow, default_style=style, explicit_start=explicit,
                              allow_unicode=True)
    except yaml.YAMLError:
        return
    fast, full = both_paths(text)
    assert fast == full


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="ab: -[]{},'\"#&*!?|>\n\t01yn.~", max_size=40))
def test_event_reader_matches_the_full_composer_on_noise(text):
    fast, full = both_paths(text)
    assert fast == full


# --- JSON: the cached-parts encoder against the reference encoding -------------------------------

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _reference(data) -> str:
    """The reference JSON of a plan: json's own, with the line separators escaped (see jsonout.one_line)."""
    text = _encode(data)
    for char in ("\x85", "\u2028", "\u2029"):
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text

CHOICES = {
    "setting": ["urban", "rural", "mixed"],
    "online_habits": ["mostly_online", "mixed", "mostly_offline"],
    "issue_sensitivity": ["low", "medium", "high"],
    "budget": ["low", "medium", "high"],
}
GOALS = ["reach_decision_makers", "mobilize_communities", "facilitate_dialogue", "shape_messages", "raise_awareness"]
AUDIENCES = ["decision_makers", "local_officials", "parents", "youth", "rural_communities", "older_people",
             "private_sector", "media", "general_public"]
PROFILES = st.fixed_dictionaries(
    {
        "name": st.text(max_size=20) | st.sampled_from(['quote " and \\ backslash', "\u2028 line sep", "é ✓ 𝄞"]),
        "country": st.sampled_from(["AL", "MK", "RS", "ME", "BA", "XK", "DE", "KE"]),
        **{key: st.sampled_from(values) for key, values in CHOICES.items()},
        "goals": st.lists(st.sampled_from(GOALS), min_size=1, max_size=3, unique=True),
        "audiences": st.lists(st.sampled_from(AUDIENCES), min_size=1, max_size=4, unique=True),
        "involves_minors": st.booleans(),
        "collects_personal_data": st.booleans(),
        "works_with_system_actors": st.booleans(),
    }
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(profile=PROFILES, top=st.integers(2, 8))
def test_compact_encoder_writes_the_reference_json(default_rules, profile, top):
    encoder = CompactPlanEncoder()
    source = {"file": "<stdin>", "document": 7, "line": 12}
    plan = evaluate(default_rules.profile_model.validate(profile), default_rules, today=TODAY, top=top, source=source)
    assert encoder.encode(plan) == _reference(plan.to_dict())
    assert encoder.encode(plan) == _reference(plan.to_dict())  # and again, from the cache


def test_compact_encoder_handles_balance_warnings_and_markup_in_rule_text(mini):
    encoder = CompactPlanEncoder()
    fired = set()
    for audiences in (["youth"], ["older_people"], ["youth", "older_people"]):
        for habits in ("mostly_online", "mostly_offline", "mixed"):
            answers = mini.profile_model.validate({**COMPLETE_MINI, "audiences": audiences, "online_habits": habits})
            plan = evaluate(answers, mini, today=TODAY, top=2)
            assert encoder.encode(plan) == _reference(plan.to_dict())
            fired.update(w.id for w in plan.warnings)
    assert {"balance-added-analog", "balance-added-virtual"} <= fired


def test_balance_notes_made_for_one_plan_each_are_not_kept(default_rules):
    """Notes that differ from plan to plan (they name a score) must not pile up in the encoder or the engine."""
    encoder = CompactPlanEncoder()
    plan = evaluate(default_rules.profile_model.validate(COMPLETE), default_rules, today=TODAY)
    for score in range(3000):
        note = FiredWarning("balance-added-virtual", "balance", "medium", f"added ({score} points)", "keep one", "s")
        plan.warnings = [note]
        held = sys.getrefcount(note)
        assert encoder.encode(plan) == _reference(plan.to_dict())
        assert sys.getrefcount(note) == held  # the encoder keeps no hold on it: its text goes with it
        assert note._json is not None and note._json in encoder.encode(plan)
    assert list(vars(encoder)) == ["_heads"] and len(encoder._heads) == len(plan.methods)
    # The engine makes such notes: thousands of different ones (each names a score) keep at most BALANCE_NOTES_KEPT.
    from advocate_cli.engine import _balance

    compiled = default_rules.compiled
    virtual = [i for i, channel in enumerate(compiled.channels) if channel == "virtual"]
    analog = [i for i, channel in enumerate(compiled.channels) if channel == "analog"]
    for score in range(3 * BALANCE_NOTES_KEPT):
        scores = [0] * len(compiled.channels)
        scores[analog[0]] = score
        note = _balance(virtual[:5], virtual + analog, compiled, scores)
        assert note is not None and f"({score} points)" in note.message
        assert 0 < len(compiled.balance_notes) <= BALANCE_NOTES_KEPT


def test_compact_encoder_holds_nothing_of_the_plans_it_writes(default_rules):
    encoder = CompactPlanEncoder()
    answers = default_rules.profile_model.validate(COMPLETE)
    plans = [evaluate(answers, default_rules, today=TODAY, top=top) for top in range(2, 20)]
    parts = [part for plan in plans for part in (*plan.warnings, *plan.facts)]
    held = [sys.getrefcount(part) for part in parts]
    for plan in plans:
        assert encoder.encode(plan) == _reference(plan.to_dict())
    assert [sys.getrefcount(part) for part in parts] == held
    assert all(part._json == json.dumps(part.to_dict(), ensure_ascii=False, separators=(",", ":")) for part in parts)


def test_compact_encoder_writes_parts_that_are_not_the_engines(default_rules):
    """A plan assembled by hand (parts without a place for their text) is written like any other."""

    class HandMade:
        __slots__ = ()

        def to_dict(self) -> dict:
            return {"id": "hand-made", "topic": "ethics"}

    plan = evaluate(default_rules.profile_model.validate(COMPLETE), default_rules, today=TODAY)
    plan.warnings = [*plan.warnings, HandMade()]
    encoder = CompactPlanEncoder()
    assert encoder.encode(plan) == encoder.encode(plan) == _reference(plan.to_dict())


def test_compact_encoder_falls_back_for_unusual_values(default_rules):
    plan = evaluate(default_rules.profile_model.validate(COMPLETE), default_rules, today=TODAY)
    plan.methods[0].share = 1  # an int where the engine gives a float
    assert CompactPlanEncoder().encode(plan) == _reference(plan.to_dict())


# --- Reading lines: a block at a time against a line at a time -----------------------------------

PIECES = [b"a", b"name: x", b" ", b"\n", b"\r\n", b"\r", b"\xef\xbb\xbf", b"\x00", b"\xff", b"\xc3\xa9", b"---\n",
          b"#", b"\xe2\x80\xa8", b"\xfe\xff", b"\xc3"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.sampled_from(PIECES), max_size=40), block=st.sampled_from([1, 2, 3, 7, 64, 1 << 16]),
       limit=st.sampled_from([3, 10, 4 * 1024 * 1024]))
def test_lines_read_a_block_at_a_time_are_the_lines_read_one_by_one(monkeypatch, pieces, block, limit):
    """Same lines, same error (NUL, not UTF-8, UTF-16, a line over the limit) at the same line, wherever blocks end."""
    import io

    monkeypatch.setattr(yamlio, "_BLOCK_BYTES", block)
    monkeypatch.setattr(yamlio, "MAX_DOCUMENT_BYTES", limit)
    data = b"".join(pieces)
    fast_errors: list = []
    fast = list(yamlio._decoded_lines(io.BufferedReader(io.BytesIO(data)), "f", fast_errors))
    slow_errors: list = []
    slow = list(yamlio._lines_one_by_one(io.BytesIO(data), "f", slow_errors))
    assert fast == slow
    assert [(e.message, e.place) for e in fast_errors] == [(e.message, e.place) for e in slow_errors]
    unreadable = [[(type(x), getattr(x, "error", None) and (x.error.message, x.error.place)) for x in lines]
                  for lines in (fast, slow)]
    assert unreadable[0] == unreadable[1]  # the same lines not UTF-8, with the same error


@pytest.mark.parametrize("text", [
    "- a\n" * 60,  # a long top-level list of scalars
    "- {a: 1, b: 2}\n" * 12,  # a list of mappings
    "x:\n" + "  - a\n" * 60,  # a long list inside a mapping
    "- a\n" * 60 + "- [unclosed\n",  # a syntax error after the limit: the syntax error is what is said
    "- a\n" * 60 + "- '&'\n",  # text that could hold an anchor: the full path's alias check speaks
    "- a\n" * 60 + "--- \n- b\n",  # a second document
    "- a\n" * 40,  # under the limit
])
def test_a_document_past_the_node_limit_is_refused_as_the_full_path_refuses_it(monkeypatch, text):
    monkeypatch.setattr(yamlio, "MAX_EXPANDED_NODES", 50)
    fast, full = both_paths(text, line_offset=4)
    assert fast == full

    def read(**kwargs):  # a file read whole (the rule-file event reader), against the node tree
        try:
            doc = (yamlio.parse_document(text, file="f.yaml", index=1, line_offset=4) if not kwargs
                   else yamlio._compose_document(text, file="f.yaml", index=1, line_offset=4))
        except InputError as exc:
            return exc.message, exc.place
        return typed(doc.data)

    assert read() == read(full=True)


def test_a_huge_list_of_scalars_is_refused_without_composing_it(monkeypatch):
    """A few MB of `- a` lines must not be composed into a node tree (hundreds of MiB) before being refused."""
    composed = []
    monkeypatch.setattr(yamlio, "_compose_document", lambda *a, **k: composed.append(1))
    for lazy in (True, False):  # a batch document, and a file read whole (--profile, a rule file)
        with pytest.raises(InputError, match="more than 100,000 nodes; limit: ADVOCATE_MAX_EXPANDED_NODES") as caught:
            yamlio.parse_document("- a\n" * 200_000, file="big.yaml", index=2, line_offset=9, lazy_nodes=lazy)
        assert caught.value.place == yamlio.Place(file="big.yaml", line=10, document=2)
    assert composed == []


def test_a_document_of_many_lines_is_split_off_whole():
    """The splitter joins long documents as it goes (memory); the text it gives is still the document's own."""
    first = "---\n# survey export\n" + "".join(f"- item {i}\n" for i in range(5000))
    second = "--- # next\nname: x\n"
    documents = list(yamlio.split_documents(iter((first + second + "...\n").splitlines(keepends=True)), "f"))
    assert documents == [(first, 1, 1), (second, first.count("\n") + 1, 2)]


def test_each_contribution_text_is_written_the_first_time_and_read_back_after(tmp_path):
    """A fresh rule set: the first plan writes each contribution's JSON and keeps it on the contribution; a
    second encoder reads it back. A contribution of another type takes the reference path."""
    from dataclasses import dataclass

    from advocate_cli.ruleset import load_ruleset
    from tests.conftest import MINI

    mini, _ = load_ruleset([MINI], include_default=False)  # not the session's: no text written yet
    plan = evaluate(mini.profile_model.validate({**COMPLETE_MINI, "audiences": ["youth", "older_people"]}),
                    mini, today=TODAY)
    reasons = [c for m in plan.methods for c in m.contributions]
    assert reasons and all(c._json is None for c in reasons)
    want = _reference(plan.to_dict())
    assert CompactPlanEncoder().encode(plan) == want
    assert all(c._json == _reference(c.to_dict()) for c in reasons)
    assert CompactPlanEncoder().encode(plan, "\n") == want + "\n"

    @dataclass
    class Reason:  # e.g. a plan built by hand, not by the engine
        rule: str
        points: int
        why: str

        def to_dict(self):
            return {"rule": self.rule, "points": self.points, "why": self.why}

    plan.methods[0].contributions = [Reason("by-hand", 3, "Written [by] hand.")]
    assert CompactPlanEncoder().encode(plan) == _reference(plan.to_dict())
