"""`rules check` findings: each kind at a known place in a deliberately broken directory, and the static analysis."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from advocate_cli.checks import can_hold, check_directories
from advocate_cli.ruleset import load_ruleset
from advocate_cli.ruleset.findings import CODES, FIXES
from tests.conftest import HERE, TODAY, write

BASE = HERE / "fixtures" / "rules-base"
BROKEN = HERE / "fixtures" / "rules-broken"
B = "tests/fixtures/rules-broken/"


@pytest.fixture(scope="module")
def broken_report():
    import os

    here = os.getcwd()
    os.chdir(HERE.parent)  # findings name files relative to the working directory
    try:
        return check_directories([BASE, BROKEN], include_default=False, as_of=TODAY)
    finally:
        os.chdir(here)


# (code, severity, file, line, column) of every finding the broken directory must produce.
EXPECTED = {
    ("disabled-reference", "warning", "tests/fixtures/rules-base/rules.yaml", 7, 29),
    ("not-a-mapping", "error", B + "a-list.yaml", 1, 1),
    ("override", "info", B + "countries.yaml", 2, 5),
    ("missing-source", "warning", B + "countries.yaml", 8, 17),
    ("stale-fact", "warning", B + "countries.yaml", 10, 20),
    ("yaml11-trap", "warning", B + "countries.yaml", 11, 19),
    ("unknown-reference", "error", B + "countries.yaml", 12, 11),
    ("untouched-method", "warning", B + "methods.yaml", 3, 5),
    ("duplicate-key", "error", B + "methods.yaml", 6, 5),
    ("yaml11-trap", "warning", B + "methods.yaml", 8, 12),
    ("schema", "error", B + "methods.yaml", 10, 5),
    ("schema", "error", B + "methods.yaml", 12, 5),
    ("schema", "error", B + "methods.yaml", 16, 25),
    ("schema", "error", B + "methods.yaml", 17, 11),
    ("override", "info", B + "methods.yaml", 18, 5),
    ("override", "info", B + "methods.yaml", 22, 5),
    ("unknown-reference", "warning", B + "methods.yaml", 23, 5),
    ("duplicate-id", "error", B + "more-rules.yaml", 7, 5),
    ("unknown-reference", "error", B + "questions.yaml", 8, 14),
    ("never-fires", "warning", B + "questions.yaml", 15, 42),
    ("never-fires", "warning", B + "rules.yaml", 9, 12),
    ("missing-source", "warning", B + "rules.yaml", 14, 13),
    ("unknown-reference", "error", B + "rules.yaml", 15, 15),
    ("unknown-operator", "error", B + "rules.yaml", 20, 22),
    ("unknown-value", "error", B + "rules.yaml", 26, 21),
    ("unknown-value", "error", B + "rules.yaml", 26, 36),
    ("unknown-key", "error", B + "rules.yaml", 32, 12),
    ("wrong-operator", "error", B + "rules.yaml", 38, 12),
    ("unknown-reference", "error", B + "rules.yaml", 44, 13),
    ("override", "info", B + "rules.yaml", 46, 5),
    ("duplicate-id", "error", B + "rules.yaml", 52, 5),
    ("yaml-syntax", "error", B + "syntax.yaml", 4, 8),
    ("missing-mitigation", "warning", B + "warnings.yaml", 6, 17),
    ("missing-mitigation", "warning", B + "warnings.yaml", 13, 17),
    ("never-fires", "warning", B + "warnings.yaml", 22, 37),
    ("schema", "error", B + "warnings.yaml", 24, 12),
}


def test_every_kind_of_finding_at_its_place(broken_report):
    found = {(f.code, f.severity.value, f.file, f.line, f.column) for f in broken_report.findings}
    assert found == EXPECTED
    assert len(broken_report.findings) == len(EXPECTED)


def test_findings_come_sorted_by_file_and_line(broken_report):
    keys = [(f.file, f.line, f.column) for f in broken_report.findings]
    assert keys == sorted(keys)


def test_every_finding_says_how_to_fix_it(broken_report):
    assert all(f.hint for f in broken_report.findings)
    assert set(FIXES) == set(CODES), "each finding code needs help text and a fix"


@pytest.mark.parametrize("code, fragment", [
    ("duplicate-id", "first at tests/fixtures/rules-broken/more-rules.yaml:2:5"),
    ("override", "replaces the one defined at tests/fixtures/rules-base/rules.yaml:8:5"),
    ("override", "is disabled here; this removes the one defined at tests/fixtures/rules-base/methods.yaml:3:5"),
    ("never-fires", "rule 'rural-and-urban' can never fire: `setting: rural` (line 8) and `setting: urban` cannot both hold"),
    ("never-fires", "`mix.virtual: {gte: 0.7}` (line 22) and `mix.analog: {gte: 0.5}` cannot both hold"),
    ("never-fires", "question 'school_year' is never asked"),
    ("stale-fact", "fact 'al-internet' was due for review on 2025-06-30 (checked as of 2026-11-23)"),
    ("missing-mitigation", "warning 'echo-mitigation' has a mitigation that only repeats its message"),
    ("unknown-reference", "disables method 'telegram', but no earlier rule directory defines it"),
    ("unknown-reference", "unknown fact 'al-internt'"),
])
def test_messages_name_what_and_where(broken_report, code, fragment):
    assert any(f.code == code and fragment in f.message for f in broken_report.findings), \
        [f.message for f in broken_report.findings if f.code == code]


def test_a_broken_file_is_named_in_hints_of_references_it_may_hold(broken_report):
    radoi = next(f for f in broken_report.findings if "radoi" in f.message)
    assert "did you mean 'radio'?" in radoi.hint
    assert "syntax.yaml, which could not be read" in radoi.hint


def test_stale_facts_depend_on_the_pinned_date():
    early = check_directories([BASE, BROKEN], include_default=False, as_of=dt.date(2025, 6, 30))
    assert not [f for f in early.findings if f.code == "stale-fact"]  # due that day, not past it


def test_the_shipped_rules_check_clean_today_and_the_fixture_base_too():
    assert check_directories([], as_of=dt.date(2026, 1, 1)).findings == []
    assert check_directories([BASE], include_default=False, as_of=TODAY).findings == []


def test_findings_in_the_shipped_rules_show_only_when_a_directory_caused_them(tmp_path):
    ours = write(tmp_path / "ours" / "methods.yaml",
                 "methods:\n  - {id: local_radio, label: Radio, channel: analog, disabled: true}\n").parent
    report = check_directories([ours], as_of=dt.date(2099, 1, 1))
    # far in the future every shipped fact is stale: hidden, because the shipped rules alone have them
    assert not [f for f in report.findings if f.code == "stale-fact"]
    assert report.hidden > 0
    assert "not shown" in report.summary()
    # but disabling local_radio leaves shipped rules pointing at it: shown, in the shipped files
    caused = [f for f in report.findings if f.code == "disabled-reference"]
    assert caused and all(f.file.startswith("<default>/") for f in caused)
    assert any(f.code == "override" and f.file.endswith("ours/methods.yaml") for f in report.findings)


def test_an_unreadable_file_is_a_finding_and_the_rest_is_still_checked(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(BASE, rules)
    (rules / "binary.yaml").write_bytes(b"methods:\n\x00\x00")
    write(rules / "extra.yaml", "rules:\n  - {id: r, summary: s, why: w, source: TODO, effects: {radio: 1}}\n")
    report = check_directories([rules], include_default=False, as_of=TODAY)
    codes = {(f.code, Path(f.file).name) for f in report.findings}
    assert ("unreadable", "binary.yaml") in codes
    assert ("missing-source", "extra.yaml") in codes


@pytest.fixture(scope="module")
def specs():
    rs, _ = load_ruleset([BASE], include_default=False)
    return rs, rs.key_specs(), rs.key_specs(for_warnings=True)


@pytest.mark.parametrize("when, holds", [
    ({"setting": "rural"}, True),
    ({"setting": "rural", "all": [{"setting": "urban"}]}, False),
    ({"setting": {"in": ["rural", "urban"]}, "not": {"setting": {"not_in": ["mixed"]}}}, False),
    ({"any": [{"setting": "rural"}, {"setting": "urban"}], "setting": {"ne": "rural"}}, True),
    # a list answer is never empty, so naming every choice in contains_none cannot hold
    ({"audiences": {"contains_none": ["youth", "older_people", "parents"]}}, False),
    ({"audiences": {"contains_all": ["youth", "parents"]}, "not": {"audiences": {"contains": "youth"}}}, False),
    ({"audiences": {"contains_none": ["youth", "older_people"]}}, True),
    # a required question is always answered
    ({"setting": {"is_set": False}}, False),
    ({"involves_minors": True}, True),
    # country_known follows from the country
    ({"country": "AL", "country_known": False}, False),
    ({"country": {"ne": "AL"}, "country_known": True}, False),
    ({"country": "DE", "country_known": False}, True),
])
def test_can_hold_over_the_answer_space(specs, when, holds):
    rs, keys, _ = specs
    assert can_hold(when, keys, rs) is holds


@pytest.mark.parametrize("when, holds", [
    ({"mix.virtual": {"gte": 0.6}}, True),
    ({"mix.virtual": {"gte": 0.5}, "mix.analog": {"gte": 0.5}}, True),  # exactly half and half
    ({"mix.virtual": {"gt": 0.5}, "mix.analog": {"gte": 0.5}}, False),
    ({"mix.virtual": {"gt": 1}}, False),
    ({"recommended": {"contains_all": ["radio", "meeting"]}}, True),
])
def test_can_hold_for_warnings(specs, when, holds):
    rs, _, keys = specs
    assert can_hold(when, keys, rs) is holds


def test_a_condition_too_large_to_enumerate_is_not_judged(specs, monkeypatch):
    import advocate_cli.checks as checks

    rs, keys, _ = specs
    monkeypatch.setattr(checks, "MAX_ANSWER_COMBINATIONS", 4)
    assert can_hold({"setting": "rural", "audiences": {"contains": "youth"}}, keys, rs) is None


def test_every_finding_code_is_documented_for_rule_editors():
    doc = (HERE.parent / "README.md").read_text(encoding="utf-8")
    missing = [code for code in CODES if f"| `{code}`" not in doc]
    assert not missing, f"add these codes to the table in README.md (Keeping your own rules): {missing}"


def _check_as_two_loads(directories, as_of):
    """check_directories as it was: the layered rule set and the shipped rules alone, each loaded and analysed
    from scratch (nothing compiled kept for the analysis)."""
    from advocate_cli.checks import _identity, _with_hints, analyse
    from advocate_cli.ruleset.findings import Finding

    ruleset, findings = load_ruleset(directories, strict=False)
    ruleset.conditions.clear()  # the analysis compiles every condition afresh
    findings = [*findings, *analyse(ruleset, as_of)]
    base, base_findings = load_ruleset((), strict=False)
    base.conditions.clear()
    known = {_identity(f) for f in [*base_findings, *analyse(base, as_of)]}
    kept = [f for f in findings if not (f.file.startswith("<default>/") and _identity(f) in known)]
    return sorted(_with_hints(kept), key=Finding.sort_key), len(findings) - len(kept)


@pytest.mark.parametrize("as_of", [TODAY, dt.date(2099, 1, 1)])
def test_one_read_of_the_shipped_rules_finds_what_two_loads_find(tmp_path, as_of):
    ours = write(tmp_path / "ours" / "methods.yaml",
                 "methods:\n  - {id: local_radio, label: Radio, channel: analog, disabled: true}\n").parent
    shutil.copytree(BROKEN, ours / "broken")
    report = check_directories([ours], as_of=as_of)
    findings, hidden = _check_as_two_loads([ours], as_of)
    assert report.findings == findings
    assert report.hidden == hidden
    assert any(f.code == "never-fires" for f in findings)


def test_rule_files_read_by_several_processes_give_the_same_findings(monkeypatch):
    """Many rule files are shared out to helper processes to read; every finding, with its place, and the
    rule set are what one process reading them all gives (the broken directory has syntax errors, YAML 1.1
    traps, duplicate keys and a file that is not a mapping)."""
    from advocate_cli import parallel, yamlio

    monkeypatch.chdir(HERE.parent)
    monkeypatch.setattr(parallel, "default_jobs", lambda: 3)
    alone = check_directories([BASE, BROKEN], include_default=False, as_of=TODAY)
    alone_set, _ = load_ruleset([BASE, BROKEN], include_default=False, strict=False)
    read_here: list[str] = []  # what this process read: a helper's reads are counted in the helper
    read_file = yamlio._read_file

    def counted(file):
        read_here.append(file[1])
        return read_file(file)

    monkeypatch.setattr(yamlio, "SHARED_READ_BYTES", 1)
    monkeypatch.setattr(yamlio, "_read_file", counted)
    shared = check_directories([BASE, BROKEN], include_default=False, as_of=TODAY)
    assert shared.findings == alone.findings
    assert shared.files == alone.files
    assert 0 < len(read_here) < len(alone.files)  # the others were read by the helpers
    shared_set, _ = load_ruleset([BASE, BROKEN], include_default=False, strict=False)
    for kind in ("questions", "methods", "rules", "warnings", "countries"):
        assert getattr(shared_set, kind) == getattr(alone_set, kind)
