"""The RuleSet: all items by kind and id after layering, where each came from, and its compiled form."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from advocate_cli.conditions import KeySpec, compile_condition
from advocate_cli.errors import Place
from advocate_cli.iso3166 import COUNTRIES
from advocate_cli.ruleset.models import Country, Fact, Method, Question, Rule, WarningRule

if TYPE_CHECKING:
    from advocate_cli import yamlio

DERIVED_KEYS: dict[str, KeySpec] = {"country_known": KeySpec("bool", (True, False))}


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Build what lives on (a rule set, its compiled form) without the cyclic garbage collector scanning it
    again and again while it grows: those scans find nothing to free, and with thousands of rules they
    took longer than the building. Collection resumes afterwards, if it was on, with what was built
    counted as old (gc.freeze then gc.unfreeze puts every tracked object in the oldest generation), so
    the next young collection does not scan it all once more; skipped if objects were frozen before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


@dataclass
class Origin:
    """Where an item was defined: its place, its layer (0 = first directory) and its node path."""

    place: Place
    layer: int
    layer_name: str
    document: yamlio.Document | None = None
    path: tuple[Any, ...] = ()


@dataclass
class RuleSet:
    """Questions, methods, rules, warnings and countries by id, in declared order."""

    questions: dict[str, Question] = field(default_factory=dict)
    methods: dict[str, Method] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)
    warnings: dict[str, WarningRule] = field(default_factory=dict)
    countries: dict[str, Country] = field(default_factory=dict)
    origins: dict[tuple[str, str], list[Origin]] = field(default_factory=dict)
    layers: list[str] = field(default_factory=list)
    # Each kind's `when` conditions as compiled (first by the loader, to check them), with the keys they
    # were compiled against: kind -> (keys, {id: (when, Compiled)}). Read and written by compiled_condition(s).
    conditions: dict[str, tuple[dict[str, KeySpec], dict[str, tuple[Any, Any]]]] = field(
        default_factory=dict, repr=False, compare=False)
    # Facts of an earlier layer's country that a later layer disabled or replaced without them: fact id ->
    # where that happened. Rules and warnings may still cite them (a warning, not an error).
    dropped_facts: dict[str, Origin] = field(default_factory=dict, repr=False, compare=False)

    def put(self, kind: str, key: str, model: Any, origin: Origin) -> None:
        """Add an item, or replace the one of the same id from an earlier layer (`disabled` removes it)."""
        table: dict[str, Any] = getattr(self, kind)
        self.origins.setdefault((kind, key), []).append(origin)
        if kind == "countries" and key in table:  # facts the earlier version had and this one drops
            kept = set() if getattr(model, "disabled", False) else {f.id for f in model.facts}
            for fact in table[key].facts:
                if fact.id not in kept:
                    self.dropped_facts[fact.id] = origin
        if getattr(model, "disabled", False):
            table.pop(key, None)
            return
        table[key] = model

    def origin(self, kind: str, key: str) -> Origin | None:
        history = self.origins.get((kind, key))
        return history[-1] if history else None

    def place_of(self, kind: str, key: str, sub: tuple[Any, ...] = (), *, at_key: bool = False) -> Place:
        """The file:line:col of an item, or of a key path inside it (at_key: of the key, not its value)."""
        origin = self.origin(kind, key)
        if origin is None:
            return Place()
        if origin.document is None:
            return origin.place
        return origin.document.place((*origin.path, *sub), at_key=at_key and bool(sub))

    @cached_property
    def facts(self) -> dict[str, Fact]:
        return {fact.id: fact for country in self.countries.values() for fact in country.facts}

    @cached_property
    def fact_country(self) -> dict[str, str]:
        return {fact.id: country.code for country in self.countries.values() for fact in country.facts}

    def compiled_conditions(self, kind: str, specs: dict[str, KeySpec]) -> dict[str, Any]:
        """Each item of `kind` (by id, in declared order) with its `when` compiled against `specs`."""
        table = self._condition_table(kind, specs)
        return {key: self._compiled(table, key, item.when, specs) for key, item in getattr(self, kind).items()}

    def compiled_condition(self, kind: str, key: str, specs: dict[str, KeySpec]) -> Any:
        """One item's `when` compiled against `specs`: compiled once (the loader does it first, to check
        it) and kept for the engine and `rules check`, until the condition or the keys change."""
        return self._compiled(self._condition_table(kind, specs), key, getattr(self, kind)[key].when, specs)

    def _condition_table(self, kind: str, specs: dict[str, KeySpec]) -> dict[str, tuple[Any, Any]]:
        kept = self.conditions.get(kind)
        if kept is None or (kept[0] is not specs and kept[0] != specs):
            kept = self.conditions[kind] = (specs, {})
        return kept[1]

    @staticmethod
    def _compiled(table: dict[str, tuple[Any, Any]], key: str, when: Any, specs: dict[str, KeySpec]) -> Any:
        kept_when, done = table.get(key, (None, None))
        if done is None or kept_when is not when:
            done = compile_condition(when, specs)
            table[key] = (when, done)
        return done

    def key_specs(self, *, for_warnings: bool = False) -> dict[str, KeySpec]:
        """The keys a `when` condition may use, with their kinds and possible values."""
        specs: dict[str, KeySpec] = {}
        for q in self.questions.values():
            values: tuple[Any, ...] | None
            if q.type.value in ("choice", "multi"):
                values = q.choice_ids
            elif q.type.value == "bool":
                values = (True, False)
            elif q.type.value == "country":
                values = tuple(COUNTRIES)
            else:
                values = None
            specs[q.id] = KeySpec(q.type.value, values)
        specs.update(DERIVED_KEYS)
        if for_warnings:
            specs["mix.virtual"] = KeySpec("number")
            specs["mix.analog"] = KeySpec("number")
            # A method a later layer disabled may still be named: it is never recommended, so that part of
            # the condition never holds (the loader warns with disabled-reference).
            specs["recommended"] = KeySpec("multi", (*self.methods, *self.disabled_methods))
        return specs

    @property
    def disabled_methods(self) -> tuple[str, ...]:
        """Method ids that some layer defined or disabled but that are not in the rule set: disabled."""
        return tuple(key for kind, key in self.origins if kind == "methods" and key not in self.methods)

    @cached_property
    def profile_model(self) -> Any:
        """The pydantic Profile model derived from the questions."""
        from advocate_cli.profile import build_profile_model

        return build_profile_model(self)

    @cached_property
    def compiled(self) -> Any:
        """Conditions and effects compiled once, for the engine."""
        from advocate_cli.engine import compile_ruleset

        with collector_paused():
            return compile_ruleset(self)
