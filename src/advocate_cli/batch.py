"""A stream of profile documents in, a stream of plans or per-document error records out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from advocate_cli.engine import DEFAULT_TOP, CompiledRuleSet, Plan, evaluate
from advocate_cli.errors import AdvocateError
from advocate_cli.profile import ProfileSchema
from advocate_cli.yamlio import Document


@dataclass(slots=True)
class Outcome:
    """What became of one input document: a plan, or an error in its place."""

    source: dict[str, Any]
    plan: Plan | None = None
    error: AdvocateError | None = None

    @property
    def ok(self) -> bool:
        return self.plan is not None

    @property
    def name(self) -> str | None:
        return self.plan.name if self.plan is not None else None

    def to_dict(self) -> dict[str, Any]:
        if self.plan is not None:
            return self.plan.to_dict()
        return {"error": error_record(self.error), "source": self.source}


def error_record(error: AdvocateError | None) -> dict[str, Any]:
    """The `error` member of a failed record: message, key, line (and every problem found)."""
    if error is None:
        return {"message": "unknown error", "key": None, "line": None}
    record: dict[str, Any] = {
        "message": error.message,
        "key": error.key,
        "line": error.place.line if error.place else None,
        "column": error.place.column if error.place else None,
    }
    problems = getattr(error, "problems", None)
    if problems and len(problems) > 1:
        record["problems"] = [
            {"message": p.message, "key": p.key, "line": p.place.line if p.place else None} for p in problems
        ]
    return record


def source_of(doc: Document | AdvocateError, file: str) -> dict[str, Any]:
    if isinstance(doc, Document):
        return {"file": doc.file, "document": doc.index, "line": doc.line}
    place = doc.place
    return {
        "file": place.file if place and place.file else file,
        "document": place.document if place else None,
        "line": doc.document_line if doc.document_line is not None else place.line if place else None,
    }


def profiles_of(doc: Document, expand_lists: bool = True) -> Iterator[Document]:
    """A document holding a YAML list is a list of profiles; each item becomes its own document."""
    if not expand_lists or not isinstance(doc.data, list):
        yield doc
    elif doc.item_lines is not None:  # read by the fast path: lines known, nodes composed only if needed
        for i, (item, line) in enumerate(zip(doc.data, doc.item_lines)):
            yield Document(item, None, doc.file, i + 1, line, doc.line_offset, compose=partial(_item_node, doc, i))
    elif doc.node is not None:
        for i, (item, node) in enumerate(zip(doc.data, doc.node.value)):
            yield Document(item, node, doc.file, i + 1, node.start_mark.line + 1 + doc.line_offset, doc.line_offset)
    else:
        for i, item in enumerate(doc.data):
            yield Document(item, None, doc.file, i + 1, doc.line)


def _item_node(doc: Document, i: int) -> Any:
    return doc.node.value[i] if doc.node is not None else None


def plan_documents(
    documents: Iterable[Document | AdvocateError],
    schema: ProfileSchema,
    compiled: CompiledRuleSet,
    *,
    today: dt.date,
    top: int = DEFAULT_TOP,
    overrides: dict[str, Any] | None = None,
    file: str = "<stdin>",
    expand_lists: bool = True,
) -> Iterator[Outcome]:
    """Validate and plan each document in turn; a bad one yields an error outcome and the rest go on."""
    for item in documents:
        if isinstance(item, AdvocateError):
            yield Outcome(source_of(item, file), error=item)
            continue
        for doc in profiles_of(item, expand_lists):
            source = source_of(doc, file)
            data = doc.data
            if overrides:
                data = {**data, **overrides} if isinstance(data, dict) else data
            try:
                answers = schema.validate(data, doc)
            except AdvocateError as exc:
                yield Outcome(source, error=exc)
                continue
            yield Outcome(source, plan=evaluate(answers, compiled, today=today, top=top, source=source))
