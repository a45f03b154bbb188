"""Ingest, the first stage: raw pages in content/raw/ -> content/zh/<id>.md.

stage.py      which raw files to read; never replace an article a person may have edited
reader.py     the story of reading one page (read_page) and `explain`
text.py       the page's text -> lines (script repaired, glued paragraphs split)
features.py   what one line looks like (prose, short, labels, chrome, spam)
body.py       the body as the densest run of prose; the roles of its lines
title.py      the headline, chosen among scored candidates
metadata.py   date, source and site name, from where they stand
credits.py    bylines: writers, editors, photographers
dates.py      dates in every form Chinese pages write them
articles.py   paragraphs joined, appended stories split off, ids
vocabulary.py the words of labels, chrome and spam
"""

from briefing.ingest.reader import CleanPage, IngestError, Role, explain, read_page
from briefing.ingest.stage import IngestReport, ingest_raw_files, raw_files

__all__ = [
    "CleanPage",
    "IngestError",
    "IngestReport",
    "Role",
    "explain",
    "ingest_raw_files",
    "raw_files",
    "read_page",
]
