"""JSON and JSON Lines: the public plan shape, one record per profile."""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advocate_cli.batch import Outcome
    from advocate_cli.engine import Plan

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class CompactPlanEncoder:
    """`_encode(plan.to_dict())`, byte for byte, at a fraction of the cost.

    Most of a plan is rule text that is the same in every plan of a run (each contribution's
    `why`, each warning, each method's name), so those parts are encoded once and reused; only
    the answers, scores and shares are encoded per plan. Cached parts are keyed by the identity
    of the engine's shared objects and the cache is emptied when it grows past `limit`, so memory
    stays flat however many plans go through. tests/test_batch_speed_paths.py holds it to the
    reference encoding.
    """

    def __init__(self, limit: int = 20_000) -> None:
        self.limit = limit
        self._parts: dict[int, tuple[Any, str]] = {}

    def _part(self, obj: Any) -> str:
        """The encoded form of one of the engine's immutable parts (a contribution, warning or fact)."""
        entry = self._parts.get(id(obj))
        if entry is not None and entry[0] is obj:
            return entry[1]
        if len(self._parts) >= self.limit:
            self._parts.clear()
        text = _encode(obj.to_dict())
        self._parts[id(obj)] = (obj, text)  # holding obj keeps its id from being reused
        return text

    def _head(self, method: Any) -> str:
        """`{"id":...,"label":...,"channel":...,"score":` for a method, keyed by what it is made of."""
        key = (method.id, method.label, method.channel)
        entry = self._parts.get(key)  # type: ignore[call-overload]
        if entry is None:
            if len(self._parts) >= self.limit:
                self._parts.clear()
            text = _encode({"id": method.id, "label": method.label, "channel": method.channel})[:-1] + ',"score":'
            entry = self._parts[key] = (key, text)  # type: ignore[index]
        return entry[1]

    def encode(self, plan: Plan) -> str:
        part = self._part
        parts = ['{"name":', _encode(plan.name), ',"profile":', _encode(plan.profile), ',"methods":[']
        for n, m in enumerate(plan.methods):
            score, share, base, recommended = m.score, m.share, m.base, m.recommended
            if not (type(score) is int and type(base) is int and type(recommended) is bool
                    and type(share) is float and 0.0 <= share <= 1.0):
                return _encode(plan.to_dict())  # not the engine's usual types: take the reference path
            parts.append(
                f'{"," if n else ""}{self._head(m)}{int.__repr__(score)},"recommended":'
                f'{"true" if recommended else "false"},"share":{float.__repr__(share)},'
                f'"base":{int.__repr__(base)},"contributions":[{",".join([part(c) for c in m.contributions])}]}}'
            )
        parts.append('],"mix":')
        parts.append(_encode(plan.mix))
        parts.append(',"warnings":[')
        parts.append(",".join([part(w) for w in plan.warnings]))
        parts.append('],"facts":[')
        parts.append(",".join([part(f) for f in plan.facts]))
        parts.append('],"source":')
        parts.append(_encode(plan.source))
        parts.append("}")
        return "".join(parts)


class JsonLinesRenderer:
    """One compact JSON object per line, written (and flushed) as soon as each profile is planned."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.plans = CompactPlanEncoder()

    def begin(self) -> None:
        pass

    def outcome(self, outcome: Outcome) -> None:
        if outcome.plan is not None:
            self.out.write(self.plans.encode(outcome.plan) + "\n")
        else:
            self.out.write(_encode(outcome.to_dict()) + "\n")

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
