"""A finding: one problem in a rule file, with its place, a stable code, a severity and a hint."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class FindingSeverity(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True)
class Finding:
    """A problem found in a rule directory. Lines and columns are 1-based; 0 means 'the whole file'."""

    code: str
    severity: FindingSeverity
    file: str
    line: int
    column: int
    message: str
    hint: str | None = None

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, self.code, self.message)

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.severity.value} {self.code} {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


# The stable finding codes, with a line of help each (used by `rules check` and its SARIF rules).
CODES: dict[str, str] = {
    "yaml-syntax": "The file is not valid YAML.",
    "duplicate-key": "A mapping holds the same key twice; YAML would silently keep only the last.",
    "yaml11-trap": "An unquoted value that YAML 1.1 tools read as a boolean or a number.",
    "unreadable": "The file cannot be read (encoding, NUL bytes, permissions, size).",
    "not-a-mapping": "A rule file must be a mapping of kinds (questions, methods, rules, warnings, countries).",
    "schema": "A value does not fit the rule format (unknown key, wrong type, out of range, missing field).",
    "duplicate-id": "Two items of one kind share an id within one rule directory.",
    "unknown-reference": "A reference to a method, question, choice, goal, fact or country that does not exist.",
    "unknown-key": "A condition names a key that is not a question or a derived key.",
    "unknown-operator": "A condition uses an operator the `when` language does not have.",
    "unknown-value": "A condition compares with a value that is not a possible answer.",
    "wrong-operator": "A condition uses an operator that does not apply to the key's type.",
    "condition": "A condition is malformed.",
    "disabled-reference": "A rule gives points to a method that a later layer disabled; the points are ignored.",
    "override": "An item replaces one of the same id from an earlier rule directory.",
}
