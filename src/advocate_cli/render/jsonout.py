"""JSON and JSON Lines: the public plan shape, one record per profile."""

from __future__ import annotations

import json
from operator import attrgetter
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advocate_cli.batch import Outcome
    from advocate_cli.engine import Plan

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
# The C encoder `_encode` sets up on every call, made once: for the small per-plan parts (answers, mix, source).
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_chunks = _c_make_encoder and _c_make_encoder(
    None, None, json.encoder.encode_basestring, None, ":", ",", False, False, True
)


_SEPARATORS = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def one_line(text: str) -> str:
    """JSON text with NEL, U+2028 and U+2029 escaped: valid JSON either way, but many line readers
    (str.splitlines, editors) end a line there, and a JSON Lines record must stay one line for all."""
    if "\x85" in text or "\u2028" in text or "\u2029" in text:
        return text.translate(_SEPARATORS)
    return text


def _encode_small(value: Any) -> str:
    """`_encode(value)` for plain JSON data (no circular check: the engine's data has no cycles)."""
    if _chunks is None:  # pragma: no cover - Python without the C accelerator
        return one_line(_encode(value))
    if value is None:
        return "null"
    if type(value) is str:
        return one_line(json.encoder.encode_basestring(value))
    return one_line("".join(_chunks(value, 0)))


_json_of = attrgetter("_json")


def _kept_json(part: Any) -> str:
    """The JSON of a reason, warning or fact, kept on it (its `_json` field) for the next plan holding it."""
    text = one_line(_encode(part.to_dict()))
    try:
        object.__setattr__(part, "_json", text)  # frozen: the one field it does not compare
    except AttributeError:  # not one of the engine's parts: nothing to keep it on
        pass
    return text


def _parts_json(parts: list[Any]) -> str:
    try:
        return ",".join(map(_json_of, parts))
    except (TypeError, AttributeError):  # one seen for the first time (its text is None), or not the engine's
        return ",".join([getattr(part, "_json", None) or _kept_json(part) for part in parts])


class CompactPlanEncoder:
    """`_encode(plan.to_dict())`, byte for byte, at a fraction of the cost.

    Most of a plan is rule text that is the same in every plan of a run (each contribution's
    `why`, each warning, each fact, each method's name), so those parts are encoded once and reused;
    only the answers, scores and shares are encoded per plan. The engine makes each reason, warning
    and fact once per rule set (a balance note or a fact as of a day: once per run, a bounded number),
    and each keeps its own text (`_json`), so the encoder holds nothing but the methods' headings and
    memory stays flat however many plans go through. tests/test_batch_speed_paths.py holds it to the
    reference encoding.
    """

    def __init__(self) -> None:
        self._heads: dict[str, tuple[str, str, str]] = {}  # method id -> (label, channel, JSON up to "score":)

    def _head(self, method: Any) -> str:
        head = self._heads.get(method.id)
        if head is None or head[0] != method.label or head[1] != method.channel:
            heading = _encode({"id": method.id, "label": method.label, "channel": method.channel})
            text = one_line(heading)[:-1] + ',"score":'
            head = self._heads[method.id] = (method.label, method.channel, text)
        return head[2]

    def encode(self, plan: Plan, end: str = "") -> str:
        """The plan's JSON, followed by `end` (a line end, without copying the record once more to add it)."""
        heads = self._heads
        parts = ['{"name":', _encode_small(plan.name), ',"profile":', _encode_small(plan.profile), ',"methods":[']
        for m in plan.methods:
            score, share, base, recommended = m.score, m.share, m.base, m.recommended
            if not (type(score) is int and type(base) is int and type(recommended) is bool
                    and type(share) is float and 0.0 <= share <= 1.0):
                return one_line(_encode(plan.to_dict())) + end  # not the engine's usual types: take the reference path
            head = heads.get(m.id)
            if head is None or head[0] is not m.label or head[1] is not m.channel:
                head = (m.label, m.channel, self._head(m))
            reasons = _parts_json(m.contributions)  # each one's text, written when it was first seen
            parts.append(f'{head[2]}{score},"recommended":{"true" if recommended else "false"},"share":{share!r},'
                         f'"base":{base},"contributions":[')
            parts.append(reasons)
            parts.append("]},")
        if plan.methods:
            parts[-1] = "]}"
        parts.append('],"mix":')
        parts.append(_encode_small(plan.mix))
        parts.append(',"warnings":[')
        parts.append(_parts_json(plan.warnings))
        parts.append('],"facts":[')
        parts.append(_parts_json(plan.facts))
        parts.append('],"source":')
        parts.append(_encode_small(plan.source))
        parts.append("}")
        parts.append(end)
        return "".join(parts)


def record(outcome: Outcome, plans: CompactPlanEncoder) -> str:
    """The JSON Lines record of one outcome: a plan or an error record, with its line end."""
    if outcome.plan is not None:
        return plans.encode(outcome.plan, "\n")
    return one_line(_encode(outcome.to_dict())) + "\n"


class JsonLinesRenderer:
    """One compact JSON object per line, written (and flushed) as soon as each profile is planned."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.plans = CompactPlanEncoder()

    def begin(self) -> None:
        pass

    def outcome(self, outcome: Outcome) -> None:
        self.out.write(record(outcome, self.plans))

    def end(self) -> None:
        pass


class JsonRenderer:
    """One JSON document: an object for a single profile, a list for a batch (written at the end)."""

    def __init__(self, out: IO[str], *, single: bool) -> None:
        self.out = out
        self.single = single
        self.first = True

    def begin(self) -> None:
        if not self.single:
            self.out.write("[")

    def outcome(self, outcome: Outcome) -> None:
        text = one_line(json.dumps(outcome.to_dict(), ensure_ascii=False, indent=2))
        if self.single:
            self.out.write(text + "\n")
            return
        self.out.write(("\n" if self.first else ",\n") + text)
        self.first = False

    def end(self) -> None:
        if not self.single:
            self.out.write("\n]\n" if not self.first else "]\n")
