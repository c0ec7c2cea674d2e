"""`rules check`: every finding in layered rule directories, by file, line and column, each with a hint.

The loader already reports what it meets while reading (YAML, schema, ids, references,
conditions). This module adds what needs the whole layered rule set: overrides between layers,
conditions that can never hold, methods no rule names, stale facts, and placeholder sources and
mitigations.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from advocate_cli.catalogue import disables
from advocate_cli.conditions import Compiled, KeySpec, compile_condition, named_values, show_condition
from advocate_cli.errors import Place
from advocate_cli.ruleset.findings import FIXES, Finding, FindingSeverity
from advocate_cli.ruleset.loader import SINGULAR, default_rules_dir, display_path, load_for_check, rule_files
from advocate_cli.ruleset.ruleset import RuleSet, collector_paused

ERROR = FindingSeverity.error
WARNING = FindingSeverity.warning
INFO = FindingSeverity.info

# Conditions whose answer space is larger than this are not judged (never a false "never fires").
MAX_ANSWER_COMBINATIONS = 4096
# Text that stands in for a source or mitigation that was never written.
PLACEHOLDER = re.compile(
    r"^\s*(?:todo|tbd|tba|fixme|xxx+|unknown|none|n/?a|source|sources|mitigation|to ?do|to be (?:added|confirmed)"
    r"|\?+|-+|\.+)\s*[.!:]?\s*$",
    re.IGNORECASE,
)
_READ_FAILURES = ("yaml-syntax", "unreadable", "not-a-mapping")


@dataclass
class CheckReport:
    """What `rules check` found, and what it needs to decide the exit code and to render."""

    findings: list[Finding]
    files: list[str]  # the rule files checked, as named in findings
    as_of: dt.date
    fail_on: FindingSeverity = ERROR
    hidden: int = 0  # findings in the shipped rules that the checked directories did not cause

    @property
    def failing(self) -> list[Finding]:
        return [f for f in self.findings if f.severity.rank >= self.fail_on.rank]

    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in FindingSeverity}
        for f in self.findings:
            counts[f.severity.value] += 1
        return counts

    def summary(self) -> str:
        """One line for stderr: '2 errors, 1 warning, 0 info in 5 files (fail on error: 2)'."""
        counts = self.counts()
        files = f"{len(self.files)} file{'s' if len(self.files) != 1 else ''}"
        if not self.findings:
            text = f"no findings in {files}"
        else:
            parts = [
                f"{counts['error']} error{'s' if counts['error'] != 1 else ''}",
                f"{counts['warning']} warning{'s' if counts['warning'] != 1 else ''}",
                f"{counts['info']} info",
            ]
            text = f"{', '.join(parts)} in {files}"
        text += f"; {len(self.failing)} at or above --fail-on {self.fail_on.value}"
        if self.hidden:
            text += (f"; {self.hidden} finding{'s' if self.hidden != 1 else ''} in the shipped rules not shown "
                     "(run `advocate rules check` without a directory to see them)")
        return text


def check_directories(
    directories: Iterable[Path],
    *,
    include_default: bool = True,
    as_of: dt.date,
    fail_on: FindingSeverity = ERROR,
) -> CheckReport:
    """Load the directories layered over the defaults, collect every finding and sort them by place.

    Findings located in the shipped rules are shown only when the checked directories caused
    them (for example by disabling a method a default rule names); the rest are counted as hidden.
    """
    directories = [Path(d) for d in directories]
    with collector_paused():
        (ruleset, findings), base = load_for_check(directories, include_default=include_default)
        findings = [*findings, *analyse(ruleset, as_of)]
        hidden = 0
        if base is not None:  # the shipped rules alone, when the directories are layered over them
            base_ruleset, base_findings = base
            known = {_identity(f) for f in [*base_findings, *analyse(base_ruleset, as_of)]}
            kept = [f for f in findings if not (f.file.startswith("<default>/") and _identity(f) in known)]
            hidden = len(findings) - len(kept)
            findings = kept
    findings = sorted(_with_hints(findings), key=Finding.sort_key)
    if directories:
        files = [display_path(p, d, False) for d in directories for p in rule_files(d)]
    else:
        root = default_rules_dir()
        files = [display_path(p, root, True) for p in rule_files(root)]
    return CheckReport(findings, files, as_of, fail_on, hidden)


def _identity(f: Finding) -> tuple:
    return (f.code, f.file, f.line, f.column, f.message)


def _with_hints(findings: list[Finding]) -> Iterator[Finding]:
    """Every finding says how to fix it; a reference may be broken only because its file could not be read."""
    unread = sorted({f.file for f in findings if f.code in _READ_FAILURES})
    for f in findings:
        if f.hint is None:
            f = replace(f, hint=FIXES.get(f.code))
        if unread and f.code == "unknown-reference" and f.message.startswith(("unknown ", "disables ")):
            first = f.hint.rstrip() if f.hint else ""
            if first and not first.endswith((".", "?", "!")):
                first += "."
            f = replace(f, hint=f"{first + ' ' if first else ''}It may be defined in "
                        f"{', '.join(unread)}, which could not be read: fix that first")
        yield f


def analyse(rs: RuleSet, as_of: dt.date) -> list[Finding]:
    """The checks that need the whole layered rule set."""
    out: list[Finding] = []
    out.extend(_overrides(rs))
    silent_rules: set[str] = set()
    for kind, noun, verb, specs in (
        ("rules", "rule", "can never fire", rs.key_specs()),
        ("warnings", "warning", "can never fire", rs.key_specs(for_warnings=True)),
        ("questions", "question", "is never asked", rs.key_specs()),
    ):
        table: dict[str, Any] = getattr(rs, kind)
        compiled = rs.compiled_conditions(kind, specs)
        domains: dict[tuple, list[Any] | None] = {}  # answers worth trying, by key and values named
        for key, item in table.items():
            if item.when is None:
                continue
            finding = _never_fires(rs, kind, key, item.when, specs, f"{noun} {key!r} {verb}", compiled[key], domains)
            if finding is not None:
                out.append(finding)
                if kind == "rules":
                    silent_rules.add(key)
    out.extend(_untouched_methods(rs, silent_rules))
    out.extend(_question_order(rs))
    out.extend(_out_of_range(rs))
    out.extend(_facts(rs, as_of))
    out.extend(_sources_and_mitigations(rs))
    return out


def _finding(code: str, severity: FindingSeverity, place: Place, message: str, hint: str | None = None) -> Finding:
    return Finding(code, severity, place.file or "<rules>", place.line or 0, place.column or 0, message, hint)


# -- layers -------------------------------------------------------------------------------------

def _overrides(rs: RuleSet) -> Iterator[Finding]:
    """An item that replaces or disables one from an earlier layer: info naming both places."""
    for (kind, key), history in rs.origins.items():
        noun = SINGULAR[kind]
        for n, origin in enumerate(history):
            removes = disables(origin)
            if n == 0:
                if removes:
                    yield _finding(
                        "unknown-reference", WARNING, origin.place,
                        f"disables {noun} {key!r}, but no earlier rule directory defines it",
                        f"check the id with `advocate rules show {key}`, or delete this item",
                    )
                continue
            earlier = history[n - 1]
            if removes:
                message = f"{noun} {key!r} is disabled here; this removes the one defined at {earlier.place}"
            elif disables(earlier):
                message = f"{noun} {key!r} is defined again here after being disabled at {earlier.place}"
            else:
                message = f"{noun} {key!r} replaces the one defined at {earlier.place}"
            yield _finding("override", INFO, origin.place, message)


# -- conditions that can never hold --------------------------------------------------------------

_MISSING = object()  # the key is not answered
_OTHER = "\x00another answer"  # a text answer the condition does not name


def _never_fires(rs: RuleSet, kind: str, key: str, when: Any, specs: dict[str, KeySpec], what: str,
                 compiled: Compiled | None = None, domains: dict[tuple, list[Any] | None] | None = None,
                 ) -> Finding | None:
    if can_hold(when, specs, rs, compiled, domains=domains) is not False:
        return None
    parts = _conjuncts(when)
    place = rs.place_of(kind, key, ("when",), at_key=True)
    for path, part in parts:
        if can_hold(part, specs, rs) is False:
            place = rs.place_of(kind, key, ("when", *path), at_key=True)
            return _finding("never-fires", WARNING, place, f"{what}: `{show_condition(part)}` can never hold")
    if len(parts) <= 16:
        for (path_a, a), (path_b, b) in itertools.combinations(parts, 2):
            if can_hold({"all": [a, b]}, specs, rs) is False:
                first = rs.place_of(kind, key, ("when", *path_a), at_key=True)
                place = rs.place_of(kind, key, ("when", *path_b), at_key=True)
                return _finding(
                    "never-fires", WARNING, place,
                    f"{what}: `{show_condition(a)}` (line {first.line}) and `{show_condition(b)}` cannot both hold",
                )
    return _finding("never-fires", WARNING, place, f"{what}: no combination of answers satisfies its `when`")


def can_hold(when: Any, specs: Mapping[str, KeySpec], rs: RuleSet, compiled: Compiled | None = None, *,
             domains: dict[tuple, list[Any] | None] | None = None) -> bool | None:
    """Whether some answers satisfy the condition: True, False, or None when it cannot be told.

    The condition is evaluated over every combination of the answers that matter to it: the
    choices of the keys it names (for a list answer, the subsets of the values it names), a
    missing answer where a question may go unanswered, and the values around each threshold.
    `compiled` is compile_condition(when, specs), when the caller has it already; `domains` keeps the
    answers worked out for a key, for conditions judged against the same rule set and keys.
    """
    if compiled is None:
        compiled = compile_condition(when, specs)
    if compiled.problems:
        return None  # already reported by the loader
    space = _answer_space(when, compiled.keys, specs, rs, domains)
    if space is None:
        return None
    return any(compiled.test(ctx) for ctx in space)


def _answer_space(when: Any, keys: set[str], specs: Mapping[str, KeySpec], rs: RuleSet,
                  cache: dict[tuple, list[Any] | None] | None = None) -> Iterator[dict] | None:
    mentioned: dict[str, list[Any]] = {}
    named_values(when, mentioned)
    names: list[str] = []
    domains: list[list[Any]] = []
    derived_country = "country_known" in keys and "country" in rs.questions
    if derived_country:
        keys = keys | {"country"}
    mix = [k for k in ("mix.virtual", "mix.analog") if k in keys]
    for key in sorted(keys):
        if key == "country_known" and derived_country or key in mix:
            continue
        named = mentioned.get(key, [])
        if cache is None:
            domain = _domain(key, specs[key], named, rs)
        else:  # the values of a valid condition are text, numbers or booleans, never mixed for one key
            marker = (key, *named)
            domain = cache[marker] if marker in cache else cache.setdefault(marker, _domain(key, specs[key], named, rs))
        if domain is None:
            return None
        names.append(key)
        domains.append(domain)
    if mix:
        names.append("mix.virtual")
        domains.append(_mix_domain(mentioned))
    size = 1
    for domain in domains:
        size *= len(domain)
        if size > MAX_ANSWER_COMBINATIONS:
            return None
    return _contexts(names, domains, derived_country, rs, bool(mix))


def _contexts(names: list[str], domains: list[list[Any]], derived_country: bool, rs: RuleSet,
              mix: bool) -> Iterator[dict]:
    for combo in itertools.product(*domains):
        ctx = {k: v for k, v in zip(names, combo) if v is not _MISSING}
        if derived_country:
            ctx["country_known"] = ctx.get("country") in rs.countries
        if mix:
            ctx["mix.analog"] = round(1.0 - ctx["mix.virtual"], 4)
        yield ctx


def _unique(values: Iterable[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


def _may_be_missing(key: str, rs: RuleSet) -> bool:
    q = rs.questions.get(key)
    if q is None:
        return False  # derived keys are always there
    return q.when is not None or (not q.required and q.default is None)


def _domain(key: str, spec: KeySpec, mentioned: list[Any], rs: RuleSet) -> list[Any] | None:
    kind = spec.kind
    if kind == "bool":
        values: list[Any] = [True, False]
    elif kind == "choice" and spec.values is not None:
        values = list(spec.values)
    elif kind == "multi":
        known = list(spec.values or ())
        if key == "recommended":  # a disabled method may be named, but it is never recommended
            known = [v for v in known if v in rs.methods]
        named = _unique(v for v in mentioned if v in known)
        if len(named) > 12:
            return None
        rest = [v for v in known if v not in named]
        values = []
        for size in range(len(named) + 1):
            for combo in itertools.combinations(named, size):
                chosen = frozenset(combo)
                if chosen:
                    values.append(chosen)
                if rest:  # the same, plus an answer the condition does not name
                    values.append(chosen | {rest[0]})
    elif kind == "country":
        named = _unique(v for v in mentioned if isinstance(v, str))
        with_facts = [c for c in rs.countries if c not in named][:1]
        without = [c for c in (spec.values or ()) if c not in named and c not in rs.countries][:1]
        values = [*named, *with_facts, *without]
    elif kind == "number":
        numbers = sorted({float(v) for v in mentioned if isinstance(v, (int, float)) and not isinstance(v, bool)})
        values = _around(numbers) or [0.0]
    else:  # text, or a choice without known values
        values = [*_unique(v for v in mentioned if isinstance(v, str)), _OTHER]
    if _may_be_missing(key, rs):
        values.append(_MISSING)
    return values


def _around(numbers: list[float], bounds: tuple[float, float] | None = None, eps: float = 1e-6) -> list[float]:
    """Each threshold and the values just either side of it, plus one beyond each end (clamped to bounds)."""
    values = {v for n in numbers for v in (n - eps, n, n + eps)}
    if numbers:
        values |= {numbers[0] - 1, numbers[-1] + 1}
    if bounds is not None:
        low, high = bounds
        values = {min(max(v, low), high) for v in values} | {low, high}
    return sorted(values)


MIX_STEP = 0.0001  # the engine's shares are rounded to 4 places


def _mix_domain(mentioned: dict[str, list[Any]]) -> list[float]:
    """Shares of the virtual side; the analog share is the rest, so both keys are judged together."""
    def numbers(key: str) -> list[float]:
        return [float(v) for v in mentioned.get(key, []) if isinstance(v, (int, float)) and not isinstance(v, bool)]

    # The engine gives both shares rounded to 4 places, summing to 1: so are the values tried here (a
    # threshold of 0.1515 on the analog side is 0.8485 on the virtual side, not 0.84850000000000003).
    thresholds = sorted({round(v, 4) for v in numbers("mix.virtual")}
                        | {round(1.0 - v, 4) for v in numbers("mix.analog")})
    return sorted({round(v, 4) for v in _around(thresholds, (0.0, 1.0), eps=MIX_STEP)})


def _conjuncts(when: Any, path: tuple = ()) -> list[tuple[tuple, dict]]:
    """The parts of a condition that must all hold: its keys, and the items of an `all`."""
    parts: list[tuple[tuple, dict]] = []
    if not isinstance(when, Mapping):
        return parts
    for key, spec in when.items():
        if key == "all" and isinstance(spec, list):
            for i, item in enumerate(spec):
                parts.extend(_conjuncts(item, (*path, "all", i)))
        else:
            parts.append(((*path, key), {key: spec}))
    return parts


# -- methods, facts, sources ---------------------------------------------------------------------

def _untouched_methods(rs: RuleSet, silent_rules: set[str]) -> Iterator[Finding]:
    named = {target for r in rs.rules.values() if r.id not in silent_rules  # 0 points move nothing
             for target, points in r.effects.items() if points}
    for m in rs.methods.values():
        if m.id not in named:
            yield _finding(
                "untouched-method", WARNING, rs.place_of("methods", m.id),
                f"no rule names method {m.id!r} in its effects: only channel-wide and by_attribute points move "
                "its score, so it is rarely chosen for the audiences it suits",
            )


def _question_order(rs: RuleSet) -> Iterator[Finding]:
    """A question's `when` may only look at questions asked before it: not at itself, not at a later one."""
    order = {qid: i for i, qid in enumerate(rs.questions)}
    for qid, q in rs.questions.items():
        if q.when is None:
            continue
        mentioned: dict[str, list[Any]] = {}
        named_values(q.when, mentioned)
        for key in mentioned:
            if key == qid:
                yield _finding("self-reference", ERROR, rs.place_of("questions", qid, ("when",)),
                               f"question {qid!r} is asked only when its own answer holds, so it is never asked")
            elif key in order and order[key] > order[qid]:
                yield _finding("self-reference", ERROR, rs.place_of("questions", qid, ("when",)),
                               f"question {qid!r} depends on {key!r}, which is asked after it")


def _out_of_range(rs: RuleSet) -> Iterator[Finding]:
    """A single rule that alone moves a method's score out of 0-100: the excess is clamped away."""
    from advocate_cli.engine import rule_points

    methods = list(rs.methods.values())
    index = {m.id: i for i, m in enumerate(methods)}
    for rule in rs.rules.values():
        for m, points in zip(methods, rule_points(rule, methods, index)):
            if points and not 0 <= m.base + points <= 100:
                yield _finding(
                    "score-out-of-range", WARNING, rs.place_of("rules", rule.id, _effect_on(rule, m)),
                    f"rule {rule.id!r} alone moves {m.id!r} from {m.base} to {m.base + points}; scores are clamped "
                    "to 0-100, so the rest of the points are lost and other rules stop telling methods apart",
                )


def _effect_on(rule: Any, method: Any) -> tuple[str, ...]:
    """Where in a rule its points for a method are given: the method's own effect, its channel's, or per attribute."""
    for target in (method.id, method.channel.value):
        if target in rule.effects:
            return ("effects", target)
    return ("by_attribute",) if rule.by_attribute else ()


def _facts(rs: RuleSet, as_of: dt.date) -> Iterator[Finding]:
    for c in rs.countries.values():
        for j, fact in enumerate(c.facts):
            if fact.review_by < as_of and fact.verified:  # `verified: false` says so in every plan: the documented fix
                yield _finding(
                    "stale-fact", WARNING, rs.place_of("countries", c.code, ("facts", j, "review_by")),
                    f"fact {fact.id!r} was due for review on {fact.review_by.isoformat()} "
                    f"(checked as of {as_of.isoformat()})",
                )
            if _placeholder(fact.source):
                yield _finding(
                    "missing-source", WARNING, rs.place_of("countries", c.code, ("facts", j, "source")),
                    f"fact {fact.id!r} has no real source ({fact.source.strip()!r})",
                )


def _placeholder(text: str | None) -> bool:
    return text is None or not text.strip() or bool(PLACEHOLDER.match(text))


def _sources_and_mitigations(rs: RuleSet) -> Iterator[Finding]:
    for kind in ("rules", "warnings"):
        table: dict[str, Any] = getattr(rs, kind)
        for key, item in table.items():
            if _placeholder(item.source):
                yield _finding(
                    "missing-source", WARNING, rs.place_of(kind, key, ("source",)),
                    f"{SINGULAR[kind]} {key!r} has no real source ({item.source.strip()!r})",
                )
    for key, w in rs.warnings.items():
        if _placeholder(w.mitigation):
            problem = f"has no real mitigation ({w.mitigation.strip()!r})"
        elif _words(w.mitigation) == _words(w.message):
            problem = "has a mitigation that only repeats its message"
        else:
            continue
        yield _finding("missing-mitigation", WARNING, rs.place_of("warnings", key, ("mitigation",)),
                       f"warning {key!r} {problem}")


def _words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))
