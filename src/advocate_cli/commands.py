"""What the commands do once their flags are parsed: gather inputs, call the core, render, return an exit code."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from advocate_cli.errors import AdvocateError, ExitCode, ProfileError
from advocate_cli.render import Format


def parse_format(value: Format | str | None, *, single: bool) -> Format:
    if value is None:
        if sys.stdout.isatty():
            return Format.table
        return Format.json if single else Format.jsonl
    if isinstance(value, Format):
        return value
    try:
        return Format(value.lower())
    except ValueError:
        raise AdvocateError(
            f"unknown format {value!r}", key="--format", hint=f"choose one of: {', '.join(f.value for f in Format)}"
        ) from None


def parse_date(value: str | None, flag: str = "--as-of") -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise AdvocateError(f"{value!r} is not a date", key=flag, hint="write it as YYYY-MM-DD") from None


def answers_from_flags(
    sets: list[str], *, country: str | None, goals: list[str], audiences: list[str], questions: dict[str, Any]
) -> dict[str, Any]:
    """--set key=value and the shortcuts, as raw answers for the one validation path."""
    from advocate_cli.conditions import nearest

    answers: dict[str, Any] = {}
    for item in sets:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise AdvocateError(f"{item!r} is not key=value", key="--set", hint="for example --set budget=low")
        if key not in questions:
            near = nearest(key, questions)
            raise AdvocateError(
                f"unknown key {key!r}", key="--set",
                hint=f"did you mean {near!r}?" if near else f"keys: {', '.join(questions)}",
            )
        answers[key] = value.strip()
    if country is not None:
        answers["country"] = country
    if goals:
        answers["goals"] = ",".join(goals)
    if audiences:
        answers["audiences"] = ",".join(audiences)
    return answers


def plan_command(
    *,
    profile: Path | None,
    inputs: list[str],
    fmt: Format | None,
    output: Path | None,
    sets: list[str],
    country: str | None,
    goals: list[str],
    audiences: list[str],
    rules: list[Path],
    no_default_rules: bool,
    top: int,
    as_of: str | None,
    fail_fast: bool,
) -> ExitCode:
    from advocate_cli.ruleset import load_ruleset

    if profile is not None and inputs:
        raise AdvocateError("give either --profile (one profile) or --input (a batch), not both")
    today = parse_date(as_of)
    ruleset, _ = load_ruleset(rules, include_default=not no_default_rules)
    schema = ruleset.profile_model
    overrides = answers_from_flags(
        sets, country=country, goals=goals, audiences=audiences, questions=ruleset.questions
    )
    stdin_piped = not sys.stdin.isatty()
    if profile is None and not inputs:
        if stdin_piped and not overrides:
            inputs = ["-"]
        elif overrides:
            return _plan_from_flags(overrides, schema, ruleset, fmt, output, today, top)
        else:
            raise AdvocateError(
                "nothing to plan: give a profile",
                hint="advocate plan --profile FILE, --input FILE (or pipe profiles on stdin), "
                "or answer with --set key=value",
            )
    single = profile is not None
    fmt_ = parse_format(fmt, single=single)
    documents = _documents(profile, inputs)
    from advocate_cli.batch import plan_documents
    from advocate_cli.outputs import open_output
    from advocate_cli.render import get_renderer

    input_paths = [Path(p) for p in inputs if p != "-"] + ([profile] if profile else [])
    planned = failed = 0
    with open_output(output, inputs=input_paths) as out:
        renderer = get_renderer(fmt_, out, single=single)
        renderer.begin()
        for outcome in plan_documents(
            documents, schema, ruleset.compiled, today=today, top=top, overrides=overrides or None,
            file=str(profile) if profile else "<stdin>", expand_lists=not single,
        ):
            renderer.outcome(outcome)
            if fmt_.value == "jsonl":
                out.flush()
            if outcome.ok:
                planned += 1
            else:
                failed += 1
                _report_failure(outcome)
                if fail_fast:
                    break
        renderer.end()
    if not single or failed:
        noun = "profile" if planned + failed == 1 else "profiles"
        sys.stderr.write(f"advocate: planned {planned} of {planned + failed} {noun}; {failed} failed\n")
    if single and planned == 0 and failed == 0:
        raise AdvocateError("the profile file is empty", key=None, exit_code=ExitCode.PROBLEMS)
    return ExitCode.PROBLEMS if failed else ExitCode.OK


def _report_failure(outcome: Any) -> None:
    from advocate_cli.cli import report

    error = outcome.error
    if error is not None:
        report(error)


def _documents(profile: Path | None, inputs: list[str]) -> Iterator[Any]:
    """Documents to plan. A file that cannot be opened or decoded stops the run (exit 2); a document
    that cannot be parsed becomes an error record in its place (exit 1)."""
    from advocate_cli import yamlio
    from advocate_cli.errors import InputError

    if profile is not None:
        name = str(profile)
        text = yamlio.decode(yamlio.read_bytes(profile), name)
        try:
            yield yamlio.load_text(text, name)
        except InputError as exc:
            exc.exit_code = ExitCode.PROBLEMS
            yield exc
        return
    for name in inputs:
        if name == "-":
            yield from yamlio.iter_stream(sys.stdin.buffer, "<stdin>")
            continue
        path = Path(name)
        with yamlio.open_binary(path) as stream:
            jsonl = True if path.suffix in (".jsonl", ".ndjson") else None
            yield from yamlio.iter_stream(stream, name, jsonl=jsonl)


def _plan_from_flags(overrides, schema, ruleset, fmt, output, today, top) -> ExitCode:
    """Answers given only as flags: validate them as a profile and plan it."""
    from advocate_cli.batch import Outcome
    from advocate_cli.engine import evaluate
    from advocate_cli.outputs import open_output
    from advocate_cli.render import get_renderer

    try:
        answers = schema.validate(overrides)
    except ProfileError as exc:
        exc.exit_code = ExitCode.USAGE
        exc.hint = (exc.hint + "\n  " if exc.hint else "") + "give the missing answers with --set key=value"
        raise
    source = {"file": "<flags>", "document": 1, "line": None}
    outcome = Outcome(source, plan=evaluate(answers, ruleset.compiled, today=today, top=top, source=source))
    with open_output(output) as out:
        renderer = get_renderer(parse_format(fmt, single=True), out, single=True)
        renderer.begin()
        renderer.outcome(outcome)
        renderer.end()
    return ExitCode.OK
