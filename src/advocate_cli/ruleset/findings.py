"""A finding: one problem in a rule file, with its place, a stable code, a severity and a hint."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from advocate_cli.errors import Place

if TYPE_CHECKING:
    from advocate_cli.yamlio import FileRead


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
    "disabled-reference": "A rule gives points to a method that a later layer disabled (the points are ignored), "
    "a warning's condition names such a method (it is never recommended, so that part never holds), or a rule "
    "or warning cites a fact whose country a later layer disabled (the fact is not cited).",
    "override": "An item replaces (or disables) one of the same id from an earlier rule directory.",
    "never-fires": "A condition that no combination of answers can satisfy, so its rule, warning or question never applies.",
    "self-reference": "A question asked only on its own answer, or on the answer to a question asked after it.",
    "score-out-of-range": "A rule that alone moves a method's score below 0 or above 100.",
    "untouched-method": "A method that no rule names in its effects; only channel-wide and by_attribute points move it.",
    "stale-fact": "A country fact whose review_by date has passed.",
    "missing-source": "A rule, warning or fact whose source is empty or a placeholder such as TODO.",
    "missing-mitigation": "A warning whose mitigation is a placeholder or only repeats the message.",
}

# How to fix each kind of finding, for findings that carry no more specific hint.
FIXES: dict[str, str] = {
    "yaml-syntax": "look at the line above the one named too: an unclosed bracket or quote, or a wrong indent, "
    "is often the cause",
    "duplicate-key": "keep one of the two entries and delete the other",
    "yaml11-trap": "put the value in quotes",
    "unreadable": "save the file as UTF-8 text and check that it can be read",
    "not-a-mapping": "start the file with one of: questions:, methods:, rules:, warnings:, countries:",
    "schema": "see docs/rule-format.md for the fields each kind of item takes",
    "duplicate-id": "rename one of them, or delete the copy",
    "unknown-reference": "check the spelling against `advocate rules list`",
    "unknown-key": "use a question id (see `advocate rules list --kind questions`) or a derived key",
    "unknown-operator": "operators: eq ne in not_in contains contains_any contains_all contains_none gt gte lt lte is_set",
    "unknown-value": "use one of the question's choice ids (see `advocate rules show QUESTION`)",
    "wrong-operator": "for a list answer use contains / contains_any / contains_all / contains_none; "
    "for a single answer a plain value, in or not_in",
    "condition": "see 'The when language' in docs/rule-format.md",
    "disabled-reference": "give the rule a new version in your own directory without this method, "
    "or keep the method",
    "override": "nothing to do if the replacement is intended; otherwise choose a new id",
    "never-fires": "fix the condition so that some answers satisfy it, or delete the item",
    "untouched-method": "add a rule whose effects give the method points for the audiences it suits, "
    "or remove the method with disabled: true",
    "self-reference": "make the question depend only on questions asked before it (move it down, or change its when)",
    "score-out-of-range": "use smaller points: most rules move a score by 5-20",
    "stale-fact": "check the fact against its source; update text, as_of and review_by, or set verified: false",
    "missing-source": "name where it comes from: a toolkit, a survey with its year, a law, or 'Practice: ...'",
    "missing-mitigation": "say what the campaign should do about the risk, in one or two sentences",
}


def read_findings(read: FileRead, name: str) -> list[Finding]:
    """What reading one rule or case file (yamlio.load_files) found: the error that stopped the read
    (yaml-syntax or unreadable), and each duplicate key (the file is still read)."""
    _, error, duplicates = read
    found = [] if error is None else [("yaml-syntax" if error.message.startswith("YAML:") else "unreadable", error)]
    found += [("duplicate-key", dup) for dup in duplicates]
    findings = []
    for code, exc in found:
        place = exc.place or Place(file=name)
        findings.append(Finding(code, FindingSeverity.error, place.file or name, place.line or 0, place.column or 0,
                                exc.message.removeprefix("YAML: "), exc.hint))
    return findings
