"""Dates as the pages show them, in each language, and as feeds need them."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache


@lru_cache(maxsize=8192)  # a story's date is on each of its pages: parsed and formatted once
def format_date(value: str | None, lang: str) -> str:
    """2022-02-27T17:00:04+08:00 -> 2022年2月27日 17:00 / 27 February 2022, 17:00."""
    if not value:
        return ""
    stamp = dt.datetime.fromisoformat(value)
    has_time = "T" in value
    if lang == "zh":
        text = f"{stamp.year}年{stamp.month}月{stamp.day}日"
        return f"{text} {stamp:%H:%M}" if has_time else text
    text = f"{stamp.day} {stamp:%B %Y}"
    return f"{text}, {stamp:%H:%M}" if has_time else text


def format_month(value: str, lang: str) -> str:
    """2022-02 -> 2022年2月 / February 2022."""
    stamp = dt.date.fromisoformat(f"{value}-01")
    return f"{stamp.year}年{stamp.month}月" if lang == "zh" else f"{stamp:%B %Y}"


# Times without a UTC offset are China's (the sources are Chinese news sites).
DEFAULT_UTC_OFFSET = dt.timezone(dt.timedelta(hours=8))


def iso_datetime(value: str) -> str:
    """A date or datetime as a full RFC 3339 timestamp, UTC offset included (Atom needs one)."""
    stamp = dt.datetime.fromisoformat(value if "T" in value else f"{value}T00:00:00")
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=DEFAULT_UTC_OFFSET)
    return stamp.isoformat()
