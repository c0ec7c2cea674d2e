"""Work shared with forked processes: planning a JSON Lines batch (Pool, InOrder), and any pure work
that is worth it, such as reading a large rule directory (map_shared).

For a batch, the main process splits the input into documents (yamlio.iter_raw) and hands chunks of
them to forked worker processes, or plans a chunk itself, a few documents at a time, when no worker
is free (InOrder); each parses, validates, plans and encodes its chunk, the workers with the rule
set already loaded and compiled (inherited through fork, not sent), and the main process writes the
records chunk by chunk. Output is the same, byte for byte, as planning in one process: chunks are
collected, and their records written, in the order the documents came in. Where the input would
make the main process wait (a pipe with nothing to read yet), everything read so far is planned and
written first, so a consumer sees each record without waiting for the end of the input.

Only where os.fork exists and is safe to use (Linux and the BSDs); elsewhere `advocate` does all of
it in one process, as it does with `--jobs 1` (planning) and ADVOCATE_JOBS=1 (everything).
"""

from __future__ import annotations

import io
import os
import pickle
import select
import signal
import sys
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from advocate_cli.errors import AdvocateError

MAX_AUTO_JOBS = 4  # without --jobs: one planning process per CPU (this one included), up to this many
MAX_JOBS = 64  # the most --jobs or ADVOCATE_JOBS may ask for
CHUNK_DOCUMENTS = 32  # documents per chunk handed to a worker
CHUNK_CHARS = 1 << 18  # ...or fewer, once they hold this many characters of input
PIECE_DOCUMENTS = 4  # documents this process plans between looks at the workers

# What planning gives per profile: planned or not, its record (UTF-8, with the line end), and for a
# failed profile the error as it is reported on stderr.
Result = tuple[bool, bytes, Any]
Work = Callable[[list[Any]], Iterable[Result]]
# Results as they travel: per profile (planned or not, size of its record, error), and the records
# themselves, end to end, written out as they are. A chunk's results come in parts of about
# PART_BYTES of records, so that a document holding a long YAML list is never held whole.
Packed = tuple[list[tuple[bool, int, Any]], bytes]
PART_BYTES = 1 << 20


def parts(results: Iterable[Result]) -> Iterator[Packed]:
    """Results packed in parts of about PART_BYTES of records (at least one part, maybe empty)."""
    header: list[tuple[bool, int, Any]] = []
    records: list[bytes] = []
    size = 0
    packed = False
    for ok, record, error in results:
        header.append((ok, len(record), error))
        records.append(record)
        size += len(record)
        if size >= PART_BYTES:
            yield header, b"".join(records)
            header, records, size, packed = [], [], 0, True
    if header or not packed:
        yield header, b"".join(records)


def holds_a_list(item: Any) -> bool:
    """Does this YAML document (split off, not parsed) look like a list of profiles? A guess from its
    first line with content; a wrong guess costs time or memory, never a different output."""
    if getattr(item, "json", True):
        return False
    for line in item.text.split("\n", 64)[:64]:
        stripped = line[3:].strip() if line.startswith("---") else line.strip()
        if not stripped or stripped.startswith(("#", "%")):
            continue
        return stripped.startswith("[") or (stripped[0] == "-" and stripped[1:2] in ("", " ", "\t"))
    return False


_HEADER = 8  # bytes of the length that precedes each message
PIPE_BYTES = 1 << 20  # asked for the pipe that brings results back (Linux allows up to 1 MiB by default)


def fork_is_available() -> bool:
    return hasattr(os, "fork") and not sys.platform.startswith(("win", "darwin", "cygwin"))


def jobs_setting() -> int | None:
    """ADVOCATE_JOBS: None when unset (or empty), else a number from 1 to MAX_JOBS; anything else is
    refused, as --jobs refuses it. Commands read it first, before any work, to say so."""
    raw = os.environ.get("ADVOCATE_JOBS", "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_JOBS):
        raise AdvocateError(f"ADVOCATE_JOBS={raw!r} is not a number of processes from 1 to {MAX_JOBS}",
                            hint="1 keeps advocate to this one process; unset it for one per CPU")
    return int(raw)


def default_jobs() -> int:
    """How many processes may work at once: ADVOCATE_JOBS when it is set (1: only this process), else one
    per CPU this process may run on, up to MAX_AUTO_JOBS. A value jobs_setting refuses counts as 1 here
    (the command has said so already)."""
    try:
        chosen = jobs_setting()
    except AdvocateError:
        chosen = 1
    if chosen is not None:
        return chosen
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_AUTO_JOBS))


class WorkerFailed(AdvocateError):
    """A worker process failed (a bug, reported with its traceback) or ended early (killed, out of memory)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, hint="--jobs 1 plans in this process, without workers")


class _Worker:
    __slots__ = ("pid", "send", "receive")

    def __init__(self, pid: int, send: io.BufferedWriter, receive: io.BufferedReader) -> None:
        self.pid = pid
        self.send = send
        self.receive = receive


def _write_message(out: io.BufferedWriter, payload: bytes) -> None:
    out.write(len(payload).to_bytes(_HEADER, "little"))
    out.write(payload)
    out.flush()


def _read_message(inp: io.BufferedReader) -> bytes | None:
    head = inp.read(_HEADER)
    if len(head) < _HEADER:
        return None
    size = int.from_bytes(head, "little")
    payload = inp.read(size)
    return payload if len(payload) == size else None


def _serve(work: Work, inp: io.BufferedReader, out: io.BufferedWriter) -> None:
    """A worker's life: read a chunk, plan it, send the results back; until the main process closes the pipe.

    A reply is one or more parts of two messages each: (True, the part's per-profile header, more
    parts follow) pickled, then its records as they are; or (False, a traceback, False) and nothing.
    """
    while True:
        message = _read_message(inp)
        if message is None:
            return
        try:
            part: Packed | None = None
            for following in parts(work(pickle.loads(message))):
                if part is not None:  # not the last part: say that more follow
                    _write_message(out, pickle.dumps((True, part[0], True), pickle.HIGHEST_PROTOCOL))
                    _write_message(out, part[1])
                part = following
            assert part is not None
            reply, records = pickle.dumps((True, part[0], False), pickle.HIGHEST_PROTOCOL), part[1]
        except Exception:  # a bug: the main process raises it, with this traceback
            reply, records = pickle.dumps((False, traceback.format_exc(), False), pickle.HIGHEST_PROTOCOL), b""
        _write_message(out, reply)
        _write_message(out, records)


def _widen(fd: int) -> None:
    """A bigger pipe (Linux): a chunk's records pass in a few writes rather than one per 64 KiB."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), PIPE_BYTES)
    except (ImportError, OSError):
        pass


class Pool:
    """`jobs` processes that plan: this one and jobs - 1 workers forked from it, each planning one chunk at a time."""

    def __init__(self, jobs: int, work: Work) -> None:
        self.workers: list[_Worker] = []
        self.work = work  # what this process runs on the chunks it plans itself
        try:
            for _ in range(jobs - 1):
                earlier = [stream.fileno() for w in self.workers for stream in (w.send, w.receive)]
                started = _start_child(  # the earlier workers' pipe ends closed in it, so that each sees its end
                    "rw", lambda ends: _serve(work, os.fdopen(ends[0], "rb"), os.fdopen(ends[1], "wb")), earlier)
                if started is None:  # no process or pipe to spare: fewer workers (this process plans too)
                    break
                pid, (send, receive) = started
                _widen(receive)
                self.workers.append(_Worker(pid, os.fdopen(send, "wb"), os.fdopen(receive, "rb")))
        except BaseException:
            self.close(force=True)
            raise

    def submit(self, worker: _Worker, items: list[Any]) -> None:
        try:
            _write_message(worker.send, pickle.dumps(items, pickle.HIGHEST_PROTOCOL))
        except BrokenPipeError:  # not the reader of our output going away: a worker has
            raise WorkerFailed("a planning process ended unexpectedly") from None

    @staticmethod
    def ready(worker: _Worker) -> bool:
        """Has the worker's reply begun to arrive (so collecting it will not wait long)?"""
        return bool(select.select([worker.receive.fileno()], [], [], 0)[0])

    def collect(self, worker: _Worker) -> Iterator[Packed]:
        """The parts of the worker's reply, as they arrive."""
        more = True
        while more:
            message = _read_message(worker.receive)
            records = _read_message(worker.receive)
            if message is None or records is None:
                raise WorkerFailed("a planning process ended unexpectedly")
            ok, value, more = pickle.loads(message)
            if not ok:
                raise WorkerFailed(f"a planning process failed:\n{value}")
            yield value, records

    def close(self, *, force: bool = False) -> None:
        """End the workers: closing their input ends them once their chunk is done; `force` stops them now."""
        for worker in self.workers:
            for stream in (worker.send, worker.receive):
                try:
                    stream.close()
                except OSError:  # e.g. a broken pipe while flushing: the worker is gone already
                    pass
        for worker in self.workers:
            _end_child(worker.pid, stop=force)
        self.workers = []


class InOrder:
    """Hand chunks of documents to the workers, or plan them here, and pass each chunk's results to `sink` in input order.

    A chunk goes to an idle worker if there is one; else, once the oldest chunk is done, to the
    worker that planned it; else this process plans it itself, a piece at a time, and a worker
    that comes free meanwhile takes the rest. So every process keeps busy whatever its share of
    the reading and writing, and at most `ahead` chunks are under way.
    """

    def __init__(self, pool: Pool, sink: Callable[[Packed], None], chunk_documents: int = CHUNK_DOCUMENTS,
                 piece_documents: int = PIECE_DOCUMENTS) -> None:
        self.pool = pool
        self.sink = sink
        self.chunk_documents = chunk_documents
        self.piece_documents = max(1, piece_documents)
        self.idle: deque[_Worker] = deque(pool.workers)
        # Chunks under way, in input order: (worker, None) or (None, the parts of the results planned here).
        self.busy: deque[tuple[_Worker | None, list[Packed] | None]] = deque()
        self.ahead = len(pool.workers) + 2
        self.pending: list[Any] = []
        self.chars = 0

    def add(self, item: Any) -> None:
        if holds_a_list(item):  # perhaps many profiles: planned here, in order, written as it goes
            self.drain()
            for part in parts(self.pool.work([item])):
                self.sink(part)
            return
        self.pending.append(item)
        self.chars += len(getattr(item, "text", ""))
        if len(self.pending) >= self.chunk_documents or self.chars >= CHUNK_CHARS:
            self.dispatch()

    def dispatch(self) -> None:
        if not self.pending:
            return
        chunk, self.pending, self.chars = self.pending, [], 0
        while not self.idle and self.busy and (len(self.busy) >= self.ahead or self._oldest_done()):
            self._collect_oldest()
        if self.idle:
            self._submit(chunk)
            return
        # No worker is free: plan the chunk here, a few documents at a time. Between them, the workers
        # whose chunks are done are collected (in order), and the first to come free takes the rest of
        # the chunk, so that no worker waits for this process to finish a whole chunk.
        planned: list[Packed] = []  # filled once the pieces planned here are done (they come first)
        self.busy.append((None, planned))
        results: list[Result] = []
        while chunk:
            piece, chunk = chunk[:self.piece_documents], chunk[self.piece_documents:]
            results.extend(self.pool.work(piece))
            while self.busy[0][1] is not planned and self._oldest_done():
                self._collect_oldest()
            if chunk and self.idle:
                self._submit(chunk)
                break
        planned.extend(parts(results))

    def _submit(self, chunk: list[Any]) -> None:
        worker = self.idle.popleft()
        self.pool.submit(worker, chunk)
        self.busy.append((worker, None))

    def _oldest_done(self) -> bool:
        worker, _ = self.busy[0]
        return worker is None or self.pool.ready(worker)

    def _collect_oldest(self) -> None:
        worker, planned_here = self.busy.popleft()
        if worker is None:
            for part in planned_here or ():
                self.sink(part)
            return
        try:
            for part in self.pool.collect(worker):
                self.sink(part)
        finally:
            self.idle.append(worker)

    def drain(self) -> None:
        """Plan and pass on everything added so far."""
        self.dispatch()
        while self.busy:
            self._collect_oldest()

    def run(self, items: Iterable[Any]) -> None:
        """Add every item, then drain. An input that cannot be read (a fatal error) is raised after
        the results of what came before it have been passed on, as in one process."""
        try:
            for item in items:
                self.add(item)
        except WorkerFailed:  # the chunks after the failed one must not be written: the output would have a gap
            raise
        except AdvocateError:
            self.drain()
            raise
        self.drain()


def map_shared(func: Callable[[Any], Any], items: list[Any], weights: list[int], *, min_weight: int) -> list[Any]:
    """[func(item) for item in items], the work shared with forked helper processes when the items weigh
    at least `min_weight` in all (e.g. bytes to read) and there is more than one CPU (see default_jobs).

    The items are cut into runs of about equal weight, one per process; this process does the first
    while each helper does one of the others and sends its results back pickled. `func` must be pure
    (the same result wherever it runs) and its results must pickle: a helper that cannot be started,
    fails or ends early only means its run is done here instead. A process with other threads
    running (a program using advocate as a library) does all the work itself: forking it is unsafe.
    """
    threading = sys.modules.get("threading")  # not imported: no other thread to fork beside
    alone = threading is None or threading.active_count() == 1
    jobs = min(default_jobs(), len(items)) if alone and fork_is_available() and sum(weights) >= min_weight else 1
    if jobs < 2:
        return [func(item) for item in items]
    runs = _runs(weights, jobs)
    helpers: list[tuple[int, io.BufferedReader, range]] = []
    finished = False
    try:
        for run in runs[1:]:
            if not _fork_helper(func, items, run, helpers):
                break
        results = [func(item) for item in items[runs[0].start:runs[0].stop]]
        done_here = runs[0].stop
        for _, receive, run in helpers:
            received = _received(receive)
            results.extend(received if received is not None else (func(item) for item in items[run.start:run.stop]))
            done_here = run.stop
        results.extend(func(item) for item in items[done_here:])  # runs no helper could be started for
        finished = True
        return results
    finally:
        for pid, receive, _ in helpers:
            receive.close()
            _end_child(pid, stop=not finished)  # interrupted, or func raised here: their work is not wanted


def _received(receive: io.BufferedReader) -> list[Any] | None:
    """A helper's results, or None if it sent none (it failed, or ended early)."""
    try:
        message = _read_message(receive)
        if message is None:
            return None
        ok, value = pickle.loads(message)
    except Exception:  # noqa: BLE001 - whatever went wrong, the run is done here instead
        return None
    return value if ok else None


def _runs(weights: list[int], jobs: int) -> list[range]:
    """`jobs` consecutive runs of indices of about equal total weight (each at least one item)."""
    total = sum(weights) or 1
    runs: list[range] = []
    start = acc = 0
    for i, w in enumerate(weights):
        acc += w
        left = len(weights) - i - 1
        if len(runs) < jobs - 1 and (acc * jobs >= total * (len(runs) + 1) or left == jobs - 1 - len(runs)) and left:
            runs.append(range(start, i + 1))
            start = i + 1
    runs.append(range(start, len(weights)))
    return runs


def _fork_helper(func: Callable[[Any], Any], items: list[Any], run: range,
                 helpers: list[tuple[int, io.BufferedReader, range]]) -> bool:
    """Fork a process that does `run` of the items and sends the results back, and add it to `helpers`
    (at once, so that it is ended whatever happens next); False if none can be started."""
    def body(ends: list[int]) -> None:
        try:
            payload = pickle.dumps((True, [func(item) for item in items[run.start:run.stop]]), pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - the main process does the run itself, and meets the error there
            payload = pickle.dumps((False, None), pickle.HIGHEST_PROTOCOL)
        with os.fdopen(ends[0], "wb") as out:
            _write_message(out, payload)

    started = _start_child("w", body)
    if started is None:
        return False
    pid, (receive,) = started
    helpers.append((pid, os.fdopen(receive, "rb"), run))
    _widen(receive)
    return True


def _start_child(pipes: str, body: Callable[[list[int]], None], close: list[int] = ()) -> tuple[int, list[int]] | None:  # type: ignore[assignment]
    """Fork a process that runs body(its pipe ends) and ends; (its pid, this process's pipe ends), or None
    when it cannot be started (no file descriptor, memory or process to spare, or a closed stream).

    `pipes` says, for each pipe, whether the child reads ("r") or writes ("w") it. The child ignores
    Ctrl-C (the main process handles it), ends on SIGTERM whatever handler the program had, and closes
    `close` (pipe ends of earlier children) and this process's ends.
    """
    made: list[tuple[int, int]] = []
    try:
        for _ in pipes:
            made.append(os.pipe())
        for stream in (sys.stdout, sys.stderr):  # what is buffered is written once, not once more by the child
            if stream is not None:
                stream.flush()
        pid = os.fork()
    except (OSError, ValueError):
        for ends in made:
            for fd in ends:
                os.close(fd)
        return None
    theirs = [r if way == "r" else w for way, (r, w) in zip(pipes, made)]
    ours = [w if way == "r" else r for way, (r, w) in zip(pipes, made)]
    if pid == 0:  # the child: never returns
        status = 0
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # how the main process stops them
            if callable(signal.getsignal(signal.SIGHUP)):  # the main process's handler (cli.main) is not theirs;
                signal.signal(signal.SIGHUP, signal.SIG_DFL)  # ignored (nohup) stays ignored
            for fd in (*ours, *close):
                os.close(fd)
            body(theirs)
        except BaseException:  # the main process went away (broken pipe) or a signal: nothing to say
            status = 1
        finally:
            os._exit(status)
    for fd in theirs:
        os.close(fd)
    return pid, ours


def _end_child(pid: int, *, stop: bool) -> None:
    """Wait for a child to end; with `stop`, end it now (SIGTERM)."""
    if stop:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


class WatchedInput(io.RawIOBase):
    """A file descriptor to read from that calls `before_wait` when the next read would have to wait for data.

    Used for stdin when it is a pipe or a terminal: what has been read so far is planned and
    written before waiting, so records stream out as the input trickles in.
    """

    def __init__(self, fd: int, before_wait: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.fd = fd
        self.before_wait = before_wait

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self.fd

    def readinto(self, buffer: Any) -> int:
        if self.before_wait is not None:
            ready, _, _ = select.select([self.fd], [], [], 0)
            if not ready:
                self.before_wait()
        return os.readv(self.fd, [buffer])


def stdin_would_wait(fd: int) -> bool:
    """True for a pipe, a terminal or a socket (a read can wait); False for a regular file."""
    import stat

    try:
        return not stat.S_ISREG(os.fstat(fd).st_mode)
    except OSError:
        return False
