"""Work on every core: forked workers that inherit what they work on.

Forked workers read the parent's data (stories, the renderer, jieba's dictionary
with the glossary words) as it is; only indices go to them and results come
back. Where fork is missing, or the work is small, it runs in this process.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import gc
import os
import pickle
import select
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from itertools import islice
from typing import Generic, TypeVar

from briefing.errors import log

Item = TypeVar("Item")
Result = TypeVar("Result")

# Below this many items, starting workers costs more than it saves.
PARALLEL_FROM = 64
# Chunks queued or done ahead of the caller, a worker: enough to keep it busy, few
# enough that results the caller has not taken yet (pages, index entries) do not pile
# up in its memory while it is the slower side.
AHEAD = 16

_WORK: tuple[Callable, Sequence] | None = None  # what forked workers inherit


def _run(start: int, stop: int) -> list:
    function, items = _WORK  # type: ignore[misc]
    return [function(items[i]) for i in range(start, stop)]


def _chunks(
    items: Sequence[Item], chunksize: int, size: Callable[[Item], int] | None
) -> Iterator[tuple[int, int]]:
    """(start, stop) of each chunk of items, in order (see map_forked); with no `size`,
    each item is one item's worth."""
    start, held = 0, 0
    for i, item in enumerate(items):
        worth = size(item) if size else 1
        if i > start and held + worth > chunksize:
            yield start, i
            start, held = i, 0
        held += worth
    if start < len(items):
        yield start, len(items)


def _start_worker(parent: int) -> None:
    """In each worker, first: it collects its own garbage (the build does not: see
    pipeline.uncollected), and it dies with the build. A killed build's workers
    would otherwise wait for work for ever, holding the build's lock.

    Collections come after 50,000 new objects, not 700: a page or an index entry makes
    thousands and leaves next to no cycles, and the frequent ones were 1.5% of the
    workers' time (their peak memory the same)."""
    gc.enable()
    gc.set_threshold(50_000, 50, 100)
    _die_with(parent)


def _die_with(parent: int) -> None:
    with contextlib.suppress(OSError, AttributeError):  # not Linux: they outlive it
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build died before the line above
        os._exit(1)


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def give_back_free_heap() -> None:
    """The heap's free pages go back to the system (glibc's malloc_trim): before
    forking, and when a process is done with the pages. Writing thousands of pages
    leaves holes in the heap (70-85 MB at 10,000 articles) that a worker would hold as
    its own memory from the start, and that the search stage's arrays, mapped apart
    from the heap, never reuse: this cut that build's peak by about 60 MB. Without
    glibc, nothing."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def forks(count: int, parallel_from: int | None = None) -> bool:
    """Whether map_forked forks workers for this many items."""
    threshold = PARALLEL_FROM if parallel_from is None else parallel_from
    return count >= threshold and cores() >= 2 and hasattr(os, "fork")


def map_forked(
    function: Callable[[Item], Result],
    items: Sequence[Item],
    what: str,
    chunksize: int = 16,
    parallel_from: int | None = None,
    before_fork: Callable[[], object] | None = None,
    size: Callable[[Item], int] | None = None,
    helper: Helper | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> Iterator[Result]:
    """function(item) for each item, in order, on every core when there are many.
    `what` names the items for the log (-v): "12 pages on 2 cores". `before_fork` runs
    first when workers will be forked: what it loads, every worker shares instead of
    each loading it again. Few items are worked on by `helper` when one is given (it
    has loaded what they need already), else in this process. A worker's results go
    back a chunk at a time: `size`, when items differ much in how large a result they
    make, says how many items' worth each is, and a chunk holds at most `chunksize`
    worth (an item larger than that, alone). `meanwhile` runs here once the workers
    have their first chunks, when there are workers: what this process would otherwise
    do later, alone, while it waited for them now."""
    global _WORK
    workers = min(cores(), 8)
    if not forks(len(items), parallel_from):
        done = helper.map(function, items) if helper and items else None
        yield from map(function, items) if done is None else done
        return
    log.debug("%d %s on %d cores", len(items), what, workers)
    if before_fork:
        before_fork()
    give_back_free_heap()
    _WORK = (function, items)
    # What the workers inherit, their collector leaves alone: it would write to every
    # inherited object it visits, and each page it writes to is copied into the worker.
    gc.freeze()
    try:
        # Only when there is much to do: an editor's build imports neither.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_start_worker,
            initargs=(os.getpid(),),
        ) as pool:
            _widen_pipe(pool)
            chunks = _chunks(items, chunksize, size)
            queued = deque(pool.submit(_run, *chunk) for chunk in islice(chunks, workers * AHEAD))
            # The pool's thread that hands the work out: joined at the end (see below).
            manager = getattr(pool, "_executor_manager_thread", None)
            handing_out = True
            try:
                if meanwhile:
                    meanwhile()
                while queued:
                    done = queued.popleft().result()
                    if handing_out:
                        more = [pool.submit(_run, *chunk) for chunk in islice(chunks, 1)]
                        queued.extend(more)
                        if not more:
                            # All handed out: the workers end once they are done, not when
                            # the caller closes this (a full build's search index closes it
                            # after its last entry: it waited 8-13 ms for them then).
                            handing_out = False
                            pool.shutdown(wait=False)
                    yield from done
            finally:  # stopped early, or a worker failed: the rest is not wanted
                for future in queued:
                    future.cancel()
                if not handing_out and manager is not None:
                    manager.join()  # (shutdown without waiting let go of it: the with won't)
    finally:
        _WORK = None


def _widen_pipe(pool: object) -> None:
    """The pipe the workers send their results through, as wide as Linux lets it be
    (1 MB, not 64 KB): a chunk of pages is several hundred KB, and each 64 KB read made
    the main process allocate a buffer for the rest of the message (os.read of
    `remaining` bytes) and return it. Elsewhere, or if the pool is made otherwise, as it is."""
    with contextlib.suppress(AttributeError, OSError):
        reader = pool._result_queue._reader  # type: ignore[attr-defined]
        fcntl.fcntl(reader.fileno(), _F_SETPIPE_SZ, _PIPE_SIZE)


_F_SETPIPE_SZ = 1031  # linux/fcntl.h
_PIPE_SIZE = 1 << 20  # /proc/sys/fs/pipe-max-size, by default


def _fork(work: Callable[[], object], theirs: tuple[int, ...], ours: tuple[int, ...]) -> int | None:
    """A child process that closes `ours` (this process' ends of the pipes), dies with
    this process, does `work` and exits; here, `theirs` are closed and the child's pid
    returned. None, every end closed, when fork fails."""
    parent = os.getpid()
    try:
        pid = os.fork()
    except OSError:
        for end in (*theirs, *ours):
            os.close(end)
        return None
    if pid == 0:  # the child: nothing of the parent's is cleaned up or flushed here
        status = 1
        try:
            for end in ours:
                os.close(end)
            _die_with(parent)
            work()
            status = 0
        finally:
            os._exit(status)
    for end in theirs:
        os.close(end)
    return pid


def _answer(function: Callable[..., object], args: tuple, pipe: int) -> None:
    """(In a Forked child) what function(*args) returned, pickled into the pipe."""
    data = pickle.dumps(function(*args), protocol=pickle.HIGHEST_PROTOCOL)
    with open(pipe, "wb") as answer:
        answer.write(data)


class Forked(Generic[Result]):
    """function(*args) run in a forked process while this one goes on (the work must
    wait on the system, stat'ing files, say, and not need this process' locks or
    connections): result() waits for what it returned. None where fork is missing or
    the work failed: the caller then does it itself. close() stops it if still running."""

    def __init__(
        self,
        function: Callable[..., Result],
        *args: object,
        theirs: tuple[int, ...] = (),
        ours: tuple[int, ...] = (),
    ):
        """`theirs` and `ours`: more pipe ends, the child's and this process's (_fork:
        each side closes the other's); all are closed if the fork fails."""
        self._pid: int | None = None
        self._pipe = -1
        if not hasattr(os, "fork"):
            return
        read, write = os.pipe()
        pid = _fork(
            partial(_answer, function, args, write), theirs=(write, *theirs), ours=(read, *ours)
        )
        if pid is not None:
            self._pid, self._pipe = pid, read

    @property
    def started(self) -> bool:
        """Is the child there (forked, and neither waited for nor closed yet)?"""
        return self._pid is not None

    def result(self) -> Result | None:
        if self._pid is None:
            return None
        try:
            with open(self._pipe, "rb") as pipe:
                data = pipe.read()
        finally:
            os.waitpid(self._pid, 0)
            self._pid = None
        try:
            return pickle.loads(data)
        except Exception:  # the work failed: nothing (or half of it) was written
            return None

    def close(self) -> None:
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            os.close(self._pipe)
            os.waitpid(self._pid, 0)
            self._pid = None


class Ahead(Generic[Item, Result]):
    """function(item) for each item in turn, by a forked process, until stop(): what it
    made by then, the results of the first items, in order; the caller makes the rest.
    For work that is ready while the caller still works alone, a core idle (a first
    build's search entries, once the stories have their tags: see pipeline). Nothing
    where fork is missing or the work failed there: the caller then makes them all.
    A Forked whose child also watches a pipe this process closes to stop it."""

    def __init__(self, function: Callable[[Item], Result], items: Sequence[Item]):
        self.items = items
        self._work: Forked[list[Result]] | None = None
        if not hasattr(os, "fork"):
            return
        stop_read, self._stop = os.pipe()
        work = Forked(
            _work_ahead, function, items, stop_read, theirs=(stop_read,), ours=(self._stop,)
        )
        if work.started:  # (else both ends are closed)
            self._work = work

    def stop(self) -> list[Result]:
        """The results made so far (of items[:len(results)]); then it is gone."""
        work, self._work = self._work, None
        if work is None:
            return []
        os.close(self._stop)  # (it looks for the end of this pipe between items)
        results = work.result()
        return results if isinstance(results, list) else []

    def close(self) -> None:
        """Stop it without its results (the build ended before it wanted them)."""
        work, self._work = self._work, None
        if work is not None:
            work.close()
            os.close(self._stop)


def _work_ahead(function: Callable, items: Sequence, stop: int) -> list:
    """(In an Ahead's process) the items' results until the parent closes `stop`."""
    stopped = select.poll()
    stopped.register(stop, select.POLLIN)  # (the end of the pipe reads as ready)
    results = []
    for item in items:
        if stopped.poll(0):
            break
        results.append(function(item))
    return results


class Helper:
    """A forked process started before its work is known, that does it when asked
    (map). What it loads first (`prepare`) it loads while this process goes on: jieba's
    dictionary takes 0.2 s, most of what segmenting the one article an editor added
    costs, and the build reads the other articles meanwhile. map() returns None when
    the helper is gone or the work failed there: the caller then does it itself.
    One process asks it at a time: a request and its reply share the pipes. `later`:
    more to load, once it has answered its first request (what the first asks for is
    waited for: it comes first), before the next one."""

    def __init__(self, prepare: Callable[[], object], later: Callable[[], object] | None = None):
        self._pid: int | None = None
        self._awaited: Answer | None = None  # the answer of the request the helper works on
        if not hasattr(os, "fork"):
            return
        requests, to_child = os.pipe()
        from_child, replies = os.pipe()
        pid = _fork(
            partial(_serve, prepare, requests, replies, later),
            theirs=(requests, replies),
            ours=(to_child, from_child),
        )
        if pid is None:
            return
        self._pid = pid
        # Open while the helper lives: close() closes them.
        self._to_child = open(to_child, "wb")  # noqa: SIM115
        self._from_child = open(from_child, "rb")  # noqa: SIM115

    def map(self, function: Callable[[Item], Result], items: Sequence[Item]) -> list[Result] | None:
        """[function(item) for item in items], worked out by the helper (None: not done)."""
        return self.ask(function, items).result()

    def ask(self, function: Callable[[Item], Result], items: Sequence[Item]) -> Answer[Result]:
        """map(), without waiting: the helper works while this process goes on, and the
        answer's result() waits for what it made. Anything asked or told of the helper
        after this waits for this answer first (one request at a time)."""
        answer: Answer[Result] = Answer(self)
        if self._send((function, list(items), True)):
            self._awaited = answer
        else:
            answer.done = True  # (its result is None)
        return answer

    def _collect(self) -> None:
        """Read the reply the helper owes, into the answer waiting for it."""
        answer, self._awaited = self._awaited, None
        if answer is None:
            return
        answer.done = True
        try:
            done, results = pickle.load(self._from_child)
        except Exception:  # it died (a reply cut short): not asked again
            self.close()
            return
        answer.results = results if done else None

    def tell(self, function: Callable[..., object], *args: object) -> None:
        """Have the helper run function(*args) before what it is asked next, without
        waiting for it (a setting this process has decided: the glossary's words). If it
        fails there, the helper does nothing more it is asked (map gives None)."""
        self._send((function, args, False))

    def _send(self, request: tuple) -> bool:
        self._collect()
        if self._pid is None:
            return False
        try:
            pickle.dump(request, self._to_child, pickle.HIGHEST_PROTOCOL)
            self._to_child.flush()
        except Exception:  # it died (a broken pipe): not asked again
            self.close()
            return False
        return True

    def close(self) -> None:
        if self._awaited is not None:  # never answered: its result is None
            self._awaited.done, self._awaited = True, None
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            # A request it died before reading is still in the buffer: closing tries to
            # write it again, to a broken pipe (the file is closed all the same).
            with contextlib.suppress(OSError):
                self._to_child.close()
            self._from_child.close()
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._pid, 0)
            self._pid = None


class Answer(Generic[Result]):
    """What Helper.ask will have: result() waits for it (None: the helper did not do it)."""

    def __init__(self, helper: Helper):
        self._helper = helper
        self.done = False
        self.results: list[Result] | None = None

    def result(self) -> list[Result] | None:
        if not self.done:
            self._helper._collect()
        return self.results


def _serve(
    prepare: Callable[[], object],
    requests: int,
    replies: int,
    later: Callable[[], object] | None = None,
) -> None:
    """(In the helper) prepare, then answer each request until the parent closes its end,
    `later` after the first answer. Once preparing or something it was told failed, it
    answers every request with "not done": what it would work out might not be what the
    parent would (what `later` loads is only loaded ahead: its failure changes nothing)."""
    with open(requests, "rb") as asked, open(replies, "wb") as answers:
        able = True
        try:
            prepare()
        except Exception:
            able = False
        while True:
            try:
                function, items, reply_wanted = pickle.load(asked)
            except EOFError:
                return
            reply: tuple[bool, list | None] = (False, None)
            if able:
                try:
                    if reply_wanted:
                        reply = (True, [function(item) for item in items])
                    else:
                        function(*items)
                except Exception:  # a failed map fails alone; a failed setting, all after it
                    able = reply_wanted
            if reply_wanted:
                pickle.dump(reply, answers, pickle.HIGHEST_PROTOCOL)
                answers.flush()
                if later is not None:
                    with contextlib.suppress(Exception):
                        later()
                    later = None
