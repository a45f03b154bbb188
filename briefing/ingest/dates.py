"""Dates as Chinese news pages write them, read into ISO 8601.

2023-04-05 09:30, 2023/4/5, 2023.04.05, 2023年4月5日 星期三 09:30, 24.08.2015 16:24
(day first), 4月5日 and 04-05 09:30 (the year from elsewhere on the page), and a
date with its time on the next line. A time makes a China-time (+08:00) timestamp;
without one the date stays a day: no time is invented.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from briefing.ingest.text import Folded

CHINA_TIME = dt.timezone(dt.timedelta(hours=8))
_TIME = r"(?:\s*(?:T|\s)?\s*(?:(上午|下午|晚上|早上|中午)\s*)?(\d{1,2})\s*[:时点]\s*(\d{2})(?:\s*[:分]\s*(\d{2}))?)?"
_WEEKDAY = (
    r"(?:\s*(?:星期|周|礼拜)[一二三四五六日天]|\s*[(（](?:星期|周|礼拜)?[一二三四五六日天][)）])?"
)
_YEAR_FIRST = Folded(
    rf"(?<![\d.])((?:19|20)\d\d)\s*(?:[-/.]|年)\s*(\d{{1,2}})\s*(?:[-/.]|月)\s*(\d{{1,2}})(?!\d)\s*日?"
    rf"{_WEEKDAY}{_TIME}"
)
_DAY_FIRST = Folded(rf"(?<![\d.])(\d{{1,2}})\.(\d{{1,2}})\.((?:19|20)\d\d)(?!\d){_TIME}")
_YEARLESS = Folded(
    rf"(?<![\d./-])(\d{{1,2}})\s*(?:月\s*(\d{{1,2}})\s*日|-(\d{{1,2}})(?=\s+\d{{1,2}}:\d{{2}}))"
    rf"{_WEEKDAY}{_TIME}"
)
_TIME_ONLY = Folded(
    r"^\s*(?:(上午|下午|晚上|早上|中午)\s*)?(\d{1,2})\s*[:时点]\s*(\d{2})(?:\s*[:分]\s*(\d{2}))?\s*$"
)
_YEAR = Folded(r"(?<![\d.:/-])((?:19|20)\d\d)(?:\s*年|(?=[\u4e00-\u9fff]))")


@dataclass(frozen=True)
class FoundDate:
    """A date read from a line: where it starts, and its value."""

    start: int
    end: int
    year: int | None  # None: written without a year
    month: int
    day: int
    time: tuple[int, int, int] | None

    def iso(self, year: int | None = None) -> str | None:
        year = self.year or year
        if year is None:
            return None
        try:
            day = dt.date(year, self.month, self.day)
            if self.time is None:
                return day.isoformat()
            hour, minute, second = self.time
            return dt.datetime(
                year, self.month, self.day, hour, minute, second, tzinfo=CHINA_TIME
            ).isoformat()
        except ValueError:
            return None

    def with_time(self, time: tuple[int, int, int]) -> FoundDate:
        return FoundDate(self.start, self.end, self.year, self.month, self.day, time)


def _clock(part: str | None, hour: str | None, minute: str | None, second: str | None):
    if hour is None or minute is None:
        return None
    h, m, s = int(hour), int(minute), int(second or 0)
    if part in ("下午", "晚上") and h < 12:
        h += 12
    if h > 23 or m > 59 or s > 59:
        return None
    return (h, m, s)


def find_dates(text: str) -> list[FoundDate]:
    """Every date in a line, in order."""
    found: list[FoundDate] = []

    def add(date: FoundDate) -> None:
        if (
            1 <= date.month <= 12
            and 1 <= date.day <= 31
            and all(date.end <= d.start or date.start >= d.end for d in found)
        ):
            found.append(date)

    for m in _YEAR_FIRST.finditer(text):
        add(
            FoundDate(m.start(), m.end(), int(m[1]), int(m[2]), int(m[3]), _clock(*m.groups()[3:7]))
        )
    for m in _DAY_FIRST.finditer(text):
        add(
            FoundDate(m.start(), m.end(), int(m[3]), int(m[2]), int(m[1]), _clock(*m.groups()[3:7]))
        )
    for m in _YEARLESS.finditer(text):
        day = m[2] or m[3]
        add(FoundDate(m.start(), m.end(), None, int(m[1]), int(day), _clock(*m.groups()[3:7])))
    return sorted(found, key=lambda d: d.start)


def time_only(text: str) -> tuple[int, int, int] | None:
    """A line that holds only a time of day ("09:30"), as when a date's time wrapped."""
    m = _TIME_ONLY.match(text)
    return _clock(*m.groups()) if m else None


def years_mentioned(text: str) -> list[int]:
    return [int(y) for y in _YEAR.findall(text)]


def plausible(iso: str, today: dt.date | None = None) -> bool:
    """A publication date: not before the web's Chinese news, not after tomorrow."""
    today = today or dt.date.today()
    day = dt.date.fromisoformat(iso[:10])
    return dt.date(1990, 1, 1) <= day <= today + dt.timedelta(days=1)
