"""The rule set as a catalogue: every item by kind and id, where it is defined, and lookups by id or filter."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from advocate_cli.conditions import named_values, nearest
from advocate_cli.errors import AdvocateError, Place
from advocate_cli.iso3166 import COUNTRIES
from advocate_cli.ruleset.models import TOPICS
from advocate_cli.ruleset.ruleset import Origin, RuleSet

KINDS = ("questions", "methods", "rules", "warnings", "countries", "facts")


@dataclass
class Item:
    """One item of the rule set. Facts live inside a country: `table` and `key` name the country."""

    kind: str  # question, method, rule, warning, country, fact, choice
    id: str
    model: Any
    table: str  # the kind as in RuleSet.origins
    key: str
    sub: tuple[Any, ...] = ()
    parent: Any = None  # the country of a fact, the question of a choice

    def place(self, rs: RuleSet) -> Place:
        return rs.place_of(self.table, self.key, self.sub)

    def history(self, rs: RuleSet) -> list[Origin]:
        return rs.origins.get((self.table, self.key), [])

    def layer(self, rs: RuleSet) -> str:
        origin = rs.origin(self.table, self.key)
        if origin is None:
            return ""
        return layer_name(rs, origin)


def layer_name(rs: RuleSet, origin: Origin) -> str:
    if 0 <= origin.layer < len(rs.layers):
        return rs.layers[origin.layer]
    return origin.layer_name


def raw(origin: Origin) -> Any:
    """The item as written in its file (before validation)."""
    data = origin.document.data if origin.document is not None else None
    for step in origin.path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def disables(origin: Origin) -> bool:
    """Whether the item at this origin is a `disabled: true` entry."""
    item = raw(origin)
    return isinstance(item, Mapping) and item.get("disabled") is True


def items(rs: RuleSet) -> Iterator[Item]:
    """Every item, kind by kind, in declared order."""
    for q in rs.questions.values():
        yield Item("question", q.id, q, "questions", q.id)
    for m in rs.methods.values():
        yield Item("method", m.id, m, "methods", m.id)
    for r in rs.rules.values():
        yield Item("rule", r.id, r, "rules", r.id)
    for w in rs.warnings.values():
        yield Item("warning", w.id, w, "warnings", w.id)
    for c in rs.countries.values():
        yield Item("country", c.code, c, "countries", c.code)
    for c in rs.countries.values():
        for j, f in enumerate(c.facts):
            yield Item("fact", f.id, f, "countries", c.code, ("facts", j), c)


def entries(rs: RuleSet, *, kind: str | None = None, topic: str | None = None,
            country: str | None = None) -> list[Item]:
    """Items for `rules list`, filtered by kind, warning topic and country."""
    if kind is not None and kind not in KINDS:
        raise AdvocateError(f"unknown kind {kind!r}", key="--kind", hint=f"kinds: {', '.join(KINDS)}")
    if topic is not None and topic not in TOPICS:
        near = nearest(topic, TOPICS)
        raise AdvocateError(f"unknown topic {topic!r}", key="--topic",
                            hint=f"did you mean {near!r}?" if near else f"topics: {', '.join(TOPICS)}")
    if topic is not None and kind not in (None, "warnings"):
        raise AdvocateError(f"filters warnings only; {kind} have no topic", key="--topic",
                            hint="use --kind warnings with --topic, or leave --kind out")
    code = None
    if country is not None:
        code = country.strip().upper()
        if code not in COUNTRIES:
            raise AdvocateError(f"{country!r} is not an ISO 3166-1 alpha-2 country code", key="--country",
                                hint="for example AL, BA, ME, MK, RS or XK")
    found = []
    for item in items(rs):
        if kind is not None and item.kind + "s" != kind and not (kind == "countries" and item.kind == "country"):
            continue
        if topic is not None and not (item.kind == "warning" and item.model.topic.value == topic):
            continue
        if code is not None and not _about(item, rs, code):
            continue
        found.append(item)
    return found


def _about(item: Item, rs: RuleSet, code: str) -> bool:
    """Whether an item concerns a country: the country, its facts, and rules and warnings that use either."""
    if item.kind == "country":
        return item.id == code
    if item.kind == "fact":
        return item.parent.code == code
    if item.kind in ("rule", "warning"):
        cites = any(rs.fact_country.get(f) == code for f in item.model.facts)
        named: dict[str, list[Any]] = {}
        named_values(item.model.when, named)
        return cites or code in named.get("country", ())
    return False


def find(rs: RuleSet, item_id: str) -> list[Item]:
    """Every item with this id (a method and a question may share one); a choice id if nothing else has it."""
    wanted = item_id.strip()
    found = [i for i in items(rs) if i.id == wanted or (i.kind == "country" and i.id == wanted.upper())]
    if found:
        return found
    for q in rs.questions.values():
        for n, choice in enumerate(q.choices):
            if choice.id == wanted:
                found.append(Item("choice", choice.id, choice, "questions", q.id, ("choices", n), q))
    if found:
        return found
    known = [i.id for i in items(rs)]
    near = nearest(wanted, known)
    raise AdvocateError(
        f"no question, choice, method, rule, warning, country or fact has the id {wanted!r}",
        hint=f"did you mean {near!r}?" if near else "see `advocate rules list`",
    )
