"""Load rule directories, layer them by id, and report every problem by file, line and column."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from advocate_cli import yamlio
from advocate_cli.conditions import KeySpec, in_words, nearest, suggest_country
from advocate_cli.errors import AdvocateError, InputError, Place, ProfileError, RuleSetError
from advocate_cli.iso3166 import COUNTRIES
from advocate_cli.ruleset.findings import Finding, FindingSeverity, read_findings
from advocate_cli.ruleset.models import ITEM_CLASSES, KINDS, RuleFile, disabling_class
from advocate_cli.ruleset.ruleset import Origin, RuleSet, collector_paused

ERROR = FindingSeverity.error
WARNING = FindingSeverity.warning
INFO = FindingSeverity.info


def default_rules_dir() -> Path:
    """The shipped rule set: inside the installed package, or the repository's rules/ in a source checkout."""
    from importlib.resources import files

    packaged = Path(str(files("advocate_cli") / "rules"))
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "rules"


def rule_files(directory: Path) -> list[Path]:
    """The YAML files of a rule directory, sorted; `tests/` holds cases, not rules."""
    found = [
        p
        for p in directory.rglob("*")
        if yamlio.is_yaml(p) and p.is_file() and "tests" not in p.relative_to(directory).parts[:-1]
    ]
    return sorted(found)


def display_path(path: Path, directory: Path, default: bool) -> str:
    """How a rule file is named in messages: relative to the working directory where possible."""
    if default:
        return f"<default>/{path.relative_to(directory).as_posix()}"
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass
class _Item:
    kind: str
    key: str
    model: Any
    origin: Origin


class Loader:
    """Collects findings while reading and layering; `load()` raises only at the end."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def finish(self, layers: list[list[_Item]], dirs: list[tuple[Path, bool]]) -> tuple[RuleSet, list[Finding]]:
        """Layer what was read, check the references, and sort the findings."""
        ruleset = self.layer(layers)
        ruleset.layers = ["<default>" if d else str(p) for p, d in dirs]
        self.check_references(ruleset)
        self.check_complete(ruleset, dirs)
        return ruleset, sorted(self.findings, key=Finding.sort_key)

    def check_complete(self, rs: RuleSet, dirs: list[tuple[Path, bool]]) -> None:
        """A plan needs questions to ask and methods to choose from (unless files that could not be read
        are why: those errors are the ones to fix)."""
        missing = " and no ".join(kind for kind in ("questions", "methods") if not getattr(rs, kind))
        if not missing or any(f.severity is ERROR for f in self.findings):
            return
        if any(default for _, default in dirs):
            hint = "your directories disable every one of the shipped ones: keep at least one question and one method"
        else:
            hint = ("check the directory path (rule files end in .yaml or .yml), or drop --no-default-rules "
                    "to layer your rules over the shipped ones")
        self.add("schema", ERROR, Place(file=str(dirs[-1][0])),
                 f"the rule set has no {missing}: a plan needs at least one question and one method", hint)

    def add(self, code: str, severity: FindingSeverity, place: Place, message: str, hint: str | None = None) -> None:
        self.findings.append(
            Finding(code, severity, place.file or "<rules>", place.line or 0, place.column or 0, message, hint)
        )

    # -- reading -----------------------------------------------------------------------------
    def read_layer(self, directory: Path, layer: int, default: bool) -> list[_Item]:
        items: list[_Item] = []
        if not directory.exists():
            raise InputError("no such rule directory", place=Place(file=str(directory)))
        if not directory.is_dir():
            raise InputError("not a directory; --rules takes a directory of YAML rule files",
                             place=Place(file=str(directory)))
        files = rule_files(directory)
        if not files:
            self.add("unreadable", WARNING, Place(file=str(directory)), "the rule directory holds no YAML files",
                     "check the path: rule files end in .yaml or .yml, and files under tests/ are rule cases")
        named = [(path, display_path(path, directory, default)) for path in files]
        for (_, name), read in zip(named, yamlio.load_files(named)):
            items.extend(self.read_file(read, name, layer, str(directory)))
        return items

    def read_file(self, read: yamlio.FileRead, name: str, layer: int, layer_name: str) -> list[_Item]:
        self.findings.extend(read_findings(read, name))
        doc = read[0]
        if doc is None or doc.data is None:
            return []
        self._yaml11_traps(doc, name)
        if not isinstance(doc.data, dict):
            self.add("not-a-mapping", ERROR, doc.place(), "a rule file must be a mapping",
                     f"start the file with one of: {', '.join(k + ':' for k in KINDS)}")
            return []
        items: list[_Item] = []
        for kind, raw in doc.data.items():
            if kind not in ITEM_CLASSES:
                near = nearest(str(kind), KINDS)
                self.add("schema", ERROR, doc.place((kind,), at_key=True), f"{kind}: unknown kind of rule item",
                         f"did you mean {near!r}?" if near else f"kinds: {', '.join(KINDS)}")
                continue
            if raw is None:
                continue
            if not isinstance(raw, list):
                self.add("schema", ERROR, doc.place((kind,)), f"{kind}: must be a list of items",
                         "write each item on its own line starting with '- '")
                continue
            for i, entry in enumerate(raw):
                # `disabled: true` removes an earlier item: it needs only the id
                disabling = isinstance(entry, dict) and entry.get("disabled") is True
                cls = disabling_class(kind) if disabling else ITEM_CLASSES[kind]
                try:
                    model = cls.model_validate(entry)
                except ValidationError as exc:
                    self._schema_errors(exc, doc, (kind, i))
                    continue
                key = model.code if kind == "countries" else model.id
                place = doc.place((kind, i))
                items.append(_Item(kind, key, model, Origin(place, layer, layer_name, doc, (kind, i))))
        return items

    def _schema_errors(self, exc: ValidationError, doc: yamlio.Document, prefix: tuple) -> None:
        for err in exc.errors(include_url=False):
            err = {**err, "loc": (*prefix, *err["loc"])}
            at_key = err["type"] == "extra_forbidden"
            self.add("schema", ERROR, doc.place(err["loc"], at_key=at_key), schema_message(err), schema_hint(err))

    def _yaml11_traps(self, doc: yamlio.Document, name: str) -> None:
        if doc.yaml11 is not None:
            scalars: Iterable[ScalarNode] = doc.yaml11
        elif doc.node is not None:
            scalars = _scalars(doc.node)
        else:
            return
        for scalar in scalars:
            if scalar.tag == yamlio.YAML11_TAG:
                value = yamlio.Yaml11Scalar(scalar.value)
                self.add("yaml11-trap", WARNING,
                         Place(file=name, line=scalar.start_mark.line + 1 + doc.line_offset,
                               column=scalar.start_mark.column + 1),
                         yamlio.explain_yaml11(value))

    # -- layering ----------------------------------------------------------------------------
    def layer(self, layers: list[list[_Item]]) -> RuleSet:
        ruleset = RuleSet()
        for items in layers:
            seen: dict[tuple[str, str], _Item] = {}
            for item in items:
                ident = (item.kind, item.key)
                if ident in seen:
                    first = seen[ident].origin.place
                    self.add("duplicate-id", ERROR, item.origin.place,
                             f"{SINGULAR[item.kind]} id {item.key!r} is defined twice in one rule directory "
                             f"(first at {first})", "rename one of them, or delete the copy")
                    continue
                seen[ident] = item
                ruleset.put(item.kind, item.key, item.model, item.origin)
        return ruleset

    # -- references --------------------------------------------------------------------------
    def check_references(self, rs: RuleSet) -> None:
        question_keys = rs.key_specs()
        warning_keys = rs.key_specs(for_warnings=True)
        goals = rs.questions.get("goals")
        goal_ids = set(goals.choice_ids) if goals is not None else None
        for q in rs.questions.values():
            if q.type.value in ("choice", "multi") and q.default is not None:
                values = q.default if isinstance(q.default, list) else [q.default]
                for v in values:
                    if v not in q.choice_ids:
                        self._ref(rs, "questions", q.id, ("default",), f"default {v!r} is not one of the choices",
                                  nearest(v, q.choice_ids))
            elif q.default is not None:
                self._default_fits(rs, q)
            self._condition(rs, "questions", q.id, q.when, question_keys)
        for m in rs.methods.values():
            for i, g in enumerate(m.good_for):
                if goal_ids is not None and g not in goal_ids:
                    self._ref(rs, "methods", m.id, ("good_for", i), f"unknown goal {g!r}", nearest(g, goal_ids))
        disabled = set(rs.disabled_methods)
        for r in rs.rules.values():
            for target in r.effects:
                if target in disabled:
                    self.add("disabled-reference", WARNING, rs.place_of("rules", r.id, ("effects", target), at_key=True),
                             f"method {target!r} was disabled by a later layer; these points are ignored")
                elif target not in rs.methods and target not in ("virtual", "analog"):
                    self._ref(rs, "rules", r.id, ("effects", target), f"unknown method {target!r}",
                              nearest(target, [*rs.methods, "virtual", "analog"]), at_key=True)
            self._facts(rs, "rules", r.id, r.facts)
            self._condition(rs, "rules", r.id, r.when, question_keys)
        for w in rs.warnings.values():
            self._facts(rs, "warnings", w.id, w.facts)
            self._condition(rs, "warnings", w.id, w.when, warning_keys)
            for path, method in _values_of("recommended", w.when) if disabled else ():
                if method in disabled:
                    self.add("disabled-reference", WARNING, rs.place_of("warnings", w.id, ("when", *path)),
                             f"when: method {method!r} was disabled at {rs.place_of('methods', method)}, so it is "
                             "never recommended and this part of the condition never holds",
                             "give the warning a new version in your own directory without this method, "
                             "or keep the method")
        for c in rs.countries.values():
            if c.code not in COUNTRIES:
                self._ref(rs, "countries", c.code, ("code",), f"{c.code!r} is not an ISO 3166-1 alpha-2 code",
                          nearest(c.code, COUNTRIES))

    def _default_fits(self, rs: RuleSet, q: Any) -> None:
        """A default the profile would not accept as an answer (the wizard and plan use it as one): the
        profile's own check decides; this says why in the rule file's words."""
        value, kind = q.default, q.type.value
        if kind != "bool" or isinstance(value, bool):  # a rule file writes true/false, never the text "true"
            try:
                rs.profile_model.check_answer(q.id, value)
                return  # `default: al` is AL, as an answer would be
            except ProfileError:
                pass
        shown = f"the boolean {str(value).lower()}" if isinstance(value, bool) else repr(value)
        if kind == "bool" and not isinstance(value, bool):
            problem, hint = "is not true or false", "write true or false, without quotes"
        elif kind == "country":
            near = suggest_country(value) if isinstance(value, str) else None
            problem = "is not an ISO 3166-1 alpha-2 country code"
            hint = (f"did you mean {near}? " if near else "") + "write the code in capitals, e.g. AL, MK or RS"
        elif kind == "text" and not isinstance(value, str):
            problem, hint = "is not text", "put the default in quotes"
        else:  # refused for another reason (too long, say): the profile's own words
            problem, hint = "does not fit", None
        self.add("schema", ERROR, rs.place_of("questions", q.id, ("default",)),
                 f"question {q.id!r}: default {shown} {problem} (the question's type is {kind})", hint)

    def _facts(self, rs: RuleSet, kind: str, key: str, facts: list[str]) -> None:
        for i, fact in enumerate(facts):
            if fact in rs.facts:
                continue
            dropped = rs.dropped_facts.get(fact)
            if dropped is not None:
                self.add("disabled-reference", WARNING, rs.place_of(kind, key, ("facts", i)),
                         f"fact {fact!r} was removed with its country at {dropped.place}, so it is not cited",
                         f"give the {SINGULAR[kind]} a new version in your own directory without this fact, "
                         "or keep the fact")
                continue
            self._ref(rs, kind, key, ("facts", i), f"unknown fact {fact!r}", nearest(fact, rs.facts))

    def _ref(self, rs: RuleSet, kind: str, key: str, sub: tuple, message: str, near: str | None,
             at_key: bool = False) -> None:
        place = rs.place_of(kind, key, sub, at_key=at_key)
        self.add("unknown-reference", ERROR, place, message, f"did you mean {near!r}?" if near else None)

    def _condition(self, rs: RuleSet, kind: str, key: str, when: Any, keys: dict[str, KeySpec]) -> None:
        if when is None:
            return
        compiled = rs.compiled_condition(kind, key, keys)  # kept there for the engine and `rules check`
        for problem in compiled.problems:
            at_key = problem.code in ("unknown-key", "unknown-operator", "wrong-operator")
            place = rs.place_of(kind, key, ("when", *problem.path), at_key=at_key)
            self.add(problem.code, ERROR, place, f"when: {problem.message}", problem.hint)


SINGULAR = {"questions": "question", "methods": "method", "rules": "rule", "warnings": "warning",
            "countries": "country"}  # a kind of item, as one item is called in messages


def _values_of(key: str, when: Any, path: tuple = ()) -> Iterator[tuple[tuple, Any]]:
    """Each value a condition compares `key` with, and its path inside the condition."""
    if not isinstance(when, Mapping):
        return
    for k, spec in when.items():
        here = (*path, k)
        if k in ("all", "any") and isinstance(spec, list):
            for i, item in enumerate(spec):
                yield from _values_of(key, item, (*here, i))
        elif k == "not":
            yield from _values_of(key, spec, here)
        elif k == key and isinstance(spec, Mapping):
            for op, value in spec.items():
                if isinstance(value, list):
                    yield from (((*here, op, i), v) for i, v in enumerate(value))
                elif op != "is_set":
                    yield (*here, op), value


def _scalars(node: Node) -> Iterator[ScalarNode]:
    stack = [node]
    seen: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ScalarNode):
            yield current
        elif isinstance(current, SequenceNode):
            stack.extend(current.value)
        elif isinstance(current, MappingNode):
            for k, v in current.value:
                stack.extend((k, v))


def schema_message(err: dict[str, Any]) -> str:
    """A pydantic error in the words of the rule format: 'methods[3].attributes.reach: must be 0-3'."""
    loc = format_loc(err["loc"])
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        return f"{loc}: unknown key"
    if kind == "missing":
        return f"{loc}: required field is missing"
    message = err["msg"].removeprefix("Value error, ")  # a validator's own words, without pydantic's label
    if kind in ("model_type", "dict_type", "model_attributes_type"):  # pydantic names its own class here
        message = f"must be a mapping of keys and values, not {in_words(value)}"
    if isinstance(value, yamlio.Yaml11Scalar):
        message += f" ({yamlio.explain_yaml11(value)})"
    return f"{loc}: {message}" if loc else f"the file {message}"


def schema_hint(err: dict[str, Any]) -> str | None:
    from advocate_cli.ruleset import models

    if err["type"] == "extra_forbidden":
        key = str(err["loc"][-1])
        known = _known_fields(err["loc"][:-1])
        near = nearest(key, known) if known else None
        if near:
            return f"did you mean {near!r}?"
        if known:
            return f"known keys here: {', '.join(known)}"
    if err["type"] == "literal_error" and err["loc"] and err["loc"][-2:-1] == ("by_attribute",):
        return f"attributes: {', '.join(models.ATTRIBUTES)}"
    return None


def _known_fields(loc: tuple) -> list[str]:
    from advocate_cli.ruleset import models

    model: Any = RuleFile
    classes = {"questions": models.Question, "methods": models.Method, "rules": models.Rule,
               "warnings": models.WarningRule, "countries": models.Country, "choices": models.Choice,
               "attributes": models.Attributes, "facts": models.Fact}
    for step in loc:
        if isinstance(step, str):
            model = classes.get(step, model)
    return list(model.model_fields)


def format_loc(loc: Iterable[Any]) -> str:
    text = ""
    for step in loc:
        if isinstance(step, int):
            text += f"[{step}]"
        else:
            text += ("." if text else "") + str(step)
    return text


def _same_dir(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def load_ruleset(
    directories: Iterable[Path] = (),
    *,
    include_default: bool = True,
    strict: bool = True,
) -> tuple[RuleSet, list[Finding]]:
    """Layer the given rule directories (over the defaults) into one RuleSet.

    With strict=True an error-level finding raises RuleSetError carrying all of them; with
    strict=False (for `rules check`) the findings are returned with whatever could be loaded.
    """
    with collector_paused():
        dirs = _layer_dirs(directories, include_default)
        loader = Loader()
        layers = [loader.read_layer(directory, number, default) for number, (directory, default) in enumerate(dirs)]
        ruleset, findings = loader.finish(layers, dirs)
    errors = [f for f in findings if f.severity is ERROR]
    if strict and errors:
        raise RuleSetError([
            AdvocateError(f.message, place=Place(file=f.file, line=f.line or None, column=f.column or None),
                          hint=f.hint)
            for f in errors
        ])
    return ruleset, findings


def load_for_check(
    directories: Iterable[Path], *, include_default: bool = True
) -> tuple[tuple[RuleSet, list[Finding]], tuple[RuleSet, list[Finding]] | None]:
    """For `rules check`: what load_ruleset(strict=False) gives, and, when the directories are layered
    over the shipped rules, what the shipped rules alone give (so that findings the directories did not
    cause can be told apart), reading the shipped files once."""
    with collector_paused():
        dirs = _layer_dirs(directories, include_default)
        loader = Loader()
        layers = []
        base_read: list[Finding] | None = None
        for number, (directory, default) in enumerate(dirs):
            layers.append(loader.read_layer(directory, number, default))
            if default and len(dirs) > 1:
                base_read = list(loader.findings)
        checked = loader.finish(layers, dirs)
        if base_read is None:
            return checked, None
        base = Loader()
        base.findings = base_read
        return checked, base.finish(layers[:1], dirs[:1])


def _layer_dirs(directories: Iterable[Path], include_default: bool) -> list[tuple[Path, bool]]:
    """The rule directories to layer, in order, each with whether it is the shipped one."""
    dirs: list[tuple[Path, bool]] = []
    given = [Path(d) for d in directories]
    if include_default:
        default = default_rules_dir()
        # Naming the shipped directory itself (e.g. `rules check rules` in a checkout) is not a second layer.
        if not any(_same_dir(d, default) for d in given):
            dirs.append((default, True))
    dirs.extend((d, False) for d in given)
    if not dirs:
        raise AdvocateError("no rule directories: --no-default-rules needs at least one --rules DIR")
    return dirs
