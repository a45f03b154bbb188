"""The glossary: Chinese names and terms with their fixed English renderings.

One committed, editable YAML file (content/glossary.yaml). The English is
what a translation of the term must say (briefing/protect.py); every term is also a jieba word, so
segmentation (the story-similarity check of ingest, later tags and search)
sees 智创谷 as one word.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from briefing.content import yaml_problem
from briefing.errors import ContentError


def load_glossary(path: Path) -> dict[str, str]:
    """Read the glossary; a missing file is an empty glossary, a broken one an error."""
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContentError(path, f"not valid YAML{yaml_problem(exc)}") from None
    except UnicodeDecodeError:
        raise ContentError(path, "not UTF-8 text") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ContentError(path, "must map Chinese terms to English, one 'term: English' a line")
    glossary = {}
    for term, english in data.items():
        if not isinstance(term, str) or not isinstance(english, str) or not english.strip():
            raise ContentError(path, f"entry {term!r}: both the term and its English must be text")
        glossary[term.strip()] = english.strip()
    return glossary
