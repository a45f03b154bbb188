"""The helper of an editor's build: a process started as soon as the build knows it
has work to do, that loads jieba's dictionary and markdown-it while the build imports
its stages and reads the articles, and then segments and renders as HTML the few
articles the build finds new or changed (parallel.Helper).

A module of its own, light to import: the command line starts the helper before it
imports the pipeline (0.05 s of imports the helper then does alongside, not after).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from briefing.config import Project
from briefing.output import has_files
from briefing.parallel import Helper


@contextmanager
def segmenting_helper(project: Project, render: bool = True) -> Iterator[Helper | None]:
    """A helper for a build of a site built before: most such builds segment a few
    articles, an editor's new or edited ones (their features and search entries:
    parallel.map_forked's `helper`), and loading the dictionary in the build's own
    process was an eighth of adding one at 1,000 articles. A first build segments every
    article on forked workers instead: none. The build tells it the glossary's words
    (pipeline.build) before it asks it anything."""
    helper = Helper(_prepare) if render and _built_before(project.site_dir) else None
    try:
        yield helper
    finally:
        if helper:
            helper.close()


def _prepare() -> None:
    # The dictionary first (the longest), then what the build will ask for.
    from briefing.enrich import load_text_tools

    load_text_tools()
    # What its requests run (pickled by name: imported where they are read).
    import briefing.search.index
    import briefing.search.terms  # noqa: F401


def _built_before(site_dir: Path) -> bool:
    try:
        return has_files(site_dir)
    except OSError:  # no site/ yet
        return False
