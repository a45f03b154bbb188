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

from briefing.ingest.html import read_html_page
from briefing.ingest.page import Role
from briefing.ingest.reader import CleanPage, IngestError, explain, read_page
from briefing.ingest.stage import IngestReport, ingest_raw_files, raw_files, read_raw_page

__all__ = [
    "CleanPage",
    "IngestError",
    "IngestReport",
    "Role",
    "explain",
    "ingest_raw_files",
    "raw_files",
    "read_html_page",
    "read_page",
    "read_raw_page",
]
