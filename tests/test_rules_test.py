"""`advocate rules test`: rule cases that pass, fail with a clear diff, or cannot be read; -k, junit, coverage."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import HERE, REPO, write

BASE = HERE / "fixtures" / "rules-base"

FAILING = """\
defaults:
  country: AL
  setting: mixed
  involves_minors: false
cases:
  - name: youth-expected-on-the-radio
    profile:
      audiences: [youth]
    expect:
      top: 2
      in_top: [meeting]
      not_in_top: [facebook]
      lean: analog
      warnings: [minors]
      no_warnings: [mostly-virtual]
      scores:
        facebook: {max: 30}
  - name: profile-that-is-not-valid
    profile:
      audiences: [teenagers]
    expect:
      lean: virtual
  - name: rejected-as-expected
    profile:
      audiences: []
    expect:
      error: audiences
  - name: wrongly-expected-rejection
    profile:
      audiences: [youth]
    expect:
      error: setting
  - name: names-unknown-things
    profile:
      audiences: [youth]
    expect:
      in_top: [radoi]
      warnings: [harassment]
"""


@pytest.fixture
def rules(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(BASE, target)
    return target


def test_passing_cases_exit_0_with_a_summary_and_coverage(cli):
    result = cli("rules", "test", BASE, "--no-default-rules")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-2:] == [
        "coverage: every rule and warning fired in at least one case",
        "4 passed, 0 failed",
    ]


def test_failing_cases_exit_1_with_a_line_each_and_a_clear_diff(cli, rules):
    write(rules / "tests" / "failing.yaml", FAILING)
    result = cli("rules", "test", rules, "--no-default-rules")
    out = result.stdout
    assert result.exit_code == 1
    assert out.splitlines()[-1] == "5 passed, 4 failed"
    assert f"FAILED youth-expected-on-the-radio ({rules}/tests/failing.yaml:6)" in out
    for line in (
        "expected meeting in the top 2; it ranks #4 with 40 (base 40, no rule moved it). "
        "The top 2 was: facebook (70), webinar (55)",
        "expected facebook not in the top 2; it ranks #1 with 70 (base 40; +30 youth-online). "
        "The top 2 was: facebook (70), webinar (55)",
        "expected the mix to lean analog; it leans virtual: virtual 61% / analog 39%",
        "expected warning minors to fire; fired: mostly-virtual (exclusion)",
        "expected no warning mostly-virtual; fired: mostly-virtual (exclusion): The mix is mostly virtual.",
        "expected facebook to score at most 30; it scored 70 (base 40; +30 youth-online)",
        f"the profile is invalid: {rules}/tests/failing.yaml:20:19: audiences.0: "
        "'teenagers' is not one of: youth, older_people, parents",
        "expected the profile to be rejected at 'setting', but it was accepted",
        "expect.in_top: unknown method 'radoi'; did you mean 'radio'?",
        "expect.warnings: 'harassment' is neither a warning id nor a topic",
    ):
        assert line in out, line
    assert "rejected-as-expected" not in out


def test_k_selects_cases_by_name(cli, rules):
    write(rules / "tests" / "failing.yaml", FAILING)
    result = cli("rules", "test", rules, "--no-default-rules", "-k", "REJECT")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "1 passed, 1 failed, 7 deselected"
    assert cli("rules", "test", rules, "--no-default-rules", "-k", "*-as-expected").exit_code == 0
    nothing = cli("rules", "test", rules, "--no-default-rules", "-k", "nothing-like-this")
    assert nothing.exit_code == 2 and "no case name matches 'nothing-like-this'" in nothing.stderr


def test_coverage_lists_rules_and_warnings_no_case_fires(cli, rules):
    (rules / "tests" / "cases.yaml").write_text(
        (BASE / "tests" / "cases.yaml").read_text(encoding="utf-8").split("  - name: older-rural")[0],
        encoding="utf-8")
    out = cli("rules", "test", rules, "--no-default-rules").stdout
    assert "coverage: never fired by any case: rules: older-radio, rural-meetings; warnings: minors-consent" in out


def test_junit_report_for_ci(cli, rules, tmp_path):
    write(rules / "tests" / "failing.yaml", FAILING)
    report = tmp_path / "cases.xml"
    result = cli("rules", "test", rules, "--no-default-rules", "--format", "junit", "--output", report)
    assert result.exit_code == 1 and result.stdout == ""
    assert "5 passed, 4 failed" in result.stderr
    root = ET.fromstring(report.read_text(encoding="utf-8"))
    assert (root.get("tests"), root.get("failures")) == ("9", "4")
    failure = root.find(".//testcase[@name='youth-expected-on-the-radio']/failure")
    assert failure is not None and "expected meeting in the top 2" in failure.text


@pytest.mark.parametrize("text, fragment", [
    ("cases:\n  - name: a\n    expect: {in_top: [radio]\n", "yaml-syntax"),
    ("cases:\n  - name: a\n    expect: {in_tpo: [radio]}\n", "cases[0].expect.in_tpo: unknown key"),
    ("cases:\n  - name: a\n    expect: {top: 0}\n", "cases[0].expect.top"),
    ("cases:\n  - name: a\n    expect: {error: setting, lean: analog}\n", "cannot be combined"),
    ("cases:\n  - name: a\n    expect: {scores: {radio: {min: 90, max: 10}}}\n",
     "cases[0].expect.scores.radio: min 90 is above max 10: no score can meet both"),
    ("cases:\n  - name: a\n    expect: {in_top: [radio], not_in_top: [radio]}\n",
     "radio cannot be both in_top and not_in_top"),
    ("cases:\n  - name: a\n    expect: {warnings: [ethics], no_warnings: [ethics]}\n",
     "ethics cannot be in both warnings and no_warnings"),
    ("cases:\n  - {name: a, expect: {}}\n  - {name: a, expect: {}}\n", "case name 'a' is used twice"),
    ("cases:\n  - name: a\n    name: b\n    expect: {}\n", "duplicate key 'name'"),
])
def test_a_broken_case_file_is_reported_by_place_and_fails_the_run(cli, rules, text, fragment):
    write(rules / "tests" / "broken.yaml", text)
    result = cli("rules", "test", rules, "--no-default-rules")
    assert result.exit_code == 1
    assert fragment in result.stdout
    assert "tests/broken.yaml:" in result.stdout
    assert "error" in result.stdout.splitlines()[-1]


def test_no_cases_and_an_invalid_rule_set_cannot_run(cli, tmp_path):
    empty = write(tmp_path / "empty" / "m.yaml", "methods: []\n").parent
    result = cli("rules", "test", empty)
    assert result.exit_code == 2 and "no rule cases found" in result.stderr
    result = cli("rules", "test", HERE / "fixtures" / "rules-broken", "--no-default-rules")
    assert result.exit_code == 2 and "the rule set is invalid" in result.stderr


def test_the_example_network_runs_its_cases_over_the_shipped_rules(cli, monkeypatch):
    monkeypatch.chdir(REPO)
    result = cli("rules", "test", "examples/network-rules")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "5 passed, 0 failed"


def test_junit_stays_well_formed_xml_with_control_characters_in_a_case_name(cli, rules, tmp_path):
    write(rules / "tests" / "ctl.yaml", 'cases:\n  - name: "odd\\x01\\e[31mname"\n    expect: {}\n')
    report = tmp_path / "cases.xml"
    cli("rules", "test", rules, "--no-default-rules", "--format", "junit", "--output", report)
    names = [case.get("name") for case in ET.parse(report).iter("testcase")]
    assert "odd\\x01\\x1b[31mname" in names


def test_case_files_that_hold_no_case_cannot_run(cli, rules):
    for path in (rules / "tests").glob("*.yaml"):
        path.unlink()
    write(rules / "tests" / "empty.yaml", "# every case commented out\ncases: []\n")
    result = cli("rules", "test", rules, "--no-default-rules")
    assert result.exit_code == 2
    assert "no rule cases found in" in result.stderr and "tests/empty.yaml" in result.stderr


def test_coverage_under_k_speaks_of_the_selected_cases_only(cli, rules):
    every = cli("rules", "test", rules, "--no-default-rules")
    assert "coverage: every rule and warning fired in at least one case" in every.stdout
    chosen = cli("rules", "test", rules, "--no-default-rules", "-k", "youth")  # one of the four cases
    assert "coverage: never fired by the selected cases: " in chosen.stdout
    assert "never fired by any case" not in chosen.stdout


def test_a_misspelt_bound_is_told_min_and_max(cli, rules):
    write(rules / "tests" / "bounds.yaml", "cases:\n  - name: b\n    expect: {scores: {radio: {minimum: 10}}}\n")
    result = cli("rules", "test", rules, "--no-default-rules")
    assert "cases[0].expect.scores.radio.minimum: unknown key" in result.stdout
    assert "did you mean 'min'?" in result.stdout


def test_an_item_that_is_not_a_case_costs_only_itself(cli, rules):
    good = (rules / "tests" / "cases.yaml").read_text(encoding="utf-8").replace("name: ", "name: again-", 1)
    bad = "cases:\n  - just a string\n  - {name: odd-profile, profile: [a, b], expect: {}}\n"
    write(rules / "tests" / "mixed.yaml", good.replace("cases:\n", bad, 1))
    line = good.split("cases:\n")[0].count("\n") + 2  # the first item, after `cases:`
    result = cli("rules", "test", rules, "--no-default-rules")
    assert (f"tests/mixed.yaml:{line}:5: schema cases[0]: must be a mapping of keys and values, "
            "not the text 'just a string'") in result.stdout
    assert "cases[1].profile" in result.stdout  # the second bad item is diagnosed too
    chosen = cli("rules", "test", rules, "--no-default-rules", "-k", "again-")
    assert chosen.stdout.splitlines()[-1].startswith("1 passed, 0 failed")  # the good case of that file still runs
