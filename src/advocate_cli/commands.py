"""What the commands do once their flags are parsed: gather inputs, call the core, render, return an exit code."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import io
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from advocate_cli.errors import AdvocateError, ExitCode, Place, ProfileError
from advocate_cli.render import Format
from advocate_cli.wizard import plan_again, stdin_is_terminal


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
    sets: list[str], *, country: str | None, goals: list[str], audiences: list[str], schema: Any
) -> dict[str, Any]:
    """--set key=value and the shortcuts, each through the Profile's validation; a bad one cannot run
    (exit 2), and its error names the flag that gave it, not a line of a profile file."""
    from advocate_cli.conditions import nearest

    questions = schema.ruleset.questions
    answers: dict[str, Any] = {}
    flags: dict[str, str] = {}
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
        flags[key] = f"--set {key}"
    for flag, given in (("--goal", goals), ("--audience", audiences)):
        if any(not item.strip() for item in given):
            raise AdvocateError("an empty value", key=flag, hint=f"give a value to each {flag}, or leave it out")
    for key, flag, value in (("country", "--country", country), ("goals", "--goal", ",".join(goals) if goals else None),
                             ("audiences", "--audience", ",".join(audiences) if audiences else None)):
        if value is not None:  # given, even if empty: an empty one is refused, not dropped
            answers[key] = value
            flags[key] = flag
    return _checked(answers, schema, flags)


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
    interactive: bool | None = None,
    save: Path | None = None,
    summary: bool = False,
    progress: bool | None = None,
    jobs: int | None = None,
) -> ExitCode:
    from advocate_cli.ruleset import load_ruleset

    if profile is not None and inputs:
        raise AdvocateError("give either --profile (one profile) or --input (a batch), not both")
    if profile is not None and str(profile) == "-":
        raise AdvocateError("reads a file, not stdin", key="--profile",
                            hint="for profiles on stdin use --input - (or just pipe them in)")
    if inputs and (interactive or save):
        raise AdvocateError("--interactive and --save work with one profile, not with --input (a batch)")
    today = parse_date(as_of)
    if jobs is None:  # a bad ADVOCATE_JOBS is refused before any work, whatever the format
        from advocate_cli.parallel import jobs_setting

        jobs_setting()
    from advocate_cli.outputs import check_target

    # Before any work: where results and answers go must be writable, and never one of the inputs.
    input_paths = [Path(p) for p in inputs if p != "-"] + ([profile] if profile else [])
    if output is not None and str(output) != "-":
        check_target(output, inputs=input_paths, rule_dirs=rules)
    if save is not None:
        _check_save(save, output, input_paths, rules)
    _check_inputs(inputs)
    with _long_lived():
        ruleset, _ = load_ruleset(rules, include_default=not no_default_rules)
        schema = ruleset.profile_model
        ruleset.compiled  # noqa: B018 - compiled here, with the rest of what lives for the whole run
    overrides = answers_from_flags(sets, country=country, goals=goals, audiences=audiences, schema=schema)
    stdin_tty = stdin_is_terminal()
    ask = interactive is True or (interactive is None and stdin_tty)
    single_plan = dict(schema=schema, fmt=fmt, output=output, today=today, top=top, save=save,
                       inputs=input_paths, rules=rules)
    if profile is None and not inputs:
        if ask or overrides or stdin_tty:
            return _plan_one(overrides, ask=ask, review=interactive is True, file="<flags>", **single_plan)
        if save:
            raise AdvocateError("--save keeps the answers of one profile; profiles piped on stdin are a batch",
                                hint="use --profile FILE --save FILE")
        inputs = ["-"]
    elif profile is not None and (ask or save or interactive is False):
        prefilled = _prefilled_from(profile, overrides, schema)
        missing = schema.missing(prefilled[0]) if prefilled is not None else []
        if interactive is False and missing:  # never ask: name what is missing, and how to give it
            raise missing_answers(missing, schema, profile=profile)
        if prefilled is not None and ((ask and (interactive or missing)) or (save and not missing)):
            return _plan_one(prefilled[0], ask=ask, review=interactive is True, file=str(profile),
                             line=prefilled[1], **single_plan)
    single = profile is not None
    fmt_ = _summary_format(fmt) if summary else parse_format(fmt, single=single)
    from advocate_cli.progress import Reading, batch_progress, is_terminal

    reading = Reading(None if single else _total_bytes(inputs))
    from advocate_cli.batch import plan_documents
    from advocate_cli.outputs import open_output
    from advocate_cli.render import get_renderer

    workers = _jobs(jobs, fmt_, single=single)
    if workers > 1:
        return _plan_in_parallel(
            workers, inputs, reading, output=output, input_paths=input_paths, progress=progress, fail_fast=fail_fast,
            schema=schema, compiled=ruleset.compiled, today=today, top=top, overrides=overrides or None,
        )
    documents = _documents(profile, inputs, reading)
    planned = failed = 0
    with open_output(output, inputs=input_paths, rule_dirs=rules) as out:
        if summary:
            from advocate_cli.summary import SummaryRenderer

            renderer: Any = SummaryRenderer(out, as_json=fmt_ is Format.json)
        else:
            renderer = get_renderer(fmt_, out, single=single)
        live = not summary and fmt_ is not Format.table and is_terminal(out)  # results on screen as they come
        renderer.begin()
        with batch_progress(False if single else progress, reading, live_output=live) as tick:
            for outcome in plan_documents(
                documents, schema, ruleset.compiled, today=today, top=top, overrides=overrides or None,
                file=str(profile) if profile else "<stdin>", expand_lists=not single,
            ):
                renderer.outcome(outcome)
                if fmt_.value == "jsonl":
                    out.flush()
                tick(outcome.ok)
                if outcome.ok:
                    planned += 1
                else:
                    failed += 1
                    if outcome.error is not None:
                        _report_failure(outcome.error)
                    if fail_fast:
                        break
        renderer.end()  # after the bar is gone: a table or summary written at the end is not drawn over
    return _closing(planned, failed, single=single)


def _closing(planned: int, failed: int, *, single: bool) -> ExitCode:
    """The closing line on stderr, and the exit code."""
    if not single or failed:
        noun = "profile" if planned + failed == 1 else "profiles"
        sys.stderr.write(f"advocate: planned {planned} of {planned + failed} {noun}; {failed} failed\n")
    if not single and planned + failed == 0:
        sys.stderr.write("advocate: the input held no profiles (hint: advocate plan --profile FILE, "
                         "--input FILE, or pipe YAML profiles on stdin)\n")
    if single and planned == 0 and failed == 0:
        raise AdvocateError("the profile file is empty", key=None, exit_code=ExitCode.PROBLEMS)
    return ExitCode.PROBLEMS if failed else ExitCode.OK


def _jobs(jobs: int | None, fmt: Format, *, single: bool) -> int:
    """How many processes plan the batch: several only for a JSON Lines batch (so never with --summary,
    which writes a table or JSON), where os.fork is available."""
    if single or fmt is not Format.jsonl or jobs == 1:
        return 1
    from advocate_cli.parallel import default_jobs, fork_is_available

    if not fork_is_available():
        return 1
    return default_jobs() if jobs is None else jobs


class _Stop(Exception):
    """--fail-fast met a bad profile: stop planning."""


def _plan_in_parallel(
    workers: int, inputs: list[str], reading: Any, *, output: Path | None, input_paths: list[Path],
    progress: bool | None, fail_fast: bool, schema: Any, compiled: Any, today: dt.date, top: int,
    overrides: dict[str, Any] | None,
) -> ExitCode:
    """A JSON Lines batch planned by worker processes (see parallel.py); the same records, in the same order."""
    from advocate_cli.batch import plan_documents
    from advocate_cli.outputs import open_output
    from advocate_cli.parallel import InOrder, Packed, Pool, Result
    from advocate_cli.progress import batch_progress, is_terminal
    from advocate_cli.render.jsonout import CompactPlanEncoder, record
    from advocate_cli.yamlio import read_each

    plans = CompactPlanEncoder()

    def work(items: list[Any]) -> Iterator[Result]:  # runs in the workers, and here
        outcomes = plan_documents(read_each(items), schema, compiled, today=today, top=top, overrides=overrides)
        for outcome in outcomes:
            error = outcome.error
            if error is not None:  # as it is reported, in a form that always crosses the pipe
                error = AdvocateError(str(error), exit_code=error.exit_code)
            yield outcome.ok, record(outcome, plans).encode("utf-8"), error

    pool = Pool(workers, work)
    counts = [0, 0]  # planned, failed
    finished = False
    try:
        with open_output(output, inputs=input_paths) as out, \
                batch_progress(progress, reading, live_output=is_terminal(out)) as tick:
            sink_to = out.buffer

            def sink(packed: Packed) -> None:
                header, records = packed
                written = end = 0
                for ok, size, error in header:
                    end += size
                    tick(ok)
                    counts[0 if ok else 1] += 1
                    if error is not None:  # its record first, then the report, as in one process
                        sink_to.write(records[written:end])
                        sink_to.flush()
                        written = end
                        _report_failure(error)
                        if fail_fast:
                            raise _Stop
                sink_to.write(records[written:] if written else records)
                sink_to.flush()

            in_order = InOrder(pool, sink)
            out.flush()
            try:
                in_order.run(_documents(None, inputs, reading, raw=True, before_wait=in_order.drain))
                finished = True
            except _Stop:  # --fail-fast: what the workers still plan is not wanted
                pass
    finally:
        pool.close(force=not finished)  # after a whole run the workers end at the end of their input
    return _closing(counts[0], counts[1], single=False)


def _report_failure(error: AdvocateError) -> None:
    from advocate_cli.cli import report

    report(error)


@contextlib.contextmanager
def _long_lived() -> Iterator[None]:
    """Build what lives for the whole run (the rule set, its models, its compiled form) without the
    garbage collector scanning it over and over while it grows, then set it aside for good (gc.freeze),
    so collections during a batch only look at what each plan leaves behind. With a large rule set,
    most of the loading time was the collector's. Worker processes forked afterwards share it too."""
    from advocate_cli.ruleset.ruleset import collector_paused

    with collector_paused():
        yield
    gc.freeze()


def _check_inputs(inputs: list[str]) -> None:
    """Every --input file can be opened, checked before anything is planned: one that cannot stops the run
    (exit 2) with nothing written, rather than after the plans of the inputs before it (a JSON or YAML
    document left without its end). A named pipe or device is not opened here: its data would be lost."""
    from advocate_cli.yamlio import open_binary

    for name in inputs:
        if name == "-":
            continue
        if not name.strip():
            raise AdvocateError("an empty file name", key="--input",
                                hint="give a file name, or '-' for stdin")
        path = Path(name)
        with contextlib.suppress(OSError):
            mode = path.stat().st_mode
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                continue
        open_binary(path).close()


def _check_save(save: Path, output: Path | None, inputs: list[Path], rules: list[Path]) -> None:
    from advocate_cli.outputs import check_target

    if str(save) == "-":
        raise AdvocateError("writes a file, not stdout (the plan goes there)", key="--save",
                            hint="give a file name such as my-campaign.yaml")
    target = check_target(save, flag="--save", inputs=[*inputs, *([output] if output is not None else [])],
                          rule_dirs=rules)
    if output is not None and str(output) != "-":
        with contextlib.suppress(OSError):
            if target.resolve() == Path(output).resolve():
                raise AdvocateError("--save and --output name the same file", place=Place(file=str(save)),
                                    hint="the plan goes to --output and the answers to --save: give two paths")


def _summary_format(fmt: Format | str | None) -> Format:
    """--summary prints a table, or JSON with --format json."""
    chosen = Format.table if fmt is None else parse_format(fmt, single=False)
    if chosen not in (Format.table, Format.json):
        raise AdvocateError(f"--summary prints a table or JSON, not {chosen.value}", key="--format",
                            hint="leave --format out for a table, or use --format json")
    return chosen


def _total_bytes(inputs: list[str]) -> int | None:
    """The size of all inputs when they are all regular files (the progress bar's total), else None."""
    total = 0
    for name in inputs:
        try:
            info = Path(name).stat() if name != "-" else None
        except OSError:
            return None
        if info is None or not stat.S_ISREG(info.st_mode):
            return None
        total += info.st_size
    return total


def _documents(profile: Path | None, inputs: list[str], reading: Any = None, *, raw: bool = False,
               before_wait: Callable[[], None] | None = None) -> Iterator[Any]:
    """Documents to plan. A file that cannot be opened or decoded stops the run (exit 2); a document
    that cannot be parsed becomes an error record in its place (exit 1).

    With `raw`, the documents are only split off, not parsed (yamlio.iter_raw), for worker processes
    to parse; `before_wait` is called whenever reading an input would have to wait for more.
    """
    from advocate_cli import yamlio
    from advocate_cli.errors import InputError

    split = yamlio.iter_raw if raw else yamlio.iter_stream

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
            if sys.stdin is None:
                raise AdvocateError("stdin is closed: no profiles to read", place=Place(file="<stdin>"),
                                    hint="give --profile FILE or --input FILE")
            yield from split(_watched(sys.stdin.buffer, before_wait), "<stdin>")
            continue
        path = Path(name)
        with yamlio.open_binary(path) as stream:
            jsonl = True if path.suffix in (".jsonl", ".ndjson") else None
            if reading is not None:
                reading.stream = stream
            yield from split(_watched(stream, before_wait), name, jsonl=jsonl)
            if reading is not None:
                reading.file_done()


def _watched(stream: Any, before_wait: Callable[[], None] | None) -> Any:
    """The stream, read through parallel.WatchedInput where a read could wait (stdin or a named pipe, FIFO
    or terminal) and `before_wait` is given: what was read so far is planned and written before waiting."""
    if before_wait is None:
        return stream
    from advocate_cli.parallel import WatchedInput, stdin_would_wait

    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test's stand-in)
        return stream
    return io.BufferedReader(WatchedInput(fd, before_wait)) if stdin_would_wait(fd) else stream


def _checked(data: dict[str, Any], schema: Any, flags: dict[str, str] | None = None) -> dict[str, Any]:
    """Answers, each through the Profile's validation; a bad one cannot run (exit 2). With `flags` (answer ->
    the flag that gave it), the error names the flag rather than the answer's key."""
    checked = {}
    for qid, value in data.items():
        try:
            checked[qid] = schema.check_answer(qid, value)
        except ProfileError as exc:
            if flags is not None:
                raise AdvocateError(exc.message, key=flags[qid], hint=exc.hint) from None
            exc.exit_code = ExitCode.USAGE
            raise
    return checked


def _prefilled_from(profile: Path, overrides: dict[str, Any], schema: Any) -> tuple[dict[str, Any], int | None] | None:
    """A profile file's answers (with the flags over them) to start the wizard from; None when the file has a
    problem other than missing answers, which the ordinary --profile path then reports by line."""
    from advocate_cli import yamlio
    from advocate_cli.errors import InputError

    try:
        doc = yamlio.load_file(profile)
        if not isinstance(doc.data, dict):
            return None
        return _checked({**doc.data, **overrides}, schema), doc.line
    except (ProfileError, InputError):
        return None


def _plan_one(
    prefilled: dict[str, Any], *, ask: bool, review: bool, file: str, line: int | None = None,
    schema: Any, fmt: Format | None, output: Path | None, today: dt.date, top: int, save: Path | None,
    inputs: list[Path], rules: list[Path],
) -> ExitCode:
    """One profile from checked answers: the wizard asks what is missing (or, not asking, the missing answers
    are named with their flags), the plan is rendered as for --profile, and the answers can be saved."""
    from advocate_cli import wizard

    quiz = wizard.Wizard(schema)
    if ask:
        try:
            answers = quiz.run(prefilled, review=review)
        except wizard.Stopped as stop:
            raise _kept(stop, _keep_answers(stop, schema, save)) from None
        if quiz.asked:
            file, line = "<wizard>", None
            sys.stderr.write("\n")
    else:
        missing = schema.missing(prefilled)
        if missing:
            raise missing_answers(missing, schema)
        answers = schema.validate(prefilled)
    _render_one(answers, schema, {"file": file, "document": 1, "line": line}, fmt, output, today, top)
    sys.stdout.flush()
    if save is not None:
        write_profile(save, answers, schema)
    elif quiz.asked:
        while True:  # a file name typed at the prompt that cannot be written is asked again
            try:
                save = quiz.ask_save_path()
            except wizard.Stopped as stop:
                raise _kept(stop, _keep_answers(stop, schema, None)) from None
            if save is None:
                return ExitCode.OK
            try:
                _check_save(save, output, inputs, rules)  # as for --save: not an input, --output or a rule file
                write_profile(save, answers, schema)
                break
            except AdvocateError as exc:
                quiz.term.say(f"Not saved: {save}: {exc.message}. Type another file name, or press Enter to skip.",
                              indent=2, hang=2)
    if save is not None:
        sys.stderr.write(f"advocate: saved the answers to {save}; plan them again with: "
                         f"{plan_again(str(save), schema.ruleset)}\n")
    return ExitCode.OK


def _render_one(answers, schema, source, fmt, output, today, top) -> None:
    """Render one plan exactly as `advocate plan --profile` does."""
    from advocate_cli.batch import Outcome
    from advocate_cli.engine import evaluate
    from advocate_cli.outputs import open_output
    from advocate_cli.render import get_renderer

    compiled = schema.ruleset.compiled
    outcome = Outcome(source, plan=evaluate(answers, compiled, today=today, top=top, source=source))
    with open_output(output) as out:
        renderer = get_renderer(parse_format(fmt, single=True), out, single=True)
        renderer.begin()
        renderer.outcome(outcome)
        renderer.end()


FLAG_SHORTCUTS = {"country": "--country CODE", "goals": "--goal GOAL (repeatable)",
                  "audiences": "--audience AUDIENCE (repeatable)"}


def missing_answers(missing: list[str], schema: Any, *, profile: Path | None = None) -> AdvocateError:
    """Exit 2 naming the missing answers and the flags that give them (and the profile they are missing from)."""
    flags = []
    for qid in missing:
        q = schema.ruleset.questions[qid]
        if q.type.value in ("choice", "multi"):
            values = ("|" if q.type.value == "choice" else ",").join(q.choice_ids)
        else:
            values = {"bool": "true|false", "country": "CODE"}.get(q.type.value, "TEXT")
        flag = f"--set {qid}={values}"
        flags.append(f"{FLAG_SHORTCUTS[qid]} or {flag}" if qid in FLAG_SHORTCUTS else flag)
    them = "them" if len(missing) != 1 else "it"
    where = f"add {them} to the file, or give {them} as flags" if profile is not None else \
        f"give {them} as flags, in a profile (--profile FILE), or run on a terminal to be asked"
    return AdvocateError(
        f"missing required answer{'s' if len(missing) != 1 else ''}: {', '.join(missing)}",
        place=Place(file=str(profile)) if profile is not None else None,
        hint=f"{where}:\n    " + "\n    ".join(flags),
        exit_code=ExitCode.USAGE,
    )


RECOVERY_FILE = "advocate-answers.recovery.yaml"


def _kept(stop: Any, error: AdvocateError) -> BaseException:
    """What ends the wizard once the answers are kept: Ctrl-C's message and exit 130, or, for SIGTERM or
    SIGHUP, the message (where the answers are) and then the signal itself."""
    if stop.signal is None:
        return error
    with contextlib.suppress(OSError, ValueError):
        _report_failure(error)
    return stop.signal


def _keep_answers(stop: Any, schema: Any, save: Path | None) -> AdvocateError:
    """Ctrl-C or end of input in the wizard: keep what was typed in a partial profile, and say where."""
    from advocate_cli.errors import Interrupted

    if not stop.typed:
        return Interrupted("interrupted")
    path = save.with_name(f"{save.stem}.recovery.yaml") if save is not None else Path(RECOVERY_FILE)
    try:
        write_profile(path, stop.answers, schema, partial=True)
    except AdvocateError as exc:
        return Interrupted(f"interrupted; the answers could not be kept: {exc.message}")
    return Interrupted(f"interrupted; your answers so far are in {path}; "
                       f"continue with: {plan_again(str(path), schema.ruleset)}")


def write_profile(path: Path, answers: dict[str, Any], schema: Any, *, partial: bool = False) -> None:
    """Answers as a profile YAML file, written atomically."""
    from advocate_cli.outputs import open_output
    from advocate_cli.wizard import profile_yaml

    text = profile_yaml(answers, schema, file_name=str(path), schema_ref=profile_schema_ref(), partial=partial)
    with open_output(path, flag="--save") as out:
        out.write(text)


PROFILE_SCHEMA_FILE = "advocate-profile.schema.json"


def profile_schema_ref() -> str | None:
    """The editor modeline's schema path, if this build has `advocate rules schema` to produce it."""
    from advocate_cli.cli import app

    for group in app.registered_groups:
        sub = group.typer_instance
        if sub is None or (group.name or sub.info.name) != "rules":
            continue
        for command in sub.registered_commands:
            name = command.name or (command.callback.__name__.replace("_", "-") if command.callback else None)
            if name == "schema":
                return PROFILE_SCHEMA_FILE
    return None
