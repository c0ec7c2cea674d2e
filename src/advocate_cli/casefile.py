"""Rule cases: named profiles with the plan they must (or must not) produce, kept as YAML beside the rules.

The same module serves `advocate rules test` for a network's own rule directory and the
project's pytest suite for the shipped rules (tests/test_rule_cases.py).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from advocate_cli import yamlio
from advocate_cli.conditions import nearest
from advocate_cli.errors import AdvocateError, Place, ProfileError
from advocate_cli.ruleset.findings import Finding, FindingSeverity, read_findings
from advocate_cli.ruleset.loader import display_path, schema_hint, schema_message
from advocate_cli.ruleset.models import TOPICS
from advocate_cli.ruleset.ruleset import RuleSet

Score = Annotated[int, Field(ge=0, le=100)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bounds(_Strict):
    """Bounds on one method's score (0-100), either or both."""

    min: Score | None = Field(None, description="The score must be at least this.")
    max: Score | None = Field(None, description="The score must be at most this.")

    @model_validator(mode="after")
    def _possible(self) -> Bounds:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}: no score can meet both")
        return self


class Expect(_Strict):
    """What the plan for a case's profile must show."""

    top: Annotated[int, Field(ge=1, le=50)] = Field(
        5, description="How many of the highest-scoring methods in_top and not_in_top look at.")
    in_top: list[str] = Field(default_factory=list, description="Method ids that must rank in the top N by score.")
    not_in_top: list[str] = Field(default_factory=list, description="Method ids that must not rank in the top N.")
    any_in_top: list[str] = Field(
        default_factory=list, description="At least one of these method ids must rank in the top N.")
    lean: Literal["virtual", "analog"] | None = Field(None, description="The side with the larger share of the mix.")
    warnings: list[str] = Field(default_factory=list, description="Warning ids or topics that must fire.")
    no_warnings: list[str] = Field(default_factory=list, description="Warning ids or topics that must not fire.")
    scores: dict[str, Bounds] = Field(default_factory=dict, description="Bounds on method scores, by method id.")
    error: str | None = Field(None, description="The profile must be rejected, with a problem at this key.")

    @model_validator(mode="after")
    def _possible(self) -> Expect:
        both = sorted(set(self.in_top) & set(self.not_in_top))
        if both:
            raise ValueError(f"{', '.join(both)} cannot be both in_top and not_in_top")
        both = sorted(set(self.warnings) & set(self.no_warnings))
        if both:
            raise ValueError(f"{', '.join(both)} cannot be in both warnings and no_warnings")
        return self

    @model_validator(mode="after")
    def _error_alone(self) -> Expect:
        if self.error is not None and (self.in_top or self.not_in_top or self.any_in_top or self.lean or self.warnings
                                       or self.no_warnings or self.scores):
            raise ValueError("`error` expects the profile to be rejected; it cannot be combined with expectations "
                             "about the plan")
        return self


class Case(_Strict):
    """One named case: a profile and what its plan must show."""

    name: Annotated[str, Field(min_length=1, max_length=200)] = Field(description="Unique; `-k` selects by it.")
    description: str | None = None
    profile: dict[str, Any] = Field(default_factory=dict, description="Answers, merged over the file's defaults.")
    expect: Expect


class CaseFile(_Strict):
    """A file of rule cases."""

    defaults: dict[str, Any] = Field(default_factory=dict, description="Answers merged under every case's profile.")
    # Each item is read as a Case on its own, so that one item that is not a case costs only itself.
    cases: list[Any] = Field(default_factory=list)


@dataclass
class LoadedCase:
    """A case with its merged profile and its place in the case file."""

    case: Case
    file: str
    line: int
    column: int
    profile: dict[str, Any]
    profile_doc: yamlio.Document | None

    @property
    def name(self) -> str:
        return self.case.name


@dataclass
class CaseResult:
    name: str
    file: str
    line: int
    failures: list[str] = field(default_factory=list)
    fired_rules: set[str] = field(default_factory=set)
    fired_warnings: set[str] = field(default_factory=set)

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass
class TestReport:
    """What `rules test` ran and found."""

    __test__ = False  # not a pytest class

    results: list[CaseResult]
    problems: list[Finding]  # case files or cases that could not be read
    files: list[str]
    uncovered_rules: list[str]
    uncovered_warnings: list[str]
    deselected: int = 0

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if not r.passed)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.problems

    def summary(self) -> str:
        text = f"{self.passed} passed, {self.failed} failed"
        if self.problems:
            text += f", {len(self.problems)} error{'s' if len(self.problems) != 1 else ''} in case files"
        if self.deselected:
            text += f", {self.deselected} deselected"
        return text

    def coverage(self) -> str:
        if not self.uncovered_rules and not self.uncovered_warnings:
            return "coverage: every rule and warning fired in at least one case"
        parts = []
        if self.uncovered_rules:
            parts.append(f"rules: {', '.join(self.uncovered_rules)}")
        if self.uncovered_warnings:
            parts.append(f"warnings: {', '.join(self.uncovered_warnings)}")
        by = "by the selected cases" if self.deselected else "by any case"
        return f"coverage: never fired {by}: " + "; ".join(parts)


# -- loading ------------------------------------------------------------------------------------

def case_paths(directory: Path) -> list[Path]:
    """The case files of a rule directory: DIR/tests/*.yaml and *.yml."""
    tests = Path(directory) / "tests"
    if not tests.is_dir():
        return []
    return sorted(p for p in tests.iterdir() if yamlio.is_yaml(p) and p.is_file())


def _problem(code: str, place: Place, message: str, hint: str | None = None) -> Finding:
    return Finding(code, FindingSeverity.error, place.file or "<cases>", place.line or 0, place.column or 0,
                   message, hint)


def load_cases(paths: Iterable[tuple[Path, str]]) -> tuple[list[LoadedCase], list[Finding]]:
    """Read case files (path, display name); every problem is collected, good cases are kept."""
    cases: list[LoadedCase] = []
    problems: list[Finding] = []
    seen: dict[str, LoadedCase] = {}
    paths = list(paths)
    for (_, name), read in zip(paths, yamlio.load_files(paths)):
        problems.extend(read_findings(read, name))
        doc = read[0]
        if doc is None or doc.data is None:
            continue
        try:
            casefile = CaseFile.model_validate(doc.data)
        except ValidationError as exc:
            problems.extend(_schema_problems(exc, doc, ()))
            continue
        for i, raw in enumerate(casefile.cases):
            try:
                case = Case.model_validate(raw)
            except ValidationError as exc:
                problems.extend(_schema_problems(exc, doc, ("cases", i)))
                continue
            place = doc.place(("cases", i))
            profile = {**casefile.defaults, **case.profile}
            loaded = LoadedCase(case, name, place.line or 0, place.column or 0, profile,
                                doc.part(("cases", i, "profile"), profile))
            if case.name in seen:
                first = seen[case.name]
                problems.append(_problem(
                    "duplicate-id", doc.place(("cases", i, "name")),
                    f"case name {case.name!r} is used twice (first at {first.file}:{first.line})",
                    "give each case its own name: `-k` and the test report refer to cases by name",
                ))
                continue
            seen[case.name] = loaded
            cases.append(loaded)
    return cases, problems


def _schema_problems(exc: ValidationError, doc: yamlio.Document, prefix: tuple) -> list[Finding]:
    found = []
    for err in exc.errors(include_url=False):
        err = {**err, "loc": (*prefix, *err["loc"])}
        place = doc.place(err["loc"], at_key=err["type"] == "extra_forbidden")
        hint = schema_hint(err) if err["type"] != "extra_forbidden" else _case_key_hint(err["loc"])
        found.append(_problem("schema", place, schema_message(err), hint or "see 'tests (rule cases)' in "
                              "docs/rule-format.md"))
    return found


def _case_key_hint(loc: tuple) -> str:
    model: type[BaseModel] = CaseFile
    if "scores" in loc:
        model = Bounds
    elif "expect" in loc:
        model = Expect
    elif "cases" in loc:
        model = Case
    known = list(model.model_fields)
    near = nearest(str(loc[-1]), known)
    return f"did you mean {near!r}?" if near else f"known keys here: {', '.join(known)}"


def select(cases: Sequence[LoadedCase], pattern: str | None) -> list[LoadedCase]:
    """Cases whose name holds the pattern (case-insensitive), or matches it as a glob (*, ?, [])."""
    if not pattern:
        return list(cases)
    lowered = pattern.lower()
    if any(c in pattern for c in "*?["):
        return [c for c in cases if fnmatch.fnmatchcase(c.name.lower(), lowered)]
    return [c for c in cases if lowered in c.name.lower()]


# -- running ------------------------------------------------------------------------------------

def run_case(loaded: LoadedCase, ruleset: RuleSet, *, today: dt.date) -> CaseResult:
    """Validate the case's profile through the one validation path, plan it, and compare."""
    from advocate_cli.engine import context, evaluate

    result = CaseResult(loaded.name, loaded.file, loaded.line)
    expect = loaded.case.expect
    try:
        answers = ruleset.profile_model.validate(loaded.profile, loaded.profile_doc)
    except ProfileError as exc:
        if expect.error is None:
            result.failures.append(f"the profile is invalid: {exc}")
        elif not any(_key_root(p.key) == expect.error for p in getattr(exc, "problems", None) or [exc]):
            result.failures.append(f"expected the profile to be rejected at {expect.error!r}; it was rejected "
                                   f"for another reason: {exc}")
        return result
    if expect.error is not None:
        result.failures.append(f"expected the profile to be rejected at {expect.error!r}, but it was accepted")
        return result
    unknown = _unknown_names(expect, ruleset)
    if unknown:
        result.failures.extend(unknown)
        return result
    compiled = ruleset.compiled
    plan = evaluate(answers, compiled, today=today)  # the mix `advocate plan` shows by default
    ctx = context(answers, compiled)
    result.fired_rules = {r.id for r in compiled.rules if r.test(ctx)}
    result.fired_warnings = {w.id for w in plan.warnings}
    result.failures.extend(compare(expect, plan))
    return result


def _key_root(key: str | None) -> str | None:
    return key.split(".", 1)[0] if key else None


def _unknown_names(expect: Expect, rs: RuleSet) -> list[str]:
    """Expectations that name a method, warning or topic the rule set does not have."""
    problems = []
    for where, ids in (("in_top", expect.in_top), ("not_in_top", expect.not_in_top),
                       ("any_in_top", expect.any_in_top), ("scores", expect.scores)):
        for mid in ids:
            if mid not in rs.methods:
                near = nearest(mid, rs.methods)
                problems.append(f"expect.{where}: unknown method {mid!r}" + (f"; did you mean {near!r}?" if near else ""))
    from advocate_cli.engine import BALANCE_WARNINGS

    known = [*rs.warnings, *TOPICS, *BALANCE_WARNINGS]
    for where, names in (("warnings", expect.warnings), ("no_warnings", expect.no_warnings)):
        for name in names:
            if name not in known:
                near = nearest(name, known)
                problems.append(f"expect.{where}: {name!r} is neither a warning id nor a topic"
                                + (f"; did you mean {near!r}?" if near else ""))
    return problems


def compare(expect: Expect, plan: Any) -> list[str]:
    """Every way the plan differs from the expectations, each as one clear sentence."""
    failures: list[str] = []
    n = expect.top
    top = plan.methods[:n]  # ranked by score, as the plan shows them
    top_ids = {m.id for m in top}
    shown = ", ".join(f"{m.id} ({m.score})" for m in top)
    rank = {m.id: (i, m) for i, m in enumerate(plan.methods, 1)}
    for mid in expect.in_top:
        if mid not in top_ids:
            i, m = rank[mid]
            failures.append(f"expected {mid} in the top {n}; it ranks #{i} with {m.score}{_reasons(m)}. "
                            f"The top {n} was: {shown}")
    for mid in expect.not_in_top:
        if mid in top_ids:
            i, m = rank[mid]
            failures.append(f"expected {mid} not in the top {n}; it ranks #{i} with {m.score}{_reasons(m)}. "
                            f"The top {n} was: {shown}")
    if expect.any_in_top and not top_ids.intersection(expect.any_in_top):
        failures.append(f"expected at least one of {', '.join(expect.any_in_top)} in the top {n}; "
                        f"the top {n} was: {shown}")
    if expect.lean is not None:
        v, a = plan.mix["virtual"], plan.mix["analog"]
        lean = "virtual" if v > a else "analog" if a > v else "neither side"
        if lean != expect.lean:
            failures.append(f"expected the mix to lean {expect.lean}; it leans {lean}: "
                            f"virtual {round(v * 100)}% / analog {round(a * 100)}%")
    fired = {w.id: w for w in plan.warnings}
    fired_text = ", ".join(f"{w.id} ({w.topic})" for w in plan.warnings) or "none"
    for name in expect.warnings:
        if not any(w.id == name or w.topic == name for w in plan.warnings):
            failures.append(f"expected warning {name} to fire; fired: {fired_text}")
    for name in expect.no_warnings:
        hits = [w for w in fired.values() if w.id == name or w.topic == name]
        if hits:
            failures.append(f"expected no warning {name}; fired: "
                            + "; ".join(f"{w.id} ({w.topic}): {w.message}" for w in hits))
    scores = {m.id: m for m in plan.methods}
    for mid, bounds in expect.scores.items():
        m = scores[mid]
        if bounds.min is not None and m.score < bounds.min:
            failures.append(f"expected {mid} to score at least {bounds.min}; it scored {m.score}{_reasons(m)}")
        if bounds.max is not None and m.score > bounds.max:
            failures.append(f"expected {mid} to score at most {bounds.max}; it scored {m.score}{_reasons(m)}")
    return failures


def _reasons(method: Any) -> str:
    ranked = sorted(method.contributions, key=lambda c: -abs(c.points))[:4]
    if not ranked:
        return f" (base {method.base}, no rule moved it)"
    more = len(method.contributions) - len(ranked)
    return f" (base {method.base}; " + ", ".join(f"{c.points:+d} {c.rule}" for c in ranked) + \
        (f", {more} more" if more else "") + ")"


def run_directories(
    directories: Sequence[Path],
    *,
    include_default: bool = True,
    today: dt.date,
    pattern: str | None = None,
) -> TestReport:
    """Load the rule set (which must be valid), then run the cases kept beside the given directories.

    Without directories, the shipped rules' own cases run.
    """
    from advocate_cli.ruleset import default_rules_dir, load_ruleset

    directories = [Path(d) for d in directories]
    ruleset, _ = load_ruleset(directories, include_default=include_default)
    if directories:
        sources = [(p, display_path(p, d, False)) for d in directories for p in case_paths(d)]
    else:
        root = default_rules_dir()
        sources = [(p, display_path(p, root, True)) for p in case_paths(root)]
    if not sources:
        where = ", ".join(f"{d}/tests" for d in directories) or "the shipped rules' tests/"
        raise AdvocateError(f"no rule cases found in {where}",
                            hint="write cases in DIR/tests/*.yaml; see 'tests (rule cases)' in docs/rule-format.md")
    cases, problems = load_cases(sources)
    if not cases and not problems:  # files that hold no case (all commented out, or `cases: []`): nothing is tested
        raise AdvocateError(f"no rule cases found in {', '.join(name for _, name in sources)}",
                            hint="each file needs a `cases:` list with at least one case; see 'tests (rule cases)' "
                            "in docs/rule-format.md")
    chosen = select(cases, pattern)
    if pattern and not chosen and cases:
        raise AdvocateError(f"no case name matches {pattern!r}", key="-k",
                            hint=f"{len(cases)} cases; e.g. {', '.join(c.name for c in cases[:3])}")
    results = [run_case(c, ruleset, today=today) for c in chosen]
    layers = _checked_layers(directories, include_default)
    fired_rules = set().union(*(r.fired_rules for r in results)) if results else set()
    fired_warnings = set().union(*(r.fired_warnings for r in results)) if results else set()
    return TestReport(
        results=results,
        problems=sorted(problems, key=Finding.sort_key),
        files=[name for _, name in sources],
        uncovered_rules=[k for k in ruleset.rules if k not in fired_rules and _layer(ruleset, "rules", k) in layers],
        uncovered_warnings=[k for k in ruleset.warnings
                            if k not in fired_warnings and _layer(ruleset, "warnings", k) in layers],
        deselected=len(cases) - len(chosen),
    )


def _checked_layers(directories: Sequence[Path], include_default: bool) -> set[int]:
    """The layers whose items coverage is about: the given directories, or the shipped rules alone."""
    if not directories:
        return {0}
    first = 1 if include_default else 0
    return set(range(first, first + len(directories)))


def _layer(rs: RuleSet, kind: str, key: str) -> int | None:
    origin = rs.origin(kind, key)
    return origin.layer if origin is not None else None
