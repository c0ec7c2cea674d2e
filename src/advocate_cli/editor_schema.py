"""JSON Schemas for editors (yaml-language-server, PyCharm): rule files, profiles and rule cases.

Derived from the pydantic models and the layered rule set, then made draft-07 compatible
(`definitions`, no 2020-12 keywords) with `additionalProperties: false` on every object and
enums of the ids the rule set knows (methods, facts, goals, question keys and their choices).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from advocate_cli.conditions import OPERATORS, KeySpec
from advocate_cli.iso3166 import COUNTRIES
from advocate_cli.ruleset.models import ATTRIBUTES, TOPICS, RuleFile
from advocate_cli.ruleset.ruleset import RuleSet

DRAFT_07 = "http://json-schema.org/draft-07/schema#"


def schema_for(kind: str, ruleset: RuleSet) -> dict[str, Any]:
    """The schema for rule files (`rules`), profiles (`profile`) or rule-case files (`tests`)."""
    if kind == "rules":
        return rules_schema(ruleset)
    if kind == "profile":
        return profile_schema(ruleset)
    if kind == "tests":
        return cases_schema(ruleset)
    raise ValueError(f"no schema for {kind!r}")


# -- draft-07 -----------------------------------------------------------------------------------

def to_draft7(schema: dict[str, Any], *, title: str, description: str) -> dict[str, Any]:
    """pydantic's 2020-12 output as draft-07: `$defs` -> `definitions`, closed objects, no `prefixItems`."""
    schema = copy.deepcopy(schema)
    definitions = schema.pop("$defs", {})
    out: dict[str, Any] = {"$schema": DRAFT_07, "title": title, "description": description}
    out.update({k: v for k, v in schema.items() if k not in ("title", "description")})
    if definitions:
        out["definitions"] = definitions
    return _walk(out)


def _walk(node: Any) -> Any:
    if isinstance(node, list):
        return [_walk(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _walk(v) for k, v in node.items()}
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        node["$ref"] = "#/definitions/" + ref.removeprefix("#/$defs/")
    if "prefixItems" in node:  # a tuple: draft-07 writes it as an items array
        node["items"] = node.pop("prefixItems")
        node.setdefault("additionalItems", False)
    if node.get("type") == "object" and "properties" in node:
        node.setdefault("additionalProperties", False)
    return node


# -- the `when` language --------------------------------------------------------------------------

def _value_schema(spec: KeySpec) -> dict[str, Any]:
    if spec.kind == "bool":
        return {"type": "boolean"}
    if spec.kind == "number":
        return {"type": "number"}
    if spec.kind == "country":
        return {"$ref": "#/definitions/CountryCode"}
    if spec.values is not None:
        return {"type": "string", "enum": list(spec.values)}
    return {"type": "string"}


def _key_schema(key: str, spec: KeySpec) -> dict[str, Any]:
    value = _value_schema(spec)
    ops: dict[str, Any] = {}
    for op, (kinds, shape, _) in OPERATORS.items():
        if spec.kind not in kinds:
            continue
        if shape == "list":
            ops[op] = {"type": "array", "items": value, "minItems": 1}
        elif shape == "bool":
            ops[op] = {"type": "boolean"}
        elif shape == "number":
            ops[op] = {"type": "number"}
        else:
            ops[op] = value
    operator = {"type": "object", "properties": ops, "additionalProperties": False, "minProperties": 1}
    if spec.kind == "multi":
        return {**operator, "description": f"{key}: a list answer; use contains, contains_any, contains_all "
                "or contains_none"}
    return {"anyOf": [value, operator], "description": f"{key}: a value, or {{operator: value}}"}


def _condition(specs: Mapping[str, KeySpec], name: str) -> dict[str, Any]:
    ref = {"$ref": f"#/definitions/{name}"}
    props: dict[str, Any] = {key: _key_schema(key, spec) for key, spec in specs.items()}
    props["all"] = {"type": "array", "items": ref, "minItems": 1, "description": "Every condition must hold."}
    props["any"] = {"type": "array", "items": ref, "minItems": 1, "description": "At least one must hold."}
    props["not"] = {**ref, "description": "The condition must not hold."}
    return {
        "type": "object",
        "description": "A `when` condition: profile keys with a value or {operator: value}; all / any / not.",
        "properties": props,
        "additionalProperties": False,
        "minProperties": 1,
    }


def _nullable_ref(name: str) -> dict[str, Any]:
    return {"anyOf": [{"$ref": f"#/definitions/{name}"}, {"type": "null"}], "default": None}


# -- rule files -----------------------------------------------------------------------------------

def rules_schema(rs: RuleSet) -> dict[str, Any]:
    """A rule file, with the rule set's method, fact, goal and question ids as enums."""
    schema = to_draft7(
        RuleFile.model_json_schema(),
        title="advocate rule file",
        description="One YAML file of an advocate rule directory: questions, methods, rules, warnings, countries.",
    )
    defs = schema["definitions"]
    defs["CountryCode"] = {"type": "string", "enum": list(COUNTRIES),
                           "description": "ISO 3166-1 alpha-2 code in capitals (XK for Kosovo)."}
    defs["Condition"] = _condition(rs.key_specs(), "Condition")
    defs["WarningCondition"] = _condition(rs.key_specs(for_warnings=True), "WarningCondition")
    fact_ids = sorted(rs.facts)
    methods = [*rs.methods, "virtual", "analog"]
    points = {"type": "integer", "minimum": -100, "maximum": 100}

    rule = defs["Rule"]["properties"]
    rule["when"] = _nullable_ref("Condition") | {"description": "Apply the rule only when this holds."}
    rule["effects"] = {
        "type": "object",
        "description": rule["effects"].get("description", ""),
        "properties": {m: points for m in methods},
        "additionalProperties": False,
    }
    rule["by_attribute"] = {
        "type": "object",
        "description": rule["by_attribute"].get("description", ""),
        "properties": {a: points for a in ATTRIBUTES},
        "additionalProperties": False,
    }
    warning = defs["WarningRule"]["properties"]
    warning["when"] = _nullable_ref("WarningCondition") | {"description": "Fire the warning only when this holds."}
    for props in (rule, warning):
        if fact_ids:
            props["facts"]["items"] = {"type": "string", "enum": fact_ids}
    question = defs["Question"]["properties"]
    question["when"] = _nullable_ref("Condition") | {"description": "Ask (and require) only when this holds."}
    goals = rs.questions.get("goals")
    if goals is not None:
        defs["Method"]["properties"]["good_for"]["items"] = {"type": "string", "enum": list(goals.choice_ids)}
    defs["Country"]["properties"]["code"] = {"$ref": "#/definitions/CountryCode"}
    for name, key in (("Question", "id"), ("Method", "id"), ("Rule", "id"), ("WarningRule", "id"), ("Country", "code")):
        _disabling_needs_only(defs[name], key)
    return schema


def _disabling_needs_only(item: dict[str, Any], key: str) -> None:
    """`disabled: true` removes an earlier item and needs only its id (as the loader reads it)."""
    rest = [field for field in item.get("required", []) if field != key]
    if not rest or "disabled" not in item.get("properties", {}):
        return
    item["required"] = [key]
    item["if"] = {"properties": {"disabled": {"const": True}}, "required": ["disabled"]}
    item["else"] = {"required": rest}


# -- profiles -------------------------------------------------------------------------------------

def profile_schema(rs: RuleSet, *, required: bool = True) -> dict[str, Any]:
    """A profile, derived from the rule set's Profile model (its questions)."""
    model = rs.profile_model.model
    schema = to_draft7(model.model_json_schema(), title="advocate profile",
                       description="Answers about one campaign's audience, country and goals.")
    props = schema["properties"]
    for qid, q in rs.questions.items():
        prop = props.get(qid)
        if prop is None:
            continue
        base = _profile_value(q)
        described = f"{q.prompt} {q.help}" if q.help else q.prompt
        if q.when is not None or not q.required:
            prop = {"anyOf": [base, {"type": "null"}]}
            if q.default is not None:
                prop["default"] = q.default
        else:
            prop = base
        prop["description"] = described
        props[qid] = prop
    if not required:
        schema.pop("required", None)
    return schema


def _profile_value(q: Any) -> dict[str, Any]:
    kind = q.type.value
    if kind == "choice":
        return {"type": "string", "enum": list(q.choice_ids)}
    if kind == "multi":
        return {"type": "array", "items": {"type": "string", "enum": list(q.choice_ids)},
                "minItems": 1, "uniqueItems": True}
    if kind == "bool":
        return {"type": "boolean"}
    if kind == "country":
        return {"type": "string", "enum": list(COUNTRIES)}
    return {"type": "string", "maxLength": 500}


# -- rule cases -----------------------------------------------------------------------------------

def cases_schema(rs: RuleSet) -> dict[str, Any]:
    """A rule-case file (DIR/tests/*.yaml), with method and warning ids as enums."""
    from advocate_cli.casefile import Case, Expect
    from advocate_cli.engine import BALANCE_WARNINGS

    profile = profile_schema(rs, required=False)
    profile.pop("$schema", None)
    profile["description"] = "Answers, merged over `defaults`."
    case = to_draft7(Case.model_json_schema(), title="case", description="")
    defs = case.pop("definitions", {})
    case.pop("$schema", None)
    defs["Profile"] = profile
    # A case that expects the profile to be rejected holds a deliberately wrong answer.
    case["properties"]["profile"] = {"type": "object", "description": "Answers, merged over `defaults`."}
    case["if"] = {"properties": {"expect": {"required": ["error"]}}}
    case["else"] = {"properties": {"profile": {"$ref": "#/definitions/Profile"}}}
    case["properties"]["expect"] = {"$ref": "#/definitions/Expect"}
    expect = to_draft7(Expect.model_json_schema(), title="Expect", description="")
    expect.pop("$schema", None)
    defs.update(expect.pop("definitions", {}))
    expect["description"] = Expect.__doc__
    method = {"type": "string", "enum": list(rs.methods)}
    warning = {"type": "string", "enum": sorted({*rs.warnings, *TOPICS, *BALANCE_WARNINGS})}
    for name in ("in_top", "not_in_top", "any_in_top"):
        expect["properties"][name]["items"] = method
    for name in ("warnings", "no_warnings"):
        expect["properties"][name]["items"] = warning
    bounds = expect["properties"]["scores"]["additionalProperties"]
    expect["properties"]["scores"] = {"type": "object", "description": expect["properties"]["scores"]["description"],
                                      "properties": {m: bounds for m in rs.methods}, "additionalProperties": False}
    expect["properties"]["error"] = {"anyOf": [{"type": "string", "enum": list(rs.questions)}, {"type": "null"}],
                                     "description": "The profile must be rejected, with a problem at this key."}
    defs["Expect"] = expect
    case["description"] = Case.__doc__
    defs["Case"] = case
    return {
        "$schema": DRAFT_07,
        "title": "advocate rule cases",
        "description": "Named profiles with the plan each must produce (advocate rules test).",
        "type": "object",
        "properties": {
            "defaults": {"$ref": "#/definitions/Profile"},
            "cases": {"type": "array", "items": {"$ref": "#/definitions/Case"}},
        },
        "additionalProperties": False,
        "definitions": defs,
    }
