"""The glossary: Chinese names and terms with their fixed English renderings.

One committed, editable YAML file (content/glossary.yaml). The English is
what a translation of the term must say (briefing/protect.py); every term is also a jieba word, so
segmentation (the story-similarity check of ingest, later tags and search)
sees 智创谷 as one word.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from briefing.errors import InputError
from briefing.inputs import exists, parse_yaml, read_input_text, yaml_problem


def load_glossary(path: Path) -> dict[str, str]:
    """Read the glossary; a missing file is an empty glossary, a broken one an error.

    A term is matched wherever it occurs in a text, so an empty one would match
    everywhere: every entry needs a term and its English, both on one line."""
    if not exists(path):
        return {}
    try:
        data = parse_yaml(read_input_text(path, path.parent))
    except yaml.YAMLError as exc:
        raise InputError(path, f"not valid YAML{yaml_problem(exc)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(path, "must map Chinese terms to English, one 'term: English' a line")
    glossary: dict[str, str] = {}
    for term, english in data.items():
        if not isinstance(term, str) or not isinstance(english, str) or not english.strip():
            raise InputError(path, f"entry {term!r}: both the term and its English must be text")
        name = term.strip()
        if not name:
            raise InputError(path, f"entry {term!r}: the term is empty")
        if "\n" in name or "\n" in english.strip():
            raise InputError(path, f"entry {term!r}: the term and its English must be one line")
        if name in glossary:
            raise InputError(path, f"entry {term!r}: {name!r} is in the glossary twice")
        glossary[name] = english.strip()
    return glossary
