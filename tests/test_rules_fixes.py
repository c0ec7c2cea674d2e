"""Rule directories as networks write them: disabling shipped items, defaults that do not fit their question,
rule text with escapes, an empty directory, paths with spaces in SARIF, and the wording of hints."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import HERE, REPO, write

BASE = HERE / "fixtures" / "rules-base"
AS_OF = ("--as-of", "2026-01-01")
PROFILE = "country: AL\nsetting: urban\naudiences: [youth]\ninvolves_minors: false\n"


@pytest.fixture(autouse=True)
def at_repo_root(monkeypatch):
    monkeypatch.chdir(REPO)  # findings name files relative to the working directory


def lines_with(text: str, code: str) -> list[str]:
    return [line for line in text.splitlines() if f" {code} " in line]


# -- 1. a method disabled by a later layer, named in an earlier warning's `recommended` ------------

def test_disabling_a_shipped_method_leaves_the_shipped_warnings_valid(cli, tmp_path):
    ours = write(tmp_path / "ours" / "m.yaml",
                 "methods: [{id: tiktok, label: TikTok, channel: virtual, disabled: true}]\n").parent
    result = cli("rules", "check", ours, *AS_OF)
    assert result.exit_code == 0, result.stdout
    assert "unknown-value" not in result.stdout
    named = [line for line in lines_with(result.stdout, "disabled-reference") if "warnings.yaml" in line]
    assert len(named) == 6
    assert named[0].startswith("<default>/warnings.yaml:30:57: warning disabled-reference when: method 'tiktok' "
                               "was disabled at ")
    assert "so it is never recommended and this part of the condition never holds" in named[0]
    hint = result.stdout.splitlines()[result.stdout.splitlines().index(named[0]) + 1]
    assert hint == "  hint: give the warning a new version in your own directory without this method, or keep the method"
    # the warning that needs TikTok in the mix can no longer fire, and says so
    assert any("<default>/warnings.yaml:315:" in line and "'regulation-al-tiktok-block' can never fire" in line
               for line in lines_with(result.stdout, "never-fires"))

    plan = cli("plan", "--rules", ours, "--profile", "examples/rural-parents-albania.yaml", "--format", "json")
    assert plan.exit_code == 0, plan.stderr
    assert "tiktok" not in {m["id"] for m in json.loads(plan.stdout)["methods"]}


def test_a_warning_naming_a_disabled_method_still_fires_on_the_others(cli, tmp_path):
    ours = tmp_path / "ours"
    write(ours / "m.yaml", "methods: [{id: webinar, disabled: true}]\n")
    write(ours / "w.yaml", """warnings:
  - id: online-either
    topic: platform_dependence
    severity: low
    message: The mix relies on online channels.
    mitigation: Keep a copy of your contacts outside the platforms.
    source: Practice
    when: {recommended: {contains_any: [facebook, webinar]}}
  - id: webinar-only
    topic: security
    severity: low
    message: Webinars can be disrupted.
    mitigation: Use a waiting room and registration.
    source: Practice
    when: {recommended: {contains: webinar}}
""")
    profile = write(tmp_path / "p.yaml", PROFILE)
    plan = cli("plan", "--no-default-rules", "--rules", BASE, "--rules", ours, "--profile", profile,
               "--format", "json", *AS_OF)
    assert plan.exit_code == 0, plan.stderr
    fired = {w["id"] for w in json.loads(plan.stdout)["warnings"]}
    assert "online-either" in fired and "webinar-only" not in fired

    check = cli("rules", "check", BASE, ours, "--no-default-rules", *AS_OF)
    assert check.exit_code == 0
    where = str(ours / "w.yaml")
    assert f"{where}:8:51: warning disabled-reference" in check.stdout
    assert f"{where}:15:36: warning disabled-reference" in check.stdout
    assert f"{where}:15:12: warning never-fires warning 'webinar-only' can never fire" in check.stdout


# -- 2. `disabled: true` needs only the id --------------------------------------------------------

def test_disabling_needs_only_the_id_of_each_kind(cli, tmp_path):
    ours = write(tmp_path / "ours" / "off.yaml", """rules:
  - id: parents-school-and-groups
    disabled: true
warnings:
  - {id: backlash-high-sensitivity, disabled: true}
methods:
  - {id: tv, disabled: true}
""").parent
    result = cli("rules", "check", ours, *AS_OF)
    assert result.exit_code == 0, result.stdout
    assert "schema" not in result.stdout
    overrides = lines_with(result.stdout, "override")
    assert len(overrides) == 3 and all("is disabled here; this removes the one defined at" in o for o in overrides)
    plan = cli("plan", "--rules", ours, "--profile", "examples/rural-parents-albania.yaml", "--format", "json")
    assert plan.exit_code == 0, plan.stderr
    assert "tv" not in {m["id"] for m in json.loads(plan.stdout)["methods"]}


def test_disabling_a_country_needs_only_its_code(cli, tmp_path):
    ours = write(tmp_path / "ours" / "off.yaml", "countries:\n  - {code: XK, disabled: true}\n").parent
    result = cli("rules", "check", ours, *AS_OF)
    assert not lines_with(result.stdout, "schema")
    assert lines_with(result.stdout, "override") == [
        f"{ours / 'off.yaml'}:2:5: info override country 'XK' is disabled here; this removes the one defined at "
        "<default>/countries.yaml:297:5"]


def test_a_disabling_item_still_refuses_unknown_keys_and_wrong_values(cli, tmp_path):
    ours = write(tmp_path / "ours" / "off.yaml",
                 "methods:\n  - {id: tv, disabled: true, colour: red}\n  - {id: radio, disabled: true, base: 500}\n"
                 ).parent
    result = cli("rules", "check", ours, *AS_OF)
    assert result.exit_code == 1
    where = str(ours / "off.yaml")
    assert f"{where}:2:30: error schema methods[0].colour: unknown key" in result.stdout
    assert f"{where}:3:39: error schema methods[1].base: Input should be less than or equal to 100" in result.stdout


# -- 3. a default that does not fit its question -------------------------------------------------

QUESTION = """questions:
  - id: minority_language
    prompt: Does the audience speak a minority language?
    type: bool
    required: false
    default: {default}
"""


@pytest.mark.parametrize("default, message, hint", [
    ("maybe", "default 'maybe' is not true or false (the question's type is bool)",
     "write true or false, without quotes"),
    ('"true"', "default 'true' is not true or false (the question's type is bool)",
     "write true or false, without quotes"),
])
def test_a_bool_question_with_a_default_that_is_not_true_or_false(cli, tmp_path, default, message, hint):
    ours = write(tmp_path / "ours" / "q.yaml", QUESTION.format(default=default)).parent
    result = cli("rules", "check", ours, *AS_OF)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    at = lines.index(f"{ours / 'q.yaml'}:6:14: error schema question 'minority_language': {message}")
    assert lines[at + 1] == f"  hint: {hint}"

    plan = cli("plan", "--rules", ours, "--profile", "examples/rural-parents-albania.yaml", "--format", "json")
    assert plan.exit_code == 2
    assert message in plan.stderr and "UserWarning" not in plan.stderr


def test_country_and_text_defaults_must_fit_too(cli, tmp_path):
    ours = write(tmp_path / "ours" / "q.yaml", """questions:
  - {id: home, prompt: Home country?, type: country, required: false, default: Albnia}
  - {id: motto, prompt: Your motto?, type: text, required: false, default: 12}
  - {id: partner_country, prompt: Partner country?, type: country, required: false, default: MK}
""").parent
    result = cli("rules", "check", ours, *AS_OF)
    where = ours / "q.yaml"
    assert result.exit_code == 1
    assert (f"{where}:2:80: error schema question 'home': default 'Albnia' is not an ISO 3166-1 alpha-2 country code"
            in result.stdout)
    assert "  hint: did you mean AL (Albania)? write the code in capitals, e.g. AL, MK or RS" in result.stdout
    assert f"{where}:3:76: error schema question 'motto': default 12 is not text" in result.stdout
    assert "partner_country" not in result.stdout


# -- 4. control and bidi characters in rule text -------------------------------------------------

def test_rules_show_and_list_print_control_and_bidi_characters_as_escapes(cli, tmp_path):
    ours = write(tmp_path / "ours" / "w.yaml", r"""warnings:
  - id: escape-warning
    topic: backlash
    severity: low
    message: "Bad [bold red]markup[/] here"
    mitigation: "Do \e[31m escape"
    source: Practice
rules:
  - id: bidi-rule
    summary: "Evil \u202e reversed"
    why: Because.
    source: Practice
    effects: {tv: 5}
""").parent
    shown = cli("rules", "show", "escape-warning", "--rules", ours)
    assert shown.exit_code == 0
    assert "\x1b" not in shown.stdout
    assert "  mitigation: Do \\x1b[31m escape\n" in shown.stdout
    assert "  message:    Bad [bold red]markup[/] here\n" in shown.stdout  # markup is text, not style
    bidi = cli("rules", "show", "bidi-rule", "--rules", ours)
    assert "\u202e" not in bidi.stdout and "  summary:    Evil \\u202e reversed\n" in bidi.stdout
    listed = cli("rules", "list", "--kind", "rules", "--rules", ours)
    assert "\u202e" not in listed.stdout and "Evil \\u202e reversed" in listed.stdout
    listed = cli("rules", "list", "--kind", "warnings", "--rules", ours, "--format", "json")
    assert json.loads(listed.stdout)[-1]["text"] == "Bad [bold red]markup[/] here"


def test_rules_check_prints_control_characters_in_keys_as_escapes(cli, tmp_path):
    ours = write(tmp_path / "ours" / "r.yaml", 'rules:\n  - id: x\n    "su\\e[31mmary": s\n').parent
    result = cli("rules", "check", ours, *AS_OF)
    assert "\x1b" not in result.stdout
    assert f"{ours / 'r.yaml'}:3:5: error schema rules[0].su\\x1b[31mmary: unknown key" in result.stdout


# -- 5. an empty rule directory ------------------------------------------------------------------

def test_an_empty_directory_alone_is_an_invalid_rule_set(cli, tmp_path):
    empty = tmp_path / "EMPTYDIR"
    empty.mkdir()
    result = cli("rules", "check", empty, "--no-default-rules", *AS_OF)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    at = lines.index(f"{empty}:1:1: error schema the rule set has no questions and no methods: "
                     "a plan needs at least one question and one method")
    assert lines[at + 1] == ("  hint: check the directory path (rule files end in .yaml or .yml), "
                             "or drop --no-default-rules to layer your rules over the shipped ones")
    at = lines.index(f"{empty}:1:1: warning unreadable the rule directory holds no YAML files")
    assert "UTF-8" not in lines[at + 1] and "check the path" in lines[at + 1]

    plan = cli("plan", "--rules", empty, "--no-default-rules", "--profile", "examples/rural-parents-albania.yaml")
    assert plan.exit_code == 2
    assert "the rule set has no questions and no methods" in plan.stderr
    assert "drop --no-default-rules" in plan.stderr
    assert "unknown key" not in plan.stderr


def test_rules_without_methods_are_invalid_and_an_empty_layer_over_the_shipped_rules_is_not(cli, tmp_path):
    only_questions = tmp_path / "q"
    write(only_questions / "questions.yaml", (BASE / "questions.yaml").read_text(encoding="utf-8"))
    result = cli("rules", "check", only_questions, "--no-default-rules", *AS_OF)
    assert result.exit_code == 1
    assert f"{only_questions}:1:1: error schema the rule set has no methods: " in result.stdout

    empty = tmp_path / "empty"
    empty.mkdir()
    layered = cli("rules", "check", empty, *AS_OF)
    assert layered.exit_code == 0
    assert lines_with(layered.stdout, "unreadable") and not lines_with(layered.stdout, "schema")


# -- 6. SARIF locations are URI references -------------------------------------------------------

def test_sarif_uris_escape_spaces_and_percent_signs(cli, tmp_path, monkeypatch):
    from advocate_cli.render.findings import _fingerprint

    monkeypatch.chdir(tmp_path)
    name = "Our Rules/new rules (draft) 100%.yaml"
    write(tmp_path / name, "rules:\n  - {id: r-1, summary: s, why: w, source: TODO, effects: {tv: 1}}\n")
    result = cli("rules", "check", "Our Rules", "--format", "sarif", *AS_OF)
    log = json.loads(result.stdout)
    found = [r for r in log["runs"][0]["results"] if r["ruleId"] == "missing-source"]
    assert len(found) == 1
    location = found[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "Our%20Rules/new%20rules%20%28draft%29%20100%25.yaml"}
    # the fingerprint is of the file as named, so alerts keep their identity
    base = _fingerprint("missing-source", name, "rule 'r-1' has no real source ('TODO')")
    assert found[0]["partialFingerprints"]["advocateFinding/v1"] == f"{base}:1"


# -- 7. wording --------------------------------------------------------------------------------

def test_a_hint_that_names_a_file_that_could_not_be_read_starts_a_new_sentence(tmp_path):
    import datetime as dt

    from advocate_cli.checks import check_directories

    ours = tmp_path / "ours"
    write(ours / "broken.yaml", "rules: [\n")
    write(ours / "rules.yaml",
          "rules:\n  - {id: r-1, summary: s, why: w, source: Practice, facts: [zz-none], effects: {tv: 1}}\n")
    report = check_directories([ours], as_of=dt.date(2026, 1, 1))
    unknown = next(f for f in report.findings if f.code == "unknown-reference")
    assert unknown.hint.startswith("check the spelling against `advocate rules list`. It may be defined in ")


# -- an item or a case file that is not a mapping: in the rule format's words, not pydantic's class names --

def test_an_item_or_a_file_that_is_not_a_mapping_is_named_in_words(cli, tmp_path):
    rules = write(tmp_path / "r" / "rules.yaml", "rules:\n  - just a string\n").parent
    write(rules / "tests" / "list.yaml", "- a\n- b\n")
    checked = cli("rules", "check", rules, *AS_OF)
    assert "rules.yaml:2:5: error schema rules[0]: must be a mapping of keys and values, not the text 'just a string'" \
        in checked.stdout
    assert "instance of" not in checked.stdout
    (rules / "rules.yaml").unlink()
    tested = cli("rules", "test", rules, *AS_OF)
    assert "tests/list.yaml:1:1: schema the file must be a mapping of keys and values, not a list" in tested.stdout


def test_rule_files_named_in_capitals_are_read(cli, tmp_path):
    rules = write(tmp_path / "r" / "EXTRA.YAML",
                  "methods:\n  - {id: zine, label: Zine, channel: analog, base: 30}\n").parent
    listed = cli("rules", "list", "--rules", rules, "--kind", "methods", "--format", "json")
    assert listed.exit_code == 0, listed.stderr
    assert "zine" in {item["id"] for item in json.loads(listed.stdout)}


def test_a_topic_with_a_kind_that_has_none_is_refused_not_an_empty_list(cli):
    result = cli("rules", "list", "--kind", "methods", "--topic", "backlash")
    assert result.exit_code == 2 and result.stdout == ""
    assert "advocate: error: --topic: filters warnings only; methods have no topic" in result.stderr


def test_disabling_a_shipped_country_leaves_the_rules_citing_its_facts_valid(cli, tmp_path):
    ours = write(tmp_path / "ours" / "c.yaml", "countries:\n  - {code: XK, disabled: true}\n").parent
    checked = cli("rules", "check", ours, *AS_OF)
    assert checked.exit_code == 0, checked.stdout
    dropped = lines_with(checked.stdout, "disabled-reference")
    assert dropped and all("was removed with its country at" in line for line in dropped)
    assert "unknown-reference" not in checked.stdout
    planned = cli("plan", "--rules", ours, "--profile", REPO / "examples" / "clean-river-kosovo.yaml", "--format", "json")
    assert planned.exit_code == 0, planned.stderr
    assert not [f for f in json.loads(planned.stdout)["facts"] if f["id"].startswith("xk-")]


def test_rules_that_cannot_be_read_are_the_error_not_an_empty_rule_set(tmp_path):
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "advocate_cli", "plan", "--profile",
                           str(REPO / "examples" / "rural-parents-albania.yaml")], capture_output=True, text=True,
                          env={**os.environ, "ADVOCATE_MAX_SCALAR_CHARS": "10"}, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("advocate: error: <default>/")
    assert "limit: ADVOCATE_MAX_SCALAR_CHARS" in done.stderr.splitlines()[0]
    assert "no questions" not in done.stderr



def test_fields_given_with_disabled_true_must_still_fit(cli, tmp_path):
    ours = write(tmp_path / "ours" / "r.yaml", 'rules:\n  - {id: x, disabled: true, summary: ""}\n'
                 'methods:\n  - {id: tv, disabled: true, label: null}\n').parent
    result = cli("rules", "check", ours, *AS_OF)
    assert "rules[0].summary: String should have at least 1 character" in result.stdout
    assert "methods[0].label: Input should be a valid string" in result.stdout


def test_github_annotations_of_shipped_files_name_the_file_in_the_message(cli, tmp_path):
    ours = write(tmp_path / "ours" / "m.yaml",
                 "methods: [{id: tiktok, label: TikTok, channel: virtual, disabled: true}]\n").parent
    result = cli("rules", "check", ours, *AS_OF, "--format", "github")
    assert "file=<default>" not in result.stdout  # GitHub has no such file to attach it to
    shipped = [line for line in result.stdout.splitlines() if "::<default>/" in line]
    assert shipped and all(re.match(r"::(error|warning|notice) title=advocate [a-z-]+::<default>/", line)
                           for line in shipped)  # the place leads the message instead


def test_an_effect_of_zero_points_does_not_count_as_touching_a_method(tmp_path):
    import datetime as dt

    from advocate_cli.checks import check_directories

    ours = write(tmp_path / "ours" / "r.yaml", "methods:\n  - {id: zine, label: Zine, channel: analog}\n"
                 "rules:\n  - {id: z, summary: s, why: w, source: Practice, effects: {zine: 0}}\n").parent
    report = check_directories([ours], as_of=dt.date(2026, 1, 1))
    assert [f.code for f in report.findings if "'zine'" in f.message] == ["untouched-method"]


def test_a_country_default_is_judged_as_the_profile_judges_an_answer(cli, tmp_path):
    ours = write(tmp_path / "ours" / "q.yaml", "questions:\n"
                 "  - {id: home, prompt: Home country?, type: country, required: false, default: al}\n").parent
    result = cli("rules", "check", ours, *AS_OF)
    assert "home" not in "".join(lines_with(result.stdout, "schema"))  # al is AL, as an answer would be
