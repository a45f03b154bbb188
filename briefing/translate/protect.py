"""What machine translation must not mangle: glossary names and numbers with units.

Before a sentence goes to the model, glossary terms and numbers are written
in the English they must have (智创谷 -> "Zhichuang Valley", 150亿元 -> "CNY 15
billion", 66平方公里 -> "66 km²", 2022年5月26日 -> "May 26, 2022"): translation
models copy Latin text through. After translation, every such English value
is looked for in the output; one that went missing is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

_NUMBER = r"(\d+(?:\.\d+)?)"
_DATE_FULL = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_DATE_MONTH = re.compile(r"(\d{4})年(\d{1,2})月(?!\d{1,2}日)")
_DATE_DAY = re.compile(r"(?<![\d年])(\d{1,2})月(\d{1,2})日")
_MONEY = re.compile(rf"{_NUMBER}(万|亿)?元")
_AREA = re.compile(rf"{_NUMBER}(万)?(平方公里|平方米)")
_TEN_THOUSANDS = re.compile(rf"{_NUMBER}(万|亿)(?![元平])")
AREA_UNITS = {"平方公里": "km²", "平方米": "m²"}
MULTIPLIERS = {None: Decimal(1), "万": Decimal(10_000), "亿": Decimal(100_000_000)}


@dataclass(frozen=True)
class Protected:
    """A span of the Chinese text and the English it must become."""

    start: int
    end: int
    english: str


def english_number(value: Decimal) -> str:
    """220000 -> "220,000"; 16.4 -> "16.4"."""
    text = f"{value:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def english_money(value: Decimal) -> str:
    """150亿元 -> "CNY 15 billion", 4847.4万元 -> "CNY 48.474 million", 2000元 -> "CNY 2,000"."""
    for size, word in ((Decimal(10) ** 9, "billion"), (Decimal(10) ** 6, "million")):
        if value >= size:
            return f"CNY {english_number(value / size)} {word}"
    return f"CNY {english_number(value)}"


def find_protected(text: str, glossary: dict[str, str]) -> list[Protected]:
    """Glossary terms (longest first) and numbers with units, without overlaps, in order."""
    found: list[Protected] = []

    def add(start: int, end: int, english: str) -> None:
        if all(end <= p.start or start >= p.end for p in found):
            found.append(Protected(start, end, english))

    for match in _DATE_FULL.finditer(text):
        year, month, day = (int(g) for g in match.groups())
        if 1 <= month <= 12:
            add(match.start(), match.end(), f"{MONTHS[month - 1]} {day}, {year}")
    for match in _DATE_MONTH.finditer(text):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            add(match.start(), match.end(), f"{MONTHS[month - 1]} {year}")
    for match in _DATE_DAY.finditer(text):
        month, day = int(match[1]), int(match[2])
        if 1 <= month <= 12:
            add(match.start(), match.end(), f"{MONTHS[month - 1]} {day}")
    for match in _MONEY.finditer(text):
        value = Decimal(match[1]) * MULTIPLIERS[match[2]]
        add(match.start(), match.end(), english_money(value))
    for match in _AREA.finditer(text):
        value = Decimal(match[1]) * MULTIPLIERS[match[2]]
        add(match.start(), match.end(), f"{english_number(value)} {AREA_UNITS[match[3]]}")
    for match in _TEN_THOUSANDS.finditer(text):
        value = Decimal(match[1]) * MULTIPLIERS[match[2]]
        add(match.start(), match.end(), english_number(value))
    for term in sorted(glossary, key=len, reverse=True):
        for match in re.finditer(re.escape(term), text):
            add(match.start(), match.end(), glossary[term])
    return sorted(found, key=lambda p: p.start)


def protect(text: str, glossary: dict[str, str]) -> tuple[str, list[str]]:
    """The text with protected spans written in English, and those English values."""
    spans = find_protected(text, glossary)
    out, last = [], 0
    for span in spans:
        out += [text[last : span.start], f" {span.english} "]
        last = span.end
    out.append(text[last:])
    protected = re.sub(r" {2,}", " ", "".join(out)).strip()
    return protected, [span.english for span in spans]


def missing(values: list[str], translation: str) -> list[str]:
    """The protected English values that the translation lost or changed."""
    folded = translation.casefold()
    return [v for v in values if v.casefold() not in folded]
