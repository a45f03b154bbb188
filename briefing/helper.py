"""What a build starts before it imports its stages (0.05 s of imports, with a core
idle meanwhile), as soon as it knows it has work to do:

- the helper of an editor's build: a process that loads jieba's dictionary and
  markdown-it while the build imports its stages and reads the articles, and then
  segments and renders as HTML the few articles the build finds new or changed
  (parallel.Helper);
- in a first build, which parses every article file, the parsing: a process for each
  language (early_reads).

A module of its own, light to import: the command line starts these before it
imports the pipeline.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from briefing.config import LANGUAGES, Project
from briefing.output import has_files
from briefing.parallel import Forked, Helper


@contextmanager
def segmenting_helper(project: Project, render: bool = True) -> Iterator[Helper | None]:
    """A helper for a build of a site built before: most such builds segment a few
    articles, an editor's new or edited ones (their features and search entries:
    parallel.map_forked's `helper`), and loading the dictionary in the build's own
    process was an eighth of adding one at 1,000 articles. A first build segments every
    article on forked workers instead: none. The build tells it the glossary's words
    (pipeline.build) before it asks it anything."""
    helper = (
        Helper(_prepare, _prepare_later) if render and _built_before(project.site_dir) else None
    )
    try:
        yield helper
    finally:
        if helper:
            helper.close()


def _prepare() -> None:
    # The dictionary alone before the first request, the features of what the build read
    # anew: the build waits for them (14-20 ms of adding an article at 1,000 while this
    # loaded markdown-it and the search modules too; prose needs no Markdown parser).
    from briefing.text import chinese

    chinese.prepare()
    import briefing.enrich  # noqa: F401  (what that first request runs)


def _prepare_later() -> None:
    # What the build asks for next (search entries, bodies as HTML), loaded while it
    # works out tags and related articles (pickled by name: imported where they are read).
    import briefing.search.index
    import briefing.search.terms  # noqa: F401
    from briefing.text import markdown

    markdown.prepare()


def _built_before(site_dir: Path) -> bool:
    try:
        return has_files(site_dir)
    except OSError:  # no site/ yet
        return False


class EarlyReads:
    """The article files of each language parsed by a forked process of its own, started
    before the build imports its stages: a first build (no cache) parses them all, and
    the pool it would fork for them starts after those imports, which kept a core idle
    for a tenth of a second (content.read_articles takes what these parsed)."""

    def __init__(self, project: Project):
        self._work = {
            lang: Forked(_parse_all, project.lang_dir(lang), lang, project.content_dir)
            for lang in LANGUAGES
        }

    def parsed(self, lang: str) -> dict[str, tuple] | None:
        """content._parse's results for the files of a language, by path (waiting for
        them); None when its process failed or was asked before."""
        work = self._work.pop(lang, None)
        return work.result() if work else None

    def close(self) -> None:
        for work in self._work.values():
            work.close()


def _parse_all(folder: Path, lang: str, within: Path) -> dict[str, tuple]:
    """(In a forked process) path -> (identity, content._parse's result) of each file."""
    from briefing.content import parse_files

    return parse_files(folder, lang, within)


@contextmanager
def early_reads(project: Project) -> Iterator[EarlyReads | None]:
    """EarlyReads when the build is a first one (no cache yet), else None."""
    first = not project.build_cache_path.exists()
    reads = EarlyReads(project) if first and hasattr(os, "fork") else None
    try:
        yield reads
    finally:
        if reads:
            reads.close()
