"""Profiles: the model derived from the questions, and clear errors naming key, line and allowed values."""

from __future__ import annotations

import pytest

from advocate_cli import yamlio
from advocate_cli.errors import ProfileError
from tests.conftest import COMPLETE, COMPLETE_MINI


def check(schema, text: str):
    doc = yamlio.parse_document(text, file="p.yaml")
    return schema.validate(doc.data, doc)


def dump(answers: dict) -> str:
    import yaml

    return yaml.safe_dump(answers, sort_keys=False)


def test_a_complete_profile_validates_in_question_order(default_rules):
    answers = default_rules.profile_model.validate(dict(reversed(list(COMPLETE.items()))))
    assert list(answers) == list(COMPLETE)


def test_missing_required_answer_names_key_and_choices(default_rules):
    data = {k: v for k, v in COMPLETE.items() if k != "setting"}
    with pytest.raises(ProfileError) as err:
        check(default_rules.profile_model, dump(data))
    assert err.value.key == "setting"
    assert "missing required answer" in err.value.message
    assert "urban, rural, mixed" in err.value.message
    assert err.value.place.file == "p.yaml"


def test_a_misspelt_key_is_shown_before_the_answer_it_leaves_missing(default_rules):
    data = {k: v for k, v in COMPLETE.items() if k != "budget"}
    text = dump(data) + "budgt: medium\n"
    with pytest.raises(ProfileError) as err:
        check(default_rules.profile_model, text)
    assert err.value.key == "budgt" and "did you mean 'budget'?" in err.value.message
    assert err.value.place.line == len(text.splitlines())  # the typo's own line, not the document's first
    assert [p.key for p in err.value.problems] == ["budgt", "budget"]


@pytest.mark.parametrize(("text", "message"), [
    ("just text\n", "a profile must be a mapping of answers (key: value), got 'just text'"),
    ("- 1\n", "a profile must be a mapping of answers (key: value), got a list"),
])
def test_a_document_that_is_not_a_mapping_says_what_it_is_in_words(default_rules, text, message):
    with pytest.raises(ProfileError) as err:
        check(default_rules.profile_model, text)
    assert err.value.message == message


@pytest.mark.parametrize(("country", "fragment"), [
    ("NO", 'write the code in quotes, e.g. country: "NO"'),  # a real code that YAML 1.1 reads as false
    ("012", "012 is not a country code (YAML 1.1 tools would even read it as 10); write a two-letter code"),
    ("12", "expected a two-letter country code such as AL, not the number 12"),
])
def test_a_country_that_yaml_reads_as_something_else_gets_a_hint_that_fits(default_rules, country, fragment):
    with pytest.raises(ProfileError) as err:
        check(default_rules.profile_model, dump({k: v for k, v in COMPLETE.items() if k != "country"})
              + f"country: {country}\n")
    assert fragment in err.value.message


def test_unknown_key_suggests_the_nearest(default_rules):
    text = dump(COMPLETE) + "budjet: low\n"
    with pytest.raises(ProfileError) as err:
        check(default_rules.profile_model, text)
    assert err.value.key == "budjet"
    assert "did you mean 'budget'" in err.value.message
    assert (err.value.place.line, err.value.place.column) == (text.count("\n"), 1)


def test_value_not_among_the_choices(default_rules):
    text = dump(COMPLETE).replace("setting: mixed", "setting: town")
    with pytest.raises(ProfileError) as err:
        check(default_rules.profile_model, text)
    assert err.value.key == "setting"
    assert "'town' is not one of: urban, rural, mixed" in err.value.message
    assert err.value.place.line == 3


def test_multi_choice_error_points_at_the_item(default_rules):
    text = dump(COMPLETE).replace("- general_public", "- general_public\n- teachers")
    with pytest.raises(ProfileError) as err:
        check(default_rules.profile_model, text)
    assert err.value.key == "audiences.1"
    assert "'teachers' is not one of" in err.value.message


def test_unquoted_no_for_country_is_a_clear_error(default_rules):
    text = dump(COMPLETE).replace("country: AL", "country: NO")
    with pytest.raises(ProfileError) as err:
        check(default_rules.profile_model, text)
    assert err.value.key == "country"
    assert 'country: "NO"' in err.value.message
    assert err.value.place.line == 2


def test_quoted_no_is_norway(default_rules):
    text = dump(COMPLETE).replace("country: AL", 'country: "NO"')
    assert check(default_rules.profile_model, text)["country"] == "NO"


def test_unknown_country_suggests_one(default_rules):
    with pytest.raises(ProfileError) as err:
        default_rules.profile_model.validate({**COMPLETE, "country": "Albnia"})
    assert "did you mean AL (Albania)" in err.value.message


def test_lower_case_code_is_accepted(default_rules):
    assert default_rules.profile_model.validate({**COMPLETE, "country": "mk"})["country"] == "MK"


@pytest.mark.parametrize(
    "key, value, fragment",
    [
        ("goals", 5, "expected a list"),
        ("goals", [], "choose at least one"),
        ("goals", ["raise_awareness", "raise_awareness"], "more than once"),
        ("involves_minors", [True], "expected true or false"),
        ("involves_minors", None, "expected true or false"),
        ("name", True, "expected text"),
        ("budget", {"level": "low"}, "is not one of"),
    ],
)
def test_wrong_types_name_what_was_expected(default_rules, key, value, fragment):
    with pytest.raises(ProfileError) as err:
        default_rules.profile_model.validate({**COMPLETE, key: value})
    assert err.value.key.split(".")[0] == key
    assert fragment in err.value.message


def test_comma_separated_lists_are_read(default_rules):
    answers = default_rules.profile_model.validate({**COMPLETE, "goals": "raise_awareness, shape_messages"})
    assert answers["goals"] == ["raise_awareness", "shape_messages"]


def test_not_a_mapping(default_rules):
    with pytest.raises(ProfileError) as err:
        default_rules.profile_model.validate(["a", "b"])
    assert "must be a mapping" in err.value.message


def test_conditional_question_required_only_when_it_applies(mini):
    assert "school_year" not in mini.profile_model.validate(COMPLETE_MINI)
    with pytest.raises(ProfileError) as err:
        mini.profile_model.validate({**COMPLETE_MINI, "involves_minors": True})
    assert err.value.key == "school_year"
    answers = mini.profile_model.validate({**COMPLETE_MINI, "involves_minors": True, "school_year": "primary"})
    assert answers["school_year"] == "primary"


def test_several_problems_are_all_reported(default_rules):
    with pytest.raises(ProfileError) as err:
        default_rules.profile_model.validate({**COMPLETE, "setting": "town", "budget": "huge"})
    assert len(err.value.problems) == 2
    assert "1 more problem" in err.value.hint


@pytest.mark.parametrize("written", ["2026-02-28", "2026-02-30"])
def test_a_date_written_as_a_name_is_the_text_typed_whether_or_not_the_date_exists(default_rules, written):
    answers = check(default_rules.profile_model, dump({k: v for k, v in COMPLETE.items() if k != "name"})
                    + f"name: {written}\n")
    assert answers["name"] == written



def test_an_optional_answer_given_as_null_takes_the_default_like_one_left_out():
    from advocate_cli.ruleset import load_ruleset
    from tests.conftest import REPO

    schema = load_ruleset([REPO / "examples" / "network-rules"])[0].profile_model
    left_out = check(schema, dump(COMPLETE))
    as_null = check(schema, dump(COMPLETE) + "minority_language: null\n")
    assert left_out["minority_language"] is False and as_null == left_out
