"""rules check: questions that depend on themselves or on later questions, and rules that push a score out of 0-100."""

from __future__ import annotations

import datetime as dt

from advocate_cli.checks import check_directories
from tests.conftest import write


def findings(tmp_path, text: str):
    directory = write(tmp_path / "ours" / "q.yaml", text).parent
    report = check_directories([directory], include_default=True, as_of=dt.date(2026, 11, 23))
    return [(f.code, f.severity.value, f.line, f.message) for f in report.findings if f.file.endswith("q.yaml")]


def test_a_question_that_depends_on_itself_or_a_later_question(tmp_path):
    found = findings(tmp_path, """questions:
  - id: pupils_age
    prompt: How old are the pupils?
    type: choice
    choices: [{id: primary, label: Primary}, {id: secondary, label: Secondary}]
    when: {pupils_age: primary}
    required: false
  - id: school_kind
    prompt: Which school?
    type: choice
    choices: [{id: public, label: Public}, {id: private, label: Private}]
    when: {later_one: true}
    required: false
  - id: later_one
    prompt: Later?
    type: bool
    required: false
""")
    codes = [(code, severity, line) for code, severity, line, _ in found]
    assert ("self-reference", "error", 6) in codes
    assert ("self-reference", "error", 12) in codes
    assert any("asked after it" in message for *_, message in found)


def test_a_rule_that_alone_leaves_0_100(tmp_path):
    found = findings(tmp_path, """rules:
  - id: huge
    summary: Huge.
    why: Because.
    source: Practice
    effects: {tv: 90, tiktok: -60}
""")
    messages = [m for code, _, _, m in found if code == "score-out-of-range"]
    assert len(messages) == 2
    assert any("'tv' from 40 to 130" in m for m in messages)
    assert any("'tiktok' from 40 to -20" in m for m in messages)
    # at the effects line, where the points are written, not at the rule's `- id:` line
    assert {line for code, _, line, _ in found if code == "score-out-of-range"} == {6}


def test_channel_wide_and_per_attribute_points_count_and_rules_in_range_do_not(tmp_path):
    from advocate_cli.ruleset import load_ruleset

    methods = load_ruleset()[0].methods.values()
    found = findings(tmp_path, """rules:
  - id: all-virtual
    summary: All virtual.
    why: Because.
    source: Practice
    effects: {virtual: 70}
  - id: by-reach
    summary: By reach.
    why: Because.
    source: Practice
    by_attribute: {reach: 30}
  - id: modest
    summary: Modest.
    why: Because.
    source: Practice
    effects: {virtual: 5, tv: -5}
    by_attribute: {trust: 2}
""")
    moved = sorted(m.split("'")[3] for code, _, _, m in found if code == "score-out-of-range" and "'all-virtual'" in m)
    assert moved == sorted(m.id for m in methods if m.channel.value == "virtual" and m.base + 70 > 100)
    by_reach = sorted(m.split("'")[3] for code, _, _, m in found if code == "score-out-of-range" and "'by-reach'" in m)
    assert by_reach == sorted(m.id for m in methods if m.base + 30 * m.attributes.reach > 100)
    assert moved and by_reach
    assert not any("'modest'" in m for *_, m in found)


def test_a_question_that_depends_on_an_earlier_one_is_fine(tmp_path):
    found = findings(tmp_path, """questions:
  - id: has_school
    prompt: Is there a school?
    type: bool
    required: false
  - id: school_kind
    prompt: Which school?
    type: choice
    choices: [{id: public, label: Public}, {id: private, label: Private}]
    when: {has_school: true}
    required: false
""")
    assert not [f for f in found if f[0] == "self-reference"]


def test_mix_thresholds_on_the_analog_side_are_judged_at_the_engines_precision(tmp_path):
    warning = "  - {{id: {id}, topic: balance, severity: low, message: {id}, mitigation: do {id}, source: Practice, when: {when}}}\n"
    found = findings(tmp_path, "warnings:\n" + "".join(warning.format(id=i, when=w) for i, w in [
        ("analog-exactly", "{mix.analog: 0.1515}"),  # the engine gives analog 0.1515 with virtual 0.8485
        ("analog-in", "{mix.analog: {in: [0.1515, 0.3]}}"),
        ("both-at-the-split", "{mix.analog: {gte: 0.1515}, mix.virtual: {gte: 0.8485}}"),
        ("both-over-half", "{mix.analog: {gt: 0.5}, mix.virtual: {gt: 0.5}}"),
    ]))
    never = {m.split("'")[1] for code, _, _, m in found if code == "never-fires"}
    assert never == {"both-over-half"}


def test_a_fact_past_review_is_stale_until_checked_or_marked_unverified(tmp_path):
    country = """countries:
  - code: DE
    name: Germany
    facts:
      - id: de-fact
        text: A fact.
        source: A survey
        as_of: 2024-01-01
        review_by: 2025-01-01
        verified: {verified}
"""
    stale = findings(tmp_path / "a", country.format(verified="true"))
    assert [code for code, *_ in stale if code == "stale-fact"] == ["stale-fact"]
    marked = findings(tmp_path / "b", country.format(verified="false"))  # the fix the finding's hint offers
    assert not [code for code, *_ in marked if code == "stale-fact"]
