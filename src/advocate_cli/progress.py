"""Progress of a batch on stderr: a Rich bar on a terminal, nothing otherwise; never in the way of stdout."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

REFRESH_SECONDS = 0.1  # the bar is updated at most this often, so it costs nothing per profile


class Reading:
    """How far the reading has got: bytes of regular files done, plus the position in the open one."""

    def __init__(self, total: int | None) -> None:
        self.total = total  # bytes of all inputs when all are regular files, else None (stdin, pipes)
        self.done = 0
        self.stream: Any = None

    def position(self) -> int:
        here = 0
        if self.stream is not None:
            with contextlib.suppress(OSError, ValueError):  # a pipe or FIFO has no position
                here = self.stream.tell()
        return self.done + here

    def file_done(self) -> None:
        """The open file has been read to its end."""
        self.done = self.position()
        self.stream = None


@contextlib.contextmanager
def batch_progress(show: bool | None, reading: Reading, *, live_output: bool = False) -> Iterator[Callable[[bool], None]]:
    """Yield `tick(ok)`, to be called once per profile. `show` None means: only when stderr is a terminal
    and results are not being written to a terminal as they come (`live_output`): the bar never captures
    stdout, so on the one screen the two would be drawn over each other. Results written only at the
    end (a table, a summary) come after the bar is gone."""
    forced = show is True  # asked for with --progress: drawn even where stderr is not a terminal
    if show is None:
        show = sys.stderr.isatty() and not live_output
    if not show:
        yield _no_tick
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    known = reading.total is not None and reading.total > 0
    columns: list[Any] = [TextColumn("planning"), TextColumn("{task.fields[count]}"), TextColumn("{task.fields[rate]}")]
    if known:
        columns[1:1] = [BarColumn(), TaskProgressColumn()]
        columns += [TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn()]
    else:
        columns.append(TimeElapsedColumn())
    console = Console(file=sys.stderr, force_terminal=forced or None, force_interactive=forced or None)
    progress = Progress(*columns, console=console, transient=True, redirect_stdout=False, redirect_stderr=True)
    task = progress.add_task("plan", total=reading.total if known else None, count="0 profiles", rate="")
    start = time.monotonic()
    planned = failed = 0
    next_refresh = start

    def tick(ok: bool) -> None:
        nonlocal planned, failed, next_refresh
        if ok:
            planned += 1
        else:
            failed += 1
        now = time.monotonic()
        if now < next_refresh:
            return
        next_refresh = now + REFRESH_SECONDS
        count = f"{planned:,} profiles" + (f", {failed:,} failed" if failed else "")
        rate = f"{(planned + failed) / max(now - start, 1e-9):,.0f}/s"
        progress.update(task, completed=reading.position() if known else None, count=count, rate=rate, refresh=True)

    with progress:
        yield tick


def _no_tick(ok: bool) -> None:
    pass


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False
