"""The one safe YAML loader: safe tags only, positions kept, duplicate keys and YAML 1.1 traps caught, aliases bounded."""

from __future__ import annotations

import dataclasses
import functools
import io
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple, NoReturn

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver, Resolver

from advocate_cli.errors import InputError, Place

# Limits that keep hostile input cheap. Documented in the README ("Security and limits").
# Each can be raised (or lowered) with an environment variable of the same name prefixed ADVOCATE_,
# e.g. ADVOCATE_MAX_DOCUMENT_BYTES=16777216, for users who legitimately need more.


def _limit(name: str, default: int) -> int:
    import os

    raw = os.environ.get(f"ADVOCATE_{name}")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        return default
    return value if value > 0 else default


MAX_EXPANDED_NODES = _limit("MAX_EXPANDED_NODES", 100_000)  # nodes a document may reach once aliases are expanded
MAX_DEPTH = _limit("MAX_DEPTH", 64)  # nesting of mappings and sequences in one document
MAX_DOCUMENT_BYTES = _limit("MAX_DOCUMENT_BYTES", 4 * 1024 * 1024)  # one profile document, or one rule file
MAX_SCALAR_CHARS = _limit("MAX_SCALAR_CHARS", 100_000)  # one string or key


def _size(limit: int) -> str:
    """A byte limit as people write it: 4 MiB, 512 KiB, or 60,000 bytes."""
    for unit, size in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if limit >= size and limit % size == 0:
            return f"{limit // size:,} {unit}"
    return f"{limit:,} bytes"


YAML11_TAG = "tag:advocate,2026:yaml11"
_YAML11_BOOLS = {"yes": True, "no": False, "on": True, "off": False}


class Yaml11Scalar(str):
    """A plain scalar that YAML 1.1 would have read as a bool or an octal or sexagesimal number.

    It stays the text the user typed (YAML 1.2 reading); `yaml11` says what YAML 1.1 would have
    made of it, so validators and `rules check` can point at the trap instead of guessing.
    """

    yaml11: Any

    def __new__(cls, text: str) -> Yaml11Scalar:
        self = super().__new__(cls, text)
        self.yaml11 = _yaml11_value(text)
        return self


def _yaml11_value(text: str) -> Any:
    lower = text.lower()
    if lower in _YAML11_BOOLS:
        return _YAML11_BOOLS[lower]
    digits = text.replace("_", "")
    try:
        if ":" in digits:  # sexagesimal: 1:20 is 80 in YAML 1.1
            sign = -1 if digits.startswith("-") else 1
            total = 0
            for part in digits.lstrip("+-").split(":"):
                total = total * 60 + int(part)
            return sign * total
        if re.fullmatch(r"[-+]?0[0-7]+", digits):
            return int(digits, 8)
        return int(digits, 10)
    except ValueError:
        return text


def explain_yaml11(value: Yaml11Scalar) -> str:
    """One sentence on the trap, for error messages and findings."""
    return (
        f"unquoted {str(value)!r} is read by YAML 1.1 tools as {value.yaml11!r}; "
        f'write "{value}" in quotes if you mean the text'
        + (", or true/false for a yes/no answer" if isinstance(value.yaml11, bool) else "")
    )


class StrictResolver(BaseResolver):
    """YAML 1.2 core schema reading: only true/false are booleans, no octal or base-60 surprises."""


_RESOLVED: dict[str, str] = {}  # plain scalar -> tag; the answer depends on the text alone
_RESOLVED_SIZE = 4096  # entries kept; then it starts again, so that a long batch of free text cannot fill memory


def _resolve_cached(self: BaseResolver, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
    if kind is ScalarNode and implicit[0]:
        tag = _RESOLVED.get(value)
        if tag is None:
            tag = BaseResolver.resolve(self, kind, value, implicit)
            if len(_RESOLVED) >= _RESOLVED_SIZE:
                _RESOLVED.clear()
            _RESOLVED[value] = tag
        return tag
    return BaseResolver.resolve(self, kind, value, implicit)


StrictResolver.resolve = _resolve_cached  # type: ignore[method-assign]
StrictResolver.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:int")]
    for first, resolvers in Resolver.yaml_implicit_resolvers.items()
}
StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
StrictResolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+)$"), list("-+0123456789")
)
StrictResolver.add_implicit_resolver(
    YAML11_TAG,
    re.compile(
        r"^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF"
        r"|[-+]?0[0-9_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+|[-+]?[0-9][0-9]*_[0-9_]*)$"
    ),
    list("yYnNoO-+0123456789"),
)


def _duplicate(key_node: Node, first_node: Node) -> ConstructorError:
    first = first_node.start_mark
    return ConstructorError(
        None,
        None,
        f"duplicate key {key_node.value!r} (first defined at line {first.line + 1}, "
        f"column {first.column + 1}); the second would silently replace the first",
        key_node.start_mark,
    )


class StrictConstructor(SafeConstructor):
    """SafeConstructor that refuses (or, for a checker, records) duplicate keys."""

    def __init__(self) -> None:
        super().__init__()
        # None: a duplicate key is an error. A list: each duplicate is recorded there (as
        # (second key node, first key node)) and the last one wins, so a checker can go on.
        self.duplicates: list[tuple[Node, Node]] | None = None

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict:
        seen: dict[tuple[str, str], Node] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                ident = (key_node.tag, key_node.value)
                if ident in seen:
                    if self.duplicates is not None:
                        self.duplicates.append((key_node, seen[ident]))
                        continue
                    raise _duplicate(key_node, seen[ident])
                seen[ident] = key_node
        return super().construct_mapping(node, deep)

    def construct_yaml11(self, node: ScalarNode) -> Yaml11Scalar:
        return Yaml11Scalar(node.value)

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        """A date, or, for text shaped like one that is not a real date (2026-02-30), the text: the
        model that expects a date then refuses it at its own place, and the rest of the file is read."""
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return node.value


StrictConstructor.add_constructor(YAML11_TAG, StrictConstructor.construct_yaml11)
StrictConstructor.add_constructor("tag:yaml.org,2002:timestamp", StrictConstructor.construct_yaml_timestamp)
StrictConstructor.add_constructor(None, SafeConstructor.construct_undefined)


try:  # libyaml's parser; `yaml.CParser` is not exported at the top level, only from yaml.cyaml
    from yaml.cyaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _Parser = None


if _Parser is not None:

    class _Loader(_Parser, StrictConstructor, StrictResolver):  # type: ignore[misc, valid-type]
        def __init__(self, stream: str) -> None:
            _Parser.__init__(self, stream)
            StrictConstructor.__init__(self)
            StrictResolver.__init__(self)

else:  # pragma: no cover - PyYAML built without libyaml

    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Loader(Reader, Scanner, Parser, Composer, StrictConstructor, StrictResolver):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)
            StrictConstructor.__init__(self)
            StrictResolver.__init__(self)


class Document:
    """One parsed YAML document (or JSON line) with what is needed to point back into it.

    The node tree is only needed to point at a place inside the document (an error), so a document
    read by the fast path (_read_plain) composes it on first use, from its text, with the full composer.
    """

    __slots__ = ("data", "_node", "_compose", "file", "index", "line", "line_offset", "yaml11", "item_lines",
                 "_spots")

    def __init__(
        self,
        data: Any,
        node: Node | None,
        file: str,
        index: int,  # 1-based position of the document in its input
        line: int,  # 1-based line where the document starts
        line_offset: int = 0,  # added to node lines (a document parsed out of a longer stream)
        yaml11: list[ScalarNode] | None = None,  # the YAML 1.1 trap scalars, when the parse collected them
        *,
        compose: Callable[[], Node | None] | None = None,  # builds `node` when first asked for
        item_lines: tuple[int, ...] | None = None,  # for a top-level list: the 1-based line of each item
        spots: _Spot | None = None,  # where the root and the nodes just below it are (see _read_with_places)
    ) -> None:
        self.data = data
        self._node = node
        self._compose = compose
        self.file = file
        self.index = index
        self.line = line
        self.line_offset = line_offset
        self.yaml11 = yaml11
        self.item_lines = item_lines
        self._spots = spots

    @property
    def node(self) -> Node | None:
        if self._compose is not None:
            self._node = self._compose()
            self._compose = None
        return self._node

    def __repr__(self) -> str:
        return f"Document(file={self.file!r}, index={self.index}, line={self.line}, data={self.data!r})"

    def place(self, path: Iterable[Any] = (), *, at_key: bool = False) -> Place:
        """The place of a key path inside this document (the nearest existing node).

        With at_key, the last step points at the mapping key rather than its value.
        """
        path = tuple(path)
        if self._spots is not None:
            spot = _find_spot(self._spots, path, at_key)
            if spot is not None:
                line, column = spot
                return Place(file=self.file, line=line + 1 + self.line_offset, column=column + 1, document=self.index)
        line, column = self.line, None
        node = self.node
        if node is not None:
            node = _descend(node, path, at_key)
            line = node.start_mark.line + 1 + self.line_offset
            column = node.start_mark.column + 1
        return Place(file=self.file, line=line, column=column, document=self.index)


    def part(self, path: Iterable[Any], data: Any) -> Document:
        """The document of a part of this one (e.g. one case's profile), so places point inside it. Its node
        is found, composing this document's node tree if need be, only when a place in it is asked for."""
        return Document(data, None, self.file, self.index, self.line, self.line_offset,
                        compose=functools.partial(_part_node, self, tuple(path)))


def _part_node(doc: Document, path: tuple[Any, ...]) -> Node | None:
    node = doc.node
    return _descend(node, path) if node is not None else None


def _descend(node: Node, path: tuple[Any, ...], at_key: bool = False) -> Node:
    last = len(path) - 1
    for n, step in enumerate(path):
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode) and key_node.value == str(step):
                    node = key_node if at_key and n == last else value_node
                    break
            else:
                return node
        elif isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            node = node.value[step]
        else:
            return node
    return node


def _check_shape(node: Node, place: Place) -> None:
    """Refuse documents whose aliases expand past MAX_EXPANDED_NODES or that nest past MAX_DEPTH."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Node, int, bool]] = [(node, 1, False)]
    while stack:
        current, depth, done = stack.pop()
        key = id(current)
        if done:
            children = _children(current)
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[key] > MAX_EXPANDED_NODES:
                raise InputError(
                    f"the document expands to more than {MAX_EXPANDED_NODES:,} nodes through aliases "
                    "(an alias bomb?); limit: ADVOCATE_MAX_EXPANDED_NODES",
                    place=place,
                )
            continue
        if key in sizes:
            continue
        if depth > MAX_DEPTH:
            raise InputError(f"the document nests deeper than {MAX_DEPTH} levels; limit: ADVOCATE_MAX_DEPTH", place=place)
        stack.append((current, depth, True))
        for child in _children(current):
            if id(child) not in sizes:
                stack.append((child, depth + 1, False))


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return node.value
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _yaml_error(exc: yaml.YAMLError, file: str, line_offset: int, index: int) -> InputError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"{context}, {problem}" if context and isinstance(exc, yaml.MarkedYAMLError) else problem
    started = getattr(exc, "context_mark", None)
    if context and started is not None and mark is not None and (started.line, started.column) != (mark.line, mark.column):
        # Where the parser gave up is often far from the cause (an unclosed quote or bracket): say where that began.
        message = (f"{context} (which starts at line {started.line + 1 + line_offset}, column {started.column + 1}), "
                   f"{problem}")
    hint = None
    if "could not determine a constructor" in message:
        tag = message.split("tag ", 1)[-1].strip().strip("'\"").replace("tag:yaml.org,2002:", "!!")
        message = f"tag {tag} is not allowed: only plain YAML data is read, nothing is ever executed"
        hint = "remove the tag; write the value as plain text, a list or a mapping"
    elif "duplicate key" in message:
        hint = "keep one of the two entries"
    elif "tab character" in message or "'\\t'" in message:
        hint = "YAML is indented with spaces: replace the tab with spaces"
    elif "mapping values are not allowed" in message and mark is not None and mark.column > 1024:
        message = "a key is longer than 1024 characters, YAML's limit for a plain key"
        hint = "shorten the key"
    if mark is not None:
        place = Place(file=file, line=mark.line + 1 + line_offset, column=mark.column + 1, document=index)
    else:
        place = Place(file=file, line=line_offset + 1, document=index)
    return InputError(f"YAML: {message}", place=place, hint=hint)


def parse_document(
    text: str, *, file: str, index: int = 1, line_offset: int = 0, duplicates: list[InputError] | None = None,
    lazy_nodes: bool = False,
) -> Document:
    """Parse one YAML document (text holds at most one) into data plus its node tree.

    With a `duplicates` list, duplicate keys do not stop the parse: each is added to the list as
    an InputError and the last value wins (for `rules check`, which reports every problem).
    With lazy_nodes (a batch), a plain document is read straight from libyaml's events and its
    node tree is composed only if something asks for it (to point at an error); `yaml11` stays None.
    """
    if len(text) > MAX_DOCUMENT_BYTES:
        raise InputError(
            f"the document is larger than {_size(MAX_DOCUMENT_BYTES)}; limit: ADVOCATE_MAX_DOCUMENT_BYTES",
            place=Place(file=file, line=line_offset + 1, document=index),
        )
    if not lazy_nodes or duplicates is None:  # a batch reporting every duplicate key takes the full path
        try:
            data, root_line, item_lines, yaml11, spots = _read_plain(text) if lazy_nodes else _read_with_places(text)
        except _TooManyNodes as exc:  # what the full path says, without composing a huge document first
            raise exc.error(file, line_offset, index) from None
        except _NotPlain:
            pass
        else:
            if root_line is None:
                return Document(None, None, file, index, line_offset + 1, line_offset)
            return Document(
                data, None, file, index, root_line + 1 + line_offset, line_offset, yaml11,
                compose=functools.partial(_compose_node, text), spots=spots,
                item_lines=None if item_lines is None else tuple(n + 1 + line_offset for n in item_lines),
            )
    return _compose_document(text, file=file, index=index, line_offset=line_offset, duplicates=duplicates)


# What a fast reader gives parse_document: data, the 0-based line of the root (None: an empty
# document), the 0-based lines of a top-level list's items, the YAML 1.1 trap scalars and the kept places.
_FastRead = tuple[Any, "int | None", "list[int] | None", "list[ScalarNode] | None", "_Spot | None"]


def _compose_node(text: str) -> Node | None:
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _compose_document(
    text: str, *, file: str, index: int, line_offset: int, duplicates: list[InputError] | None = None
) -> Document:
    """The full path: compose the node tree, check the limits and build the data from it."""
    loader = None
    place = Place(file=file, line=line_offset + 1, document=index)  # the root's, once it is composed
    try:
        loader = _Loader(text)
        if duplicates is not None:
            loader.duplicates = []
        node = loader.get_single_node()
        if node is None:
            return Document(None, None, file, index, line_offset + 1, line_offset)
        place = Place(file=file, line=node.start_mark.line + 1 + line_offset, document=index)
        data = _NOT_BUILT
        yaml11: list[ScalarNode] | None = None
        if "&" not in text:  # no anchors, so no aliases: one walk checks the limits and builds the data
            builder = _Builder(loader, place, file, line_offset, index)
            try:
                data = builder.build(node, 1)
                yaml11 = builder.yaml11
            except _Fallback:
                loader.duplicates = [] if loader.duplicates is not None else None
        if data is _NOT_BUILT:
            _check_shape(node, place)
            _check_scalars(node, file, line_offset, index)
            data = loader.construct_document(node)
        for second, first in loader.duplicates or ():
            duplicates.append(_duplicate_error(second, first, file, line_offset, index))  # type: ignore[union-attr]
    except (ValueError, OverflowError) as exc:  # a scalar that resolves but cannot be built, e.g. 2026-02-30
        raise InputError(f"YAML: a value cannot be read: {exc}", place=place) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1 + line_offset
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise InputError(
            f"YAML: character U+{exc.character:04X} is not allowed in YAML text (a control character?)",
            place=Place(file=file, line=line, column=column, document=index),
            hint="remove it; to write it in a value, use a double-quoted escape such as \\u001b",
        ) from None
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, file, line_offset, index) from None
    except RecursionError:
        raise InputError(
            f"the document nests too deeply to read (more than {MAX_DEPTH} levels); limit: ADVOCATE_MAX_DEPTH",
            place=Place(file=file, line=line_offset + 1, document=index),
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    return Document(data, node, file, index, node.start_mark.line + 1 + line_offset, line_offset, yaml11)


_NOT_BUILT = object()
_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_SCALAR_TAGS = ("null", "bool", "int", "float", "timestamp", "binary")
_SCALARS = {f"tag:yaml.org,2002:{t}": StrictConstructor.yaml_constructors[f"tag:yaml.org,2002:{t}"]
            for t in _SCALAR_TAGS}
_SCALARS[YAML11_TAG] = StrictConstructor.construct_yaml11


class _Fallback(Exception):
    """The document needs PyYAML's full constructor (merge keys, complex keys, other tags)."""


class _Builder:
    """Builds plain data from an alias-free node tree in one walk, checking the limits on the way.

    The same result as StrictConstructor (duplicate keys included), several times faster; anything
    unusual falls back to it.
    """

    def __init__(self, loader: Any, place: Place, file: str, line_offset: int, index: int) -> None:
        self.loader = loader
        self.place = place
        self.file, self.line_offset, self.index = file, line_offset, index
        self.count = 0
        self.yaml11: list[ScalarNode] = []

    def build(self, node: Node, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_EXPANDED_NODES:
            raise _too_many_nodes(self.place)
        if depth > MAX_DEPTH:
            raise InputError(f"the document nests deeper than {MAX_DEPTH} levels; limit: ADVOCATE_MAX_DEPTH",
                             place=self.place)
        cls = node.__class__
        if cls is ScalarNode:
            value = node.value
            if len(value) > MAX_SCALAR_CHARS:
                _check_scalars(node, self.file, self.line_offset, self.index)
            tag = node.tag
            if tag == _STR:
                return value
            construct = _SCALARS.get(tag)
            if construct is None:
                raise _Fallback
            if tag == YAML11_TAG:
                self.yaml11.append(node)
            return construct(self.loader, node)
        if cls is MappingNode:
            if node.tag != _MAP:
                raise _Fallback
            data: dict[Any, Any] = {}
            seen: dict[tuple[str, str], Node] = {}
            duplicates = self.loader.duplicates
            for key_node, value_node in node.value:
                if key_node.__class__ is not ScalarNode or key_node.tag == "tag:yaml.org,2002:merge":
                    raise _Fallback
                ident = (key_node.tag, key_node.value)
                if ident in seen:
                    if duplicates is None:
                        raise _duplicate(key_node, seen[ident])
                    duplicates.append((key_node, seen[ident]))
                else:
                    seen[ident] = key_node
                key = self.build(key_node, depth + 1)
                data[key] = self.build(value_node, depth + 1)
            return data
        if cls is SequenceNode:
            if node.tag != _SEQ:
                raise _Fallback
            return [self.build(child, depth + 1) for child in node.value]
        raise _Fallback


# --- Rule files (and single files) with their places: straight from libyaml's events -------------
#
# A file read whole (a rule file, a case file, a profile) needs its data, the places of its nodes for
# findings, and its YAML 1.1 trap scalars. Composing a node tree for that costs several Python
# objects per node, which also keep the garbage collector busy for as long as the documents live.
# _read_with_places builds the data from the events in one pass and keeps only the places of the
# root and of the two levels below it (a rule file's kinds and items: every place asked for when
# nothing is wrong); a deeper place composes the node tree with the full composer on first use.
# Anything unusual (anchors and aliases, tags, merge keys, keys that are not text or are given
# twice, a syntax error, a limit reached) gives up: _compose_document then reads the document and
# applies or reports it, so both paths give the same data, places and errors.

# (0-based line, 0-based column, children): children is None for a scalar, {key text: (key line,
# key column, spot)} for a mapping, [spot, ...] for a sequence, or _DEEPER below the kept levels.
_Spot = tuple
_DEEPER = "(deeper: in the node tree)"
_SPOT_LEVELS = 2  # levels below the root whose places are kept
# First characters a plain scalar needs for an implicit resolver to look at it; any other plain
# scalar is text (BaseResolver.resolve gives the default tag when no resolver is listed for it).
# Every resolver above is listed under its first characters, none for any character (None).
_RESOLVER_FIRSTS = frozenset(StrictResolver.yaml_implicit_resolvers)
assert None not in _RESOLVER_FIRSTS


def _find_spot(spot: _Spot, path: tuple[Any, ...], at_key: bool) -> tuple[int, int] | None:
    """The place _descend would give, from the kept places; None when the path goes below them."""
    last = len(path) - 1
    for n, step in enumerate(path):
        children = spot[2]
        if type(children) is str:  # _DEEPER (compared by type: a document sent by a helper process is a copy)
            return None
        if type(children) is dict:
            entry = children.get(str(step))
            if entry is None:
                break
            if at_key and n == last:
                return entry[0], entry[1]
            spot = entry[2]
        elif type(children) is list and isinstance(step, int) and 0 <= step < len(children):
            spot = children[step]
        else:
            break
    return spot[0], spot[1]


class _PlacesReader:
    """Data, shallow places and YAML 1.1 scalars of one document from its events (see _read_with_places);
    an object, not a closure, so that reading leaves no reference cycle."""

    __slots__ = ("get", "nodes", "yaml11")

    def __init__(self, get: Callable[[], Any]) -> None:
        self.get = get
        self.nodes = 0
        self.yaml11: list[ScalarNode] = []

    def scalar(self, event: Any) -> Any:
        if event.anchor is not None:
            raise _NotPlain
        value = _scalar(event)
        if type(value) is Yaml11Scalar:
            self.yaml11.append(ScalarNode(YAML11_TAG, event.value, event.start_mark, event.end_mark))
        return value

    def collection(self, start: Any, depth: int, levels: int) -> tuple[Any, Any]:
        """(data, children places) of the mapping or sequence that `start` opens, at `depth` (the root is 1);
        the places of its children are kept for `levels` more levels."""
        if start.anchor is not None or start.tag is not None or depth >= MAX_DEPTH:
            raise _NotPlain
        get, scalar, collection = self.get, self.scalar, self.collection
        kind = type(start)
        if kind is MappingStartEvent:
            mapping: dict[Any, Any] = {}
            places: Any = {} if levels else _DEEPER
            while True:
                event = get()
                kind = type(event)
                if kind is MappingEndEvent:
                    break
                if kind is not ScalarEvent:
                    raise _NotPlain
                key = scalar(event)
                if type(key) is not str or key in mapping:  # the full path decides: duplicates, odd keys
                    raise _NotPlain
                value_event = get()
                kind = type(value_event)
                if kind is ScalarEvent:
                    mapping[key] = scalar(value_event)
                    children = None
                elif kind is MappingStartEvent or kind is SequenceStartEvent:
                    mapping[key], children = collection(value_event, depth + 1, levels - 1 if levels else 0)
                else:
                    raise _NotPlain
                if levels:
                    mark, value_mark = event.start_mark, value_event.start_mark
                    places.setdefault(event.value, (mark.line, mark.column,
                                                    (value_mark.line, value_mark.column, children)))
                if self.nodes + 2 * len(mapping) > MAX_EXPANDED_NODES:
                    raise _TooMany
            self.nodes += 1 + 2 * len(mapping)
            data: Any = mapping
        elif kind is SequenceStartEvent:
            items: list[Any] = []
            places = [] if levels else _DEEPER
            while True:
                event = get()
                kind = type(event)
                if kind is SequenceEndEvent:
                    break
                if kind is ScalarEvent:
                    items.append(scalar(event))
                    children = None
                elif kind is MappingStartEvent or kind is SequenceStartEvent:
                    item, children = collection(event, depth + 1, levels - 1 if levels else 0)
                    items.append(item)
                else:
                    raise _NotPlain
                if levels:
                    mark = event.start_mark
                    places.append((mark.line, mark.column, children))
                if self.nodes + len(items) > MAX_EXPANDED_NODES:
                    raise _TooMany
            self.nodes += 1 + len(items)
            data = items
        else:
            raise _NotPlain
        if self.nodes > MAX_EXPANDED_NODES:
            raise _TooMany
        return data, places


def _read_with_places(text: str) -> _FastRead:
    """One document read from libyaml's events, with its YAML 1.1 scalars and its shallow places (see
    _FastRead); _NotPlain when the full path must read it."""
    if _Parser is None:  # pragma: no cover - PyYAML built without libyaml
        raise _NotPlain
    try:
        parser = _Parser(text)
    except yaml.YAMLError:
        raise _NotPlain from None
    reader = _PlacesReader(parser.get_event)
    get = reader.get
    try:
        get()  # stream start
        event = get()
        if type(event) is StreamEndEvent:
            return None, None, None, None, None
        if type(event) is not DocumentStartEvent or event.version is not None or event.tags:
            raise _NotPlain
        root = get()
        mark = root.start_mark
        if type(root) is ScalarEvent:
            data, children = reader.scalar(root), None
        else:
            data, children = reader.collection(root, 1, _SPOT_LEVELS)
        if type(get()) is not DocumentEndEvent or type(get()) is not StreamEndEvent:
            raise _NotPlain
    except _TooMany:
        _refuse_past_the_limit(get, text, mark.line)
    except (yaml.YAMLError, RecursionError):
        raise _NotPlain from None
    finally:
        parser.dispose()
    item_lines = [c[0] for c in children] if type(children) is list else None
    return data, mark.line, item_lines, reader.yaml11, (mark.line, mark.column, children)


def _duplicate_error(second: Node, first: Node, file: str, line_offset: int, index: int) -> InputError:
    mark, was = second.start_mark, first.start_mark
    return InputError(
        f"YAML: duplicate key {second.value!r} (first defined at line {was.line + 1 + line_offset}, "
        f"column {was.column + 1}); the second would silently replace the first",
        place=Place(file=file, line=mark.line + 1 + line_offset, column=mark.column + 1, document=index),
        hint="keep one of the two entries",
    )


class _NotPlain(Exception):
    """The fast reader met something only the full path handles (or reports): anchors, tags, errors, limits."""


class _TooMany(_NotPlain):
    """The fast reader counted more than MAX_EXPANDED_NODES nodes (see _read_plain)."""


# Tags a plain scalar may resolve to on the fast path; anything else (merge keys, `=`) takes the full path.
_PLAIN_TAGS = frozenset(
    [_STR, YAML11_TAG] + [f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "timestamp")]
)
_RESOLVER = StrictResolver()
_CONSTRUCTOR = StrictConstructor()
_PLAIN_CACHE: dict[str, Any] = {}  # plain scalar text -> its (immutable) value; profiles repeat their answers
_PLAIN_CACHE_SIZE = 4096


def _plain_value(text: str) -> Any:
    """The value of a plain (unquoted, untagged) scalar, exactly as the full path would construct it.
    Callers look in _PLAIN_CACHE first; this fills it."""
    tag = _RESOLVER.resolve(ScalarNode, text, (True, False))
    if tag not in _PLAIN_TAGS:
        raise _NotPlain
    if tag == _STR:
        value: Any = text
    else:
        try:
            value = _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, ScalarNode(tag, text))
        except Exception:  # noqa: BLE001 - the full path reports it with its place
            raise _NotPlain from None
    if len(_PLAIN_CACHE) >= _PLAIN_CACHE_SIZE:
        _PLAIN_CACHE.clear()
    _PLAIN_CACHE[text] = value
    return value


class _EventReader:
    """Plain data from libyaml's events for one document (see _read_plain); an object, not a closure,
    so that reading a document leaves no reference cycle for the garbage collector."""

    __slots__ = ("get", "nodes")

    def __init__(self, get: Callable[[], Any]) -> None:
        self.get = get
        self.nodes = 0

    def build(self, event: Any, depth: int) -> Any:
        self.nodes += 1
        if depth > MAX_DEPTH or event.anchor is not None:
            raise _NotPlain
        kind = type(event)
        if kind is ScalarEvent:
            return _scalar(event)
        if event.tag is not None:
            raise _NotPlain
        get = self.get
        if kind is MappingStartEvent:
            mapping: dict[Any, Any] = {}
            while True:
                key_event = get()
                if type(key_event) is MappingEndEvent:
                    break
                if type(key_event) is not ScalarEvent or depth >= MAX_DEPTH or key_event.anchor is not None:
                    raise _NotPlain
                key = _scalar(key_event)
                if key in mapping:  # a duplicate, or two spellings of one key: the full path decides
                    raise _NotPlain
                value_event = get()
                if type(value_event) is ScalarEvent and value_event.anchor is None:  # most values: no call
                    self.nodes += 2
                    mapping[key] = _scalar(value_event)
                else:
                    self.nodes += 1
                    mapping[key] = self.build(value_event, depth + 1)
            result: Any = mapping
        elif kind is SequenceStartEvent:
            items: list[Any] = []
            while True:
                item = get()
                if type(item) is SequenceEndEvent:
                    break
                if type(item) is ScalarEvent and item.anchor is None and depth < MAX_DEPTH:
                    self.nodes += 1
                    items.append(_scalar(item))
                else:
                    items.append(self.build(item, depth + 1))
            result = items
        else:
            raise _NotPlain  # an alias
        if self.nodes > MAX_EXPANDED_NODES:
            raise _TooMany
        return result


def _scalar(event: Any) -> Any:
    """The value of a scalar event without tag or anchor, as the full path would construct it."""
    value = event.value
    if event.tag is not None or len(value) > MAX_SCALAR_CHARS:
        raise _NotPlain
    if not event.implicit[0] or (value and value[0] not in _RESOLVER_FIRSTS):  # quoted, block, or plain text
        return value
    known = _PLAIN_CACHE.get(value, _PLAIN_MISS)
    return _plain_value(value) if known is _PLAIN_MISS else known


_PLAIN_MISS = object()


class _TooManyNodes(Exception):
    """A plain document past MAX_EXPANDED_NODES: refused as the full path would refuse it, without composing it."""

    def __init__(self, root_line: int) -> None:
        super().__init__(root_line)
        self.root_line = root_line

    def error(self, file: str, line_offset: int, index: int) -> InputError:
        """The error _Builder raises for the same document."""
        return _too_many_nodes(Place(file=file, line=self.root_line + 1 + line_offset, document=index))


def _too_many_nodes(place: Place) -> InputError:
    return InputError(f"the document has more than {MAX_EXPANDED_NODES:,} nodes; limit: ADVOCATE_MAX_EXPANDED_NODES", place=place)


def _refuse_past_the_limit(get: Callable[[], Any], text: str, root_line: int) -> NoReturn:
    """An event reader counted more than MAX_EXPANDED_NODES nodes. The full path composes the whole
    document and then refuses it at the node past the limit (unless the text could hold an anchor:
    then its alias check speaks). Say the same (_TooManyNodes), after making sure the rest of the
    stream parses (else the full path reports that) and holds no second document; else _NotPlain."""
    if "&" in text:
        raise _NotPlain
    try:
        while (kind := type(get())) is not StreamEndEvent:
            if kind is DocumentStartEvent:
                raise _NotPlain
    except yaml.YAMLError:
        raise _NotPlain from None
    raise _TooManyNodes(root_line)


def _read_plain(text: str) -> _FastRead:
    """Build the data of one document straight from libyaml's events: the fast path.

    It takes documents of plain mappings, lists and scalars, which is what profiles are, and
    gives up (_NotPlain) on anything else: anchors and aliases, tags, merge keys, a key seen
    twice, a syntax error, or a limit reached. The full path then reads the document again and
    applies or reports it, so both paths give the same data and the same errors.
    Returns a _FastRead without YAML 1.1 scalars or places (a batch needs neither).
    """
    if _Parser is None:  # pragma: no cover - PyYAML built without libyaml
        raise _NotPlain
    try:
        parser = _Parser(text)
    except yaml.YAMLError:  # e.g. a control character; the full path says which and where
        raise _NotPlain from None
    reader = _EventReader(parser.get_event)
    build = reader.build
    get = reader.get
    item_lines: list[int] | None = None
    try:
        get()  # stream start
        event = get()
        if type(event) is StreamEndEvent:
            return None, None, None, None, None
        if type(event) is not DocumentStartEvent:
            raise _NotPlain
        root = get()
        root_line = root.start_mark.line
        if type(root) is SequenceStartEvent and root.anchor is None and root.tag is None:
            reader.nodes = 1
            item_lines = []
            data: Any = []
            while True:
                item = get()
                if type(item) is SequenceEndEvent:
                    break
                item_lines.append(item.start_mark.line)
                data.append(build(item, 2))
                if reader.nodes > MAX_EXPANDED_NODES:
                    raise _TooMany
        else:
            data = build(root, 1)
        if type(get()) is not DocumentEndEvent or type(get()) is not StreamEndEvent:
            raise _NotPlain
    except _TooMany:
        _refuse_past_the_limit(get, text, root_line)
    except yaml.YAMLError:
        raise _NotPlain from None
    finally:
        parser.dispose()
    return data, root_line, item_lines, None, None  # no YAML 1.1 scalars or places kept for a batch


def _check_scalars(node: Node, file: str, line_offset: int, index: int) -> None:
    if isinstance(node, ScalarNode):
        if len(node.value) > MAX_SCALAR_CHARS:
            mark = node.start_mark
            raise InputError(
                f"a value is longer than {MAX_SCALAR_CHARS:,} characters; limit: ADVOCATE_MAX_SCALAR_CHARS",
                place=Place(file=file, line=mark.line + 1 + line_offset, column=mark.column + 1, document=index),
            )
        return
    for child in _children(node):
        if isinstance(child, ScalarNode) and len(child.value) <= MAX_SCALAR_CHARS:
            continue
        _check_scalars(child, file, line_offset, index)


def decode(raw: bytes, file: str, first_line: int = 1) -> str:
    """Bytes to text: UTF-8 only (a leading BOM is dropped), no NUL bytes; CRLF is read as LF."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            "the file is UTF-16 text; advocate reads UTF-8", place=Place(file=file, line=first_line),
            hint="save it as UTF-8 (most editors offer it under 'Save as' or 'Encoding')",
        )
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + first_line
        raise InputError(
            "the file contains NUL bytes; it looks binary (or UTF-16), not a YAML text file",
            place=Place(file=file, line=line),
            hint="save it as UTF-8 text",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + first_line
        raise InputError(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
            place=Place(file=file, line=line),
            hint="save the file as UTF-8 (most editors offer it under 'Save as' or 'Encoding')",
        ) from None
    return text.replace("\r\n", "\n")


def read_bytes(path: Path) -> bytes:
    """Read a file the user named, turning every OS failure into one clear error."""
    with open_binary(path) as stream:
        try:
            return stream.read()
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror or exc}", place=Place(file=str(path))) from None


def load_file(path: Path, *, display: str | None = None, duplicates: list[InputError] | None = None) -> Document:
    """Load a single-document YAML file (a rule file or a profile)."""
    name = display or str(path)
    return load_text(decode(read_bytes(path), name), name, duplicates=duplicates)


# What reading one file gives: its document (None if it could not be read), the error that stopped
# the read, and the duplicate keys found (see parse_document); it pickles, so a helper process can send it.
FileRead = tuple["Document | None", "InputError | None", list[InputError]]
SHARED_READ_BYTES = 512 * 1024  # files weighing this much in all are read by several processes


def load_files(files: list[tuple[Path, str]]) -> list[FileRead]:
    """load_file for each (path, name to show), with every duplicate key reported, in order. Many files
    (SHARED_READ_BYTES or more) are shared out to forked helper processes (parallel.map_shared)."""
    sizes = []
    for path, _ in files:
        try:
            sizes.append(path.stat().st_size)
        except OSError:  # load_file reports it
            sizes.append(0)
    if sum(sizes) < SHARED_READ_BYTES:
        return [_read_file(file) for file in files]
    from advocate_cli.parallel import map_shared

    return map_shared(_read_file, files, sizes, min_weight=SHARED_READ_BYTES)


def _read_file(file: tuple[Path, str]) -> FileRead:
    duplicates: list[InputError] = []
    try:
        return load_file(file[0], display=file[1], duplicates=duplicates), None, duplicates
    except InputError as exc:
        return None, exc, duplicates


YAML_SUFFIXES = (".yaml", ".yml")


def is_yaml(path: Path) -> bool:
    """Whether a file name says YAML, in any case (rules.YAML too): what rule, case and profile readers take."""
    return path.suffix.lower() in YAML_SUFFIXES


def open_binary(path: Path) -> IO[bytes]:
    """Open a file the user named for streaming, with the same clear errors as read_bytes."""
    if path.is_dir():
        raise InputError("is a directory, not a file", place=Place(file=str(path)))
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise InputError("no such file", place=Place(file=str(path))) from None
    except PermissionError:
        raise InputError("permission denied: the file cannot be read", place=Place(file=str(path))) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", place=Place(file=str(path))) from None


def load_text(text: str, name: str, *, duplicates: list[InputError] | None = None) -> Document:
    """Parse text that must hold at most one YAML document."""
    if not _marker_or_break(text):  # nothing split_documents acts on: one document from line 1, or none
        if not _CONTENT_LINE.search(text):
            return Document(None, None, name, 1, 1)
        return parse_document(text, file=name, index=1, line_offset=0, duplicates=duplicates)
    docs = list(split_documents(text.splitlines(keepends=True), name))
    if len(docs) > 1:
        _, line, _ = docs[1]
        raise InputError(
            "the file holds more than one YAML document; expected one",
            place=Place(file=name, line=line),
            hint="remove the extra '---' line: a profile or a rule file is one document "
            "(to plan many profiles from one file, pass it with --input)",
        )
    if not docs:
        return Document(None, None, name, 1, 1)
    chunk, line, index = docs[0]
    return parse_document(chunk, file=name, index=index, line_offset=line - 1, duplicates=duplicates)


def _marker_or_break(text: str) -> bool:
    """Whether the text may hold a line split_documents acts on (a document marker or a directive), or a
    line break other than LF (str.splitlines breaks lines there too)."""
    return (text.startswith(("---", "...", "%")) or "\n---" in text or "\n..." in text or "\n%" in text
            or any(c in text for c in "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"))


_CONTENT_LINE = re.compile(r"^[^\S\n]*[^\s#]", re.MULTILINE)  # a line neither blank nor a comment (as strip sees it)
_DOC_START = re.compile(r"^---(?:[ \t]|$)")
_DOC_END = re.compile(r"^\.\.\.[ \t]*$")


def split_documents(lines: Iterable[str], file: str) -> Iterator[tuple[str | InputError, int, int]]:
    """Split a YAML stream into (text, first line, index) per document, lazily.

    A line `---` at column 0 always starts a document (block scalars are indented), so one
    broken document cannot take the rest of the stream with it. A document holding an Unreadable
    line comes as that line's error instead of its text, with its first line of content.
    """
    done: list[str] = []  # the current document's earlier lines, joined 1,024 at a time
    buf: list[str] = []  # its latest lines
    start = 1
    index = 0
    lineno = 0
    has_content = False
    bad: InputError | None = None  # the error of the first line of this document that could not be read
    content = 0  # the document's first line of content: where the record of a document that cannot be read starts
    for lineno, line in enumerate(lines, 1):
        unreadable = line.error if line.__class__ is Unreadable else None  # type: ignore[attr-defined]
        if line.startswith("---") and _DOC_START.match(line):
            if has_content:
                index += 1
                yield (bad, content, index) if bad else ("".join(done + buf), start, index)
            done, buf, start, has_content, bad = [], [line], lineno, False, unreadable
            rest = line[3:].strip()
            if rest and not rest.startswith("#"):
                has_content, content = True, lineno
            continue
        if unreadable is not None and bad is None:
            bad = unreadable
        if line.startswith("...") and _DOC_END.match(line):
            if has_content:
                index += 1
                yield (bad, content, index) if bad else ("".join(done + buf), start, index)
            done, buf, start, has_content, bad = [], [], lineno + 1, False, None
            continue
        if not buf and not has_content and line.startswith("%"):
            buf.append(line)
            continue
        buf.append(line)
        if len(buf) > 1024:  # a document of very many lines: a string per 1,024 lines, not per line
            done.append("".join(buf))
            buf = [""]  # not empty: lines have been seen
        if not has_content:
            stripped = line.strip()
            if stripped and not stripped.startswith("#"):
                has_content, content = True, lineno
    if has_content:
        index += 1
        yield (bad, content, index) if bad else ("".join(done + buf), start, index)


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r}")
            seen.add(key)
    return data


_YAML_LOOKING = re.compile(r"""\s*(?:---|\.\.\.|#|- |[^\s{\["'][^:]*:(?:\s|$))""")  # a marker, comment, item or key


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _holds_a_lone_surrogate(data: Any) -> bool:
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def parse_json_line(line: str, *, file: str, index: int, lineno: int) -> Document:
    """Parse one JSON Lines record."""
    try:
        data = json.loads(line.rstrip("\r\n"), object_pairs_hook=_json_pairs)
    except json.JSONDecodeError as exc:
        hint = None
        if _YAML_LOOKING.match(line):
            hint = ("this line looks like YAML: a JSON Lines file (.jsonl) holds one JSON object per line; "
                    "if the file is YAML, give it a .yaml name")
        raise InputError(
            f"JSON: {exc.msg}", place=Place(file=file, line=lineno, column=exc.colno, document=index), hint=hint,
        ) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"JSON: {exc}", place=Place(file=file, line=lineno, document=index)) from None
    if _SURROGATE_ESCAPE.search(line) and _holds_a_lone_surrogate(data):  # \ud800 alone: no character at all
        raise InputError("JSON: a \\u escape names half of a character (a lone surrogate such as \\ud800)",
                         place=Place(file=file, line=lineno, document=index),
                         hint="write the character itself, or both halves of its pair")
    if isinstance(data, list):  # its items would be numbered as documents of their own, clashing with the lines'
        raise InputError("a JSON Lines record is one JSON object (one profile); this line holds a list",
                         place=Place(file=file, line=lineno, column=1, document=index),
                         hint="put each profile on a line of its own")
    return Document(data, None, file, index, lineno)


class RawDocument(NamedTuple):
    """One document of a stream, split off but not yet parsed: YAML text or a JSON line, and where it came from."""

    text: str
    file: str
    index: int  # 1-based position of the document in its input
    line: int  # 1-based line where the document starts
    json: bool  # a JSON Lines record (else a YAML document)


def iter_raw(stream: IO[bytes], file: str, *, jsonl: bool | None = None) -> Iterator[RawDocument | InputError]:
    """Split a stream into documents without parsing them (read_raw parses one), never reading the whole input at once.

    A line that is not UTF-8 or is over the size limit fails its own document, in its place; a file that
    is not text at all (NUL bytes, UTF-16) ends the stream with its error, last.
    """
    errors: list[InputError] = []  # a line that cannot be read ends the stream; its error comes last
    lines = _decoded_lines(stream, file, errors)
    first: list[str] = []
    if jsonl is None:
        for line in lines:
            first.append(line)
            if line.strip() and line.__class__ is not Unreadable:  # an unreadable line says nothing of the format
                stripped = line.strip()
                jsonl = stripped.startswith("{") and stripped.endswith("}") and _is_json(stripped)
                break
        else:
            jsonl = False
    source = itertools.chain(first, lines)
    if jsonl:
        index = 0
        for lineno, line in enumerate(source, 1):
            if not line.strip():
                continue
            index += 1
            if line.__class__ is Unreadable:
                yield _in_place(line.error, index, lineno)  # type: ignore[attr-defined]
                continue
            yield RawDocument(line, file, index, lineno, True)
    else:
        for chunk, start, index in split_documents(source, file):
            if chunk.__class__ is str:
                yield RawDocument(chunk, file, index, start, False)  # type: ignore[arg-type]
            else:
                yield _in_place(chunk, index, start)  # type: ignore[arg-type]
    yield from errors


def _first_content_line(text: str, start: int) -> int:
    """The line a document's record names as where it starts, as for a document that could be read: its
    first line of content (not a `---` line alone, a directive, a comment or a blank line)."""
    for offset, line in enumerate(text.split("\n")):
        if line.startswith("---") and _DOC_START.match(line):
            rest = line[3:].strip()
            if rest and not rest.startswith("#"):
                return start + offset
            continue
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and not line.startswith("%"):
            return start + offset
    return start


def _in_place(error: InputError, index: int, line: int) -> InputError:
    """A document's reading error, numbered as the document it stands for, which starts at `line`."""
    if error.place is not None:
        error.place = dataclasses.replace(error.place, document=index)
    error.document_line = line
    return error


def read_raw(raw: RawDocument) -> Document:
    """Parse one document split off by iter_raw; an InputError says what is wrong with it and where."""
    if raw.json:
        return parse_json_line(raw.text, file=raw.file, index=raw.index, lineno=raw.line)
    return parse_document(raw.text, file=raw.file, index=raw.index, line_offset=raw.line - 1, lazy_nodes=True)


def iter_stream(stream: IO[bytes], file: str, *, jsonl: bool | None = None) -> Iterator[Document | InputError]:
    """Read a stream document by document: YAML documents or JSON Lines, never the whole input at once.

    A document that cannot be read is yielded as an InputError in its place and reading goes on.
    """
    return read_each(iter_raw(stream, file, jsonl=jsonl))


def read_each(raws: Iterable[RawDocument | InputError]) -> Iterator[Document | InputError]:
    """Parse each document split off by iter_raw; one that cannot be read becomes its InputError, in its place."""
    for raw in raws:
        if isinstance(raw, InputError):
            yield raw
            continue
        try:
            yield read_raw(raw)
        except InputError as exc:
            exc.document_line = raw.line if raw.json else _first_content_line(raw.text, raw.line)
            yield exc


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


_BLOCK_BYTES = 1 << 16  # read at a time by _decoded_lines


def _decoded_lines(stream: IO[bytes], file: str, errors: list[InputError]) -> Iterator[str]:
    """The stream's lines as text (LF line ends). A line that is not UTF-8 or is over the size limit comes
    as an Unreadable line, and the lines go on; at one that ends reading (NUL bytes, UTF-16) its error
    goes to `errors` and the lines end.

    Reads a block of whole lines at a time and decodes it at once; a block with anything unusual
    in it (a NUL byte, bytes that are not UTF-8, a line over the size limit) goes line by line
    through _lines_one_by_one, which finds the line and says what is wrong with it. `read1` returns
    what is there without waiting for a full block, so lines from a pipe come as they arrive.
    """
    read = getattr(stream, "read1", None) or stream.read
    carry: list[bytes] = []  # the start of a line that has not ended yet
    lineno = 0
    while True:
        chunk = read(_BLOCK_BYTES)
        if chunk:
            cut = chunk.rfind(b"\n") + 1
            if not cut:
                carry.append(chunk)
                continue
            block = b"".join([*carry, chunk[:cut]]) if carry else chunk[:cut]
            rest = chunk[cut:]
            carry = [rest] if rest else []
        else:
            if not carry:
                return
            block = b"".join(carry)
            carry = []
        body = block[3:] if lineno == 0 and block.startswith(b"\xef\xbb\xbf") else block
        text = None
        if b"\x00" not in body and (len(body) <= MAX_DOCUMENT_BYTES or _longest_line(body) <= MAX_DOCUMENT_BYTES):
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                pass
        if text is None:  # something is wrong in this block: line by line, to say where
            before = len(errors)
            yield from _lines_one_by_one(io.BytesIO(block), file, errors, lineno)
            if len(errors) > before:
                return
            lineno += block.count(b"\n") + (not block.endswith(b"\n"))
        else:
            if "\r\n" in text:
                text = text.replace("\r\n", "\n")
            lines = text.split("\n")
            last = lines.pop()  # "" after a final line end
            lineno += len(lines)
            yield from [line + "\n" for line in lines]
            if last or not (lines or body):  # a last line without its line end, or a line that held only a BOM
                lineno += 1
                yield last
        if not chunk:
            return


def _longest_line(block: bytes) -> int:
    return max(len(line) + 1 for line in block.split(b"\n"))


def _lines_one_by_one(stream: IO[bytes], file: str, errors: list[InputError], lineno: int = 0) -> Iterator[str]:
    """_decoded_lines, a line at a time (lines counted from `lineno`): the reference, and the path for a block with a problem."""
    for raw in stream:
        lineno += 1
        if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if b"\x00" in raw:
            try:
                decode(raw, file, lineno)
            except InputError as exc:
                errors.append(exc)
                return
        if len(raw) > MAX_DOCUMENT_BYTES:  # its document is over the limit: that document fails, the rest is read
            yield Unreadable("\ufffd\n", _too_long(file, lineno))
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            try:
                decode(raw, file, lineno)
            except InputError as exc:
                if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: no line of it can be read
                    errors.append(exc)
                    return
                line = Unreadable(raw.decode("utf-8", "replace"), exc)
        if line.endswith("\r\n"):
            line = line[:-2] + "\n" if type(line) is str else Unreadable(line[:-2] + "\n", line.error)
        yield line


class Unreadable(str):
    """A line that is not valid UTF-8 (one line in a legacy encoding, say) or is over the size limit: the
    document holding it is reported with `error` in its place, and the documents after it are read as
    usual. Its text, with the bytes that cannot be read replaced, still shows where documents begin and end."""

    def __new__(cls, text: str, error: InputError) -> Unreadable:
        line = super().__new__(cls, text)
        line.error = error
        return line

    error: InputError


def _too_long(file: str, lineno: int) -> InputError:
    return InputError(
        f"a line is longer than {_size(MAX_DOCUMENT_BYTES)}; limit: ADVOCATE_MAX_DOCUMENT_BYTES",
        place=Place(file=file, line=lineno),
    )


_LINE_BREAKS = ("\x85", "\u2028", "\u2029")


@functools.cache
def safe_dumper() -> Any:
    """yaml.SafeDumper, but text holding a line break other than LF (NEL, U+2028, U+2029) is written in
    double quotes, where it is escaped: in any other style a reader folds it into a space, and what
    was written (a saved profile, a YAML plan) would no longer read back the same."""

    class Dumper(yaml.SafeDumper):
        pass

    def text(dumper: Any, value: str) -> Any:
        style = '"' if any(c in value for c in _LINE_BREAKS) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    return Dumper
