"""The Profile: a pydantic model derived from the rule set's questions, and the one validation path for answers."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model
from pydantic_core import PydanticCustomError

from advocate_cli.conditions import nearest, suggest_country
from advocate_cli.errors import ProfileError
from advocate_cli.iso3166 import COUNTRIES
from advocate_cli.yamlio import Document, Yaml11Scalar, explain_yaml11

if TYPE_CHECKING:
    from advocate_cli.ruleset.ruleset import RuleSet


def _country(value: Any, aliases: Mapping[str, str] | None = None) -> Any:
    if isinstance(value, Yaml11Scalar):
        read_as = str(value.yaml11).lower() if isinstance(value.yaml11, bool) else str(value.yaml11)
        if str(value).upper() not in COUNTRIES:  # 012: quoting would not make it a country code either
            raise PydanticCustomError(
                "country_yaml11",
                "{shown} is not a country code (YAML 1.1 tools would even read it as {read_as}); "
                "write a two-letter code such as AL, MK or RS",
                {"shown": str(value), "read_as": read_as},
            )
        raise PydanticCustomError(
            "country_yaml11",
            '{shown} is not read as a country code: YAML 1.1 tools read an unquoted {shown} as {read_as}; '
            'write the code in quotes, e.g. country: "{shown}"',
            {"shown": str(value), "read_as": read_as},
        )
    if isinstance(value, bool):
        raise PydanticCustomError(
            "country_bool",
            "the boolean {shown} is not a country code; if you wrote NO, off or on, write the code in quotes, "
            'e.g. country: "NO"',
            {"shown": str(value).lower()},
        )
    if not isinstance(value, str):
        raise PydanticCustomError("country_type", "expected a two-letter country code such as AL, not {kind}",
                                  {"kind": _show(value)})
    code = value.strip().upper()
    if code in COUNTRIES:
        return code
    suggestion = suggest_country(value, aliases)
    raise PydanticCustomError(
        "country_unknown",
        "'{value}' is not an ISO 3166-1 alpha-2 country code{hint}",
        {"value": value, "hint": f"; did you mean {suggestion}?" if suggestion else ""},
    )


def _multi(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, Yaml11Scalar):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _no_repeats(value: list[str]) -> list[str]:
    repeated = sorted({v for v in value if value.count(v) > 1})
    if repeated:
        raise PydanticCustomError("repeated", "{items} given more than once", {"items": ", ".join(repeated)})
    return value


def _text(value: Any) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError("text_type", "expected text, not the boolean {v}", {"v": str(value).lower()})
    if isinstance(value, dt.date):  # name: 2026-02-28 is a date to YAML; as text, it is what was typed
        return value.isoformat()
    return value


@dataclass
class ProfileSchema:
    """The Profile model of a rule set plus what validation needs beyond pydantic (conditional questions)."""

    model: type[BaseModel]
    ruleset: RuleSet
    conditional: list[tuple[str, Any]]

    @functools.cached_property
    def null_defaults(self) -> tuple[tuple[str, Any], ...]:
        """Optional questions asked of everyone that have a default: an answer given as null takes it."""
        return tuple((q.id, q.default) for q in self.ruleset.questions.values()
                     if not q.required and q.default is not None and q.when is None)

    def validate(self, data: Any, doc: Document | None = None) -> dict[str, Any]:
        """Answers in, validated answers out (or a ProfileError naming key, line and allowed values)."""
        if not isinstance(data, Mapping):
            what = "nothing (an empty document)" if data is None else _show(data)
            raise ProfileError(
                f"a profile must be a mapping of answers (key: value), got {what}",
                place=doc.place() if doc else None,
            )
        try:
            answers = self.model.model_validate(data).model_dump(exclude_none=True)
        except ValidationError as exc:
            raise self._error(exc, data, doc) from None
        for qid, default in self.null_defaults:  # `lang: null` is no answer, which takes the default
            if qid not in answers:
                answers[qid] = default
        for qid, test in self.conditional:
            question = self.ruleset.questions[qid]
            if qid in answers or not question.required:
                if qid not in answers and question.default is not None and test(self._context(answers)):
                    answers[qid] = question.default
                continue
            if test(self._context(answers)):
                raise self._missing(qid, doc)
        return {q: answers[q] for q in self.ruleset.questions if q in answers}

    def check_answer(self, qid: str, value: Any) -> Any:
        """One answer through the Profile model's own field validation: its validated value, or a ProfileError
        about this answer alone (the other answers may still be missing)."""
        if qid not in self.ruleset.questions:
            raise ProfileError(self._explain({"type": "extra_forbidden"}, qid, {}), key=qid)
        try:
            checked = self.model.model_construct()
            setattr(checked, qid, value)  # validate_assignment: the field's validators, nothing else
        except ValidationError as exc:
            raise self._error(exc, {qid: value}, None) from None
        return getattr(checked, qid)

    def applies(self, qid: str, answers: Mapping[str, Any]) -> bool:
        """Whether a question is asked for these (validated) answers: it has no `when`, or its `when` holds."""
        for cid, test in self.conditional:
            if cid == qid:
                return bool(test(self._context(dict(answers))))
        return True

    def missing(self, answers: Mapping[str, Any]) -> list[str]:
        """The required questions that apply to these (validated) answers and have none, in question order."""
        return [
            q.id for q in self.ruleset.questions.values()
            if q.required and answers.get(q.id) is None and self.applies(q.id, answers)
        ]

    def _context(self, answers: dict[str, Any]) -> dict[str, Any]:
        ctx = {k: frozenset(v) if isinstance(v, list) else v for k, v in answers.items()}
        ctx["country_known"] = answers.get("country") in self.ruleset.countries
        return ctx

    def _missing(self, qid: str, doc: Document | None) -> ProfileError:
        return ProfileError(f"missing required answer; {self.expected(qid)}", key=qid,
                            place=doc.place() if doc else None)

    def expected(self, qid: str) -> str:
        """What a question accepts, in words."""
        q = self.ruleset.questions[qid]
        kind = q.type.value
        if kind == "choice":
            return f"one of: {', '.join(q.choice_ids)}"
        if kind == "multi":
            return f"a list of one or more of: {', '.join(q.choice_ids)}"
        if kind == "bool":
            return "true or false"
        if kind == "country":
            known = ", ".join(self.ruleset.countries) or "AL"
            return f"a two-letter country code (with country facts: {known}; any other ISO code uses generic rules)"
        return "text"

    def _error(self, exc: ValidationError, data: Mapping[str, Any], doc: Document | None) -> ProfileError:
        found = []
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            key = ".".join(str(p) for p in loc)
            qid = str(loc[0]) if loc else ""
            place = doc.place(loc, at_key=err["type"] == "extra_forbidden") if doc else None
            problem = ProfileError(self._explain(err, qid, data), key=key or None, place=place)
            # By line, with missing answers last: they are placed at the document's start, and one is
            # often the echo of a misspelt key further down (budgt: for budget:), the problem to show first.
            found.append(((err["type"] == "missing", (place.line or 0) if place else 0), problem))
        found.sort(key=lambda pair: pair[0])
        problems = [problem for _, problem in found]
        first = problems[0]
        error = ProfileError(first.message, key=first.key, place=first.place)
        error.problems = problems  # type: ignore[attr-defined]
        if len(problems) > 1:
            error.hint = f"{len(problems) - 1} more problem{'s' if len(problems) > 2 else ''}: " + "; ".join(
                f"{p.key}: {p.message}" for p in problems[1:]
            )
        return error

    def _explain(self, err: dict[str, Any], qid: str, data: Mapping[str, Any]) -> str:
        kind = err["type"]
        value = err.get("input")
        questions = self.ruleset.questions
        if kind == "extra_forbidden":
            near = nearest(qid, questions)
            return (f"unknown key{f'; did you mean {near!r}?' if near else ''} "
                    f"(the keys are: {', '.join(questions)})")
        if kind == "missing":
            return f"missing required answer; {self.expected(qid)}"
        if qid not in questions:
            return err["msg"]
        q = questions[qid]
        trap = f" ({explain_yaml11(value)})" if isinstance(value, Yaml11Scalar) and q.type.value != "country" else ""
        if kind == "literal_error":
            near = nearest(value, q.choice_ids) if isinstance(value, str) else None
            hint = f"; did you mean {near!r}?" if near else ""
            return f"{_show(value)} is not one of: {', '.join(q.choice_ids)}{hint}{trap}"
        if kind in ("bool_parsing", "bool_type"):
            return f"expected true or false, got {_show(value)}"
        if kind in ("list_type",):
            return f"expected a list of one or more of: {', '.join(q.choice_ids)}; got {_show(value)}"
        if kind == "too_short" and q.type.value == "multi":
            return f"choose at least one of: {', '.join(q.choice_ids)}"
        if kind == "too_long" and q.type.value == "text":
            ctx = err.get("ctx", {})
            return f"too long: {ctx.get('actual_length')} characters, where at most {ctx.get('max_length')} fit"
        if kind in ("string_type", "text_type"):
            return f"expected text, got {_show(value)}{trap}"
        return f"{err['msg']}{trap}"


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if value is None:
        return "nothing (null)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return repr(str(value))
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


def build_profile_model(ruleset: RuleSet) -> ProfileSchema:
    """Derive the Profile model from the question definitions."""
    fields: dict[str, Any] = {}
    conditional: list[tuple[str, Any]] = []
    conditions = ruleset.compiled_conditions("questions", ruleset.key_specs())
    for q in ruleset.questions.values():
        kind = q.type.value
        if kind == "choice":
            annotation: Any = Literal[q.choice_ids]  # type: ignore[valid-type]
        elif kind == "multi":
            annotation = Annotated[
                list[Literal[q.choice_ids]],  # type: ignore[valid-type]
                BeforeValidator(_multi),
                Field(min_length=1, max_length=len(q.choice_ids) or 1),
            ]
            from pydantic import AfterValidator

            annotation = Annotated[annotation, AfterValidator(_no_repeats)]
        elif kind == "bool":
            annotation = bool
        elif kind == "country":
            aliases = {name: c.code for c in ruleset.countries.values() for name in (c.name, *c.aliases)}
            annotation = Annotated[str, BeforeValidator(functools.partial(_country, aliases=aliases))]
        else:
            annotation = Annotated[str, BeforeValidator(_text), Field(max_length=500)]
        optional = q.when is not None or not q.required
        if optional:
            default = None if q.when is not None else q.default
            fields[q.id] = (annotation | None, Field(default, description=q.prompt))
        else:
            fields[q.id] = (annotation, Field(description=q.prompt))
        if q.when is not None:
            conditional.append((q.id, conditions[q.id].test))
    model = create_model(  # type: ignore[call-overload]
        "Profile",
        __config__=ConfigDict(extra="forbid", title="advocate profile", validate_assignment=True),
        __doc__="Answers about one campaign's audience, country and goals.",
        **fields,
    )
    return ProfileSchema(model, ruleset, conditional)
