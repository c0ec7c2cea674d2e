"""`advocate rules check|schema|list|show` end to end: golden reports, SARIF for code scanning, exit codes, streams."""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from advocate_cli.render.findings import RENDERERS, ReportFormat
from tests.conftest import HERE, REPO, write

GOLDEN = HERE / "golden"
DATA = HERE / "data"
BASE = "tests/fixtures/rules-base"
BROKEN = "tests/fixtures/rules-broken"
AS_OF = "2026-11-23"
CHECK_BROKEN = ("rules", "check", BASE, BROKEN, "--no-default-rules", "--as-of", AS_OF)


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"output differs from {path}; UPDATE_GOLDEN=1 to accept"


@pytest.fixture(autouse=True)
def at_repo_root(monkeypatch):
    monkeypatch.chdir(REPO)  # findings name files relative to the working directory


@pytest.mark.parametrize("fmt, name", [("text", "rules-check.txt"), ("json", "rules-check.json"),
                                       ("github", "rules-check.github.txt")])
def test_golden_reports_of_the_broken_directory(cli, fmt, name):
    result = cli(*CHECK_BROKEN, "--format", fmt)
    assert result.exit_code == 1
    golden(name, result.stdout)
    assert result.stderr == ("advocate: rules check: 19 errors, 13 warnings, 4 info in 13 files; "
                             "19 at or above --fail-on error\n")


def test_text_lines_are_file_line_col_severity_code_message_then_hint(cli):
    lines = cli(*CHECK_BROKEN).stdout.splitlines()
    assert "tests/fixtures/rules-broken/rules.yaml:20:22: error unknown-operator when: unknown operator 'equals'" in lines
    after = lines[lines.index(next(line for line in lines if "'radoi'" in line)) + 1]
    assert after.startswith("  hint: did you mean 'radio'?")


def test_github_annotations_escape_data_and_map_severities(cli):
    out = cli(*CHECK_BROKEN, "--format", "github").stdout.splitlines()
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in out)
    assert any(line.startswith("::notice file=tests/fixtures/rules-broken/methods.yaml,line=18,col=5,"
                               "title=advocate override::") for line in out)
    assert all("\n" not in line for line in out) and any("%0Ahint: " in line for line in out)


@pytest.fixture(scope="module")
def sarif_validator():
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def test_sarif_is_valid_and_has_what_code_scanning_needs(cli, sarif_validator, tmp_path):
    out = tmp_path / "advocate.sarif"
    result = cli(*CHECK_BROKEN, "--format", "sarif", "--output", out)
    assert result.exit_code == 1 and result.stdout == ""
    assert "19 errors" in result.stderr
    log = json.loads(out.read_text(encoding="utf-8"))
    errors = sorted(sarif_validator.iter_errors(log), key=str)
    assert not errors, errors[0]
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "advocate"
    assert all(r["help"]["text"] and r["shortDescription"]["text"] for r in rules)
    ids = [r["id"] for r in rules]
    results = run["results"]
    assert len(results) == 36
    for r in results:
        assert ids[r["ruleIndex"]] == r["ruleId"]
        region = r["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("tests/fixtures/")
        assert r["level"] in ("error", "warning", "note")
    prints = [r["partialFingerprints"]["advocateFinding/v1"] for r in results]
    assert len(set(prints)) == len(prints)


def test_sarif_fingerprints_survive_moved_lines(cli, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(REPO / BROKEN, broken)

    def check() -> tuple[list[str], list[int]]:
        result = cli("rules", "check", BASE, broken, "--no-default-rules", "--as-of", AS_OF, "--format", "sarif")
        results = json.loads(result.stdout)["runs"][0]["results"]
        return ([r["partialFingerprints"]["advocateFinding/v1"] for r in results],
                [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results])

    prints_before, lines_before = check()
    for f in broken.glob("*.yaml"):
        f.write_text("# a new first line\n\n" + f.read_text(encoding="utf-8"), encoding="utf-8")
    prints_after, lines_after = check()
    assert lines_before != lines_after
    assert sorted(prints_before) == sorted(prints_after)


def test_junit_report_counts_failures_at_or_above_fail_on(cli):
    root = ET.fromstring(cli(*CHECK_BROKEN, "--format", "junit").stdout)
    assert root.tag == "testsuites" and root.get("failures") == "19"
    root = ET.fromstring(cli(*CHECK_BROKEN, "--format", "junit", "--fail-on", "warning").stdout)
    assert root.get("failures") == "32"
    clean = [s for s in root if s.get("name") == "tests/fixtures/rules-base/methods.yaml"]
    assert clean and clean[0].find("testcase").get("name") == "no findings"


@pytest.mark.parametrize("args, code", [
    (("rules", "check", BASE, "--no-default-rules"), 0),
    (("rules", "check"), 0),
    (("rules", "check", "examples/network-rules", "--as-of", "2026-06-01"), 0),
    (CHECK_BROKEN, 1),
    (("rules", "check", "no/such/dir"), 2),
    (("rules", "check", "--no-default-rules"), 2),
    (("rules", "check", BASE, "--as-of", "yesterday"), 2),
    (("rules", "check", BASE, "--format", "xml"), 2),
    (("rules", "check", BASE, "--fail-on", "fatal"), 2),
    (("rules", "check", "README.md"), 2),
])
def test_exit_codes(cli, args, code):
    assert cli(*args).exit_code == code


def test_fail_on_decides_which_findings_fail_the_run(cli, tmp_path):
    ours = write(tmp_path / "ours" / "rules.yaml",
                 "rules:\n  - {id: r, summary: s, why: w, source: TODO, effects: {local_radio: 1}}\n").parent
    assert cli("rules", "check", ours).exit_code == 0  # a warning only
    result = cli("rules", "check", ours, "--fail-on", "warning")
    assert result.exit_code == 1
    assert "1 at or above --fail-on warning" in result.stderr
    assert "missing-source" in result.stdout


def test_the_report_file_is_written_whole_and_stdout_stays_empty(cli, tmp_path):
    out = tmp_path / "report.json"
    out.write_text("old", encoding="utf-8")
    result = cli(*CHECK_BROKEN, "--format", "json", "--output", out)
    assert result.stdout == ""
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["summary"]["error"] == 19 and len(data["findings"]) == 36
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left


def test_rule_text_with_brackets_is_printed_as_is(cli, tmp_path):
    ours = write(tmp_path / "ours" / "w.yaml",
                 "warnings:\n  - {id: w, topic: balance, severity: low, message: '[bold]x[/bold] [/social]',"
                 " mitigation: TODO, source: Practice}\n").parent
    shown = cli("rules", "show", "w", "--rules", ours)
    assert "[bold]x[/bold] [/social]" in shown.stdout
    listed = cli("rules", "list", "--kind", "warnings", "--rules", ours, "--format", "json")
    assert any(e["text"] == "[bold]x[/bold] [/social]" for e in json.loads(listed.stdout))


def test_every_report_format_has_a_renderer_for_checks_and_tests():
    import datetime as dt
    import io

    from advocate_cli.casefile import CaseResult, TestReport
    from advocate_cli.checks import CheckReport
    from advocate_cli.ruleset.findings import Finding, FindingSeverity

    finding = Finding("schema", FindingSeverity.error, "r.yaml", 3, 5, "methods[0].x: unknown key", "a hint")
    check = CheckReport([finding], ["r.yaml"], dt.date(2026, 1, 1))
    test = TestReport([CaseResult("c", "t.yaml", 4, ["expected x in the top 5"])], [], ["t.yaml"], [], [])
    assert set(RENDERERS) == set(ReportFormat)
    for fmt in ReportFormat:
        renderer = RENDERERS[fmt]()
        for render, report, needle in ((renderer.check, check, "unknown key"),
                                       (renderer.test, test, "expected x in the top 5")):
            out = io.StringIO()
            render(report, out)
            assert needle in out.getvalue(), fmt


# -- list and show ---------------------------------------------------------------------------------

def test_list_filters_by_kind_topic_and_country(cli):
    warnings = json.loads(cli("rules", "list", "--kind", "warnings", "--topic", "minors", "--format", "json").stdout)
    assert warnings and {e["kind"] for e in warnings} == {"warning"}
    assert all("minors" in e["detail"] for e in warnings)
    albania = json.loads(cli("rules", "list", "--country", "al", "--format", "json").stdout)
    kinds = {e["kind"] for e in albania}
    assert {"country", "fact", "rule", "warning"} <= kinds
    assert all(e["id"].startswith(("al-", "AL", "data-protection-al", "regulation")) for e in albania), albania
    table = cli("rules", "list", "--kind", "methods").stdout
    assert "local_radio" in table and "<default>/methods.yaml" in table


def test_list_rejects_an_unknown_topic_with_a_suggestion(cli):
    result = cli("rules", "list", "--topic", "backlas")
    assert result.exit_code == 2 and "did you mean 'backlash'?" in result.stderr


def test_show_names_where_an_item_is_defined_and_which_layer_overrode_which(cli):
    result = cli("rules", "show", "rural-communities-local-and-personal", "--rules", "examples/network-rules")
    out = result.stdout
    assert result.exit_code == 0
    assert out.startswith("rule rural-communities-local-and-personal\n")
    assert "community_mediators +10" in out and "why:" in out and "source:" in out
    assert "defined at: examples/network-rules/rules.yaml:4:5 (layer examples/network-rules)" in out
    assert "1. <default>/scoring/audiences.yaml:" in out and "(<default>): first defined" in out
    assert "2. examples/network-rules/rules.yaml:4:5 (examples/network-rules): replaces 1" in out


@pytest.mark.parametrize("item, expected", [
    ("local_radio", "method local_radio"),
    ("al", "country AL"),
    ("al-internet-use-2023", "review by:"),
    ("country", "question country"),
    ("older_people", "choice older_people"),
])
def test_show_finds_any_kind_by_id(cli, item, expected):
    result = cli("rules", "show", item, "--as-of", "2026-01-01")
    assert result.exit_code == 0 and expected in result.stdout


def test_show_a_stale_fact_says_so(cli):
    out = cli("rules", "show", "al-internet-use-2023", "--as-of", "2030-01-01").stdout
    assert "past review as of 2030-01-01" in out


def test_show_an_unknown_id_suggests_the_nearest(cli):
    result = cli("rules", "show", "locl_radio")
    assert result.exit_code == 2
    assert "no question, choice, method, rule, warning, country or fact has the id 'locl_radio'" in result.stderr
    assert "did you mean 'local_radio'?" in result.stderr
