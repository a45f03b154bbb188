"""Faults: builds killed half-way, two builds at once, a full disk, damaged caches, odd files."""

from __future__ import annotations

import errno
import fcntl
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import REPO, children_of
from .site_helpers import comparable, snapshot

sys.path.insert(0, str(REPO / "bench"))


def build_process(root: Path) -> subprocess.Popen:
    code = f"import sys; from pathlib import Path; from briefing.cli import main; sys.exit(main(['-q'], root=Path({str(root)!r})))"
    return subprocess.Popen([sys.executable, "-c", code], cwd=REPO)


@pytest.mark.slow
def test_a_build_killed_at_any_point_leaves_a_whole_site(tmp_path):
    from corpus import make_corpus

    root = make_corpus(40, tmp_path / "corpus")
    extra = {
        lang: (root / "content" / lang / f"{name}")
        for lang in ("zh", "en")
        for name in [sorted(p.name for p in (root / "content" / "zh").iterdir())[0]]
    }
    saved = {lang: path.read_text(encoding="utf-8") for lang, path in extra.items()}

    def set_state(with_extra: bool) -> None:
        for lang, path in extra.items():
            if with_extra:
                path.write_text(saved[lang], encoding="utf-8")
            else:
                path.unlink(missing_ok=True)

    # How long a whole build takes as a subprocess (Python start-up included),
    # so that the kills below fall anywhere in it: the longer of the two rebuilds
    # killed below (taking the article away, and putting it back).
    assert build_process(root).wait() == 0  # the first build also fills the caches
    full = comparable(root / "site")
    durations = []
    for with_extra in (False, True):
        set_state(with_extra)
        start = time.perf_counter()
        assert build_process(root).wait() == 0
        durations.append(time.perf_counter() - start)
        if not with_extra:
            without = comparable(root / "site")
    assert full != without and comparable(root / "site") == full
    duration = max(durations)

    # Kill moments spread over the whole build (and a little past it), in a shuffled
    # order. Each build is given the content the site does not show (so it has work
    # to do, rather than finding nothing changed). A kill that comes after its build
    # ended kills nothing, so the attempts go on until eight have landed inside one.
    moments = [duration * (0.05 + 1.1 * k / 9) for k in range(10)]
    random.Random(20).shuffle(moments)
    site_now, kills_inside = full, 0
    for attempt in range(24):
        set_state(site_now == without)
        process = build_process(root)
        time.sleep(moments[attempt % len(moments)])
        process.send_signal(signal.SIGKILL)
        process.wait()
        site_now = comparable(root / "site")
        assert site_now in (full, without), f"attempt {attempt}: a mixed site"
        kills_inside += process.returncode == -signal.SIGKILL
        if kills_inside == 8:
            break
    assert kills_inside == 8
    # Then builds that are not killed finish from whatever was left, to either content
    # (each in a process of its own: nothing of this test process's state comes in).
    for with_extra in (site_now == without, site_now != without):
        set_state(with_extra)
        assert build_process(root).wait() == 0
        assert comparable(root / "site") == (full if with_extra else without)
    assert not [p for p in root.iterdir() if p.name.startswith(".site-")]
    # A killed build's forked workers die with it (they held its lock, waiting for ever).
    assert not processes_of(root)


def processes_of(root: Path) -> list[str]:
    """The running processes whose command line names this folder."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone, or not a process
            continue
        if entry.name.isdigit() and str(root) in command:
            found.append(f"{entry.name}: {command}")
    return found


def test_two_builds_at_once_are_refused(seeded_project, run):
    lock = seeded_project / ".cache" / "build.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        handle.write("4242")
        handle.flush()
        status, out = run(seeded_project)
        fcntl.flock(handle, fcntl.LOCK_UN)
    assert status == 1
    assert (
        out.strip()
        == "error: .cache/build.lock: another build is running (pid 4242); try again when it ends"
    )
    assert not list((seeded_project / "content" / "zh").glob("*.md"))  # it did nothing
    assert run(seeded_project)[0] == 0  # once the other build is done


def test_a_full_disk_is_a_clear_error_and_the_site_stays(seeded_project, run, monkeypatch):
    assert run(seeded_project)[0] == 0
    before = snapshot(seeded_project / "site")
    real_open = os.open

    def full_disk(path, flags, *args, **kwargs):
        if "site-previous" in str(path) and flags & os.O_CREAT:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, flags, *args, **kwargs)

    # The disk is full when the new site is written (into the previous copy).
    monkeypatch.setattr(os, "open", full_disk)
    (seeded_project / "content" / "zh" / "new.md").write_text(
        "---\ntitle: 新\n---\n\n正文。\n", encoding="utf-8"
    )
    status, out = run(seeded_project)
    assert status == 1
    assert (
        out.strip().splitlines()[-1]
        == "error: site: cannot write the site: No space left on device"
    )
    assert snapshot(seeded_project / "site") == before
    assert not [p for p in seeded_project.iterdir() if p.name.startswith(".site-")]


def test_an_unwritable_site_folder_is_a_clear_error(seeded_project, run, monkeypatch):
    real_open, real_unlink = os.open, os.unlink

    def refuse(real):
        def refused(path, *args, **kwargs):
            if "site-previous" in str(path):
                raise PermissionError(errno.EACCES, "Permission denied")
            return real(path, *args, **kwargs)

        return refused

    assert run(seeded_project)[0] == 0
    before = snapshot(seeded_project / "site")
    article = next((seeded_project / "content" / "zh").glob("*.md"))
    article.write_text(article.read_text(encoding="utf-8") + "\n新的一段。\n", encoding="utf-8")
    # The writer cannot change the copy it makes the new site in: not writable.
    monkeypatch.setattr(os, "open", refuse(real_open))
    monkeypatch.setattr(os, "unlink", refuse(real_unlink))
    status, out = run(seeded_project)
    assert status == 1
    assert out.strip().splitlines()[-1] == "error: site: cannot write the site: Permission denied"
    assert snapshot(seeded_project / "site") == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            "标题\n\n第一段正文，UTF-8。\n".encode() + "第二段是GBK编码的文字。\n".encode("gbk"),
            "mixed or invalid text encoding: UTF-8 elsewhere, but not at line 4",
        ),
        (
            "标题\n\n正文里有一个坏字节".encode() + b"\xff" + "，其余都是UTF-8。\n".encode(),
            "mixed or invalid text encoding: UTF-8 elsewhere, but not at line 3",
        ),
        (b"x" * 21_000_000, "file is 21,000,000 bytes; raw articles are limited to 5,000,000"),
        ("只有标题\n".encode(), "no article text found (no run of prose on the page)"),
    ],
)
def test_odd_raw_files_get_one_line(project, run, data, message):
    (project / "content" / "raw" / "odd.txt").write_bytes(data)
    status, out = run(project)
    assert status == 0
    assert out.strip().splitlines()[0].startswith("error: content/raw/odd.txt: " + message)


def test_utf16_file_with_bom_is_read(project, run):
    text = (REPO / "tests" / "pages" / "portal-no-date.txt").read_text(encoding="utf-8")
    (project / "content" / "raw" / "utf16.txt").write_bytes(text.encode("utf-16"))
    assert run(project)[0] == 0
    (article,) = (project / "content" / "zh").glob("*.md")
    assert "title: 太原：老旧小区改造惠及三万户居民" in article.read_text(encoding="utf-8")


def test_a_very_long_single_line_is_ingested(project, run):
    line = "长句子没有换行，" * 40_000 + "最后结束。"
    (project / "content" / "raw" / "long.txt").write_text(f"一个标题\n\n{line}\n", encoding="utf-8")
    start = time.perf_counter()
    assert run(project)[0] == 0
    assert time.perf_counter() - start < 60  # a guard against runaway regexes, not a benchmark
    (article,) = (project / "content" / "zh").glob("*.md")
    assert len(article.read_text(encoding="utf-8")) > 300_000


@pytest.mark.parametrize(
    ("name", "front_matter", "message"),
    [
        ("a.md", "id: ../../etc/passwd\ntitle: 标题", "is not a lowercase ASCII slug"),
        ("b.md", "id: a/b\ntitle: 标题", "is not a lowercase ASCII slug"),
        ("文章.md", "title: 标题", "is not a lowercase ASCII slug"),
        ("c.md", "title: 标题\ntags: 单个标签", "tags should be a list"),
        (
            "d.md",
            "title: 标题\nfavourite_colour: red",
            "unknown front-matter key 'favourite_colour'",
        ),
        ("e.md", "title: [标题, 列表]", "front-matter has no title"),
    ],
)
def test_front_matter_with_wrong_ids_types_and_keys(project, run, name, front_matter, message):
    (project / "content" / "zh" / name).write_text(
        f"---\n{front_matter}\n---\n\n正文。\n", encoding="utf-8"
    )
    status, out = run(project)
    assert status == 0
    line = next(line for line in out.splitlines() if line.startswith(("error:", "warning:")))
    assert line.startswith((f"error: content/zh/{name}: ", f"warning: content/zh/{name}: "))
    assert message in line
    assert "Traceback" not in out
    assert run(project, "--strict")[0] == 1
    if "../" in front_matter:
        assert not list((project / "site").rglob("passwd*"))


def test_the_workers_of_a_killed_build_die_with_it(tmp_path):
    """Forked workers wait for work from the build: if it is killed they must not wait
    for ever (they would hold its lock, and the next build be refused)."""
    from briefing.parallel import cores

    if cores() < 2:
        pytest.skip("one core: no workers")
    script = (
        "import sys, time\n"
        "from briefing.parallel import map_forked\n"
        "def nap(x):\n"
        "    time.sleep(0.05)\n"
        "    return x\n"
        "for _ in map_forked(nap, list(range(2000)), 'naps', chunksize=1):\n"
        "    print('one', flush=True)\n"
    )
    build = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert build.stdout is not None
    build.stdout.readline()  # the workers are at work
    workers = children_of(build.pid)
    assert len(workers) >= 2
    build.kill()
    build.wait()
    build.stdout.close()
    deadline = time.monotonic() + 10
    while [w for w in workers if Path(f"/proc/{w}").exists()] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [w for w in workers if Path(f"/proc/{w}").exists()]


def _mark(item: tuple[str, int]) -> int:
    folder, number = item
    Path(folder, str(number)).touch()
    return number


def test_workers_stay_only_a_few_chunks_ahead_of_the_caller(tmp_path):
    """Results the caller has not taken wait in its memory: while it is busy with one
    (writing shards, say), the workers stop after a few chunks instead of doing all."""
    from briefing import parallel

    if parallel.cores() < 2:
        pytest.skip("one core: no workers")
    items = [(str(tmp_path), n) for n in range(3000)]
    made = parallel.map_forked(_mark, items, "marks", chunksize=4)
    assert next(made) == 0
    time.sleep(1.0)  # the caller is busy: the workers have time for all 3,000
    started = len(list(tmp_path.iterdir()))
    most = (min(parallel.cores(), 8) * parallel.AHEAD + 2) * 4
    assert started <= most
    assert list(made) == list(range(1, 3000))  # then the rest, in order


def test_the_caller_works_meanwhile_while_the_workers_start(tmp_path):
    """map_forked's `meanwhile` runs once, in the caller, while the workers work on
    their first chunks; with few items (no workers) it does not run."""
    from briefing import parallel

    if parallel.cores() < 2:
        pytest.skip("one core: no workers")
    seen: list[int] = []

    def meanwhile() -> None:  # waits until a worker has marked an item
        deadline = time.monotonic() + 30
        while not any(tmp_path.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.01)
        seen.append(len(list(tmp_path.iterdir())))

    items = [(str(tmp_path), n) for n in range(200)]
    made = parallel.map_forked(_mark, items, "marks", chunksize=4, meanwhile=meanwhile)
    assert list(made) == list(range(200))
    assert len(seen) == 1 and seen[0] > 0
    made = parallel.map_forked(_mark, items[:3], "marks", meanwhile=meanwhile)
    assert list(made) == [0, 1, 2] and len(seen) == 1


def _nap(n: int) -> int:
    time.sleep(0.02)
    return n


def test_workers_given_all_their_work_end_without_being_waited_for():
    """Once every chunk is handed out the pool is told to end when its work is done:
    a caller that takes the results and stops there (the search index after its last
    entry), or stops earlier, leaves no thread or worker behind."""
    import threading

    from briefing import parallel

    if parallel.cores() < 2:
        pytest.skip("one core: no workers")
    threads, children = set(threading.enumerate()), set(children_of(os.getpid()))
    for items, taken in ((list(range(200)), 3), (list(range(12)), 3), (list(range(12)), 12)):
        made = parallel.map_forked(_nap, items, "naps", chunksize=1, parallel_from=2)
        assert [next(made) for _ in range(taken)] == items[:taken]
        made.close()
        assert set(threading.enumerate()) <= threads  # (other tests' may be running)
        assert set(children_of(os.getpid())) <= children


def test_chunks_hold_at_most_their_size_of_items():
    """A worker sends a chunk's results back at once: pages listing thousands of stories
    (megabytes each) go in chunks of their own, not 32 together."""
    from briefing import parallel

    sizes = [1, 1, 9, 1, 1, 1, 1, 1, 2]
    assert list(parallel._chunks(sizes, 4, lambda s: s)) == [(0, 2), (2, 3), (3, 7), (7, 9)]
    assert list(parallel._chunks(list(range(10)), 4, None)) == [(0, 4), (4, 8), (8, 10)]
    assert list(parallel._chunks([], 4, lambda s: s)) == []
    if parallel.cores() >= 2:  # and the workers do every item, in order
        items = [n % 50 for n in range(500)]
        made = parallel.map_forked(abs, items, "numbers", chunksize=8, size=lambda n: 1 + n)
        assert list(made) == items


def _stat_sizes(paths: list[str]) -> list[int]:
    return [os.stat(p).st_size for p in paths]


def test_work_forked_aside_gives_its_result_or_none(tmp_path):
    """parallel.Forked: what the child returned; None when it failed; close() stops a
    child still at work, and no child is left behind."""
    from briefing.parallel import Forked

    (tmp_path / "a").write_text("abc")
    assert Forked(_stat_sizes, [str(tmp_path / "a")]).result() == [3]
    assert Forked(_stat_sizes, [str(tmp_path / "missing")]).result() is None
    slow = Forked(time.sleep, 60)
    pid = slow._pid
    slow.close()
    assert pid is not None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: not a zombie


def _square_slowly(n: int) -> int:
    if n < 0:
        raise ValueError(n)
    time.sleep(0.01)
    return n * n


def test_work_ahead_gives_the_results_of_the_first_items_in_order(tmp_path):
    """parallel.Ahead: stopped, the results it made by then, those of the first items in
    order (all of them once it is done); [] when the work failed; close() stops it
    without results; no child is left behind."""
    from briefing.parallel import Ahead

    done = Ahead(_square_slowly, [1, 2, 3])
    time.sleep(0.5)  # (enough for the three)
    assert done.stop() == [1, 4, 9]
    early = Ahead(_square_slowly, list(range(1000)))
    time.sleep(0.2)
    made = early.stop()
    assert 0 < len(made) < 1000 and made == [n * n for n in range(len(made))]
    assert early.stop() == []  # (stopped: nothing more)
    assert Ahead(_square_slowly, [-1, 1, 2]).stop() == []  # failed (or stopped first)
    left = Ahead(_square_slowly, list(range(1000)))
    assert left._work is not None
    pid = left._work._pid
    left.close()
    assert pid is not None and left._work is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaped: not a zombie


_PREPARED: list[int] = []


def _prepare_helper() -> None:
    _PREPARED.append(os.getpid())


def _where_prepared(n: int) -> tuple[int, int, list[int]]:
    """In the helper: the number squared, this process, and where prepare() ran."""
    if n < 0:
        raise ValueError(n)
    return n * n, os.getpid(), list(_PREPARED)


def test_a_helper_does_the_work_it_is_given_in_the_process_it_prepared(tmp_path):
    """parallel.Helper: calls run in one forked process, after its prepare(); a call that
    fails there, or a helper that died, gives None (the caller does the work itself),
    and map_forked hands few items to a helper; close() leaves no process behind."""
    from briefing.parallel import Helper, map_forked

    helper = Helper(_prepare_helper)
    try:
        done = helper.map(_where_prepared, [1, 2, 3])
        assert [n for n, _, _ in done] == [1, 4, 9]
        pids = {pid for _, pid, _ in done}
        assert len(pids) == 1 and os.getpid() not in pids
        assert all(prepared == list(pids) for _, _, prepared in done)  # prepared there, once
        assert _PREPARED == []  # not here
        assert helper.map(_where_prepared, [1, -1]) is None  # it failed there
        assert [pid for _, pid, _ in map_forked(_where_prepared, [5], "x", helper=helper)] == [
            *pids
        ]
        (pid,) = pids
        os.kill(pid, signal.SIGKILL)  # it dies: map finds out, and map_forked works here
        # Dead (not yet reaped) before it is asked: the request meets a broken pipe.
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)
        assert helper.map(_where_prepared, [2]) is None
        assert [pid for _, pid, _ in map_forked(_where_prepared, [5], "x", helper=helper)] == [
            os.getpid()
        ]
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reaped when map found it dead: not a zombie
    finally:
        helper.close()


_LOADED_LATER: list[str] = []


def _load_later() -> None:
    _LOADED_LATER.append("loaded")


def _fail_later() -> None:
    raise RuntimeError("cannot load")


def _loaded_later(_: object) -> list[str]:
    return list(_LOADED_LATER)


def test_a_helper_loads_what_can_wait_after_its_first_answer():
    """Helper(prepare, later): the first request is answered after prepare() alone
    (what it asks for is waited for), `later` runs before the second one; what it was
    told does not count as the first request, and a `later` that fails changes nothing."""
    from briefing.parallel import Helper

    helper = Helper(_prepare_helper, _load_later)
    try:
        helper.tell(_load_nothing)
        assert helper.map(_loaded_later, [1]) == [[]]
        assert helper.map(_loaded_later, [1, 2]) == [["loaded"], ["loaded"]]
        assert helper.map(_loaded_later, [1]) == [["loaded"]]  # (once)
    finally:
        helper.close()
    failing = Helper(_prepare_helper, _fail_later)
    try:
        assert failing.map(_loaded_later, [1]) == [[]]
        assert failing.map(_where_prepared, [3])[0][0] == 9
    finally:
        failing.close()


def _load_nothing() -> None:
    pass


def _pid_of(_: object) -> int:
    return os.getpid()


def _slowly(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_a_helper_that_dies_while_it_works_gives_no_answer():
    """The other way a helper dies: after it read the request, before it replied (the
    reply is cut short); the answer is None and the helper is not asked again."""
    from briefing.parallel import Helper

    helper = Helper(lambda: None)
    try:
        (pid,) = helper.map(_pid_of, [0])
        answer = helper.ask(_slowly, [30.0])
        os.kill(pid, signal.SIGKILL)
        assert answer.result() is None
        assert helper.map(_slowly, [0.0]) is None
    finally:
        helper.close()


_TOLD: list[str] = []


def _told(*words: str) -> None:
    if not words:
        raise ValueError("nothing to tell")
    _TOLD[:] = words


def _what_was_told(_: object) -> list[str]:
    return list(_TOLD)


def test_a_helper_told_a_setting_uses_it_and_one_it_could_not_take_does_nothing_more():
    """Helper.tell: run in the helper before what it is asked next, nothing waited
    for; once a setting fails there, every later map gives None (the caller works)."""
    from briefing.parallel import Helper

    helper = Helper(_prepare_helper)
    try:
        helper.tell(_told, "智创谷", "晋创谷")
        assert helper.map(_what_was_told, [0]) == [["智创谷", "晋创谷"]]
        assert _TOLD == []  # there, not here
        helper.tell(_told)  # fails there
        assert helper.map(_what_was_told, [0]) is None
        assert helper.map(_where_prepared, [1]) is None
    finally:
        helper.close()


def test_a_helper_asked_without_waiting_answers_in_order():
    """Helper.ask: the helper works while the caller goes on; result() waits for it, and
    whatever is asked or told next first takes that answer in (one request at a time).
    An answer never given (the helper closed meanwhile) is None."""
    from briefing.parallel import Helper

    helper = Helper(_prepare_helper)
    try:
        first = helper.ask(_where_prepared, [2, 3])
        second = helper.ask(_where_prepared, [4])  # takes the first answer in, then asks
        assert first.done and not second.done
        assert [n for n, _, _ in second.result()] == [16]
        assert [n for n, _, _ in first.result()] == [4, 9]
        assert helper.ask(_where_prepared, [-1]).result() is None  # it failed there
        waiting = helper.ask(_where_prepared, [5])
    finally:
        helper.close()
    assert waiting.result() is None


def test_a_site_file_changed_by_hand_is_made_again(tmp_path):
    """site/'s files are looked at (by a forked process, while the build works) before
    one is kept: a page edited or deleted by hand is made again."""
    from briefing.cli import main

    from .site_helpers import build_copy_of_repo

    site = build_copy_of_repo(tmp_path)
    page = site / "zh" / "about" / "index.html"
    made = page.read_bytes()
    page.write_bytes(made.replace(b"</main>", b"<p>hand</p></main>"))
    (site / "en" / "about" / "index.html").unlink()
    (tmp_path / "content" / "glossary.yaml").open("a", encoding="utf-8").close()
    os.utime(tmp_path / "content" / "glossary.yaml")  # a build that reads everything again
    assert main(["-q"], root=tmp_path) == 0
    assert (site / "zh" / "about" / "index.html").read_bytes() == made
    assert (site / "en" / "about" / "index.html").is_file()
