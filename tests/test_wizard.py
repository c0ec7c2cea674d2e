"""The interactive wizard of `advocate plan`, driven through CliRunner(input=...) as a user would type."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from advocate_cli import commands
from advocate_cli.cli import app

FIXTURE = Path(__file__).parent / "fixtures" / "wizard"
RULES = ["--rules", str(FIXTURE), "--no-default-rules"]
ENV = {"NO_COLOR": "1", "COLUMNS": "80"}

# Answers in the fixture's question order: name, country, setting, audiences, works_with_schools,
# (school_level only if schools), budget; then the summary (Enter) and the save offer (Enter).
HAPPY = ["Safe routes", "AL", "2", "1,2", "n", "", "", ""]


def lines(*answers: str) -> str:
    return "".join(f"{a}\n" for a in answers)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def wizard(runner: CliRunner, answers: list[str], *args: str, env: dict[str, str] | None = None):
    return runner.invoke(
        app, ["plan", "--interactive", "--format", "json", *RULES, *args], input=lines(*answers), env=env or ENV
    )


def plan_of(result) -> dict:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_happy_path_asks_every_question_and_prints_the_plan_on_stdout(runner):
    result = wizard(runner, HAPPY)
    plan = plan_of(result)
    assert plan["profile"] == {
        "name": "Safe routes", "country": "AL", "setting": "rural", "audiences": ["youth", "parents"],
        "works_with_schools": False, "budget": "low",
    }
    assert plan["name"] == "Safe routes"
    # Questions, numbered choices with labels, and the answers shown back in words, all on stderr.
    err = result.stderr
    assert "(1/6) What is the campaign called?" in err
    assert " 2. Villages and the countryside (rural)" in err
    assert "Answer: Villages and the countryside (rural)" in err
    assert "Answer: Young people, Parents" in err
    assert "Country facts exist for: AL Albania, XK Kosovo" in err
    assert "Which schools?" not in err  # the conditional question did not apply
    assert "Your answers:" in err and "Save these answers" in err
    assert "What is the campaign called?" not in result.stdout


def test_enter_takes_the_suggested_answer(runner):
    result = wizard(runner, ["", "AL", "", "youth", "", "", "", ""])
    plan = plan_of(result)
    assert plan["profile"]["setting"] == "mixed"
    assert plan["profile"]["works_with_schools"] is False
    assert plan["profile"]["budget"] == "low"
    assert "name" not in plan["profile"]
    assert "3. Both (mixed) - suggested" in result.stderr
    assert "Type a number or an id [3]: " in result.stderr
    assert "y/n [n]: " in result.stderr


@pytest.mark.parametrize(
    ("question_answers", "reason"),
    [
        # country: a near miss by name and by an alias, and a code that is not a country
        (["Albnia", "AL"], "'Albnia' is not an ISO 3166-1 alpha-2 country code; did you mean AL (Albania)?"),
        (["Shqiperi", "AL"], "'Shqiperi' is not an ISO 3166-1 alpha-2 country code; did you mean AL (Albania)?"),
        (["QQ", "AL"], "'QQ' is not an ISO 3166-1 alpha-2 country code"),
    ],
)
def test_a_bad_country_is_asked_again_with_the_reason(runner, question_answers, reason):
    result = wizard(runner, ["", *question_answers, "", "youth", "", "", "", ""])
    assert plan_of(result)["profile"]["country"] == "AL"
    assert f"Not accepted: {reason}" in " ".join(result.stderr.split())
    assert result.stderr.count("Country code or name: ") == 2


@pytest.mark.parametrize(
    ("position", "bad", "good", "reason"),
    [
        (2, "7", "2", "there is no choice 7; type a number from 1 to 3, or an id."),
        (2, "rurl", "rural", "'rurl' is not one of: urban, rural, mixed; did you mean 'rural'?"),
        (3, "1,9", "1", "there is no choice 9; type a number from 1 to 3, or an id."),
        (3, "youth,elders", "youth", "'elders' is not one of: youth, parents, older_people"),
        (3, "1,youth", "1", "youth given more than once"),
        (4, "maybe", "n", "expected true or false, got 'maybe'; type y or n"),
        (3, "", "1", "an answer is needed here; type ? for help."),
        (0, "x" * 501, "ok", "too long: 501 characters, where at most 500 fit"),
    ],
    ids=["choice-number", "choice-id", "multi-number", "multi-id", "multi-repeat", "bool", "required-empty",
         "text-too-long"],
)
def test_each_kind_of_bad_answer_is_asked_again_with_a_one_line_reason(runner, position, bad, good, reason):
    answers = ["Safe routes", "AL", "2", "1", "n", "", "", ""]
    answers[position:position + 1] = [bad, good]
    result = wizard(runner, answers)
    plan = plan_of(result)
    assert "Not accepted: " + reason in " ".join(result.stderr.split())
    assert result.stderr.count("Not accepted") == 1
    expected = {"2": "rural", "rural": "rural", "1": ["youth"], "youth": ["youth"], "n": False, "ok": "ok"}[good]
    key = ["name", "country", "setting", "audiences", "works_with_schools"][position]
    assert plan["profile"][key] == expected


def test_ids_labels_and_upper_case_are_read_as_choices(runner):
    result = wizard(runner, ["", "albania", "Villages and the countryside", "Parents, older_people", "yes",
                             "SECONDARY", "2", "", ""])
    profile = plan_of(result)["profile"]
    assert profile["country"] == "AL"
    assert profile["setting"] == "rural"
    assert profile["audiences"] == ["parents", "older_people"]
    assert profile["works_with_schools"] is True
    assert profile["school_level"] == "secondary"
    assert profile["budget"] == "high"


def test_country_by_alias_lower_case_code_and_other_iso_codes(runner):
    result = wizard(runner, ["", "Kosova", "", "youth", "", "", "", ""])
    assert plan_of(result)["profile"]["country"] == "XK"
    assert "Country: XK (Kosovo)" in result.stderr
    result = wizard(runner, ["", "mk", "", "youth", "", "", "", ""])
    assert plan_of(result)["profile"]["country"] == "MK"
    assert "Country: MK (North Macedonia)" in result.stderr
    assert "Note: there are no country facts for MK; the generic rules apply." in " ".join(result.stderr.split())


def test_question_mark_prints_the_help_and_asks_again(runner):
    result = wizard(runner, ["?", "", "?", "AL", "", "?", "youth", "?", "", "", "", ""])
    plan_of(result)
    err = " ".join(result.stderr.split())
    assert "A short name, only printed on the plan. Accepted: text." in err
    assert "A country name or its two-letter code." in err
    assert "Choose the audiences that matter most; more is not better. Accepted: a list of one or more of: " \
           "youth, parents, older_people." in err
    assert "Answer yes if pupils or teachers take part. Accepted: true or false." in err
    assert "Not accepted" not in err


def test_a_conditional_question_is_asked_when_it_applies(runner):
    result = wizard(runner, ["", "AL", "", "youth", "y", "1", "", "", ""])
    plan = plan_of(result)
    assert plan["profile"]["school_level"] == "primary"
    assert "(6/7) Which schools?" in result.stderr
    assert "Pupils take part in your campaign." in [w["message"] for w in plan["warnings"]]
    assert plan["methods"][0]["id"] == "school_visit"


def test_editing_an_answer_from_the_summary(runner):
    # Change answer 3 (setting) from rural to urban, then confirm.
    result = wizard(runner, ["", "AL", "rural", "youth", "n", "", "3", "1", "", ""])
    plan = plan_of(result)
    assert plan["profile"]["setting"] == "urban"
    err = result.stderr
    assert err.count("Your answers:") == 2
    assert "Change answer 3: Where do the people you want to reach live?" in err
    assert "2. Villages and the countryside (rural) - current answer" in err
    summaries = err.split("Your answers:")
    assert "Villages and the countryside (rural)" in summaries[1]
    assert "Towns and cities (urban)" in summaries[2]


def test_editing_brings_in_and_takes_away_a_conditional_question(runner):
    # Say yes to schools from the summary: the school question is asked; then say no again: it goes away.
    answers = ["", "AL", "", "youth", "n", "", "5", "y", "2", "5", "n", "", ""]
    result = wizard(runner, answers)
    plan = plan_of(result)
    assert "school_level" not in plan["profile"]
    summaries = [part.split("Press Enter to make the plan")[0] for part in result.stderr.split("Your answers:")]
    assert len(summaries) == 4
    assert "(1/1) Which schools?" in result.stderr  # counted anew: the one question the edit brought in
    assert "Which schools?" not in summaries[1]
    assert "Secondary schools (secondary)" in summaries[2]
    assert "Which schools?" not in summaries[3]


def test_the_summary_refuses_what_it_cannot_read(runner):
    result = wizard(runner, ["", "AL", "", "youth", "", "", "99", "x", "", ""])
    plan_of(result)
    assert result.stderr.count("Not understood: type a number from 1 to 6, or press Enter.") == 2


def test_flags_pre_fill_and_are_not_asked_again(runner):
    result = wizard(runner, ["", "n", "", "", ""], "--country", "al", "--set", "setting=urban",
                    "--audience", "youth", "--set", "budget=high")
    plan = plan_of(result)
    assert plan["profile"] == {"country": "AL", "setting": "urban", "audiences": ["youth"],
                               "works_with_schools": False, "budget": "high"}
    err = result.stderr
    assert "2 questions. 4 answers given already will not be asked again." in " ".join(err.split())
    assert "(1/2) What is the campaign called?" in err
    for prompt in ("In which country", "Where do the people", "Whom do you need", "How much can you spend"):
        assert f") {prompt}" not in err
        assert prompt in err.split("Your answers:")[1]  # still in the summary, where it can be changed


def test_a_bad_flag_stops_before_any_question(runner):
    result = wizard(runner, [], "--set", "setting=town")
    assert result.exit_code == 2
    assert "setting: 'town' is not one of: urban, rural, mixed" in result.stderr
    assert "What is the campaign called?" not in result.stderr


def test_an_incomplete_profile_is_finished_by_the_wizard(runner, in_tmp):
    (in_tmp / "part.yaml").write_text("country: XK\naudiences: [parents]\nworks_with_schools: true\n")
    result = wizard(runner, ["Kosovo schools", "", "2", "", "", ""], "--profile", "part.yaml")
    plan = plan_of(result)
    assert plan["profile"] == {"name": "Kosovo schools", "country": "XK", "setting": "mixed",
                               "audiences": ["parents"], "works_with_schools": True,
                               "school_level": "secondary", "budget": "low"}
    assert "(3/4) Which schools?" in result.stderr


def test_a_complete_profile_with_interactive_shows_the_summary_only(runner, in_tmp):
    (in_tmp / "full.yaml").write_text(
        "name: Full\ncountry: AL\nsetting: rural\naudiences: [youth]\nworks_with_schools: false\nbudget: low\n")
    result = wizard(runner, ["2", "XK", "", ""], "--profile", "full.yaml")
    plan = plan_of(result)
    assert plan["profile"]["country"] == "XK"
    assert "(1/" not in result.stderr
    assert result.stderr.count("Your answers:") == 2


def test_a_profile_with_a_bad_value_is_reported_by_line_not_asked(runner, in_tmp):
    (in_tmp / "bad.yaml").write_text(
        "country: AL\nsetting: town\naudiences: [youth]\nworks_with_schools: false\nbudget: low\n")
    result = wizard(runner, [], "--profile", "bad.yaml")
    assert result.exit_code == 1
    assert "bad.yaml:2" in result.stderr and "'town' is not one of" in result.stderr
    assert "What is the campaign called?" not in result.stderr


def test_save_writes_a_profile_that_plans_the_same(runner, in_tmp):
    result = wizard(runner, ["Safe routes", "AL", "2", "1,2", "y", "1", "2", ""], "--save", "mine.yaml")
    plan = plan_of(result)
    assert "Save these answers" not in result.stderr  # --save does not ask
    assert ("saved the answers to mine.yaml; plan them again with: advocate plan --profile mine.yaml "
            f"--rules {FIXTURE} --no-default-rules") in result.stderr
    text = (in_tmp / "mine.yaml").read_text()
    assert text.splitlines()[0] == "# yaml-language-server: $schema=advocate-profile.schema.json"
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith(("#", "-"))]
    assert keys == ["name", "country", "setting", "audiences", "works_with_schools", "school_level", "budget"]
    again = runner.invoke(app, ["plan", "--profile", "mine.yaml", "--format", "json", *RULES], env=ENV)
    replanned = plan_of(again)
    plan.pop("source"), replanned.pop("source")
    assert replanned == plan
    batch = runner.invoke(app, ["plan", "--format", "jsonl", *RULES], input=text, env=ENV)
    assert batch.exit_code == 0, batch.stderr
    assert json.loads(batch.stdout)["profile"] == plan["profile"]


@pytest.mark.parametrize("name", ["\u0085 next line", "one\u2028two", "para\u2029graph", "Korçë ✓"])
def test_a_saved_name_with_an_unusual_line_break_reads_back_the_same(name):
    from advocate_cli.ruleset import load_ruleset
    from advocate_cli.wizard import profile_yaml
    from advocate_cli.yamlio import load_text

    schema = load_ruleset([FIXTURE], include_default=False)[0].profile_model
    text = profile_yaml({"name": name, "country": "AL"}, schema, file_name="p.yaml")
    assert load_text(text, "p.yaml").data["name"] == name  # not folded into a space


def test_the_save_offer_writes_the_file_the_user_names(runner, in_tmp):
    (in_tmp / "taken.yaml").write_text("old\n")
    result = wizard(runner, [*HAPPY[:-1], "taken", "n", "taken.yaml", "y"])
    plan = plan_of(result)
    assert "taken.yaml exists. Replace it? y/n [n]: " in result.stderr
    saved = runner.invoke(app, ["plan", "--profile", "taken.yaml", "--format", "json", *RULES], env=ENV)
    assert plan_of(saved)["profile"] == plan["profile"]


@pytest.mark.parametrize("typed", ["Young people, Older people", "young PEOPLE; 3", "1 3", "youth,older_people"])
def test_several_choices_can_be_typed_as_labels_with_spaces_numbers_or_ids(runner, typed):
    result = wizard(runner, ["Safe routes", "AL", "2", typed, "n", "", "", ""])
    assert plan_of(result)["profile"]["audiences"] == ["youth", "older_people"]


def test_a_pasted_country_name_in_decomposed_form_is_understood(runner):
    import unicodedata

    pasted = unicodedata.normalize("NFD", "Shqipëria")  # e and a combining diaeresis, as some pastes give it
    assert pasted != "Shqipëria"
    result = wizard(runner, ["Safe routes", pasted, "2", "1", "n", "", "", ""])
    assert plan_of(result)["profile"]["country"] == "AL"


@pytest.mark.parametrize("typed", [".", "..", "sub/", "sub"])
def test_a_folder_typed_as_the_save_name_is_asked_again(runner, in_tmp, typed):
    (in_tmp / "sub").mkdir()
    result = wizard(runner, [*HAPPY[:-1], typed, "mine.yaml"])
    assert result.exit_code == 0, result.stderr
    assert "is a folder; type a file name" in " ".join(result.stderr.split())
    assert sorted(p.name for p in in_tmp.iterdir()) == ["mine.yaml", "sub"]


def test_question_mark_at_the_save_prompt_explains_it(runner, in_tmp):
    result = wizard(runner, [*HAPPY[:-1], "?", ""])
    assert result.exit_code == 0, result.stderr
    assert "Type a name for the profile file" in " ".join(result.stderr.split())
    assert list(in_tmp.iterdir()) == []


def test_a_save_name_typed_in_a_missing_folder_is_asked_again(runner, in_tmp):
    result = wizard(runner, [*HAPPY[:-1], "nowhere/mine.yaml", "mine.yaml"])
    assert result.exit_code == 0, result.stderr
    assert "Not accepted: there is no folder nowhere" in " ".join(result.stderr.split())
    assert (in_tmp / "mine.yaml").is_file() and not (in_tmp / "nowhere").exists()


def test_a_save_name_that_cannot_be_written_is_asked_again(runner, in_tmp, monkeypatch):
    from advocate_cli import outputs

    real = outputs.check_target
    refused = []

    def refuse_once(path, **kwargs):  # e.g. a folder without write permission, found only when writing
        if not refused:
            refused.append(path)
            raise commands.AdvocateError("cannot write here: Permission denied")
        return real(path, **kwargs)

    monkeypatch.setattr(outputs, "check_target", refuse_once)
    result = wizard(runner, [*HAPPY[:-1], "first.yaml", "second.yaml"])
    assert result.exit_code == 0, result.stderr
    assert "Not saved: first.yaml: cannot write here: Permission denied" in " ".join(result.stderr.split())
    assert (in_tmp / "second.yaml").is_file()


@pytest.mark.parametrize(("save", "message"), [
    ("nowhere/mine.yaml", "nowhere/mine.yaml: the folder for --save does not exist"),
    (".", ".: is a directory; --save takes a file path"),
    ("draft.yaml", "draft.yaml: refusing to write --save over an input file"),
    ("plan.json", "plan.json: --save and --output name the same file"),
])
def test_a_save_path_that_cannot_be_used_is_refused_before_planning(runner, in_tmp, save, message):
    draft = in_tmp / "draft.yaml"
    draft.write_text("# our draft, with notes\nname: Safe routes\ncountry: AL\n")
    result = runner.invoke(app, ["plan", "--profile", "draft.yaml", "--save", save, "--output", "plan.json",
                                 "--country", "AL", "--set", "setting=rural", "--set", "audiences=youth",
                                 "--set", "works_with_schools=false", "--set", "budget=low", *RULES], env=ENV)
    assert result.exit_code == 2
    assert result.stdout == "" and not (in_tmp / "plan.json").exists()  # nothing planned, nothing written
    assert f"advocate: error: {message}" in result.stderr
    assert draft.read_text().startswith("# our draft, with notes")


def test_the_schema_modeline_is_written_when_the_schema_command_exists(runner, in_tmp):
    assert commands.profile_schema_ref() == "advocate-profile.schema.json"  # `advocate rules schema` is there
    result = wizard(runner, HAPPY[:-1], "--save", "mine.yaml")
    assert result.exit_code == 0, result.stderr
    first = (in_tmp / "mine.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=advocate-profile.schema.json"


def test_end_of_input_keeps_the_answers_in_a_recovery_file(runner, in_tmp):
    result = wizard(runner, ["Safe routes", "Kosova", "1"])
    assert result.exit_code == 130
    assert isinstance(result.exception, SystemExit)  # no traceback
    last = result.stderr.strip().splitlines()[-1]
    assert last == ("advocate: interrupted; your answers so far are in advocate-answers.recovery.yaml; "
                    "continue with: advocate plan --profile advocate-answers.recovery.yaml "
                    f"--rules {FIXTURE} --no-default-rules")  # the same rule set: its own questions are asked
    assert result.stdout == ""
    text = (in_tmp / "advocate-answers.recovery.yaml").read_text()
    assert "name: Safe routes\ncountry: XK\nsetting: urban\n" in text
    # Resuming asks only what is missing.
    resumed = wizard(runner, ["parents", "n", "", "", ""], "--profile", "advocate-answers.recovery.yaml")
    assert plan_of(resumed)["profile"]["country"] == "XK"
    assert "(1/3) Whom do you need to reach?" in resumed.stderr


def test_end_of_input_at_the_summary_keeps_every_answer_next_to_the_save_path(runner, in_tmp):
    result = wizard(runner, HAPPY[:-2], "--save", "mine.yaml")
    assert result.exit_code == 130
    assert not (in_tmp / "mine.yaml").exists()
    recovered = runner.invoke(app, ["plan", "--profile", "mine.recovery.yaml", "--format", "json", *RULES], env=ENV)
    assert plan_of(recovered)["profile"]["audiences"] == ["youth", "parents"]


def test_end_of_input_before_any_answer_writes_nothing(runner, in_tmp):
    result = wizard(runner, [])
    assert result.exit_code == 130
    assert result.stderr.strip().splitlines()[-1] == "advocate: interrupted"
    assert list(in_tmp.iterdir()) == []


def test_no_interactive_names_the_missing_answers_and_their_flags(runner, monkeypatch):
    monkeypatch.setattr(commands, "stdin_is_terminal", lambda: True)
    result = runner.invoke(app, ["plan", "--no-interactive", *RULES, "--country", "AL"], env=ENV)
    assert result.exit_code == 2
    err = result.stderr
    assert "advocate: error: missing required answers: setting, audiences, works_with_schools, budget" in err
    assert "--set setting=urban|rural|mixed" in err
    assert "--audience AUDIENCE (repeatable) or --set audiences=youth,parents,older_people" in err
    assert "--set works_with_schools=true|false" in err
    assert "Where do the people" not in err  # nothing was asked


def test_flags_without_a_terminal_name_what_is_missing(runner):
    result = runner.invoke(app, ["plan", *RULES, "--set", "setting=rural"], input="", env=ENV)
    assert result.exit_code == 2
    assert "missing required answers: country, audiences, works_with_schools, budget" in result.stderr
    assert "--country CODE or --set country=CODE" in result.stderr


def test_on_a_terminal_the_wizard_starts_by_itself(runner, monkeypatch):
    monkeypatch.setattr(commands, "stdin_is_terminal", lambda: True)
    result = runner.invoke(app, ["plan", "--format", "json", *RULES], input=lines(*HAPPY), env=ENV)
    assert plan_of(result)["profile"]["country"] == "AL"
    assert "(1/6) What is the campaign called?" in result.stderr


def test_piped_stdin_is_a_batch_and_never_a_wizard(runner):
    profile = "country: AL\nsetting: rural\naudiences: [youth]\nworks_with_schools: false\nbudget: low\n"
    result = runner.invoke(app, ["plan", "--format", "jsonl", *RULES], input=profile, env=ENV)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["profile"]["country"] == "AL"
    assert "?" not in result.stderr and "Your answers" not in result.stderr


def test_interactive_and_save_refuse_a_batch(runner):
    result = runner.invoke(app, ["plan", "--interactive", "--input", "-", *RULES], input="", env=ENV)
    assert result.exit_code == 2
    assert "--interactive and --save work with one profile, not with --input" in result.stderr


def test_narrow_terminal_and_no_colour(runner):
    result = wizard(runner, HAPPY, env={"NO_COLOR": "1", "COLUMNS": "60"})
    plan_of(result)
    # Every line the wizard writes fits in 60 columns, prompts with the answer shown back included.
    for line in result.stderr.splitlines():
        assert len(line) <= 60, line
    assert not re.search(r"\x1b\[", result.stderr)


def test_a_question_added_in_a_rule_directory_is_asked(runner, in_tmp):
    extra = in_tmp / "our-rules"
    extra.mkdir()
    (extra / "questions.yaml").write_text(
        "questions:\n"
        "  - id: has_volunteers\n"
        "    prompt: Do volunteers help you?\n"
        "    help: People who give their time for free.\n"
        "    type: bool\n"
    )
    result = runner.invoke(app, ["plan", "--interactive", "--format", "json", *RULES, "--rules", str(extra)],
                           input=lines(*HAPPY[:-2], "?", "maybe", "y", "", ""), env=ENV)
    plan = plan_of(result)
    assert plan["profile"]["has_volunteers"] is True
    assert "(7/7) Do volunteers help you?" in result.stderr
    assert "People who give their time for free." in result.stderr


def test_an_escape_sequence_typed_as_an_answer_is_shown_as_text(runner):
    result = wizard(runner, ["Routes \x1b[2J", "AL", "", "youth", "", "", "", ""])
    assert plan_of(result)["profile"]["name"] == "Routes \x1b[2J"
    assert "\x1b" not in result.stderr


def test_ctrl_c_keeps_the_answers_and_exits_130(runner, in_tmp, monkeypatch):
    from advocate_cli import wizard as wizard_module

    real_ask = wizard_module.Terminal.ask
    calls = []

    def ask(self, prompt):
        calls.append(prompt)
        if len(calls) == 4:
            raise KeyboardInterrupt  # what Ctrl-C raises while the wizard waits for a line
        return real_ask(self, prompt)

    monkeypatch.setattr(wizard_module.Terminal, "ask", ask)
    result = wizard(runner, ["Safe routes", "AL", "rural", "youth"])
    assert result.exit_code == 130
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(
        "advocate: interrupted; your answers so far are in advocate-answers.recovery.yaml")
    assert "setting: rural\n" in (in_tmp / "advocate-answers.recovery.yaml").read_text()
