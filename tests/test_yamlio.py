"""The safe loader: positions, duplicate keys, YAML 1.1 traps, tags, alias and size bounds, stream splitting."""

from __future__ import annotations

import io
import json

import pytest

from advocate_cli import yamlio
from advocate_cli.errors import InputError


def parse(text: str):
    return yamlio.parse_document(text, file="f.yaml")


def test_duplicate_key_is_an_error_naming_both_lines():
    with pytest.raises(InputError) as err:
        parse("budget: low\nsetting: rural\nbudget: high\n")
    assert err.value.place.line == 3
    assert "duplicate key 'budget'" in err.value.message
    assert "line 1" in err.value.message


@pytest.mark.parametrize("text, yaml11", [("NO", False), ("on", True), ("Off", False), ("yes", True), ("012", 10)])
def test_yaml11_traps_stay_text_and_remember_the_trap(text, yaml11):
    value = parse(f"country: {text}\n").data["country"]
    assert value == text
    assert isinstance(value, yamlio.Yaml11Scalar)
    assert value.yaml11 == yaml11


def test_true_false_and_plain_ints_still_parse():
    data = parse("a: true\nb: False\nc: 12\nd: 0\ne: -3\n").data
    assert data == {"a": True, "b": False, "c": 12, "d": 0, "e": -3}


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo pwned']\n",
        "a: !!python/name:os.system\n",
        "a: !custom thing\n",
    ],
)
def test_code_and_unknown_tags_are_refused(text):
    with pytest.raises(InputError) as err:
        parse(text)
    assert "not allowed" in err.value.message
    assert "nothing is ever executed" in err.value.message


def test_alias_bomb_is_refused_quickly():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    with pytest.raises(InputError) as err:
        parse("\n".join(lines) + "\n")
    assert "MAX_EXPANDED_NODES" in err.value.message


def test_small_aliases_are_fine():
    assert parse("a: &x [1, 2]\nb: *x\n").data == {"a": [1, 2], "b": [1, 2]}


def test_deep_nesting_is_refused():
    depth = yamlio.MAX_DEPTH + 5
    with pytest.raises(InputError) as err:
        parse("a: " + "[" * depth + "]" * depth + "\n")
    assert "nests deeper" in err.value.message


def test_syntax_error_has_line_and_column():
    with pytest.raises(InputError) as err:
        parse("a: 1\nb: [1, 2\nc: 3\n")
    assert err.value.place.line is not None and err.value.place.line >= 2
    assert err.value.message.startswith("YAML:")


def test_place_of_a_key_path():
    doc = parse("name: x\ngoals:\n  - a\n  - b\n")
    place = doc.place(("goals", 1))
    assert (place.line, place.column) == (4, 5)


def test_stream_keeps_going_after_a_broken_document():
    data = b"---\nname: a\n---\nname: [\n---\nname: c\n"
    items = list(yamlio.iter_stream(io.BytesIO(data), "in.yaml"))
    assert [type(i).__name__ for i in items] == ["Document", "InputError", "Document"]
    assert items[0].data == {"name": "a"} and items[0].line == 2
    assert items[1].place.document == 2
    assert items[2].data == {"name": "c"} and items[2].index == 3 and items[2].line == 6


def test_json_lines_are_detected_and_bad_lines_reported_in_place():
    data = b'{"name": "a"}\n{"name": \n\n{"name": "c"}\n'
    items = list(yamlio.iter_stream(io.BytesIO(data), "in.jsonl"))
    assert [getattr(i, "data", None) for i in items] == [{"name": "a"}, None, {"name": "c"}]
    assert items[1].place.line == 2
    assert items[2].line == 4


def test_json_lines_duplicate_keys_are_errors():
    items = list(yamlio.iter_stream(io.BytesIO(b'{"a": 1, "a": 2}\n'), "in.jsonl", jsonl=True))
    assert isinstance(items[0], InputError)
    assert "duplicate key" in items[0].message


def test_bom_and_crlf_are_read():
    doc = yamlio.load_text(yamlio.decode(b"\xef\xbb\xbfname: a\r\nbudget: low\r\n", "f"), "f")
    assert doc.data == {"name": "a", "budget": "low"}


def test_not_utf8_names_the_line():
    with pytest.raises(InputError) as err:
        yamlio.decode(b"name: a\nbudget: \xff\xfe\n", "f.yaml")
    assert err.value.place.line == 2
    assert "UTF-8" in err.value.message


def test_nul_bytes_are_refused():
    with pytest.raises(InputError) as err:
        yamlio.decode(b"n\x00a\x00m\x00e\x00", "f.yaml")
    assert "NUL" in err.value.message


def test_a_profile_file_with_two_documents_is_refused(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("a: 1\n---\na: 2\n")
    with pytest.raises(InputError) as err:
        yamlio.load_file(path)
    assert "more than one YAML document" in err.value.message
    assert err.value.place.line == 2


def test_limits_can_be_raised_through_the_environment(tmp_path):
    import subprocess
    import sys

    code = "from advocate_cli import yamlio; print(yamlio.MAX_DEPTH, yamlio.MAX_DOCUMENT_BYTES)"
    env = {"ADVOCATE_MAX_DEPTH": "200", "ADVOCATE_MAX_DOCUMENT_BYTES": "nonsense", "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["200", str(4 * 1024 * 1024)]


@pytest.mark.parametrize("reader", ["full", "batch"])
def test_text_shaped_like_a_date_that_is_no_date_stays_text(reader):
    # 2026-02-30 would otherwise make the whole file unreadable, reported at its first line.
    text = "as_of: 2026-02-30\nreview_by: 2026-02-03\n"
    data = parse(text).data if reader == "full" else yamlio.parse_document(text, file="f", lazy_nodes=True).data
    assert data["as_of"] == "2026-02-30"
    assert data["review_by"].isoformat() == "2026-02-03"


def test_a_fact_with_an_impossible_date_is_a_finding_at_its_line_and_the_rest_is_still_checked(cli, tmp_path):
    from tests.conftest import HERE

    rules = tmp_path / "rules"
    rules.mkdir()
    text = (HERE / "fixtures" / "mini" / "countries.yaml").read_text(encoding="utf-8")
    bad = text.replace("review_by: 2025-01-01", "review_by: 2026-02-30") + "  - code: XX\n    name: Nowhere\n"
    (rules / "countries.yaml").write_text(bad, encoding="utf-8")
    result = cli("rules", "check", rules, "--format", "json", "--as-of", "2026-01-01")
    findings = json.loads(result.stdout)["findings"]
    date = [f for f in findings if f["line"] == 10]
    assert date and date[0]["severity"] == "error" and date[0]["column"] == 20 and "review_by" in date[0]["message"]
    assert "yaml-syntax" not in {f["code"] for f in findings}
    assert any(f["line"] == 12 and "XX" in f["message"] for f in findings)  # the rest of the file is still checked


def test_a_syntax_error_says_where_the_unclosed_quote_or_bracket_starts():
    with pytest.raises(InputError) as caught:
        parse("name: 'unterminated\ncountry: AL\nbudget: low\n")
    assert "while scanning a quoted scalar (which starts at line 1, column 7)" in caught.value.message
    with pytest.raises(InputError) as caught:
        parse("name: x\ngoals: [a, b\nbudget: low\n")
    assert "(which starts at line 2, column 8)" in caught.value.message


def test_more_than_one_document_where_one_is_expected_gives_a_hint_for_profiles_and_rule_files():
    with pytest.raises(InputError) as caught:
        yamlio.load_text("a: 1\n---\nb: 2\n", "f.yaml")
    assert caught.value.place.line == 2
    assert caught.value.hint.startswith("remove the extra '---' line: a profile or a rule file is one document")


def test_a_yaml_line_in_a_json_lines_file_gets_a_hint_and_a_broken_json_line_does_not():
    with pytest.raises(InputError) as caught:
        yamlio.parse_json_line("country: AL\n", file="p.jsonl", index=1, lineno=1)
    assert "this line looks like YAML" in caught.value.hint
    with pytest.raises(InputError) as caught:
        yamlio.parse_json_line('{"name": "a",\n', file="p.jsonl", index=1, lineno=1)
    assert caught.value.hint is None and caught.value.place.column == 14


def test_a_json_lines_input_whose_first_line_cannot_be_read_is_still_json_lines():
    limit = yamlio.MAX_DOCUMENT_BYTES
    first = b'{"name": "' + b"x" * (limit + 10) + b'"}\n'
    docs = list(yamlio.iter_stream(io.BytesIO(first + b'{"name": "b"}\n{"name": "c"}\n'), "<stdin>"))
    assert isinstance(docs[0], InputError) and "a line is longer than" in docs[0].message
    assert [d.data["name"] for d in docs[1:]] == ["b", "c"]  # read as JSON Lines, not as one YAML document
