"""The Typer app: each command gathers inputs, calls the core, picks a renderer and returns an exit code."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Optional

import typer

from advocate_cli import __version__
from advocate_cli.errors import AdvocateError, ExitCode, Terminated
from advocate_cli.render import Format
from advocate_cli.rules_cli import AsOfOpt, NoDefaultOpt, RulesOpt, rules_app  # light: typer and an enum

app = typer.Typer(
    name="advocate",
    help=(
        "Choose a mix of virtual and analog methods for an advocacy campaign, "
        "scored and explained, with the risks to weigh."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help text: Rich-formatted help would load Typer's rich_utils (Markdown, tracebacks) on every
    # --help, about as long again as the whole stack's imports.
    rich_markup_mode=None,
    add_help_option=False,  # the root's --help is a plain bool option below, for the same reason as --version
    context_settings={"help_option_names": ["-h", "--help"]},
)


def report(error: AdvocateError) -> None:
    """The one place an expected failure is printed: plain text on stderr, no traceback."""
    from advocate_cli.render.words import visible

    label = "" if error.exit_code == ExitCode.INTERRUPTED else "error: "
    lines = str(error).split("\n")
    sys.stderr.write(f"advocate: {label}" + "\n".join(visible(line) for line in lines) + "\n")


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """The one handler: AdvocateError -> message on stderr and its exit code."""
    try:
        yield
    except AdvocateError as exc:
        report(exc)
        raise typer.Exit(int(exc.exit_code)) from None
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, and keep Python from complaining at exit.
        with contextlib.suppress(Exception):
            import os

            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(int(ExitCode.OK)) from None
    except KeyboardInterrupt:
        sys.stderr.write("advocate: interrupted\n")
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"advocate {__version__}")
        raise typer.Exit()


def _help(ctx: typer.Context, value: bool) -> None:
    if value:
        typer.echo(ctx.get_help())
        raise typer.Exit()


# The root's options are plain bools with a default: for those Typer builds no pydantic adapter, so
# `advocate plan --help` does not pay for loading pydantic just to pass through the root.
@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = False,
    show_help: Annotated[
        bool,
        typer.Option("--help", "-h", callback=_help, is_eager=True, expose_value=True, help="Show this message and exit."),
    ] = False,
) -> None:
    """Choose a mix of virtual and analog methods for an advocacy campaign.

    Exit codes: 0 ok; 1 problems found (a profile failed, a check found errors, a test failed);
    2 could not run (bad flags, unreadable file, invalid rule set); 130 interrupted.
    """


@app.command()
def plan(
    profile: Annotated[
        Optional[Path],
        typer.Option("--profile", "-p", metavar="FILE", help="A profile YAML file (one audience).", show_default=False),
    ] = None,
    input: Annotated[
        Optional[list[str]],
        typer.Option(
            "--input", "-i", metavar="FILE|-", help="Profiles to plan in a batch: a YAML stream, a YAML list or JSON Lines; '-' is stdin "
            "(repeatable).", show_default=False,
        ),
    ] = None,
    format: Annotated[
        Optional[Format],
        typer.Option(
            "--format", "-f", help="Output format. Default: table on a terminal; "
            "otherwise json for --profile and jsonl for a batch.", show_default=False, case_sensitive=False,
        ),
    ] = None,
    output: Annotated[
        Optional[Path],
        typer.Option("--output", "-o", metavar="FILE", help="Write results to this file (atomically) instead of stdout.",
                     show_default=False),
    ] = None,
    set_: Annotated[
        Optional[list[str]],
        typer.Option("--set", "-s", metavar="KEY=VALUE", help="An answer as key=value (repeatable); lists comma-separated.",
                     show_default=False),
    ] = None,
    country: Annotated[Optional[str], typer.Option(metavar="CODE", help="Shortcut for --set country=CODE.", show_default=False)] = None,
    goal: Annotated[
        Optional[list[str]], typer.Option(metavar="GOAL", help="Shortcut for --set goals=... (repeatable).", show_default=False)
    ] = None,
    audience: Annotated[
        Optional[list[str]], typer.Option(metavar="AUDIENCE", help="Shortcut for --set audiences=... (repeatable).", show_default=False)
    ] = None,
    rules: RulesOpt = None,
    no_default_rules: NoDefaultOpt = False,
    top: Annotated[int, typer.Option(min=2, max=50, help="How many methods make up the recommended mix.")] = 5,
    as_of: AsOfOpt = None,
    fail_fast: Annotated[bool, typer.Option("--fail-fast", help="Stop at the first bad profile.")] = False,
    interactive: Annotated[
        Optional[bool],
        typer.Option("--interactive/--no-interactive", help="Ask for missing answers (default: only when stdin is a "
                     "terminal); --no-interactive never asks and names the missing answers.", show_default=False),
    ] = None,
    save: Annotated[
        Optional[Path],
        typer.Option("--save", metavar="FILE", help="Save the answers as a profile YAML file (without asking).",
                     show_default=False),
    ] = None,
    summary: Annotated[
        bool, typer.Option("--summary", help="For a batch: print aggregate figures (methods in the mix, virtual "
                           "share, warnings by country and audience) instead of one plan per profile.")
    ] = False,
    progress: Annotated[
        Optional[bool],
        typer.Option("--progress/--no-progress", help="Show a progress bar on stderr (default: only when stderr "
                     "is a terminal).", show_default=False),
    ] = None,
    jobs: Annotated[  # max=64 is parallel.MAX_JOBS, written out so that --help does not import parallel
        Optional[int],
        typer.Option("--jobs", "-j", min=1, max=64, metavar="N", help="Processes that plan a JSON Lines batch, this one "
                     "included (default: ADVOCATE_JOBS, or one per CPU up to 4; 1: no workers). The output is the same.",
                     show_default=False),
    ] = None,
) -> None:
    """Plan a channel mix for one audience profile, or for many.

    \b
    Examples:
      advocate plan --profile examples/rural-parents-albania.yaml
      advocate plan --profile my.yaml --format json
      advocate plan --input profiles.yaml --format jsonl > plans.jsonl
      advocate plan --input profiles.yaml --format jsonl --jobs 1   (no worker processes)
      advocate plan --input a.yaml --input b.jsonl --summary
      cat profiles.yaml | advocate plan --format markdown
      advocate plan --profile my.yaml --set budget=high --rules ./our-rules
      advocate plan                       (on a terminal: asks the questions)
      advocate plan --country MK --save my.yaml
    """
    from advocate_cli.commands import plan_command

    with user_errors():
        code = plan_command(
            profile=profile,
            inputs=input or [],
            fmt=format,
            output=output,
            sets=set_ or [],
            country=country,
            goals=goal or [],
            audiences=audience or [],
            rules=rules or [],
            no_default_rules=no_default_rules,
            top=top,
            as_of=as_of,
            fail_fast=fail_fast,
            interactive=interactive,
            save=save,
            summary=summary,
            progress=progress,
            jobs=jobs,
        )
    raise typer.Exit(int(code))


app.add_typer(rules_app, name="rules", help="Check, test and describe rule sets, yours and the shipped ones.")


def _terminated(signum: int, frame: object) -> None:
    import os
    import signal

    for name in ("SIGTERM", "SIGHUP"):  # a second signal must not cut the clean-up short
        with contextlib.suppress(AttributeError, ValueError, OSError):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    if signum == getattr(signal, "SIGHUP", None):  # a terminal that is gone takes no more writes
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            for fd in (1, 2):
                if os.isatty(fd):  # only the terminal: a file or pipe keeps what is still to be written
                    os.dup2(devnull, fd)
            os.close(devnull)
    raise Terminated(signum)


def _signalled(exc: BaseException | None) -> Terminated | None:
    """The Terminated that a failure while unwinding from it (writing to a closed terminal) stands for."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, Terminated):
            return exc
        exc, seen = exc.__context__, seen + 1
    return None


def main() -> None:
    """Console-script entry point."""
    import signal

    installed = {}  # signal -> the handler it had, put back when main returns (advocate used as a library)
    for name in ("SIGTERM", "SIGHUP"):
        with contextlib.suppress(AttributeError, ValueError, OSError):  # no such signal here, or not the main thread
            sig = getattr(signal, name)
            if signal.getsignal(sig) is signal.SIG_DFL:  # ignored (nohup): left ignored
                installed[sig] = signal.signal(sig, _terminated)
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - outside a command
        sys.stderr.write("advocate: interrupted\n")
        sys.exit(int(ExitCode.INTERRUPTED))
    except BaseException as exc:
        stop = _signalled(exc)
        if stop is None:
            raise
        import os

        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
        signal.signal(stop.signum, signal.SIG_DFL)
        os.kill(os.getpid(), stop.signum)
        raise  # pragma: no cover - the signal has ended the process
    finally:
        for sig, handler in installed.items():
            with contextlib.suppress(ValueError, OSError):
                signal.signal(sig, handler)
