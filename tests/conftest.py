"""Shared fixtures: the seed pages, a scratch project, running the CLI, and the seed
site built once (with a preview server and a headless Chromium over it)."""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import getpass
import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from briefing.cli import main
from briefing.config import Project
from briefing.glossary import load_glossary
from briefing.ingest import CleanPage, read_page
from briefing.serve import make_server
from briefing.text import chinese
from briefing.text.decoding import decode_bytes

from .chromium import CHROMIUM, CHROMIUM_ARGS

# Argos Translate reads its folders from the environment when first imported:
# point them (and HOME, which it falls back on) at a scratch folder for the whole
# test session, so that nothing leaks to (or from) the user's own Argos packages.
# The folder is removed when the session ends (pytest_sessionfinish).
ARGOS_HOME = Path(tempfile.mkdtemp(prefix="briefing-tests-argos-"))
NO_PACKAGES = ARGOS_HOME / "no-packages"
NO_PACKAGES.mkdir()
os.environ.update(
    ARGOS_PACKAGES_DIR=str(NO_PACKAGES),
    XDG_DATA_HOME=str(ARGOS_HOME / "data"),
    XDG_CONFIG_HOME=str(ARGOS_HOME / "config"),
    XDG_CACHE_HOME=str(ARGOS_HOME / "cache"),
    HOME=str(ARGOS_HOME / "home"),
    # Argos' own translate() (used to check ours) splits sentences with spaCy; the
    # tiny test package carries a blank spaCy pipeline for that. With this chunk
    # type Argos would download spaCy's multilingual model at import unless its
    # cache folder exists: an empty one stops the download.
    ARGOS_CHUNK_TYPE="SPACY",
)
(ARGOS_HOME / "cache" / "argos-translate" / "spacy" / "senter" / "model").mkdir(parents=True)

(ARGOS_HOME / "home").mkdir()
# Also at exit: a script that imports a test module's helpers (tests.test_incremental's
# comparable, say) runs no session, and left the folder behind.
atexit.register(shutil.rmtree, ARGOS_HOME, ignore_errors=True)


def pytest_sessionfinish(session, exitstatus) -> None:
    shutil.rmtree(ARGOS_HOME, ignore_errors=True)


def _remove_pytest_folder() -> None:
    """pytest-of-<user>, the folder pytest keeps its sessions' folders in: empty once
    they are removed (tmp_path_retention_policy = none), and otherwise left in the temp
    dir. pytest removes its session's folder at exit; this, registered before that (at
    import), runs after it."""
    with contextlib.suppress(OSError):  # not empty: another session's are in it
        (Path(tempfile.gettempdir()) / f"pytest-of-{getpass.getuser()}").rmdir()


if not os.environ.get("PYTEST_XDIST_WORKER"):
    atexit.register(_remove_pytest_folder)


def pytest_collection_modifyitems(session, config, items) -> None:
    # The few long tests (marked slow) first: started last, one of them would keep a
    # core busy alone at the end of the run while the other idles (pytest-xdist hands
    # the workers tests in this order, two at a time: scripts/test.sh).
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "content" / "raw"
PAGES = Path(__file__).resolve().parent / "pages"


def seed_path(prefix: str) -> Path:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


def ingest_bytes(data: bytes, name: str = "page.txt") -> CleanPage:
    # The segmenter's words are what a build of the repo gives it (glossary terms):
    # whatever project an earlier test built in this process.
    chinese.use_terms(list(load_glossary(REPO / "content" / "glossary.yaml")))
    return read_page(decode_bytes(data, name), f"raw/{name}", hashlib.sha256(data).hexdigest())


def ingest_file(path: Path) -> CleanPage:
    return ingest_bytes(path.read_bytes(), path.name)


@pytest.fixture(scope="session")
def seed_pages() -> dict[str, CleanPage]:
    return {p.name[:3]: ingest_file(p) for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty project folder with content/raw, content/zh and content/en."""
    for sub in ("raw", "zh", "en"):
        (tmp_path / "content" / sub).mkdir(parents=True)
    shutil.copytree(REPO / "templates", tmp_path / "templates")
    shutil.copy(REPO / "site.toml", tmp_path / "site.toml")
    return tmp_path


@pytest.fixture
def seeded_project(project: Path) -> Path:
    for path in sorted(SEEDS.glob("*.txt")):
        shutil.copy(path, project / "content" / "raw" / path.name)
    return project


@pytest.fixture
def run(capsys):
    """Run `python build.py ARGS` in a project; return (exit status, stderr + stdout)."""

    def _run(root: Path, *args: str) -> tuple[int, str]:
        status = main(list(args), root=root)
        out = capsys.readouterr()
        return status, out.err + out.out

    return _run


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory) -> Path:
    """The repo's content and templates built once, for the tests that only read a site
    (they must not change it): the project's root."""
    from .site_helpers import build_copy_of_repo  # it imports this module

    if not os.environ.get("PYTEST_XDIST_WORKER"):
        root = tmp_path_factory.mktemp("seed-site")
        build_copy_of_repo(root)
        return root
    # Under pytest-xdist the workers share one, built by the first to get the lock in
    # the run's shared temp folder.
    shared = tmp_path_factory.getbasetemp().parent
    with open(shared / "seed-site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        root = shared / "seed-site"
        if not (root / "built").exists():
            shutil.rmtree(root, ignore_errors=True)  # a half-built one of a failed worker
            root.mkdir()
            build_copy_of_repo(root)
            (root / "built").touch()
        return root


@contextmanager
def serving(root: Path, host: str = "127.0.0.1") -> Iterator[str]:
    """root's site/ served as `serve` serves it (netlify.toml's headers) on a free port,
    in a thread, until the block ends: its base URL ("http://127.0.0.1:PORT")."""
    server = make_server(Project(root), 0, host=host)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def base_url(seed_site: Path):
    """The seed site served as Netlify would serve it (netlify.toml's headers)."""
    with serving(seed_site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright: one for the whole session."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is needed: apt-get install chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (name) state ppid ...: the name may hold spaces, so after the last ")"
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            found.append(int(entry.name))
    return found
