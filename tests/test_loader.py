"""Loading and layering rule directories; every load-time error with its file, line and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from advocate_cli.errors import RuleSetError
from advocate_cli.ruleset import load_ruleset
from tests.conftest import MINI, write


def copy_mini(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(MINI, target)
    return target


def test_mini_loads_cleanly(mini):
    assert list(mini.methods) == ["facebook", "tiktok", "webinar", "radio", "meeting", "door"]
    assert "youth-social" in mini.rules
    assert mini.facts["xa-fact"].verified is False


def test_default_rules_load_cleanly(default_rules):
    assert {"virtual", "analog"} == {m.channel.value for m in default_rules.methods.values()}
    assert {"AL", "MK", "RS", "ME", "BA", "XK"} <= set(default_rules.countries)


def test_a_later_layer_overrides_by_id_and_adds(tmp_path):
    layer = write(
        tmp_path / "ours" / "rules.yaml",
        """rules:
  - id: youth-social
    summary: Ours.
    why: Our network knows better.
    source: Our survey
    effects: {webinar: 5}
  - id: brand-new
    summary: New.
    why: Because.
    source: Practice
    effects: {radio: 1}
""",
    ).parent
    ruleset, findings = load_ruleset([MINI, layer], include_default=False)
    assert ruleset.rules["youth-social"].why == "Our network knows better."
    assert "brand-new" in ruleset.rules
    history = ruleset.origins[("rules", "youth-social")]
    assert [o.layer for o in history] == [0, 1]
    assert history[-1].place.file.endswith("ours/rules.yaml")
    assert history[-1].place.line == 2


def test_disabled_removes_an_earlier_item(tmp_path):
    layer = write(tmp_path / "ours" / "m.yaml", "methods:\n  - {id: tiktok, label: x, channel: virtual, disabled: true}\n")
    ruleset, _ = load_ruleset([MINI, layer.parent], include_default=False)
    assert "tiktok" not in ruleset.methods


def errors_of(tmp_path: Path, filename: str, text: str) -> list[str]:
    rules = copy_mini(tmp_path)
    write(rules / filename, text)
    with pytest.raises(RuleSetError) as err:
        load_ruleset([rules], include_default=False)
    return [str(p) for p in err.value.problems]


@pytest.mark.parametrize(
    "text, expected",
    [
        # YAML syntax
        ("rules:\n  - id: a\n    why: [unclosed\n", "extra.yaml:4:1:"),
        # duplicate key within a mapping
        ("methods:\n  - id: x\n    label: X\n    id: y\n    channel: analog\n", "extra.yaml:4:5: duplicate key 'id'"),
        # unknown key, with a suggestion
        ("methods:\n  - id: x\n    label: X\n    chanel: analog\n", "extra.yaml:4:5: methods[0].chanel: unknown key"),
        # out of range
        ("methods:\n  - id: x\n    label: X\n    channel: analog\n    attributes: {reach: 7}\n",
         "extra.yaml:5:25: methods[0].attributes.reach: Input should be less than or equal to 3"),
        # wrong enum
        ("methods:\n  - id: x\n    label: X\n    channel: paper\n", "extra.yaml:4:14: methods[0].channel"),
        # unknown method in effects
        ("rules:\n  - id: r\n    summary: s\n    why: w\n    source: s\n    effects: {radoi: 5}\n",
         "extra.yaml:6:15: unknown method 'radoi'"),
        # unknown operator in when
        ("rules:\n  - id: r\n    summary: s\n    why: w\n    source: s\n    when: {setting: {equals: rural}}\n"
         "    effects: {radio: 5}\n", "extra.yaml:6:22: when: unknown operator 'equals'"),
        # a value outside the question's choices
        ("rules:\n  - id: r\n    summary: s\n    why: w\n    source: s\n    when: {setting: town}\n"
         "    effects: {radio: 5}\n", "extra.yaml:6:21: when: the text 'town' is not a possible answer to 'setting'"),
        # unknown question key in when
        ("warnings:\n  - id: w\n    topic: minors\n    severity: low\n    message: m\n    mitigation: m\n"
         "    source: s\n    when: {minor: true}\n", "extra.yaml:8:12: when: unknown key 'minor'"),
        # unknown topic
        ("warnings:\n  - id: w\n    topic: harassment\n    severity: low\n    message: m\n    mitigation: m\n"
         "    source: s\n", "extra.yaml:3:12: warnings[0].topic"),
        # unknown fact
        ("rules:\n  - id: r\n    summary: s\n    why: w\n    source: s\n    facts: [nope]\n    effects: {radio: 1}\n",
         "extra.yaml:6:13: unknown fact 'nope'"),
        # a fact without its dates
        ("countries:\n  - code: RS\n    name: Serbia\n    facts:\n      - id: f\n        text: t\n        source: s\n"
         "        verified: true\n", "extra.yaml:5:9: countries[0].facts[0].as_of: required field is missing"),
        # duplicate id within one directory
        ("methods:\n  - {id: radio, label: Again, channel: analog}\n", "method id 'radio' is defined twice in one rule directory (first at "),
        # unknown kind at the top
        ("method:\n  - {id: x, label: X, channel: analog}\n", "extra.yaml:1:1: method: unknown kind of rule item"),
        # not an ISO code
        ("countries:\n  - code: QQ\n    name: Nowhere\n", "extra.yaml:2:11: 'QQ' is not an ISO 3166-1 alpha-2 code"),
    ],
)
def test_load_time_errors_name_file_line_and_column(tmp_path, text, expected):
    problems = errors_of(tmp_path, "extra.yaml", text)
    assert any(expected in p for p in problems), problems


def test_every_problem_is_collected_in_one_run(tmp_path):
    problems = errors_of(
        tmp_path,
        "extra.yaml",
        "methods:\n  - {id: a, label: A, channel: paper}\n  - {id: b, label: B, channel: analog, base: 500}\n"
        "rules:\n  - {id: r, summary: s, why: w, source: s, effects: {zzz: 1}}\n",
    )
    assert len(problems) == 3


def test_yaml11_trap_in_a_rule_file_is_a_finding_not_an_error(tmp_path):
    rules = copy_mini(tmp_path)
    write(rules / "extra.yaml", "methods:\n  - {id: x, label: NO, channel: analog}\n")
    ruleset, findings = load_ruleset([rules], include_default=False)
    assert ruleset.methods["x"].label == "NO"
    assert [(f.code, f.severity.value, f.line) for f in findings] == [("yaml11-trap", "warning", 2)]


def test_missing_rule_directory_is_a_clear_error(tmp_path):
    from advocate_cli.errors import InputError

    with pytest.raises(InputError) as err:
        load_ruleset([tmp_path / "nope"], include_default=False)
    assert "no such rule directory" in str(err.value)
