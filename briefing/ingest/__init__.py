"""Ingest, the first stage: raw pages in content/raw/ -> content/zh/<id>.md.

stage.py      which raw files to read; never replace an article a person may have edited
reader.py     the story of reading one page (read_page) and `explain`
html.py       a saved web page: its charset, its markup's metadata, its main content
page.py       the page model: lines and the roles ingest gives them
text.py       folding full-width forms, punctuation, the script repaired (pinyin, t2s)
lines.py      the page's text -> lines (glued paragraphs split, chrome cut off, wraps joined)
features.py   what one line looks like (prose, short, labels, chrome, spam)
body.py       the body as the densest run of prose; the roles of its lines
title.py      the headline, chosen among scored candidates
metadata.py   date, source and site name, from where they stand
credits.py    bylines: writers, editors, photographers
dates.py      dates in every form Chinese pages write them
articles.py   paragraphs joined, appended stories split off, ids
vocabulary.py the words of labels, chrome and spam
"""

from __future__ import annotations

import importlib

# What the package offers, and the module each comes from: imported when first asked
# for, so that a build with no page to ingest never compiles the readers' patterns.
_PUBLIC = {
    "CleanPage": "reader",
    "IngestError": "page",
    "IngestReport": "stage",
    "Role": "page",
    "explain": "reader",
    "ingest_raw_files": "stage",
    "raw_files": "stage",
    "read_html_page": "html",
    "read_page": "reader",
    "read_raw_page": "stage",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module 'briefing.ingest' has no attribute {name!r}")
    return getattr(importlib.import_module(f"briefing.ingest.{_PUBLIC[name]}"), name)
