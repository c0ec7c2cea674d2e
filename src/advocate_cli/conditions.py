"""The `when` language: data, not code. Each operator is one small function in a dict; conditions compile once into callables."""

from __future__ import annotations

import array
import difflib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from advocate_cli.iso3166 import COUNTRIES

Test = Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class KeySpec:
    """What a condition may say about one key: its kind and, where known, its values."""

    kind: str  # text | choice | multi | bool | country | number
    values: tuple[Any, ...] | None = None  # allowed values, where the set is known


@dataclass
class ConditionProblem:
    """A condition that cannot be compiled, at a path inside the condition."""

    path: tuple[Any, ...]
    message: str
    hint: str | None = None
    code: str = "condition"


@dataclass
class Compiled:
    test: Test
    problems: list[ConditionProblem] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)


def _always(_: Mapping[str, Any]) -> bool:
    return True


def _never(_: Mapping[str, Any]) -> bool:
    return False


# Each operator: (kinds it applies to, whether its value is a list, factory(key, value) -> test)
def _eq(k: str, v: Any) -> Test:
    return lambda c: c.get(k) == v


def _ne(k: str, v: Any) -> Test:
    return lambda c: c.get(k) != v


def _in(k: str, v: Any) -> Test:
    vs = frozenset(v)
    return lambda c: c.get(k) in vs


def _not_in(k: str, v: Any) -> Test:
    vs = frozenset(v)
    return lambda c: c.get(k) not in vs


_EMPTY: frozenset = frozenset()


def _contains(k: str, v: Any) -> Test:
    return lambda c: v in c.get(k, _EMPTY)


def _contains_any(k: str, v: Any) -> Test:
    vs = frozenset(v)
    return lambda c: not vs.isdisjoint(c.get(k, _EMPTY))


def _contains_all(k: str, v: Any) -> Test:
    vs = frozenset(v)
    return lambda c: vs <= c.get(k, _EMPTY)


def _contains_none(k: str, v: Any) -> Test:
    vs = frozenset(v)
    return lambda c: vs.isdisjoint(c.get(k, _EMPTY))


def _cmp(op: Callable[[Any, Any], bool]) -> Callable[[str, Any], Test]:
    def factory(k: str, v: Any) -> Test:
        def test(c: Mapping[str, Any]) -> bool:
            x = c.get(k)
            return x is not None and op(x, v)

        return test

    return factory


def _is_set(k: str, v: Any) -> Test:
    if v:
        return lambda c: c.get(k) is not None
    return lambda c: c.get(k) is None


SCALAR = ("text", "choice", "bool", "country", "number")
MULTI = ("multi",)

OPERATORS: dict[str, tuple[tuple[str, ...], str, Callable[[str, Any], Test]]] = {
    "eq": (SCALAR, "value", _eq),
    "ne": (SCALAR, "value", _ne),
    "in": (SCALAR, "list", _in),
    "not_in": (SCALAR, "list", _not_in),
    "contains": (MULTI, "value", _contains),
    "contains_any": (MULTI, "list", _contains_any),
    "contains_all": (MULTI, "list", _contains_all),
    "contains_none": (MULTI, "list", _contains_none),
    "gt": (("number",), "number", _cmp(lambda a, b: a > b)),
    "gte": (("number",), "number", _cmp(lambda a, b: a >= b)),
    "lt": (("number",), "number", _cmp(lambda a, b: a < b)),
    "lte": (("number",), "number", _cmp(lambda a, b: a <= b)),
    "is_set": (SCALAR + MULTI, "bool", _is_set),
}
COMBINATORS = ("all", "any", "not")
_COMBINATORS = frozenset(COMBINATORS)


def nearest(word: str, options: Any) -> str | None:
    """The closest known name, for 'did you mean' hints."""
    match = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return match[0] if match else None


_NOT_ISO = {"UK": "GB", "EL": "GR"}  # codes in common use (the EU's among them) that ISO 3166-1 gives to no country


def suggest_country(text: str, aliases: Mapping[str, str] | None = None) -> str | None:
    """'Albnia' -> 'AL (Albania)': the nearest code by name, alias or code."""
    names = {name.lower(): code for code, name in COUNTRIES.items()}
    if aliases:
        names.update({alias.lower(): code for alias, code in aliases.items()})
    lowered = text.strip().lower()
    code = _NOT_ISO.get(lowered.upper()) or names.get(lowered)
    if code is None:
        near = nearest(lowered, names)
        code = names[near] if near else None
    if code is None and len(text.strip()) == 2:
        near = nearest(text.strip().upper(), COUNTRIES)
        code = near
    return f"{code} ({COUNTRIES[code]})" if code else None


def _did_you_mean(word: str, options: Any) -> str | None:
    near = nearest(word, options)
    return f"did you mean {near!r}?" if near else None


def _all(tests: list[Test]) -> Test:
    if not tests:
        return _always
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        a, b = tests
        return lambda c: a(c) and b(c)
    ts = tuple(tests)
    return lambda c: all(t(c) for t in ts)


def _any(tests: list[Test]) -> Test:
    if not tests:
        return _never
    if len(tests) == 1:
        return tests[0]
    ts = tuple(tests)
    return lambda c: any(t(c) for t in ts)


def compile_condition(when: Mapping[str, Any] | None, keys: Mapping[str, KeySpec]) -> Compiled:
    """Compile a `when` mapping into one fast callable, collecting every problem on the way."""
    result = Compiled(_always)
    if when is None:
        return result
    result.test = _compile_mapping(when, keys, (), result)
    if result.problems:
        result.test = _never
    return result


def _is_mapping(value: Any) -> bool:
    kind = type(value)
    return kind is dict or (kind not in _NOT_MAPPINGS and isinstance(value, Mapping))


_NOT_MAPPINGS = frozenset([str, bool, int, float, list, type(None)])


def _compile_mapping(when: Any, keys: Mapping[str, KeySpec], path: tuple, out: Compiled) -> Test:
    if not _is_mapping(when):
        out.problems.append(ConditionProblem(path, f"a condition must be a mapping, not {in_words(when)}"))
        return _never
    if not when:
        out.problems.append(ConditionProblem(path, "an empty condition", "remove `when` to apply always"))
        return _never
    tests: list[Test] = []
    for key, spec in when.items():
        here = (*path, key)
        if key in _COMBINATORS:
            if key == "not":
                inner = _compile_mapping(spec, keys, here, out)
                tests.append(lambda c, t=inner: not t(c))
                continue
            if not isinstance(spec, list) or not spec:
                out.problems.append(ConditionProblem(here, f"`{key}` takes a non-empty list of conditions"))
                continue
            subs = [_compile_mapping(item, keys, (*here, i), out) for i, item in enumerate(spec)]
            tests.append(_all(subs) if key == "all" else _any(subs))
        else:
            tests.append(_compile_key(key if type(key) is str else str(key), spec, keys, here, out))
    return _all(tests)


def in_words(value: Any) -> str:
    """A value from a YAML file, as a message names it: the text 'x', the number 3, a list, nothing."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


def _compile_key(key: str, spec: Any, keys: Mapping[str, KeySpec], path: tuple, out: Compiled) -> Test:
    info = keys.get(key)
    if info is None:
        hint = _did_you_mean(key, [*keys, *COMBINATORS, *OPERATORS])
        if key in OPERATORS:
            hint = f"`{key}` is an operator; write it under a key, e.g. `setting: {{{key}: ...}}`"
        out.problems.append(ConditionProblem(path, f"unknown key {key!r} in a condition", hint, "unknown-key"))
        return _never
    out.keys.add(key)
    if _is_mapping(spec):
        if not spec:
            out.problems.append(ConditionProblem(path, f"no operator given for {key!r}"))
            return _never
        tests = [_compile_op(key, str(op), value, info, (*path, op), out) for op, value in spec.items()]
        return _all(tests)
    if info.kind == "multi":
        out.problems.append(
            ConditionProblem(
                path,
                f"{key!r} holds a list of answers; a plain value cannot be compared with it",
                f"write `{key}: {{contains: {spec}}}`",
                "wrong-operator",
            )
        )
        return _never
    return _compile_op(key, "eq", spec, info, path, out)


def _compile_op(key: str, op: str, value: Any, info: KeySpec, path: tuple, out: Compiled) -> Test:
    entry = OPERATORS.get(op)
    if entry is None:
        out.problems.append(
            ConditionProblem(
                path, f"unknown operator {op!r}", _did_you_mean(op, OPERATORS) or f"operators: {', '.join(OPERATORS)}",
                "unknown-operator",
            )
        )
        return _never
    kinds, shape, factory = entry
    kind = info.kind
    if kind not in kinds:
        fit = [name for name, (ks, _, _) in OPERATORS.items() if info.kind in ks]
        out.problems.append(
            ConditionProblem(
                path, f"operator {op!r} does not apply to {key!r} ({info.kind})", f"use one of: {', '.join(fit)}",
                "wrong-operator",
            )
        )
        return _never
    if shape == "list":
        if not isinstance(value, list) or not value:
            out.problems.append(ConditionProblem(path, f"{op!r} takes a non-empty list of values"))
            return _never
        values = value
    elif shape == "bool":
        if not isinstance(value, bool):
            out.problems.append(ConditionProblem(path, f"{op!r} takes true or false, not {in_words(value)}"))
            return _never
        return factory(key, value)
    elif shape == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            out.problems.append(ConditionProblem(path, f"{op!r} takes a number, not {in_words(value)}"))
            return _never
        return factory(key, value)
    elif _value_fits(value, kind, info.values):
        return factory(key, value)
    else:
        values = [value]
    for i, v in enumerate(values):
        if not _value_fits(v, kind, info.values):
            where = (*path, i) if shape == "list" else path
            allowed = info.values if info.values is not None else None
            hint = None
            if info.kind == "country":
                near = suggest_country(str(v))
                hint = (f"did you mean {near}? " if near else "") + (
                    "write an ISO 3166-1 alpha-2 code in capitals, e.g. AL, BA, ME, MK, RS or XK")
            elif allowed is not None:
                hint = _did_you_mean(v, allowed) or f"allowed: {', '.join(map(_flow, allowed))}"
            out.problems.append(
                ConditionProblem(
                    where, f"{in_words(v)} is not a possible answer to {key!r}", hint, "unknown-value"
                )
            )
            return _never
    return factory(key, value)


def _value_fits(value: Any, kind: str, allowed: tuple[Any, ...] | None) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if not isinstance(value, str):
        return False
    if kind == "country":
        return len(value) == 2 and value.isupper() and (allowed is None or value in allowed)
    return allowed is None or value in allowed


def show_condition(condition: Mapping[str, Any]) -> str:
    """A condition as one line of YAML: `setting: rural, audiences: {contains: youth}`."""
    return ", ".join(f"{k}: {_flow(v)}" for k, v in condition.items())


def _flow(value: Any) -> str:
    if isinstance(value, Mapping):
        return f"{{{show_condition(value)}}}"
    if isinstance(value, list):
        return f"[{', '.join(_flow(v) for v in value)}]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- Many conditions at once --------------------------------------------------------------------
#
# A rule set is evaluated for every profile of a batch, so its conditions are also compiled
# together into one Python function: each answer is looked up once, each operator test that the
# conditions use is computed once (many rules test `setting == rural`), each condition is one `if`
# over those locals, and the function returns the indices of the conditions that hold.
# The generated source holds no text from the rules: keys and values are passed in as constants
# (bound to the names v0, v1, ... once, when the function is made), so only names, indices and
# operators are ever compiled. It must agree with compile_condition on every input;
# tests/test_conditions_batch.py holds it to that.
#
# The shared tests are computed before any condition is looked at, where compile_condition's
# closures compute a test only when the condition gets to it. On answers of the kinds the keys
# declare no test can raise, but on anything else one might (`[1] in {...}`, `"a" > 1`) where the
# condition would not have reached it. So a test that raises sends the call to the reference form
# of the same function, each test inline where its condition reaches it, compiled on first use.

_SOURCE_OPS: dict[str, str] = {
    "eq": "{x} == {v}",
    "ne": "{x} != {v}",
    "in": "{x} in {v}",
    "not_in": "{x} not in {v}",
    "contains": "{v} in {m}",
    "contains_any": "not {v}.isdisjoint({m})",
    "contains_all": "{v} <= {m}",
    "contains_none": "{v}.isdisjoint({m})",
    "gt": "{x} is not None and {x} > {v}",
    "gte": "{x} is not None and {x} >= {v}",
    "lt": "{x} is not None and {x} < {v}",
    "lte": "{x} is not None and {x} <= {v}",
}
_SET_VALUED = ("in", "not_in", "contains_any", "contains_all", "contains_none")
_TEST_NAME = re.compile(r"\bt([0-9]+)\b")


class _Source:
    """Builds the source of one function over many conditions; constants, lookups and tests are shared."""

    def __init__(self) -> None:
        self.consts: list[Any] = []
        self._const_index: dict[tuple[type, Any], int] = {}
        self.lookups: dict[tuple[str, bool], str] = {}  # (key, as a set) -> local name
        self.tests: dict[str, str] = {}  # expression -> local name

    def const(self, value: Any) -> str:
        marker = (type(value), value)
        try:
            index = self._const_index.get(marker)
        except TypeError:  # unhashable: keep it apart
            index = None
        if index is None:
            index = len(self.consts)
            self.consts.append(value)
            try:
                self._const_index[marker] = index
            except TypeError:
                pass
        return f"v{index}"

    def lookup(self, key: str, as_set: bool) -> str:
        name = self.lookups.get((key, as_set))
        if name is None:
            name = self.lookups[(key, as_set)] = f"{'m' if as_set else 'x'}{len(self.lookups)}"
        return name

    def test(self, expression: str) -> str:
        name = self.tests.get(expression)
        if name is None:
            name = self.tests[expression] = f"t{len(self.tests)}"
        return name

    def mapping(self, when: Mapping[str, Any]) -> str | None:
        parts = []
        for key, spec in when.items():
            if key in ("all", "any"):
                subs = [self.mapping(item) if isinstance(item, Mapping) else None for item in spec]
                if any(sub is None for sub in subs):
                    return None
                parts.append("(" + (" and " if key == "all" else " or ").join(subs) + ")")  # type: ignore[arg-type]
            elif key == "not":
                inner = self.mapping(spec) if isinstance(spec, Mapping) else None
                if inner is None:
                    return None
                parts.append(f"(not {inner})")
            elif isinstance(spec, Mapping):
                for op, value in spec.items():
                    part = self.operator(str(key), str(op), value)
                    if part is None:
                        return None
                    parts.append(part)
            else:
                part = self.operator(str(key), "eq", spec)
                if part is None:
                    return None
                parts.append(part)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else "(" + " and ".join(parts) + ")"

    def operator(self, key: str, op: str, value: Any) -> str | None:
        if op == "is_set":
            return self.test(f"{self.lookup(key, False)} is {'not ' if value else ''}None")
        template = _SOURCE_OPS.get(op)
        if template is None:
            return None
        v = self.const(frozenset(value) if op in _SET_VALUED else value)
        if "{m}" in template:
            return self.test(template.format(m=self.lookup(key, True), v=v))
        return self.test(template.format(x=self.lookup(key, False), v=v))


def compile_all(
    conditions: list[Mapping[str, Any] | None], keys: Mapping[str, KeySpec], compiled_each: list[Compiled] | None = None
) -> Callable[[Mapping[str, Any]], list[int]]:
    """Compile many `when` mappings into one function: context -> indices of the conditions that hold.

    A condition with problems never holds (as in compile_condition); one the generator does not
    know how to write out is called through its compiled closure instead. `compiled_each`, when
    given, is compile_condition of each condition, already done by the caller.
    """
    return compile_actions(
        conditions, keys, [[f"hit({i})"] for i in range(len(conditions))], params="c",
        prologue=["out = []", "hit = out.append"], epilogue=["return out"], compiled_each=compiled_each,
    )


def compile_actions(
    conditions: list[Mapping[str, Any] | None],
    keys: Mapping[str, KeySpec],
    actions: list[list[str]],
    *,
    params: str,
    prologue: list[str] = (),  # type: ignore[assignment]
    epilogue: list[str] = (),  # type: ignore[assignment]
    namespace: Mapping[str, Any] | None = None,
    compiled_each: list[Compiled] | None = None,
) -> Callable[..., Any]:
    """One function `f(c, ...)` that runs actions[i] (Python statements) for each condition i that holds.

    The actions, prologue and epilogue are written by the caller's own code generator and must hold
    no text from the rules either (refer to such values through names in `namespace`). The prologue
    runs once the answers have been looked up, and must not change `c`. Reserved names: c, get, C, E,
    R, F, make, generated and the locals x0, m1, ..., t0, t1, ..., v0, v1, ...
    """
    arguments = [p.strip() for p in params.split(",")]
    if not all(a.isidentifier() for a in arguments):  # the inline form is called with them, by name
        raise ValueError(f"params must be plain names, not {params!r}")
    src = _Source()
    closures: list[Test] = []
    branches: list[tuple[str, list[str]]] = []
    for i, when in enumerate(conditions):
        compiled = compile_condition(when, keys) if compiled_each is None else compiled_each[i]
        if compiled.problems or not actions[i]:
            continue
        if when is None:
            branches.append(("True", actions[i]))
            continue
        expression = src.mapping(when)
        if expression is None:
            closures.append(compiled.test)
            expression = f"R[{len(closures) - 1}](c)"
        branches.append((expression, actions[i]))
    scope: dict[str, Any] = {**(namespace or {}), "E": _EMPTY, "R": tuple(closures)}
    if not src.tests:  # nothing to share
        return _define(_Layout(src, params, prologue, branches, epilogue, shared=False), scope)
    layout = _Layout(src, params, prologue, branches, epilogue, shared=True, fallback=arguments)
    return _define(layout, {**scope, "F": _Reference(layout, scope)})


class _Layout:
    """The source of the generated function: constants bound once to v0, v1, ... in an enclosing function,
    then the lookups, the shared tests (if `shared`), the prologue, one `if` per condition, the epilogue."""

    def __init__(self, src: _Source, params: str, prologue: list[str], branches: list[tuple[str, list[str]]],
                 epilogue: list[str], *, shared: bool, fallback: list[str] = ()) -> None:  # type: ignore[assignment]
        lookups = [f"        {name} = get({src.const(key)}{', E' if as_set else ''})"
                   for (key, as_set), name in src.lookups.items()]
        self.consts = tuple(src.consts)
        self.tests = list(src.tests)  # the expression of t0, t1, ...
        lines = ["def make(C):"]
        if self.consts:
            lines.append(f"    {', '.join(f'v{i}' for i in range(len(self.consts)))}, = C")
        lines += [f"    def generated({params}):", "        get = c.get", *lookups]
        self.shared = (len(lines), len(lines))  # the lines that compute the shared tests
        if shared:
            lines.append("        try:")
            lines += [f"            t{i} = {expression}" for i, expression in enumerate(self.tests)]
            lines += ["        except Exception:", f"            return F({', '.join(fallback)})"]
            self.shared = (self.shared[0], len(lines))
        lines += [f"        {line}" for line in prologue]
        self.conditions = array.array("l")  # the lines that test a condition
        for expression, body in branches:
            self.conditions.append(len(lines))
            lines.append(f"        if {expression}:")
            lines += [f"            {line}" for line in body]
        lines += [f"        {line}" for line in epilogue]
        lines.append("    return generated")
        self.source = "\n".join(lines)

    def inline(self) -> str:
        """The same source with each shared test written where its condition uses it."""
        lines = self.source.split("\n")
        tests = self.tests
        for n in self.conditions:
            lines[n] = _TEST_NAME.sub(lambda m: f"({tests[int(m.group(1))]})", lines[n])
        start, end = self.shared
        del lines[start:end]
        return "\n".join(lines)


def _define(layout: _Layout, scope: dict[str, Any], source: str | None = None) -> Callable[..., Any]:
    code = compile(layout.source if source is None else source, "<advocate conditions>", "exec")
    exec(code, scope)  # noqa: S102 - no rule text in the source
    return scope["make"](layout.consts)


class _Reference:
    """The generated function with each test inline, computed only when its condition reaches it (see
    the comment above _SOURCE_OPS); compiled on first call, which only answers of unexpected kinds make."""

    def __init__(self, layout: _Layout, scope: dict[str, Any]) -> None:
        self._layout: _Layout | None = layout
        self._scope = scope
        self._function: Callable[..., Any] | None = None

    def __call__(self, *args: Any) -> Any:
        if self._function is None:
            assert self._layout is not None
            self._function = _define(self._layout, dict(self._scope), self._layout.inline())
            self._layout = None
        return self._function(*args)


def named_values(when: Any, out: dict[str, list[Any]]) -> None:
    """Add to `out` the values a condition names for each key (what it compares answers with)."""
    if not isinstance(when, Mapping):
        return
    for key, spec in when.items():
        if key in ("all", "any"):
            for item in spec if isinstance(spec, list) else ():
                named_values(item, out)
        elif key == "not":
            named_values(spec, out)
        elif isinstance(spec, Mapping):
            values = out.setdefault(key, [])
            for op, value in spec.items():
                if op != "is_set":
                    values.extend(value if isinstance(value, list) else [value])
        else:
            out.setdefault(key, []).append(spec)
