"""Writing results: stdout, or a file replaced atomically so an interrupted run never leaves half a file.

Only a regular file (or a path not there yet) is replaced. A device, named pipe or socket such as
/dev/null or a FIFO is written to as it is: renaming a file over it would destroy it. A path that
names an open descriptor (/dev/stdout, /dev/fd/3, /proc/self/fd/1) is appended to, as the shell's
redirection set it up. Any other symbolic link is followed, so the file it points to is replaced
and the link is kept.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from advocate_cli.errors import AdvocateError, Place


def inside(target: Path, directories: Iterable[Path]) -> bool:
    """Whether a YAML file would sit in one of the directories (where a rule directory's files are read)."""
    from advocate_cli.yamlio import is_yaml

    if not is_yaml(target):
        return False
    with contextlib.suppress(OSError):
        where = target.resolve()
        return any(where.is_relative_to(Path(d).resolve()) for d in directories)
    return False


def check_target(path: Path, *, flag: str = "--output", inputs: Iterable[Path] = (),
                 rule_dirs: Iterable[Path] = ()) -> Path:
    """The file a result is written to (a symbolic link followed), checked before anything is written:
    not a folder, in a folder that exists, not one of `inputs`, and not a YAML file in one of the rule
    directories (one there is read as a rule file or case, and a new one would be next time).
    Errors name `flag`."""
    shown = Place(file=str(path))
    target = Path(path)
    if _descriptor(target):
        return target
    if target.is_symlink():
        try:
            target = target.resolve()  # a link to a file not there yet leads to where it will be
        except (OSError, RuntimeError):  # a loop of links
            raise AdvocateError(f"is a loop of symbolic links; {flag} takes a file path", place=shown) from None
    for source in inputs:
        with contextlib.suppress(OSError):
            if target.exists() and target.resolve() == Path(source).resolve():
                raise AdvocateError(f"refusing to write {flag} over an input file", place=shown,
                                    hint=f"choose another {flag} path")
    if inside(target, rule_dirs):
        if target.exists():
            raise AdvocateError(f"refusing to write {flag} over an input file", place=shown,
                                hint=f"choose another {flag} path")
        raise AdvocateError("is inside a --rules directory, where it would be read as a rule file", place=shown,
                            key=flag, hint=f"choose another {flag} path")
    if target.is_dir():
        raise AdvocateError(f"is a directory; {flag} takes a file path", place=shown)
    if not _special(target) and not (target.parent if str(target.parent) else Path(".")).is_dir():
        raise AdvocateError(f"the folder for {flag} does not exist", place=shown,
                            hint="create the folder first, or choose a path in a folder that exists")
    return target


@contextlib.contextmanager
def open_output(path: Path | None, *, inputs: Iterable[Path] = (), rule_dirs: Iterable[Path] = (),
                flag: str = "--output") -> Iterator[IO[str]]:
    """Yield a text stream for results; for a path, write a temporary file beside it and rename on success."""
    if path is None or str(path) == "-":
        yield sys.stdout
        return
    target = check_target(path, flag=flag, inputs=inputs, rule_dirs=rule_dirs)
    if _descriptor(target) or _special(target):
        yield from _write_in_place(target, append=_descriptor(target))
        return
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise AdvocateError(f"cannot write here: {exc.strerror}", place=Place(file=str(target))) from None
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would have.
        os.chmod(tmp, _mode_for(target))
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            yield stream
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _special(target: Path) -> bool:
    """Whether the path is there and is not a regular file (a device, a named pipe, a socket)."""
    try:
        return not stat.S_ISREG(target.stat().st_mode)
    except OSError:
        return False


def _descriptor(target: Path) -> bool:
    """Whether the path names an open file descriptor of this process (as /dev/stdout does)."""
    name = str(target)
    return name in ("/dev/stdout", "/dev/stderr") or name.startswith(("/dev/fd/", "/proc/self/fd/"))


def _write_in_place(target: Path, *, append: bool = False) -> Iterator[IO[str]]:
    try:  # a descriptor is appended to: truncating it would cut what `>>` or earlier output put there
        stream = open(target, "a" if append else "w", encoding="utf-8", newline="\n")  # noqa: SIM115
    except OSError as exc:
        raise AdvocateError(f"cannot write here: {exc.strerror}", place=Place(file=str(target))) from None
    with stream:
        yield stream


def _mode_for(target: Path) -> int:
    """The existing file's permissions, or those a new file gets under the current umask."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
