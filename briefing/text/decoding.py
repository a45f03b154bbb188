"""Raw bytes of a scraped page -> text, whatever encoding the scraper saved.

Scraped Chinese pages arrive as UTF-8 (with or without BOM), UTF-16 with BOM,
GB18030/GBK or Big5. GB18030 accepts almost any byte pair, so Big5 bytes
"decode" as GB18030 into kana, Greek and box-drawing characters; we decode
with every candidate that accepts the bytes and keep the one whose text looks
most like Chinese.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from briefing.errors import InputError
from briefing.text.chars import is_cjk_punctuation, is_han

# Largest raw file we accept; a scraped article is a few tens of KB.
MAX_RAW_BYTES = 5_000_000

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_LEGACY_CANDIDATES = ("gb18030", "big5hkscs")


# Characters XML 1.0 forbids (C0 controls but tab and line ends, lone surrogates, U+FFFE
# and U+FFFF), with DEL and the C1 controls: never text, often left by PDF converters and
# terminals. Vertical tabs and form feeds (page breaks) end a line.
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKING_CONTROLS = re.compile("[\x0b\x0c]")
_ANY_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def remove_control_characters(text: str) -> str:
    """Text as it may go into a page or a feed: no control characters but tab and line ends."""
    if _ANY_CONTROL.search(text) is None:  # nearly always: one scan
        return text
    return _LINE_BREAKING_CONTROLS.sub("\n", _CONTROL_CHARACTERS.sub("", text))


def read_raw_text(path: Path) -> tuple[str, bytes]:
    """Read a raw article file; return its text (LF line ends) and its bytes."""
    from briefing.inputs import read_input  # inputs builds on this module

    data = read_input(path, None, limit=MAX_RAW_BYTES, what="raw articles")
    return decode_bytes(data, path), data


def decode_bytes(data: bytes, path: Path | str = "<bytes>") -> str:
    """Decode raw article bytes or raise InputError naming the file."""
    if not data.strip():
        raise InputError(path, "empty file")
    if len(data) > MAX_RAW_BYTES:
        raise InputError(
            path, f"file is {len(data):,} bytes; raw articles are limited to {MAX_RAW_BYTES:,}"
        )
    text = _decode_with_bom(data)
    if text is None:
        if b"\x00" in data:
            raise InputError(path, "binary file (contains NUL bytes), not text")
        text = _decode_without_bom(data, path)
    if _looks_binary(text):
        raise InputError(path, "binary file (mostly control characters), not text")
    text = remove_control_characters(text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise InputError(path, "empty file (whitespace only)")
    return text


def _decode_with_bom(data: bytes) -> str | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _decode_without_bom(data: bytes, path: Path | str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        _refuse_mixed_encodings(data, exc, path)
    decoded = []
    for encoding in _LEGACY_CANDIDATES:
        try:
            decoded.append(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    if not decoded:
        raise InputError(path, "unknown text encoding (not UTF-8, UTF-16, GB18030 or Big5)")
    best = max(decoded, key=chinese_score)
    if chinese_score(best) < 0.5:
        raise InputError(path, "unknown text encoding (decodes only to unreadable characters)")
    return best


def _refuse_mixed_encodings(data: bytes, error: UnicodeDecodeError, path: Path | str) -> None:
    """A file that is UTF-8 Chinese in places and not in others is two encodings (or damaged).

    Decoding it whole as GB18030 would turn its UTF-8 part into plausible-looking
    nonsense, so it is refused with the line where UTF-8 stops being valid.
    """
    good = 0
    for line in data.split(b"\n"):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if sum(1 for ch in text if is_han(ch)) >= 2:
            good += 1
    if good:
        bad_line = data[: error.start].count(b"\n") + 1
        raise InputError(
            path,
            f"mixed or invalid text encoding: UTF-8 elsewhere, but not at line {bad_line}; "
            "save the file in one encoding",
        )


def chinese_score(text: str) -> float:
    """Share of the non-ASCII characters that are Han ideographs or CJK punctuation."""
    non_ascii = [ch for ch in text if not ch.isspace() and not _is_latin(ch)]
    if not non_ascii:
        return 1.0  # pure Latin text decodes the same in every candidate
    good = sum(1 for ch in non_ascii if is_han(ch) or is_cjk_punctuation(ch))
    return good / len(non_ascii)


def _is_latin(ch: str) -> bool:
    # ASCII and accented Latin (pinyin tone marks) say nothing about the encoding.
    code = ord(ch)
    return code < 0x0250 or 0x1E00 <= code <= 0x1EFF


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f\v")
    return "\x00" in sample or controls > len(sample) * 0.05
