"""evaluate(profile, ruleset) -> Plan: pure, deterministic, no I/O. Every point of a score is traced to a rule."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from advocate_cli.conditions import compile_actions, compile_all
from advocate_cli.ruleset.models import ATTRIBUTES, SEVERITY_RANK

if TYPE_CHECKING:
    from advocate_cli.ruleset.ruleset import RuleSet

DEFAULT_TOP = 5
# Balance notes name the methods swapped and a score, so they vary from plan to plan: a few are
# kept for plans that repeat them (with their JSON text).
BALANCE_NOTES_KEPT = 1024
BALANCE_WARNINGS = ("balance-added-virtual", "balance-added-analog", "balance-no-virtual", "balance-no-analog")
BALANCE_SOURCE = (
    "Practice: combine virtual and analog methods rather than an online-only campaign "
    "(Regional Advocacy Network, 'Choose the right method')"
)


@dataclass(frozen=True, slots=True)
class Contribution:
    """One rule's points for one method, and why."""

    rule: str
    points: int
    why: str
    # Not part of the plan: the JSON text of this part, kept here by render.jsonout the first time it
    # writes it (also on FiredWarning and CitedFact). A part is made once per compiled rule set and
    # appears in many plans, so its text is written once and then read back by attribute, the
    # cheapest lookup there is; it goes when the part goes.
    _json: str | None = field(default=None, init=False, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "points": self.points, "why": self.why}


_points = attrgetter("points")


@dataclass(slots=True)
class MethodScore:
    id: str
    label: str
    channel: str
    base: int
    score: int
    recommended: bool = False
    share: float = 0.0
    contributions: list[Contribution] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "channel": self.channel,
            "score": self.score,
            "recommended": self.recommended,
            "share": self.share,
            "base": self.base,
            "contributions": [c.to_dict() for c in self.contributions],
        }


@dataclass(frozen=True, slots=True)
class FiredWarning:
    id: str
    topic: str
    severity: str
    message: str
    mitigation: str
    source: str
    _json: str | None = field(default=None, init=False, repr=False, compare=False)  # see Contribution

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "topic": self.topic,
            "severity": self.severity,
            "message": self.message,
            "mitigation": self.mitigation,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class CitedFact:
    id: str
    country: str
    text: str
    source: str
    as_of: dt.date
    review_by: dt.date
    verified: bool
    stale: bool
    _json: str | None = field(default=None, init=False, repr=False, compare=False)  # see Contribution

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "country": self.country,
            "text": self.text,
            "source": self.source,
            "as_of": self.as_of.isoformat(),
            "review_by": self.review_by.isoformat(),
            "verified": self.verified,
            "stale": self.stale,
        }


@dataclass(slots=True)
class Plan:
    """A scored, explained mix of methods for one profile."""

    name: str | None
    profile: dict[str, Any]
    methods: list[MethodScore]
    mix: dict[str, float]
    warnings: list[FiredWarning]
    facts: list[CitedFact]
    source: dict[str, Any] | None = None

    @property
    def recommended(self) -> list[MethodScore]:
        return [m for m in self.methods if m.recommended]

    def to_dict(self) -> dict[str, Any]:
        """The public JSON shape of a plan."""
        return {
            "name": self.name,
            "profile": self.profile,
            "methods": [m.to_dict() for m in self.methods],
            "mix": self.mix,
            "warnings": [w.to_dict() for w in self.warnings],
            "facts": [f.to_dict() for f in self.facts],
            "source": self.source,
        }


@dataclass(slots=True)
class _CompiledRule:
    id: str
    test: Callable[[Mapping[str, Any]], bool]
    hits: tuple[tuple[int, Contribution], ...]  # (method index, the reason with its points), zero points dropped
    facts: tuple[str, ...]


@dataclass(slots=True)
class _CompiledWarning:
    warning: FiredWarning
    facts: tuple[str, ...]
    order: int


@dataclass
class CompiledRuleSet:
    """The rule set in the form the engine runs: conditions as callables, effects as index arrays."""

    ruleset: RuleSet
    method_ids: tuple[str, ...]
    labels: tuple[str, ...]
    channels: tuple[str, ...]
    bases: tuple[int, ...]
    rules: tuple[_CompiledRule, ...]
    warnings: tuple[_CompiledWarning, ...]
    multi_keys: frozenset[str]
    known_countries: frozenset[str]
    # All warning conditions in one generated function: context -> indices of the warnings that apply.
    warnings_that_apply: Callable[[Mapping[str, Any]], list[int]]
    # score(ctx, add, facts): every rule that applies adds its reasons (with their points) through
    # add[i] and its facts to `facts`, in rule order; one generated function (see _scoring).
    score: Callable[[Mapping[str, Any], list[Callable[[Contribution], None]], dict[str, None]], None]
    # Made once per run and shared by the plans that need them (so an encoder can reuse their JSON too):
    cited: dict[tuple[str, dt.date], CitedFact] = field(default_factory=dict)  # facts as of a day
    balance_notes: dict[tuple[str, int, int, int], FiredWarning] = field(default_factory=dict)


def compile_ruleset(ruleset: RuleSet) -> CompiledRuleSet:
    """Compile conditions and resolve effects once per run."""
    methods = list(ruleset.methods.values())
    index = {m.id: i for i, m in enumerate(methods)}
    rule_keys = ruleset.key_specs()
    warning_keys = ruleset.key_specs(for_warnings=True)
    rules = []
    rule_conditions = list(ruleset.compiled_conditions("rules", rule_keys).values())
    for rule, condition in zip(ruleset.rules.values(), rule_conditions):
        points = rule_points(rule, methods, index)
        hits = tuple((i, Contribution(rule.id, p, rule.why)) for i, p in enumerate(points) if p)
        rules.append(_CompiledRule(rule.id, condition.test, hits, tuple(rule.facts)))
    warnings = []
    warning_conditions = list(ruleset.compiled_conditions("warnings", warning_keys).values())
    for order, (w, condition) in enumerate(zip(ruleset.warnings.values(), warning_conditions)):
        fired = FiredWarning(w.id, w.topic.value, w.severity.value, w.message, w.mitigation, w.source)
        warnings.append(_CompiledWarning(fired, tuple(w.facts), order))
    multi = frozenset(q.id for q in ruleset.questions.values() if q.type.value == "multi")
    return CompiledRuleSet(
        ruleset=ruleset,
        method_ids=tuple(m.id for m in methods),
        labels=tuple(m.label for m in methods),
        channels=tuple(m.channel.value for m in methods),
        bases=tuple(m.base for m in methods),
        rules=tuple(rules),
        warnings=tuple(warnings),
        multi_keys=multi,
        known_countries=frozenset(ruleset.countries),
        score=_scoring([rule.when for rule in ruleset.rules.values()], rules, rule_keys, rule_conditions),
        warnings_that_apply=compile_all([w.when for w in ruleset.warnings.values()], warning_keys, warning_conditions),
    )


def rule_points(rule: Any, methods: list[Any], index: Mapping[str, int]) -> list[int]:
    """The points a rule gives each method (in the order of `methods`; `index`: method id -> position):
    its effects on methods and on a whole channel, and its points per attribute level."""
    points = [0] * len(methods)
    for target, value in rule.effects.items():
        if target in ("virtual", "analog"):
            for i, m in enumerate(methods):
                if m.channel.value == target:
                    points[i] += value
        elif target in index:
            points[index[target]] += value
    for attribute, per_level in rule.by_attribute.items():
        for i, m in enumerate(methods):
            points[i] += per_level * getattr(m.attributes, attribute)
    return points


def _scoring(whens: list[Any], rules: list[_CompiledRule], keys: Any, conditions: list[Any]) -> Any:
    """The rules' conditions and effects as one function: each rule that applies runs its own few
    statements (add a reason to a method, cite a fact) with no loop around it; a method's score is
    then its base plus the points of its reasons. Reasons and fact ids are passed as constants (K[j]);
    the source holds only names and indices."""
    constants: list[Any] = []
    actions = []
    for rule in rules:
        statements = []
        for i, contribution in rule.hits:
            constants.append(contribution)
            statements.append(f"add[{int(i)}](K[{len(constants) - 1}])")
        for fact in rule.facts:
            constants.append(fact)
            statements.append(f"facts[K[{len(constants) - 1}]] = None")
        actions.append(statements)
    return compile_actions(whens, keys, actions, params="c, add, facts", namespace={"K": tuple(constants)},
                           compiled_each=conditions)


def context(answers: Mapping[str, Any], compiled: CompiledRuleSet) -> dict[str, Any]:
    """The values conditions see: answers (multi answers as sets) plus derived keys."""
    ctx: dict[str, Any] = {}
    for key, value in answers.items():
        ctx[key] = frozenset(value) if key in compiled.multi_keys else value
    ctx["country_known"] = answers.get("country") in compiled.known_countries
    return ctx


def evaluate(
    answers: Mapping[str, Any],
    ruleset: RuleSet | CompiledRuleSet,
    *,
    today: dt.date,
    top: int = DEFAULT_TOP,
    source: dict[str, Any] | None = None,
) -> Plan:
    """Score every method for validated answers, choose a balanced mix and fire warnings.

    `today` decides which cited facts are past their review date; it is an argument so that
    the result depends on the inputs alone.
    """
    compiled = ruleset if isinstance(ruleset, CompiledRuleSet) else ruleset.compiled
    if top < 2:
        raise ValueError("top must be at least 2: a mix holds a virtual and an analog method")
    ctx = context(answers, compiled)
    n = len(compiled.method_ids)
    contributions: list[list[Contribution]] = [[] for _ in range(n)]
    fact_ids: dict[str, None] = {}
    compiled.score(ctx, [reasons.append for reasons in contributions], fact_ids)
    raw = [base + sum(map(_points, reasons)) for base, reasons in zip(compiled.bases, contributions)]
    scores = [0 if s < 0 else 100 if s > 100 else s for s in raw]
    # Highest score first, ties in declared order (the sort is stable, also in reverse).
    order = sorted(range(n), key=scores.__getitem__, reverse=True)
    chosen = order[:top]
    balance = _balance(chosen, order, compiled, scores)
    shares = _shares(chosen, scores)
    channels = compiled.channels
    virtual = analog = 0.0
    for i, share in shares.items():
        if channels[i] == "virtual":
            virtual += share
        else:
            analog += share
    mix = {"virtual": round(virtual, 4), "analog": round(analog, 4)}
    ids, labels, bases = compiled.method_ids, compiled.labels, compiled.bases
    methods = [
        MethodScore(ids[i], labels[i], channels[i], bases[i], scores[i], i in shares, shares.get(i, 0.0), contributions[i])
        for i in order
    ]
    ctx["mix.virtual"] = mix["virtual"]
    ctx["mix.analog"] = mix["analog"]
    ctx["recommended"] = frozenset(compiled.method_ids[i] for i in shares)
    fired = [compiled.warnings[k] for k in compiled.warnings_that_apply(ctx)]
    for w in fired:
        for fact in w.facts:
            fact_ids[fact] = None
    ranked = [(SEVERITY_RANK[w.warning.severity], w.order, w.warning) for w in fired]
    if balance is not None:
        ranked.append((SEVERITY_RANK[balance.severity], -1, balance))
    ranked.sort(key=_rank_order)
    warnings = [w for _, _, w in ranked]
    return Plan(
        name=answers.get("name"),
        profile=dict(answers),
        methods=methods,
        mix=mix,
        warnings=warnings,
        facts=_facts(fact_ids, compiled, today),
        source=source,
    )


def _rank_order(ranked: tuple[int, int, FiredWarning]) -> tuple[int, int]:
    return ranked[0], ranked[1]


def _balance(chosen: list[int], order: list[int], compiled: CompiledRuleSet, scores: list[int]) -> FiredWarning | None:
    """Make the mix hold both channels; say so when the rules alone would not have."""
    channels = compiled.channels
    if len({channels[i] for i in chosen}) == 2:  # the usual case: both channels are there
        return None
    for side in ("virtual", "analog"):
        if any(channels[i] == side for i in chosen):
            continue
        other = "analog" if side == "virtual" else "virtual"
        best = next((i for i in order if channels[i] == side), None)
        if best is None:
            return FiredWarning(
                f"balance-no-{side}",
                "balance",
                "high",
                f"The rule set has no {side} methods, so this mix is {other} only.",
                f"Add {side} methods to your rule directory, or plan the {side} side of the campaign by hand.",
                BALANCE_SOURCE,
            )
        dropped = chosen[-1]
        chosen[-1] = best
        key = (side, best, dropped, scores[best])
        note = compiled.balance_notes.get(key)
        if note is not None:  # the same note as for an earlier profile: share it
            return note
        if len(compiled.balance_notes) >= BALANCE_NOTES_KEPT:
            compiled.balance_notes.clear()
        note = compiled.balance_notes[key] = FiredWarning(
            f"balance-added-{side}",
            "balance",
            "medium",
            f"The rules scored only {other} methods highest for this audience; "
            f"{compiled.labels[best]} ({scores[best]} points) was added to the mix in place of "
            f"{compiled.labels[dropped]} so that it holds both channels.",
            f"Keep at least one {side} method: it reaches people the {other} methods miss and lets "
            "each side reinforce the other. Check that the audience answers are right.",
            BALANCE_SOURCE,
        )
        return note
    return None


def _shares(chosen: list[int], scores: list[int]) -> dict[int, float]:
    """Shares of the mix in proportion to score, rounded to 4 places and summing to exactly 1."""
    total = sum(scores[i] for i in chosen)
    if total == 0:
        weights = {i: 1.0 for i in chosen}
        total = float(len(chosen))
    else:
        weights = {i: float(scores[i]) for i in chosen}
    shares = {i: round(w / total, 4) for i, w in weights.items()}
    drift = round(1.0 - sum(shares.values()), 4)
    if drift:
        biggest = max(shares, key=lambda i: (shares[i], -i))
        shares[biggest] = round(shares[biggest] + drift, 4)
    return shares


def _facts(fact_ids: Mapping[str, None], compiled: CompiledRuleSet, today: dt.date) -> list[CitedFact]:
    """The facts cited, as of `today`. Each (fact, day) is made once per run and shared by the plans citing it."""
    ruleset = compiled.ruleset
    cited = compiled.cited
    facts = []
    for fid in fact_ids:
        made = cited.get((fid, today))
        if made is None:
            fact = ruleset.facts.get(fid)
            if fact is None:
                continue
            if len(cited) > 10_000:  # one run uses one day; keep the memo small whatever the caller does
                cited.clear()
            made = cited[(fid, today)] = CitedFact(
                fact.id,
                ruleset.fact_country[fid],
                fact.text,
                fact.source,
                fact.as_of,
                fact.review_by,
                fact.verified,
                fact.review_by < today,
            )
        facts.append(made)
    return facts


__all__ = ["ATTRIBUTES", "Plan", "MethodScore", "Contribution", "FiredWarning", "CitedFact", "evaluate"]
