"""JSON Lines batches planned by worker processes (--jobs): the same records in the same order as one process,
streaming, --fail-fast, a closed pipe, Ctrl-C, an unreadable input, and a worker that fails."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from advocate_cli import parallel
from advocate_cli.errors import AdvocateError
from tests.conftest import COMPLETE, REPO, write
from tests.test_batch import advocate, profile, read_line, yaml_stream

pytestmark = pytest.mark.skipif(not parallel.fork_is_available(), reason="worker processes need os.fork")

COUNTRIES = ["AL", "MK", "RS", "ME", "BA", "XK", "DE"]


def varied(i: int) -> dict:
    """Profiles that differ in every answer, so that their plans differ too."""
    return profile(
        name=f"p{i}",
        country=COUNTRIES[i % len(COUNTRIES)],
        setting=["urban", "rural", "mixed"][i % 3],
        online_habits=["mostly_online", "mixed", "mostly_offline"][i % 3 - 1],
        budget=["low", "medium", "high"][(i // 3) % 3],
        involves_minors=i % 2 == 0,
        collects_personal_data=i % 5 == 0,
    )


def mixed_stream(n: int, bad_every: int = 37) -> str:
    """n documents, well past one chunk (32), with a bad one now and then and a YAML list among them."""
    parts = []
    for i in range(n):
        if i % bad_every == 5:
            parts.append("---\nname: [unclosed\n" if i % 2 else "---\n" + yaml.safe_dump(profile(budget="huge")))
        elif i == 50:
            parts.append("---\n" + yaml.safe_dump([varied(1000), varied(1001)], sort_keys=False))
        else:
            parts.append("---\n" + yaml.safe_dump(varied(i), sort_keys=False))
    return "".join(parts)


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO / "src")}
    return subprocess.run([sys.executable, "-m", "advocate_cli", *args], input=stdin, capture_output=True,
                          env=env, cwd=REPO, timeout=300, check=False)


def test_workers_write_exactly_what_one_process_writes(tmp_path):
    stream = write(tmp_path / "mixed.yaml", mixed_stream(300))
    rows = write(tmp_path / "rows.jsonl", "".join(json.dumps(varied(i)) + "\n" for i in range(90)) + "{broken\n")
    common = ["plan", "--input", str(stream), "--input", str(rows), "--input", "-", "--format", "jsonl",
              "--set", "issue_sensitivity=high", "--as-of", "2026-11-23"]
    stdin = yaml_stream(*[varied(i) for i in range(500, 580)]).encode()
    one = run(*common, "--jobs", "1", stdin=stdin)
    assert one.returncode == 1  # some documents are bad
    lines = one.stdout.decode().splitlines()
    assert len(lines) == 300 + 1 + 91 + 80  # the YAML list gives two records
    assert sum("error" in json.loads(line) for line in lines) > 5
    for jobs in ("2", "3"):
        many = run(*common, "--jobs", jobs, stdin=stdin)
        assert (many.returncode, many.stdout, many.stderr) == (one.returncode, one.stdout, one.stderr)


def test_fail_fast_stops_at_the_first_bad_profile_in_input_order(tmp_path):
    docs = [varied(i) for i in range(400)]
    docs[150] = profile(name="bad", budget="huge")
    path = write(tmp_path / "p.yaml", yaml_stream(*docs))
    one = run("plan", "--input", str(path), "--format", "jsonl", "--fail-fast", "--jobs", "1")
    two = run("plan", "--input", str(path), "--format", "jsonl", "--fail-fast", "--jobs", "2")
    assert (two.returncode, two.stdout, two.stderr) == (one.returncode, one.stdout, one.stderr)
    records = [json.loads(line) for line in two.stdout.decode().splitlines()]
    assert len(records) == 151 and "error" in records[-1] and records[-1]["source"]["document"] == 151
    assert two.returncode == 1
    assert "planned 150 of 151 profiles; 1 failed" in two.stderr.decode()


def test_an_input_that_cannot_be_read_is_reported_the_same_by_workers(tmp_path):
    path = write(tmp_path / "p.yaml", yaml_stream(*[varied(i) for i in range(100)]))
    missing = ["plan", "--input", str(path), "--input", str(tmp_path / "missing.yaml"), "--format", "jsonl"]
    one, two = run(*missing, "--jobs", "1"), run(*missing, "--jobs", "2")
    assert two.returncode == one.returncode == 2  # found before any profile is planned: nothing written
    assert two.stdout == one.stdout == b"" and "missing.yaml: no such file" in two.stderr.decode()
    # A file that opens but is not UTF-8 text is found when it is reached: its record comes after the others.
    utf16 = tmp_path / "utf16.yaml"
    utf16.write_bytes(yaml_stream(varied(100)).encode("utf-16"))
    args = ["plan", "--input", str(path), "--input", str(utf16), "--format", "jsonl"]
    one, two = run(*args, "--jobs", "1"), run(*args, "--jobs", "2")
    assert two.returncode == one.returncode == 1
    assert two.stdout == one.stdout and len(two.stdout.splitlines()) == 101
    assert "the file is UTF-16 text" in json.loads(two.stdout.splitlines()[-1])["error"]["message"]
    assert "Traceback" not in two.stderr.decode()


@pytest.mark.parametrize("first, second", [
    (json.dumps(COMPLETE) + "\n", json.dumps(profile(name="second")) + "\n"),
    ("---\n" + yaml.safe_dump(COMPLETE, sort_keys=False) + "---\n", yaml.safe_dump(profile(name="second"))),
])
def test_records_stream_out_while_the_input_is_still_open(first, second):
    proc = advocate("plan", "--input", "-", "--format", "jsonl", "--jobs", "2", stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        proc.stdin.write(first.encode())
        proc.stdin.flush()
        line = read_line(proc.stdout, timeout=60)
        assert json.loads(line)["name"] == COMPLETE["name"]
        assert proc.poll() is None
        proc.stdin.write(second.encode())
        proc.stdin.close()
        assert [json.loads(r)["name"] for r in proc.stdout.read().decode().splitlines()] == ["second"]
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_named_pipe_given_as_input_streams_like_stdin(tmp_path, jobs):
    """--input FIFO (or /dev/stdin, or <(command)): each record comes out as its profile arrives, and the end of
    the input is not a crash (such a file has no position to count progress by)."""
    fifo = tmp_path / "profiles.fifo"
    os.mkfifo(fifo)
    proc = advocate("plan", "--input", str(fifo), "--format", "jsonl", "--jobs", jobs,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        with open(fifo, "w", encoding="utf-8") as feed:
            feed.write(json.dumps(COMPLETE) + "\n")
            feed.flush()
            assert json.loads(read_line(proc.stdout, timeout=60))["name"] == COMPLETE["name"]
            assert proc.poll() is None  # the input is still open
            feed.write(json.dumps(profile(name="second")) + "\n")
        assert [json.loads(r)["name"] for r in proc.stdout.read().decode().splitlines()] == ["second"]
        assert proc.wait(timeout=60) == 0
        assert b"Traceback" not in proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()


def test_a_closed_pipe_ends_the_workers_too(tmp_path):
    path = write(tmp_path / "many.yaml", yaml_stream(*[varied(i) for i in range(3000)]))
    proc = advocate("plan", "--input", str(path), "--format", "jsonl", "--jobs", "2",
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert json.loads(read_line(proc.stdout, timeout=60))["name"] == "p0"
    proc.stdout.close()  # like `| head -1`
    stderr = proc.stderr.read().decode()  # ends when every process holding stderr has exited
    assert proc.wait(timeout=120) == 0
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr and "Exception ignored" not in stderr


def test_ctrl_c_stops_every_process_and_keeps_the_previous_output(tmp_path):
    out = write(tmp_path / "plans.jsonl", "the previous good results\n")
    proc = advocate("plan", "--input", "-", "--format", "jsonl", "--jobs", "2", "--output", str(out),
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        proc.stdin.write(yaml_stream(*[varied(i) for i in range(200)]).encode())
        proc.stdin.flush()  # the input stays open: the run is waiting for more
        deadline = time.monotonic() + 60
        while not any(p.name.endswith(".tmp") for p in tmp_path.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        stderr = proc.stderr.read().decode()  # ends when the workers have gone too
        assert proc.wait(timeout=60) == 130
    finally:
        proc.kill()
        proc.wait()
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert out.read_text() == "the previous good results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans.jsonl"]


def _explode(items):
    raise ValueError(f"cannot plan {items!r}")


def test_a_worker_that_fails_is_never_silent():
    pool = parallel.Pool(2, _explode)  # this process and one worker
    try:
        worker = pool.workers[0]
        pool.submit(worker, ["x"])
        with pytest.raises(parallel.WorkerFailed, match=r"ValueError: cannot plan \['x'\]"):
            list(pool.collect(worker))
    finally:
        pool.close()
    assert pool.workers == []


def test_jobs_must_be_at_least_one():
    result = run("plan", "--input", "-", "--format", "jsonl", "--jobs", "0", stdin=b"")
    assert result.returncode == 2 and b"--jobs" in result.stderr


def test_a_worker_that_was_killed_is_reported_not_taken_for_a_closed_pipe():
    pool = parallel.Pool(2, _explode)  # this process and one worker
    try:
        worker = pool.workers[0]
        os.kill(worker.pid, signal.SIGKILL)
        os.waitpid(worker.pid, 0)
        with pytest.raises(parallel.WorkerFailed, match="ended unexpectedly") as caught:
            for _ in range(64):  # the first writes may still fit in the pipe
                pool.submit(worker, ["x" * 4096])
        assert caught.value.exit_code == 2 and "--jobs 1" in str(caught.value)
    finally:
        pool.close()


def test_a_long_yaml_list_is_written_as_it_is_planned_and_the_same(tmp_path):
    docs = yaml_stream(*[varied(i) for i in range(70)])
    long_list = "---\n# a survey export\n" + yaml.safe_dump([varied(i) for i in range(400)], sort_keys=False)
    path = write(tmp_path / "p.yaml", docs + long_list + docs)
    one = run("plan", "--input", str(path), "--format", "jsonl", "--jobs", "1")
    two = run("plan", "--input", str(path), "--format", "jsonl", "--jobs", "2")
    assert (two.returncode, two.stdout, two.stderr) == (one.returncode, one.stdout, one.stderr)
    assert len(two.stdout.splitlines()) == 70 + 400 + 70


@pytest.mark.parametrize("text, expected", [
    ("- a: 1\n", True),
    ("---\n# comment\n\n- a: 1\n", True),
    ("%YAML 1.2\n---\n-\n  a: 1\n", True),
    ("--- [ {a: 1} ]\n", True),
    ("name: x\nlist:\n- a\n", False),
    ("---\n-x: 1\n", False),
    ("# only a comment\n", False),
])
def test_a_document_that_holds_a_list_is_told_from_its_first_line_with_content(text, expected):
    from advocate_cli.yamlio import RawDocument

    assert parallel.holds_a_list(RawDocument(text, "f", 1, 1, False)) is expected
    assert parallel.holds_a_list(RawDocument(text, "f", 1, 1, True)) is False  # a JSON line is one profile


def test_results_come_in_parts_in_order_and_a_list_is_never_held_whole(monkeypatch):
    from advocate_cli.yamlio import RawDocument

    monkeypatch.setattr(parallel, "PART_BYTES", 100)

    def work(items):
        for item in items:
            for n in range(int(item.text.split()[-1]) if item.text.startswith("-") else 1):
                yield True, f"{item.index}.{n}:{'x' * 30}\n".encode(), None

    pool = parallel.Pool(2, work)
    received: list[tuple[int, bytes]] = []
    try:
        in_order = parallel.InOrder(pool, lambda part: received.append((len(part[0]), part[1])), chunk_documents=3)
        items = [RawDocument("a: 1\n", "f", i, i, False) for i in range(1, 10)]
        items.insert(4, RawDocument("- 50\n", "f", 99, 5, False))  # a list of 50 profiles
        in_order.run(items)
    finally:
        pool.close()
    lines = b"".join(r for _, r in received).decode().splitlines()
    order = [line.split(":")[0] for line in lines]
    assert order == ["1.0", "2.0", "3.0", "4.0", *[f"99.{n}" for n in range(50)], "5.0", "6.0", "7.0", "8.0", "9.0"]
    assert sum(n for n, _ in received) == len(lines)
    assert max(len(r) for _, r in received) < 200  # in parts of about PART_BYTES, never all at once


def test_a_worker_that_comes_free_takes_the_rest_of_a_chunk_this_process_is_planning(tmp_path):
    """This process plans a chunk a few documents at a time; a worker that comes free meanwhile takes the rest,
    and the records still come out in input order."""
    import time

    from advocate_cli.yamlio import RawDocument

    main = os.getpid()
    begun = tmp_path / "main-begun"  # this process has begun the second chunk

    def wait_for(ready) -> bool:
        deadline = time.monotonic() + 10
        while not ready() and time.monotonic() < deadline:
            time.sleep(0.005)
        return bool(ready())

    def work(items):
        for item in items:
            if os.getpid() != main:
                if item.index == 6:  # the worker's first chunk ends only once this process has begun the second
                    wait_for(begun.exists)
            elif item.index == 7:
                begun.touch()
            elif item.index > 7:  # the next piece waits until the worker's reply has begun to arrive
                assert wait_for(lambda: pool.ready(pool.workers[0])), "the worker's reply never began within 10 s"
            yield True, f"{item.index}:{'main' if os.getpid() == main else 'worker'}\n".encode(), None

    pool = parallel.Pool(2, work)
    received: list[bytes] = []
    try:
        in_order = parallel.InOrder(pool, lambda part: received.append(part[1]), chunk_documents=6, piece_documents=1)
        in_order.run([RawDocument("a: 1\n", "f", i, i, False) for i in range(1, 19)])
    finally:
        pool.close()
    lines = b"".join(received).decode().splitlines()
    assert [int(line.split(":")[0]) for line in lines] == list(range(1, 19))
    assert [line.split(":")[1] for line in lines[:6]] == ["worker"] * 6
    second = [line.split(":")[1] for line in lines[6:12]]  # the chunk this process began, the worker being busy
    assert second[0] == "main" and "worker" in second  # begun here, finished by the worker


def test_work_is_shared_with_helpers_only_when_no_other_thread_runs(monkeypatch):
    """Forking a process that runs other threads is unsafe (a library user's program): then all is done here."""
    import threading

    monkeypatch.setattr(parallel, "default_jobs", lambda: 2)
    items = list(range(6))
    pids = set(parallel.map_shared(lambda _: os.getpid(), items, [1] * 6, min_weight=1))
    assert os.getpid() in pids and len(pids) == 2  # this process and a helper
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert set(parallel.map_shared(lambda _: os.getpid(), items, [1] * 6, min_weight=1)) == {os.getpid()}
    finally:
        stop.set()
        other.join()


def test_a_helper_that_cannot_start_fails_or_dies_only_means_its_run_is_done_here(monkeypatch):
    monkeypatch.setattr(parallel, "default_jobs", lambda: 3)
    main = os.getpid()

    def square(n):
        if os.getpid() != main and n == 5:
            os._exit(3)  # a helper killed half-way
        if os.getpid() != main and n == 8:
            raise RuntimeError("only in a helper")  # a helper whose work fails
        return n * n

    items = list(range(9))
    want = [n * n for n in items]
    assert parallel.map_shared(square, items, [1] * 9, min_weight=1) == want

    tried = []  # each failure below is met for real, not skipped by a path that never forks

    def no_pipe():
        tried.append("pipe")
        raise OSError(24, "Too many open files")

    with monkeypatch.context() as m:
        m.setattr(os, "pipe", no_pipe)
        assert parallel.map_shared(square, items, [1] * 9, min_weight=1) == want
    assert "pipe" in tried

    def no_fork():
        tried.append("fork")
        raise OSError("no process to spare")

    with monkeypatch.context() as m:
        m.setattr(os, "fork", no_fork)
        assert parallel.map_shared(square, items, [1] * 9, min_weight=1) == want
    assert "fork" in tried


def test_advocate_jobs_sets_how_many_processes_work(monkeypatch):
    monkeypatch.setenv("ADVOCATE_JOBS", "1")
    assert parallel.default_jobs() == 1
    assert set(parallel.map_shared(lambda _: os.getpid(), list(range(6)), [1] * 6, min_weight=1)) == {os.getpid()}
    monkeypatch.setenv("ADVOCATE_JOBS", "3")
    assert parallel.default_jobs() == 3
    assert len(set(parallel.map_shared(lambda _: os.getpid(), list(range(6)), [1] * 6, min_weight=1))) == 3
    monkeypatch.setenv("ADVOCATE_JOBS", "")  # set empty: as if unset
    assert 1 <= parallel.default_jobs() <= parallel.MAX_AUTO_JOBS
    for unusable in ("0", "-2", "two", "65", "1.5", "\u00b2"):  # refused, as --jobs refuses them
        monkeypatch.setenv("ADVOCATE_JOBS", unusable)
        with pytest.raises(AdvocateError, match="is not a number of processes from 1 to 64"):
            parallel.jobs_setting()
        assert parallel.default_jobs() == 1  # where it is read inside (reading rule files): no helpers


@pytest.mark.parametrize("args", [["plan", "--format", "jsonl"], ["plan", "--format", "table"], ["plan", "--summary"],
                                  ["rules", "check"], ["rules", "test"]])
def test_an_unusable_advocate_jobs_is_exit_2_naming_it(cli, monkeypatch, args):
    monkeypatch.setenv("ADVOCATE_JOBS", "0")
    result = cli(*args, input=yaml.safe_dump(COMPLETE))
    assert result.exit_code == 2 and result.stdout == ""
    assert "advocate: error: ADVOCATE_JOBS='0' is not a number of processes from 1 to 64" in result.stderr
    if args[0] == "plan":  # --jobs decides instead
        assert cli(*args, "--jobs", "1", input=yaml.safe_dump(COMPLETE)).exit_code == 0


def test_an_unreadable_reply_or_a_closed_stdout_only_means_the_work_is_done_here(monkeypatch):
    monkeypatch.setattr(parallel, "default_jobs", lambda: 2)
    items = list(range(6))
    replies = []
    with monkeypatch.context() as m:
        m.setattr(parallel, "_read_message", lambda _: replies.append(1) or b"not a pickle")
        assert parallel.map_shared(lambda n: n + 1, items, [1] * 6, min_weight=1) == [n + 1 for n in items]
    assert replies  # a helper's reply was read, and found unreadable
    closed = open(os.devnull, "w")  # noqa: SIM115 - closed at once
    closed.close()
    with monkeypatch.context() as m:
        m.setattr(sys, "stdout", closed)  # flushing it before a fork raises ValueError
        assert set(parallel.map_shared(lambda _: os.getpid(), items, [1] * 6, min_weight=1)) == {os.getpid()}


def test_after_a_worker_fails_nothing_later_is_written():
    """The records written before a worker's failure are an unbroken prefix of the input's: no chunk after
    the failed one is planned and written anyway."""
    from advocate_cli.yamlio import RawDocument

    main = os.getpid()

    def work(items):
        for item in items:
            if os.getpid() != main and item.index == 2:
                raise ValueError("a bug in a worker")
            yield True, f"{item.index}\n".encode(), None

    pool = parallel.Pool(2, work)
    received: list[bytes] = []
    try:
        in_order = parallel.InOrder(pool, lambda part: received.append(part[1]), chunk_documents=2)
        with pytest.raises(parallel.WorkerFailed, match="a bug in a worker"):
            in_order.run([RawDocument("a: 1\n", "f", i, i, False) for i in range(1, 13)])
    finally:
        pool.close(force=True)
    assert b"".join(received).decode().split() == []  # documents 1 and 2 were the worker's: nothing follows them


def test_results_that_fill_a_part_exactly_are_sent_as_that_part_alone(monkeypatch):
    monkeypatch.setattr(parallel, "PART_BYTES", 10)
    assert list(parallel.parts([(True, b"x" * 10, None)])) == [([(True, 10, None)], b"x" * 10)]
    assert list(parallel.parts([])) == [([], b"")]  # nothing planned: still one (empty) part


def test_workers_that_cannot_be_started_leave_the_planning_to_this_process(monkeypatch):
    from advocate_cli.yamlio import RawDocument

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    opened = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    pool = parallel.Pool(3, lambda items: ((True, f"{item.index}\n".encode(), None) for item in items))
    received: list[bytes] = []
    try:
        assert pool.workers == []
        parallel.InOrder(pool, lambda part: received.append(part[1]), chunk_documents=2).run(
            [RawDocument("a: 1\n", "f", i, i, False) for i in range(1, 6)])
    finally:
        pool.close()
    assert b"".join(received).split() == [b"1", b"2", b"3", b"4", b"5"]
    if opened is not None:
        assert len(os.listdir("/proc/self/fd")) == opened  # the pipes made for them are closed again
