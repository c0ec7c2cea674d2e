"""The one user-error type, its few subclasses, and the exit codes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    """What `advocate` returns to the shell."""

    OK = 0
    PROBLEMS = 1  # a profile in a batch failed, a rule check found errors, a rule test failed
    USAGE = 2  # could not run: bad flags, unreadable file, invalid rule set
    INTERRUPTED = 130  # Ctrl-C or end of input in the wizard


@dataclass(frozen=True)
class Place:
    """Where in the user's input something is: file, document (1-based), line and column (1-based)."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    document: int | None = None

    def __str__(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        text = ":".join(parts)
        if self.document is not None and self.document > 1:
            text += f" (document {self.document})"
        return text


class AdvocateError(Exception):
    """An expected failure: printed as one message on stderr, never as a traceback."""

    exit_code: ExitCode = ExitCode.USAGE
    # For an error that stands for a whole document of a batch: the line where that document starts
    # (its record's source line), which may be above the line the error is at.
    document_line: int | None = None

    def __init__(
        self,
        message: str,
        *,
        place: Place | None = None,
        key: str | None = None,
        hint: str | None = None,
        exit_code: ExitCode | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.place = place
        self.key = key
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        text = self.message
        if self.key:
            text = f"{self.key}: {text}"
        if self.place is not None:
            text = f"{self.place}: {text}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class InputError(AdvocateError):
    """A file or stream could not be read or parsed (YAML syntax, encoding, limits)."""


class ProfileError(AdvocateError):
    """A profile failed validation; in a batch this becomes an error record."""

    exit_code = ExitCode.PROBLEMS


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived (timeout, kill, a cancelled CI job, a closed terminal): raised by the handler
    cli.main installs, it unwinds like Ctrl-C, so that a half-written --output is removed, workers are
    stopped and the wizard keeps what was typed; main then ends the process by that same signal."""

    @property
    def signum(self) -> int:
        return int(self.args[0])


class Interrupted(AdvocateError):
    """Ctrl-C or end of input at a prompt; the message says where the answers given so far were kept."""

    exit_code = ExitCode.INTERRUPTED


class RuleSetError(AdvocateError):
    """The rule set could not be loaded; carries every problem found, not just the first."""

    def __init__(self, problems: list[AdvocateError]) -> None:
        self.problems = problems
        first = problems[0]
        count = len(problems)
        summary = f"the rule set is invalid ({count} problem{'s' if count != 1 else ''})"
        super().__init__(summary, exit_code=ExitCode.USAGE)
        self.first = first

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems]
        lines.append(f"{self.message}; run `advocate rules check` for hints")
        return "\n".join(lines)
