"""`advocate rules schema`: draft-07 schemas editors understand, closed objects, known ids as enums."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from advocate_cli import yamlio
from tests.conftest import REPO

NETWORK = REPO / "examples" / "network-rules"


def plain(data):
    """YAML data as JSON would carry it (dates become text)."""
    return json.loads(json.dumps(data, default=lambda o: o.isoformat() if isinstance(o, dt.date) else str(o)))


def schema(cli, kind: str, *rules: Path) -> dict:
    args = ["rules", "schema", "--for", kind]
    for r in rules:
        args += ["--rules", r]
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def objects(node):
    if isinstance(node, dict):
        if node.get("type") == "object":
            yield node
        for value in node.values():
            yield from objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from objects(value)


@pytest.mark.parametrize("kind", ["rules", "profile", "tests"])
def test_schemas_are_draft_07_and_closed(cli, kind):
    s = schema(cli, kind)
    assert s["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(s)
    text = json.dumps(s)
    assert "$defs" not in text and "prefixItems" not in text
    for obj in objects(s):
        if "properties" in obj:
            assert obj.get("additionalProperties") is False, obj.get("title") or obj.get("description")


def test_the_rules_schema_accepts_the_shipped_and_example_rules_and_knows_their_ids(cli):
    s = schema(cli, "rules", NETWORK)
    validator = jsonschema.Draft7Validator(s)
    files = sorted((REPO / "rules").rglob("*.yaml")) + sorted(NETWORK.glob("*.yaml"))
    files = [f for f in files if "tests" not in f.relative_to(REPO).parts[1:-1]]
    for f in files:
        errors = list(validator.iter_errors(plain(yamlio.load_file(f).data)))
        assert not errors, (f, errors[0].message)
    rule = s["definitions"]["Rule"]["properties"]
    assert "community_mediators" in rule["effects"]["properties"] and "virtual" in rule["effects"]["properties"]
    assert s["definitions"]["Rule"]["description"].startswith("A scoring rule")
    condition = s["definitions"]["Condition"]["properties"]
    assert condition["setting"]["anyOf"][0]["enum"] == ["urban", "rural", "mixed"]
    assert "minority_language" in condition
    assert "mix.virtual" in s["definitions"]["WarningCondition"]["properties"]
    assert "mix.virtual" not in condition


@pytest.mark.parametrize("text, where", [
    ("methods:\n  - {id: x, label: X, chanel: analog}\n", "chanel"),
    ("rules:\n  - {id: r, summary: s, why: w, source: s, effects: {radoi: 5}}\n", "radoi"),
    ("rules:\n  - {id: r, summary: s, why: w, source: s, when: {setting: town}, effects: {tv: 5}}\n", "town"),
    ("rules:\n  - {id: r, summary: s, why: w, source: s, when: {setting: {equals: rural}}, effects: {tv: 5}}\n",
     "equals"),
    ("warnings:\n  - {id: w, topic: harassment, severity: low, message: m, mitigation: m, source: s}\n", "harassment"),
])
def test_the_rules_schema_flags_what_rules_check_flags(cli, text, where):
    validator = jsonschema.Draft7Validator(schema(cli, "rules"))
    errors = list(validator.iter_errors(plain(yamlio.load_text(text, "x.yaml").data)))
    assert errors and any(where in (e.message + json.dumps(e.instance)) for e in errors)


def test_the_rules_schema_lets_a_disabling_item_give_only_its_id(cli):
    validator = jsonschema.Draft7Validator(schema(cli, "rules"))
    disabling = ("rules:\n  - {id: r, disabled: true}\nmethods:\n  - {id: tv, disabled: true}\n"
                 "countries:\n  - {code: XK, disabled: true}\n")
    assert not list(validator.iter_errors(plain(yamlio.load_text(disabling, "x.yaml").data)))
    incomplete = "rules:\n  - {id: r, effects: {tv: 5}}\n"  # not disabling: summary, why and source are needed
    missing = list(validator.iter_errors(plain(yamlio.load_text(incomplete, "x.yaml").data)))
    assert any("'summary' is a required property" in e.message for e in missing)


def test_the_profile_schema_accepts_the_example_profiles(cli):
    validator = jsonschema.Draft7Validator(schema(cli, "profile"))
    for f in sorted((REPO / "examples").glob("*.yaml")):
        for doc in yamlio.iter_stream(f.open("rb"), str(f)):
            data = plain(doc.data)
            if isinstance(data, list):  # a YAML list of profiles
                for item in data:
                    assert not list(validator.iter_errors(item)), f
            else:
                assert not list(validator.iter_errors(data)), f
    bad = {"country": "AL", "setting": "town"}
    assert list(validator.iter_errors(bad))


def test_the_cases_schema_accepts_the_example_cases(cli):
    validator = jsonschema.Draft7Validator(schema(cli, "tests", NETWORK))
    data = plain(yamlio.load_file(NETWORK / "tests" / "cases.yaml").data)
    assert not list(validator.iter_errors(data))
    data["cases"][0]["expect"]["in_top"] = ["radoi"]
    assert list(validator.iter_errors(data))


@pytest.mark.parametrize("name, kind", [("rules.schema.json", "rules"), ("profile.schema.json", "profile"),
                                        ("cases.schema.json", "tests")])
def test_the_example_schemas_accept_the_example_files(cli, name, kind):
    """The schemas committed beside the example are what its modelines point at; they must fit its files
    and be what `advocate rules schema` writes for them today."""
    s = json.loads((NETWORK / "schemas" / name).read_text(encoding="utf-8"))
    assert s == schema(cli, kind, NETWORK), f"regenerate {name} (README: Editor support)"
    validator = jsonschema.Draft7Validator(s)
    files = {"rules": sorted(NETWORK.glob("*.yaml")), "tests": [NETWORK / "tests" / "cases.yaml"],
             "profile": [REPO / "examples" / "rural-parents-albania.yaml"]}[kind]
    for f in files:
        assert not list(validator.iter_errors(plain(yamlio.load_file(f).data))), f
    if kind != "profile":
        modeline = files[0].read_text(encoding="utf-8").splitlines()[0]
        prefix = "../" if kind == "tests" else ""
        assert modeline == f"# yaml-language-server: $schema={prefix}schemas/{name}"
