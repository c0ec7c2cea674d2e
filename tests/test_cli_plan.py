"""`advocate plan` end to end: formats, golden renders, exit codes, stdout/stderr, the README's first command."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from advocate_cli.batch import Outcome
from advocate_cli.engine import evaluate
from advocate_cli.render import Format, get_renderer
from tests.conftest import COMPLETE, MINI, REPO, TODAY, write

GOLDEN = Path(__file__).parent / "golden"
EXAMPLE = REPO / "examples" / "rural-parents-albania.yaml"
BRACKETS = {
    "name": "[bold]Not bold[/bold] [/social] plan",
    "country": "AL",
    "setting": "rural",
    "audiences": ["older_people", "youth"],
    "online_habits": "mostly_offline",
    "involves_minors": True,
    "school_year": "primary",
}


def render(fmt: Format, outcomes, *, single: bool) -> str:
    out = io.StringIO()
    renderer = get_renderer(fmt, out, single=single, width=100)
    renderer.begin()
    for outcome in outcomes:
        renderer.outcome(outcome)
    renderer.end()
    return out.getvalue()


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"render differs from {path}; UPDATE_GOLDEN=1 to accept"


def mini_outcome(mini) -> Outcome:
    source = {"file": "p.yaml", "document": 1, "line": 1}
    plan = evaluate(mini.profile_model.validate(BRACKETS), mini, today=TODAY, source=source)
    return Outcome(source, plan=plan)


def test_every_format_has_a_renderer():
    for fmt in Format:
        assert get_renderer(fmt, io.StringIO(), single=True) is not None


def test_table_golden(mini):
    text = render(Format.table, [mini_outcome(mini)], single=True)
    assert "[bold]Not bold[/bold] [/social] plan" in text  # rule and profile text is data, not markup
    assert "Face-to-face [meeting]" in text
    golden("plan-table.txt", text)


def test_markdown_golden(mini):
    golden("plan-markdown.md", render(Format.markdown, [mini_outcome(mini)], single=True))


def test_json_and_yaml_agree(mini):
    outcome = mini_outcome(mini)
    as_json = json.loads(render(Format.json, [outcome], single=True))
    as_yaml = yaml.safe_load(render(Format.yaml, [outcome], single=True))
    assert as_json == as_yaml == json.loads(json.dumps(outcome.to_dict()))


def test_profile_json_is_one_object(cli):
    result = cli("plan", "--profile", EXAMPLE, "--format", "json")
    assert result.exit_code == 0, result.stderr
    plan = json.loads(result.stdout)
    assert plan["name"] == "School meals in rural Korçë"
    assert plan["source"] == {"file": str(EXAMPLE), "document": 1, "line": 2}
    assert sum(m["share"] for m in plan["methods"]) == pytest.approx(1)
    assert {"virtual", "analog"} == {m["channel"] for m in plan["methods"] if m["recommended"]}
    assert "minors" in {w["topic"] for w in plan["warnings"]}
    assert result.stderr == ""


def test_input_json_is_a_list_and_jsonl_a_line_each(cli):
    stream = REPO / "examples" / "montenegro-and-germany.yaml"
    as_list = json.loads(cli("plan", "--input", stream, "--format", "json").stdout)
    lines = cli("plan", "--input", stream, "--format", "jsonl").stdout.splitlines()
    assert [p["name"] for p in as_list] == ["Northern municipalities budget hearings", "Diaspora voices"]
    assert [json.loads(line) for line in lines] == as_list
    assert [p["source"]["document"] for p in as_list] == [1, 2]
    assert "country-unknown" in {w["id"] for w in as_list[1]["warnings"]}  # DE has no country facts
    assert "country-unknown" not in {w["id"] for w in as_list[0]["warnings"]}


def test_stdin_is_read_when_piped(cli):
    result = cli("plan", "--format", "jsonl", input=EXAMPLE.read_text(encoding="utf-8"))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["name"] == "School meals in rural Korçë"
    assert "planned 1 of 1 profile" in result.stderr


def test_a_bad_profile_in_a_batch_gives_an_error_record_and_exit_1(cli):
    good = yaml.safe_dump(COMPLETE, sort_keys=False)
    text = f"---\n{good}---\n{good.replace('budget: medium', 'budget: huge')}---\n{good}"
    result = cli("plan", "--format", "jsonl", input=text)
    assert result.exit_code == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert ["error" in r for r in records] == [False, True, False]
    error = records[1]
    assert error["error"]["key"] == "budget"
    assert error["error"]["line"] == 2 * (1 + len(good.splitlines()))  # `budget` is the last line of document 2
    assert error["source"]["document"] == 2
    assert "methods" not in error
    assert "budget: 'huge' is not one of: low, medium, high" in result.stderr
    assert "planned 2 of 3 profiles; 1 failed" in result.stderr


def test_fail_fast_stops_at_the_first_bad_profile(cli):
    good = yaml.safe_dump(COMPLETE, sort_keys=False)
    text = f"---\nbudget: [\n---\n{good}"
    result = cli("plan", "--format", "jsonl", "--fail-fast", input=text)
    assert result.exit_code == 1
    assert len(result.stdout.splitlines()) == 1


def test_invalid_profile_file_exit_1_with_place(cli, tmp_path):
    path = write(tmp_path / "p.yaml", yaml.safe_dump({**COMPLETE, "country": "NO"}, sort_keys=False).replace("'NO'", "NO"))
    result = cli("plan", "--profile", path, "--format", "table")
    assert result.exit_code == 1
    assert f"{path}:2:10: country:" in result.stderr
    assert 'write the code in quotes, e.g. country: "NO"' in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["--profile", "missing.yaml"], "missing.yaml: no such file"),
        (["--profile", "."], "is a directory"),
        (["--profile", "x.yaml", "--input", "y.yaml"], "not both"),
        (["--set", "budjet=low"], "did you mean 'budget'"),
        (["--set", "budget"], "is not key=value"),
        (["--as-of", "yesterday", "--set", "budget=low"], "is not a date"),
        (["--rules", "no-such-dir", "--set", "budget=low"], "no such rule directory"),
    ],
)
def test_could_not_run_is_exit_2(cli, args, fragment):
    result = cli("plan", *args)
    assert result.exit_code == 2, result.stderr
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_an_invalid_rule_set_is_exit_2_naming_the_place(cli, tmp_path):
    rules = write(tmp_path / "r" / "bad.yaml", "methods:\n  - {id: x, label: X, channel: paper}\n").parent
    result = cli("plan", "--profile", EXAMPLE, "--rules", rules)
    assert result.exit_code == 2
    assert "bad.yaml:2:" in result.stderr and "methods[0].channel" in result.stderr


def test_answers_from_flags_alone(cli):
    args = [f"--set={k}={','.join(v) if isinstance(v, list) else v}" for k, v in COMPLETE.items()]
    result = cli("plan", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["profile"]["goals"] == ["raise_awareness"]


def test_flags_missing_answers_is_exit_2_naming_them(cli):
    result = cli("plan", "--country", "AL", "--goal", "raise_awareness")
    assert result.exit_code == 2
    assert "missing required answer" in result.stderr and "--set" in result.stderr


@pytest.mark.parametrize(("flags", "message"), [
    (["--set", "budget=hihg"], "advocate: error: --set budget: 'hihg' is not one of: low, medium, high"),
    (["--country", "Albnia"], "advocate: error: --country: 'Albnia' is not an ISO 3166-1 alpha-2 country code"),
    (["--goal", "nope"], "advocate: error: --goal: 'nope' is not one of: "),
])
def test_a_bad_flag_value_names_the_flag_not_a_line_of_the_profile(cli, flags, message):
    result = cli("plan", "--profile", EXAMPLE, *flags)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(message)
    assert str(EXAMPLE.name) not in result.stderr


def test_no_interactive_with_an_unfinished_profile_names_what_is_missing_and_how_to_give_it(cli, tmp_path):
    text = EXAMPLE.read_text(encoding="utf-8")
    unfinished = write(tmp_path / "draft.yaml", "".join(line for line in text.splitlines(keepends=True)
                                                       if not line.startswith("budget:")))
    result = cli("plan", "--profile", unfinished, "--no-interactive")
    assert result.exit_code == 2 and result.stdout == ""
    assert f"advocate: error: {unfinished}: missing required answer: budget" in result.stderr
    assert "add it to the file, or give it as flags:" in result.stderr
    assert "--set budget=low|medium|high" in result.stderr
    # Given by a flag, the answer is no longer missing.
    done = cli("plan", "--profile", unfinished, "--no-interactive", "--set", "budget=low", "--format", "json")
    assert done.exit_code == 0 and json.loads(done.stdout)["profile"]["budget"] == "low"


@pytest.mark.parametrize(("flags", "message"), [
    (["--country", "UK"], "--country: 'UK' is not an ISO 3166-1 alpha-2 country code; did you mean GB (United Kingdom)?"),
    (["--country", "AL", "--goal", ""], "--goal: an empty value"),  # given empty: refused, not dropped
    (["--country", "AL", "--audience", "parents", "--audience", " "], "--audience: an empty value"),
])
def test_flag_values_that_are_close_or_empty_are_named(cli, flags, message):
    result = cli("plan", *flags, "--no-interactive")
    assert result.exit_code == 2
    assert f"advocate: error: {message}" in result.stderr


def test_profile_dash_points_to_input_dash(cli):
    result = cli("plan", "--profile", "-", input="name: x\n")
    assert result.exit_code == 2 and result.stdout == ""
    assert "advocate: error: --profile: reads a file, not stdin" in result.stderr
    assert "use --input -" in result.stderr


def test_set_overrides_a_profile_file(cli):
    result = cli("plan", "--profile", EXAMPLE, "--set", "budget=high", "--format", "json")
    assert json.loads(result.stdout)["profile"]["budget"] == "high"


def test_layered_custom_rules_change_the_plan(cli):
    profile = REPO / "examples" / "older-people-serbia.yaml"
    plain = json.loads(cli("plan", "-p", profile, "-f", "json").stdout)
    custom = json.loads(cli("plan", "-p", profile, "-f", "json", "-r", REPO / "examples" / "custom-rules").stdout)
    rules = {c["rule"] for m in custom["methods"] for c in m["contributions"]}
    assert "pensioner-clubs-as-venues" in rules
    assert plain["methods"] != custom["methods"]


def test_output_file_is_written_and_input_never_overwritten(cli, tmp_path):
    target = tmp_path / "plan.json"
    assert cli("plan", "-p", EXAMPLE, "-f", "json", "-o", target).exit_code == 0
    assert json.loads(target.read_text())["name"]
    copy = write(tmp_path / "p.yaml", EXAMPLE.read_text(encoding="utf-8"))
    result = cli("plan", "-p", copy, "-f", "json", "-o", copy)
    assert result.exit_code == 2 and "over an input file" in result.stderr
    assert copy.read_text(encoding="utf-8") == EXAMPLE.read_text(encoding="utf-8")


def test_no_default_rules_uses_only_the_given_directory(cli, tmp_path):
    path = write(tmp_path / "p.yaml", yaml.safe_dump(BRACKETS))
    result = cli("plan", "-p", path, "-f", "json", "--no-default-rules", "-r", MINI)
    assert [m["id"] for m in json.loads(result.stdout)["methods"]][:1] in (["radio"], ["meeting"], ["door"])


def test_readme_first_command_runs(tmp_path):
    """The Quick start's first command, as a user runs it (the package is installed in this environment)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "python -m pip install . && advocate plan --profile examples/rural-parents-albania.yaml" in readme
    result = subprocess.run(
        [sys.executable, "-m", "advocate_cli", "plan", "--profile", "examples/rural-parents-albania.yaml"],
        cwd=REPO, capture_output=True, text=True, timeout=60, env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert "School meals in rural Korçë" in result.stdout


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_terminal_escapes_in_data_are_shown_not_obeyed(cli, tmp_path, fmt):
    name = "\x1b[31mred\x1b]0;title\x07 \u202etxt [bold]x[/bold]"
    path = write(tmp_path / "p.yaml", yaml.safe_dump({**COMPLETE, "name": name}, sort_keys=False))
    result = cli("plan", "-p", path, "-f", fmt)
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout and "\u202e" not in result.stdout
    shown = "\\x1b[31mred\\x1b]0;title\\x07 \\u202etxt [bold]x[/bold]"
    if fmt == "markdown":  # Markdown's own characters escaped too, so that it renders as written
        shown = shown.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    assert shown in result.stdout


def test_a_control_character_in_yaml_text_is_a_clear_error(cli, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes(b'name: "\x1b[31m"\ncountry: AL\n')
    result = cli("plan", "-p", path, "-f", "json")
    assert result.exit_code == 1
    assert "p.yaml:1:8: YAML: character U+001B is not allowed" in result.stderr
    assert "\x1b" not in result.stderr


def test_an_empty_batch_says_so(cli):
    result = cli("plan", "--format", "json", input="")
    assert result.exit_code == 0
    assert result.stdout.strip() == "[]"
    assert "the input held no profiles" in result.stderr


def test_main_puts_back_the_signal_handlers_it_found(monkeypatch):
    """Used as a library, advocate leaves the host's SIGTERM and SIGHUP as they were."""
    import signal

    from advocate_cli.cli import main

    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGHUP)}
    monkeypatch.setattr(sys, "argv", ["advocate", "--version"])
    with pytest.raises(SystemExit):
        main()
    assert {sig: signal.getsignal(sig) for sig in before} == before


def test_bidi_marks_and_line_separators_in_data_are_shown_as_escapes():
    from advocate_cli.render.words import visible

    assert visible("a\u061cb\u2028c\u2029d\u202ee") == "a\\u061cb\\u2028c\\u2029d\\u202ee"


def test_a_score_kept_to_0_100_is_said_so_where_the_points_are_added_up(cli, tmp_path):
    rules = write(tmp_path / "r" / "rules.yaml", "rules:\n  - {id: lift, summary: s, why: w, source: Practice, "
                  "effects: {face_to_face_meeting: 90}}\n").parent
    table = cli("plan", "-p", EXAMPLE, "--rules", rules, "-f", "table").stdout
    line = next(line for line in table.splitlines() if line.strip().startswith("Face-to-face meeting: 100"))
    assert "Face-to-face meeting: 100 (the sum, " in line and "kept to 0-100) = base 40" in line
    markdown = cli("plan", "-p", EXAMPLE, "--rules", rules, "-f", "markdown").stdout
    assert "**Face-to-face meeting** (100; the sum, " in markdown
