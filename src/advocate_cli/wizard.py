"""The only module that prompts: asks the rule set's questions, checks each answer at once, returns validated answers.

Questions, help, choices, defaults and `when` conditions all come from the rule set, so a question added in a
rule directory is asked with no code change. Each answer goes through `ProfileSchema.check_answer` (the Profile
model's own field validation) and the finished answers through `ProfileSchema.validate`, the path profile files
take. Reading "3" as the third choice, "1,3" as two choices or "y" as yes is input syntax, done before that.

Questions and messages go to stderr, answers are read from stdin: stdout carries only the plan, so
`advocate plan --interactive > plan.txt` still shows the questions. Plain text only: no colour, no box
drawing, every mark spelt out in words, wrapped to the terminal's width; text from rule files and answers
is shown with control and bidi characters as escapes, like everywhere else.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import textwrap
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advocate_cli.errors import ProfileError, Terminated
from advocate_cli.iso3166 import COUNTRIES
from advocate_cli.render.words import visible

if TYPE_CHECKING:
    from advocate_cli.profile import ProfileSchema
    from advocate_cli.ruleset.models import Question

YES = ("y", "yes")
NO = ("n", "no")


class Stopped(Exception):
    """Ctrl-C or end of input at a prompt; carries the answers kept so far and how many the user typed."""

    def __init__(self, answers: dict[str, Any], typed: int, signal: Terminated | None = None) -> None:
        super().__init__("stopped at a prompt")
        self.answers = answers
        self.typed = typed
        self.signal = signal  # SIGTERM or SIGHUP: after the answers are kept, the process ends by it


class NotUnderstood(Exception):
    """Input that cannot be read as an answer at all (e.g. choice 7 of 3); the message says what to type."""


class Terminal:
    """Questions and messages on stderr, answers from stdin, wrapped to the terminal's width."""

    def __init__(
        self,
        read: Callable[[], str] | None = None,
        write: Callable[[str], Any] | None = None,
        width: int | None = None,
        echo: bool | None = None,
    ) -> None:
        self._read = read or (lambda: sys.stdin.readline() if sys.stdin is not None else "")  # closed: EOF
        self._write = write or _write_stderr
        self.width = width or terminal_width()
        # A terminal shows what is typed; answers from a pipe (--interactive) are shown back, so that the
        # transcript on stderr reads as a conversation.
        self.echo = (not stdin_is_terminal()) if echo is None else echo

    def say(self, text: str = "", indent: int = 0, hang: int = 0) -> None:
        """A paragraph, wrapped; `hang` indents the lines after the first a little more."""
        if not text:
            self._write("\n")
            return
        lines = textwrap.wrap(
            visible(text), self.width - 1, initial_indent=" " * indent, subsequent_indent=" " * (indent + hang),
            break_on_hyphens=False,
        )
        self._write("\n".join(lines) + "\n")

    def ask(self, prompt: str) -> str:
        """One line of input; end of input raises EOFError (Ctrl-C raises KeyboardInterrupt by itself).
        A long prompt is wrapped like any text; the answer is typed after its last line."""
        lines = textwrap.wrap(visible(prompt), self.width - 1, break_on_hyphens=False) or [""]
        self._write("".join(f"{line}\n" for line in lines[:-1]) + lines[-1] + " ")
        line = self._read()
        if not line:
            raise EOFError
        line = line.rstrip("\r\n")
        if self.echo:
            self._write(visible(line) + "\n")
        return line


def stdin_is_terminal() -> bool:
    """True when a person can answer on stdin (false for a pipe, a file, or a closed stdin)."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):
        return False


def _write_stderr(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


def terminal_width() -> int:
    """COLUMNS if set, else the width of the terminal on stderr, else 80; kept between 40 and 100."""
    width = 0
    try:
        width = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        pass
    if width <= 0:
        try:
            width = os.get_terminal_size(sys.stderr.fileno()).columns
        except (OSError, ValueError, AttributeError):
            width = 80
    return max(40, min(width, 100))


class Wizard:
    """Asks what is missing, in the rule set's order, and lets the user change any answer before the plan."""

    def __init__(self, schema: ProfileSchema, terminal: Terminal | None = None) -> None:
        self.schema = schema
        self.questions = schema.ruleset.questions
        self.term = terminal or Terminal()
        self.answers: dict[str, Any] = {}
        self.skipped: set[str] = set()  # optional questions the user left without an answer
        self.typed = 0  # answers the user typed (a recovery file is written only if there are some)
        self.asked = 0  # questions asked (the wizard offers to save only if it asked something)
        self._names = _country_names(schema)

    # -- the conversation ------------------------------------------------------------------------

    def run(self, prefilled: Mapping[str, Any], *, review: bool = False) -> dict[str, Any]:
        """Ask every missing question, then show the summary until the user confirms; validated answers out.

        `prefilled` holds answers already checked (from flags or a profile file); they are not asked again.
        With nothing missing the wizard asks nothing, unless `review` asks for the summary anyway.
        """
        self.answers = dict(prefilled)
        try:
            pending = self._count_pending()
            if pending:
                self._intro(pending, len(self._kept()))
                self._ask_pending()
            if pending or review:
                self._review()
            return self.schema.validate(self._kept())
        except (KeyboardInterrupt, EOFError, Terminated) as stop:
            raise self._stopped(stop) from None

    def ask_save_path(self) -> Path | None:
        """After the plan: offer to save the answers as a profile file; the path, or None to skip."""
        try:
            self.term.say()
            self.term.say("Save these answers as a profile, to plan again later or to share? Type a file name "
                          "such as my-campaign.yaml, or press Enter to skip.")
            while True:
                text = self.term.ask("File name: ").strip()
                if not text:
                    return None
                if text == "?":
                    self.term.say("Type a name for the profile file, such as my-campaign.yaml (.yaml is added to a "
                                  "name without an ending), in this folder or with a path; or press Enter to skip.",
                                  indent=2, hang=2)
                    continue
                path = Path(text).expanduser()
                if path.is_dir() or path.name in ("", ".", "..") or text.endswith(("/", os.sep)):
                    self.term.say(f"Not accepted: {text} is a folder; type a file name.", indent=2, hang=2)
                    continue
                if not path.suffix:
                    path = path.with_suffix(".yaml")
                if path.is_dir():
                    self.term.say(f"Not accepted: {path} is a folder; type a file name.", indent=2, hang=2)
                    continue
                if not path.parent.is_dir():
                    self.term.say(f"Not accepted: there is no folder {path.parent}; type a file name in a folder "
                                  "that exists.", indent=2, hang=2)
                    continue
                if path.exists():
                    reply = self.term.ask(f"{path} exists. Replace it? y/n [n]: ").strip().lower()
                    if reply not in YES:
                        continue
                return path
        except (KeyboardInterrupt, EOFError, Terminated) as stop:
            raise self._stopped(stop) from None

    def _stopped(self, stop: BaseException) -> Stopped:
        with contextlib.suppress(OSError):  # a closed terminal (SIGHUP) takes no more output
            self.term.say()  # Ctrl-C or end of input leaves the cursor on the prompt line
        return Stopped(self._kept(), self.typed, stop if isinstance(stop, Terminated) else None)

    def _intro(self, pending: int, given: int) -> None:
        already = f" {given} answer{'s' if given != 1 else ''} given already will not be asked again." if given else ""
        self.term.say(
            f"Let's plan your campaign: {pending} question{'s' if pending != 1 else ''}.{already} "
            "Press Enter to take the suggested answer shown in [brackets], type ? for help, "
            "or press Ctrl-C to stop (your answers are kept)."
        )

    def _ask_pending(self) -> None:
        """Ask, in order, each question that applies and has no answer; a `when` can bring in a new one."""
        asked_now: set[str] = set()  # never ask one twice in a pass, even if conditions contradict
        while True:
            pending = [q for q in self._applicable() if q.id not in self.answers and q.id not in self.skipped
                       and q.id not in asked_now]
            if not pending:
                return
            question = pending[0]
            asked_now.add(question.id)
            self.term.say()  # counted in this pass: after an edit in the summary, only the questions it brings in
            self.term.say(f"({len(asked_now)}/{len(asked_now) - 1 + len(pending)}) {question.prompt}")
            self._ask(question)

    def _review(self) -> None:
        """The numbered summary; a number changes that answer, Enter goes on to the plan."""
        while True:
            shown = self._applicable()
            self.term.say()
            self.term.say("Your answers:")
            for number, q in enumerate(shown, 1):
                self.term.say(f"{number:>2}. {q.prompt}", indent=1, hang=4)
                self.term.say(self.shown(q, self.answers.get(q.id)), indent=5, hang=2)
            self.term.say("Press Enter to make the plan, or type a number to change that answer.")
            while True:
                text = self.term.ask("Number, or Enter for the plan: ")
                text = text.strip().lower()
                if text in ("", *YES, "ok"):
                    return
                if re.fullmatch(r"[0-9]+", text) and 1 <= int(text) <= len(shown):
                    break
                self.term.say(f"Not understood: type a number from 1 to {len(shown)}, or press Enter.",
                              indent=2, hang=2)
            question = shown[int(text) - 1]
            self.term.say()
            self.term.say(f"Change answer {text}: {question.prompt}")
            self._ask(question, editing=True)
            self._ask_pending()

    # -- one question ---------------------------------------------------------------------------

    def _ask(self, q: Question, *, editing: bool = False) -> None:
        """Show the question's choices, read answers until one passes validation, and keep it."""
        self.asked += 1
        current = self.answers.get(q.id) if editing else None
        suggested = current if current is not None else q.default
        self._show_choices(q, suggested, editing)
        prompt = self._prompt(q, suggested)
        while True:
            text = self.term.ask(prompt).strip()
            if text == "?":
                self._help(q)
                continue
            if not text:
                if suggested is not None:
                    value = suggested
                elif not q.required:
                    self.answers.pop(q.id, None)
                    self.skipped.add(q.id)
                    self.term.say("No answer.", indent=2)
                    return
                else:
                    self.term.say("Not accepted: an answer is needed here; type ? for help.", indent=2, hang=2)
                    continue
            else:
                try:
                    value = self._parse(q, text)
                except NotUnderstood as exc:
                    self.term.say(f"Not accepted: {exc}", indent=2, hang=2)
                    continue
            try:
                value = self.schema.check_answer(q.id, value)
            except ProfileError as exc:
                self.term.say(f"Not accepted: {self._reason(q, exc)}", indent=2, hang=2)
                continue
            self.answers[q.id] = value
            self.skipped.discard(q.id)
            if text:
                self.typed += 1
            self._confirm(q, value)
            return

    def _show_choices(self, q: Question, suggested: Any, editing: bool) -> None:
        mark = " - current answer" if editing else " - suggested"
        kind = q.type.value
        if kind in ("choice", "multi"):
            chosen = suggested if isinstance(suggested, list) else [suggested]
            for number, choice in enumerate(q.choices, 1):
                note = mark if choice.id in chosen else ""
                self.term.say(f"{number:>2}. {choice.label} ({choice.id}){note}", indent=1, hang=4)
        elif kind == "country":
            known = ", ".join(f"{c.code} {c.name}" for c in self.schema.ruleset.countries.values())
            if known:
                self.term.say(f"Country facts exist for: {known}. Any other ISO country code is accepted "
                              "and gets the generic advice.", indent=2, hang=2)
        elif kind == "text" and not q.required and suggested is None:
            self.term.say("Optional: press Enter to leave it empty.", indent=2)

    def _prompt(self, q: Question, suggested: Any) -> str:
        kind = q.type.value
        if kind == "choice":
            label, default = "Type a number or an id", self._number_of(q, suggested)
        elif kind == "multi":
            label = "Type one or more numbers or ids, separated by commas"
            default = ",".join(self._number_of(q, v) or str(v) for v in suggested) if suggested else None
        elif kind == "bool":
            label, default = "y/n", None if suggested is None else ("y" if suggested else "n")
        elif kind == "country":
            label, default = "Country code or name", suggested
        else:
            label, default = "Answer", suggested
        return f"{label} [{default}]: " if default not in (None, "") else f"{label}: "

    @staticmethod
    def _number_of(q: Question, choice_id: Any) -> str | None:
        ids = q.choice_ids
        return str(ids.index(choice_id) + 1) if choice_id in ids else None

    def _help(self, q: Question) -> None:
        if q.help:
            self.term.say(q.help, indent=2, hang=0)
        self.term.say(f"Accepted: {self.schema.expected(q.id)}.", indent=2, hang=2)

    def _parse(self, q: Question, text: str) -> Any:
        """Input syntax only: numbers to choice ids, y/n to booleans, country names to codes."""
        text = unicodedata.normalize("NFC", text)  # pasted text may spell ë as e and a combining mark
        kind = q.type.value
        if kind == "choice":
            return self._choice(q, text)
        if kind == "multi":  # "1 3", "youth, parents", "Young people; Parents"
            picked = []
            for piece in (piece.strip() for piece in re.split(r"[,;]+", text)):
                whole = self._label(q, piece)  # a whole label, spaces and all
                if whole is not None:
                    picked.append(whole)
                else:
                    picked.extend(self._choice(q, part) for part in piece.split())
            return picked
        if kind == "bool":
            lowered = text.lower()
            return True if lowered in YES else False if lowered in NO else text
        if kind == "country":
            if len(text) == 2:
                return text  # a code; validation reads it in either case
            return self._names.get(text.casefold(), text)
        return text

    @staticmethod
    def _choice(q: Question, text: str) -> str:
        if re.fullmatch(r"[0-9]+", text):
            number = int(text)
            if 1 <= number <= len(q.choices):
                return q.choices[number - 1].id
            raise NotUnderstood(f"there is no choice {number}; type a number from 1 to {len(q.choices)}, or an id.")
        return Wizard._label(q, text) or text  # validation names what is accepted, and the nearest id

    @staticmethod
    def _label(q: Question, text: str) -> str | None:
        """The choice whose id or label this is (in any case), or None."""
        lowered = text.casefold()
        for choice in q.choices:
            if lowered in (choice.id.casefold(), choice.label.casefold()):
                return choice.id
        return None

    def _reason(self, q: Question, error: ProfileError) -> str:
        reason = error.message
        more = len(getattr(error, "problems", ())) - 1
        if more > 0:
            reason += f" (and {more} more)"
        if q.type.value == "bool":
            reason += "; type y or n"
        return reason

    def _confirm(self, q: Question, value: Any) -> None:
        kind = q.type.value
        if kind in ("choice", "multi", "bool"):
            self.term.say(f"Answer: {self.shown(q, value)}", indent=2, hang=2)
        elif kind == "country":
            self.term.say(f"Country: {self.shown(q, value)}", indent=2, hang=2)
            if value not in self.schema.ruleset.countries:
                self.term.say(f"Note: there are no country facts for {value}; the generic rules apply.",
                              indent=2, hang=2)

    # -- answers --------------------------------------------------------------------------------

    def shown(self, q: Question, value: Any) -> str:
        """An answer in words: labels for choices, yes/no, a country's name."""
        if value is None:
            return "(no answer)"
        kind = q.type.value
        labels = {c.id: c.label for c in q.choices}
        if kind == "choice":
            return f"{labels.get(value, value)} ({value})"
        if kind == "multi":
            return ", ".join(labels.get(v, v) for v in value)
        if kind == "bool":
            return "yes" if value else "no"
        if kind == "country":
            return f"{value} ({COUNTRIES.get(value, 'unknown')})"
        return str(value)

    def _applicable(self) -> list[Question]:
        return [q for q in self.questions.values() if self.schema.applies(q.id, self.answers)]

    def _count_pending(self) -> int:
        return sum(1 for q in self._applicable() if q.id not in self.answers)

    def _kept(self) -> dict[str, Any]:
        """The answers to the questions that apply, in question order (an answer to one a `when` took away is
        kept in memory, in case the user changes back, but not returned)."""
        applicable = {q.id for q in self._applicable()}
        return {qid: self.answers[qid] for qid in self.questions if qid in applicable and qid in self.answers}


def _country_names(schema: ProfileSchema) -> dict[str, str]:
    """Every name the wizard reads as a country: ISO names, then the rule set's names and aliases."""
    names = {name.casefold(): code for code, name in COUNTRIES.items()}
    for country in schema.ruleset.countries.values():
        for name in (country.name, *country.aliases):
            names[name.casefold()] = country.code
    return names


def profile_yaml(answers: Mapping[str, Any], schema: ProfileSchema, *, file_name: str,
                 schema_ref: str | None = None, partial: bool = False) -> str:
    """Answers as a profile YAML file that `--profile` and batch mode read unchanged, in question order."""
    import yaml

    from advocate_cli.yamlio import safe_dumper

    ordered = {qid: answers[qid] for qid in schema.ruleset.questions if answers.get(qid) is not None}
    lines = []
    if schema_ref:
        lines.append(f"# yaml-language-server: $schema={schema_ref}")
    if partial:
        lines.append(f"# Answers given so far; answer the rest with: {plan_again(file_name, schema.ruleset)}")
    else:
        lines.append(f"# An advocate profile; plan it with: {plan_again(file_name, schema.ruleset)}")
    body = yaml.dump(ordered, Dumper=safe_dumper(), sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)
    return "\n".join(lines) + "\n" + (body if ordered else "{}\n")


def plan_again(file_name: str, ruleset: Any) -> str:
    """The command that plans a saved profile with the same rule set: its --rules directories too (a
    network's own questions are unknown keys without them)."""
    import shlex

    words = ["advocate", "plan", "--profile", shlex.quote(file_name)]
    for layer in ruleset.layers:
        if layer != "<default>":
            words += ["--rules", shlex.quote(layer)]
    if "<default>" not in ruleset.layers:
        words.append("--no-default-rules")
    return " ".join(words)

