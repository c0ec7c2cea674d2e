"""JSON and JSON Lines: the public plan shape, one record per profile."""

from __future__ import annotations

import json
from operator import attrgetter
from typing import IO, TYPE_CHECKING, Any

from advocate_cli.engine import PER_PLAN_IDS, Contribution, FiredWarning

if TYPE_CHECKING:
    from advocate_cli.batch import Outcome
    from advocate_cli.engine import Plan

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
# The C encoder `_encode` sets up on every call, made once: for the small per-plan parts (answers, mix, source).
_c_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_chunks = _c_make_encoder and _c_make_encoder(
    None, None, json.encoder.encode_basestring, None, ":", ",", False, False, True
)


def _encode_small(value: Any) -> str:
    """`_encode(value)` for plain JSON data (no circular check: the engine's data has no cycles)."""
    if _chunks is None:  # pragma: no cover - Python without the C accelerator
        return _encode(value)
    if value is None:
        return "null"
    if type(value) is str:
        return json.encoder.encode_basestring(value)
    return "".join(_chunks(value, 0))


_json_of = attrgetter("_json")


def _contribution_json(contribution: Contribution) -> str:
    """A contribution's JSON, kept on it for the next plan that holds it."""
    text = _encode(contribution.to_dict())
    object.__setattr__(contribution, "_json", text)  # frozen: the one field it does not compare
    return text


class CompactPlanEncoder:
    """`_encode(plan.to_dict())`, byte for byte, at a fraction of the cost.

    Most of a plan is rule text that is the same in every plan of a run (each contribution's
    `why`, each warning, each method's name), so those parts are encoded once and reused; only
    the answers, scores and shares are encoded per plan. A contribution keeps its own text (there
    are hundreds in a plan, made once per rule set); warnings and facts are looked up by the identity
    of the engine's shared objects, and dropped when more than `limit` of them are held, so memory
    stays flat however many plans go through. tests/test_batch_speed_paths.py holds it to the
    reference encoding.
    """

    def __init__(self, limit: int = 20_000) -> None:
        self.limit = limit
        self._texts: dict[int, str] = {}  # id(part) -> its JSON
        self._held: list[Any] = []  # the parts themselves: while held, no other object can take their ids
        self._heads: dict[str, tuple[str, str, str]] = {}  # method id -> (label, channel, JSON up to "score":)

    def _encode_part(self, obj: Any) -> str:
        """Encode a warning or fact seen for the first time, and keep it (unless it was made for one plan:
        a balance note, which may never come again)."""
        if type(obj) is FiredWarning and obj.id.startswith(PER_PLAN_IDS):
            return _encode(obj.to_dict())
        if len(self._held) >= self.limit:
            self._texts.clear()
            self._held.clear()
        text = self._texts[id(obj)] = _encode(obj.to_dict())
        self._held.append(obj)
        return text

    def _head(self, method: Any) -> str:
        head = self._heads.get(method.id)
        if head is None or head[0] != method.label or head[1] != method.channel:
            text = _encode({"id": method.id, "label": method.label, "channel": method.channel})[:-1] + ',"score":'
            head = self._heads[method.id] = (method.label, method.channel, text)
        return head[2]

    def encode(self, plan: Plan, end: str = "") -> str:
        """The plan's JSON, followed by `end` (a line end, without copying the record once more to add it)."""
        text_of = self._texts.get
        new = self._encode_part
        heads = self._heads
        parts = ['{"name":', _encode_small(plan.name), ',"profile":', _encode_small(plan.profile), ',"methods":[']
        for m in plan.methods:
            score, share, base, recommended = m.score, m.share, m.base, m.recommended
            if not (type(score) is int and type(base) is int and type(recommended) is bool
                    and type(share) is float and 0.0 <= share <= 1.0):
                return _encode(plan.to_dict()) + end  # not the engine's usual types: take the reference path
            head = heads.get(m.id)
            if head is None or head[0] is not m.label or head[1] is not m.channel:
                head = (m.label, m.channel, self._head(m))
            try:  # each contribution's text, written when it was first seen (see Contribution._json)
                reasons = ",".join(map(_json_of, m.contributions))
            except TypeError:  # one seen for the first time (its text is None)
                reasons = ",".join([c._json or _contribution_json(c) for c in m.contributions])
            except AttributeError:  # not the engine's Contribution: take the reference path
                return _encode(plan.to_dict()) + end
            parts.append(f'{head[2]}{score},"recommended":{"true" if recommended else "false"},"share":{share!r},'
                         f'"base":{base},"contributions":[')
            parts.append(reasons)
            parts.append("]},")
        if plan.methods:
            parts[-1] = "]}"
        parts.append('],"mix":')
        parts.append(_encode_small(plan.mix))
        parts.append(',"warnings":[')
        parts.append(",".join([text_of(id(w)) or new(w) for w in plan.warnings]))
        parts.append('],"facts":[')
        parts.append(",".join([text_of(id(f)) or new(f) for f in plan.facts]))
        parts.append('],"source":')
        parts.append(_encode_small(plan.source))
        parts.append("}")
        parts.append(end)
        return "".join(parts)


def record(outcome: Outcome, plans: CompactPlanEncoder) -> str:
    """The JSON Lines record of one outcome: a plan or an error record, with its line end."""
    if outcome.plan is not None:
        return plans.encode(outcome.plan, "\n")
    return _encode(outcome.to_dict()) + "\n"


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
        text = json.dumps(outcome.to_dict(), ensure_ascii=False, indent=2)
        if self.single:
            self.out.write(text + "\n")
            return
        self.out.write(("\n" if self.first else ",\n") + text)
        self.first = False

    def end(self) -> None:
        if not self.single:
            self.out.write("\n]\n" if not self.first else "]\n")
