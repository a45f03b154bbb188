"""Date, source and authors, read from the lines around the article.

Each field has candidates from several places (a labelled line above the title, a
dateline in the first paragraph, a line below the text, the site's banner), and
the most trustworthy wins: a labelled publication date above the body beats an
unlabelled one below it; a 来源 label beats a wire dateline, which beats the
name of the site. Whatever wins, the reader knows where it came from (`why`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from briefing.ingest import vocabulary as v
from briefing.ingest.dates import FoundDate, find_dates, plausible, time_only, years_mentioned
from briefing.ingest.features import is_chrome
from briefing.ingest.text import Folded, fold

_PUBLISHED = Folded(
    r"(发布时间|发布日期|发表时间|发表日期|发表于|发布于|发稿时间|刊发|见报|出版日期|发布|发表|"
    r"(?<![\u4e00-\u9fff])(?:时间|日期))\s*[:|｜]?\s*$"
)
_UPDATED = Folded(r"(更新时间|更新日期|修改时间|上传时间|录入时间|生成日期)\s*[:|｜]?\s*$")
_WRITTEN = Folded(r"(成文日期|印发日期)\s*[:|｜]?\s*$")
# A wire dateline's outlet: "新华社太原3月5日电", "中新网北京2月27日电", "本报讯".
_DATELINE_OUTLET = Folded(
    r"^[【\[(]?\s*(?P<outlet>新华社|中新社|中新网|人民网|人民日报|央视网|央视新闻|中国新闻网|新华网|"
    r"光明网|中国日报网|国际在线|央广网|中国青年网|澎湃新闻|[\u4e00-\u9fff]{2,8}?(?:社|网|报|台|客户端))"
    r"(?:[\u4e00-\u9fff]{0,8}?)\s*(?:\d{1,2}月\d{1,2}日)?\s*(?:专?电|讯)"
)
_DATELINE_DAY = Folded(r"^[^,。]{0,30}?(\d{1,2})月(\d{1,2})日\s*(?:专?电|讯)")
_GENERIC_SOURCES = {
    "网络",
    "互联网",
    "网友",
    "网友投稿",
    "投稿",
    "原创",
    "综合",
    "转载",
    "网络转载",
    "整理",
    "其他",
    "未知",
    "佚名",
    "本站原创",
    "本站",
    "本网",
    "本网原创",
    "本站整理",
    "网络整理",
    "综合整理",
}
_SOURCE_TRIM = Folded(r"^[\s《〈“\"'(【\[]+|[\s》〉”\"')】\]]+$")
_SITE_FROM_COPYRIGHT = Folded(
    r"(?:版权所有|Copyright|©)\s*(?:[:©]|\(c\))?\s*(?:\d{4}(?:\s*-\s*\d{4})?)?\s*"
    r"(?P<name>[\u4e00-\u9fffA-Za-z]{2,20}?(?:网|报|日报|快讯|电视台|融媒体中心|政府|中心|集团|公司|大学|学院))",
    re.IGNORECASE,
)


@dataclass
class Choice:
    """A field's value and where on the page it came from (for `explain`)."""

    value: Any  # text, or a list of names
    why: str


# --- dates --------------------------------------------------------------------------------


def date_candidates(lines: list[tuple[str, str]]) -> list[tuple[float, FoundDate, str]]:
    """(score, date, where) for every date in the given (zone, text) lines."""
    found = []
    for i, (zone, text) in enumerate(lines):
        for date in find_dates(text):
            if date.time is None and i + 1 < len(lines) and (clock := time_only(lines[i + 1][1])):
                date = date.with_time(clock)  # the time wrapped onto the next line
            label = fold(text[: date.start])
            # Right under the headline is where pages print the date of publication;
            # above it stands an e-paper's issue date or a banner's "today".
            points = {"head": 3.0, "above": 2.0, "meta": 2.0, "tail": 1.0}[zone]
            if _WRITTEN.search(label):
                points += 0.5  # when a document was written, not published
            elif _UPDATED.search(label):
                points += 0.5
            elif _PUBLISHED.search(label):
                points += 3.0
            if date.time:
                points += 0.5
            found.append((points, date, f"{zone} line: {text[:40]}"))
    return found


_COPYRIGHT_YEAR = re.compile(
    r"(?:copyright|©|\(c\))\s*(?:©\s*)?((?:19|20)\d\d)(?!\d)(?:\s*[-–]\s*((?:19|20)\d\d))?",
    re.IGNORECASE,
)


def choose_date(
    lines: list[tuple[str, str]], first_paragraph: str, page_text: str
) -> Choice | None:
    """The publication date: the best-placed labelled date, else the dateline's day."""
    candidates = date_candidates(lines)
    if first_paragraph and (m := _DATELINE_DAY.match(first_paragraph)):
        month, day = int(m[1]), int(m[2])
        dateline = FoundDate(0, 0, None, month, day, None)
        if not any(d.month == month and d.day == day and d.year for _, d, _ in candidates):
            candidates.append((0.0, dateline, "dateline of the first paragraph"))
    # The year of a date that has none: another date's, else the copyright line's (the
    # page's own year; years in the text are often plans: 到2025年), else the text's.
    years = [d.year for _, d, _ in candidates if d.year]
    if not years and (copyright := _COPYRIGHT_YEAR.search(page_text)):
        years = [int(copyright[2] or copyright[1])]  # "2005-2024": the page's year is the last
    years = years or years_mentioned(page_text[:3000])
    year = Counter(years).most_common(1)[0][0] if years else None
    best: tuple[float, str, str] | None = None
    for points, date, where in candidates:
        iso = date.iso(year)
        if iso is None or not plausible(iso):
            continue
        if date.year is None:
            where += f" (year {year} from elsewhere on the page)"
            points -= 1.0
        if best is None or points > best[0]:
            best = (points, iso, where)
    return Choice(best[1], best[2]) if best else None


# --- source -------------------------------------------------------------------------------------


def source_value(text: str, publishers: bool = False) -> str | None:
    """The outlet named by a 来源/稿源/出处 label on a line, cleaned; None if it names none.
    With `publishers`, a government page's 发布机构 (who put it online) counts too."""
    for m in v.SOURCE_LABEL.finditer(text):
        label = m.group(0)
        if label.startswith(("转", "来自")):
            continue
        if label.startswith(("发布", "发文", "供稿")) and not publishers:
            continue  # who put it online or supplied it: the outlet only if none is named
        if value := clean_outlet(text[m.end() :]):
            return value
    return None


def clean_outlet(value: str) -> str | None:
    """An outlet's name from what follows a label: not a URL, a domain or "网络"."""
    value = v.NEXT_LABEL.split(value)[0]
    value = v.URL.sub(" ", value)
    value = re.sub(
        r"[(（][^()（）]*[)）]|[(（].*$", " ", value
    )  # "(www.x.gov.cn)", an unclosed "（"
    value = _SOURCE_TRIM.sub("", value).strip()
    value = value.split()[0] if value.split() else ""  # outlets' names have no spaces
    value = re.sub(r"(记者|作者|编辑|通讯员).*$", "", value).strip()
    value = v.EDITION_SUFFIX.sub("", value) or value  # "峡江都市报微信公众号" is 峡江都市报
    if not value or len(value) > 24 or not re.search(r"[\u4e00-\u9fffA-Za-z]", value):
        return None
    if value in _GENERIC_SOURCES or v.looks_like_url(value):
        return None
    return value


def dateline_outlet(first_paragraph: str) -> str | None:
    m = _DATELINE_OUTLET.match(first_paragraph)
    if not m or m["outlet"].startswith("本"):
        return None
    return m["outlet"]


def outlet_beside_date(text: str) -> str | None:
    """The outlet a metadata line names without a label, beside its date:
    "2023-06-27 08:05　鹭城晚报" (the paper the site prints it from)."""
    if not find_dates(text):
        return None
    for token in text.split():
        if (
            _NAME_LIKE.fullmatch(token)
            and not find_dates(token)
            and v.is_site_name(token)
            and not is_chrome(token)
        ):
            return clean_outlet(token)
    return None


def site_name_of(banners: list[str], header: list[str], footer: list[str]) -> Choice | None:
    """The name of the site (or account) the page comes from.

    `banners` are the lines above the title, `header` the metadata lines below it,
    `footer` the lines below the text. In order: a name in a banner or window title
    ("太原新闻网_太原市重点新闻网站"); the page's first line when it is a name the page
    repeats (a WeChat account: "云岭教育" … "云岭教育 3月18日"); a name standing among
    metadata values ("中国产业经济信息网 时间:…", "原创 龙泉发布 龙泉发布 2023-10-12");
    the owner in the copyright line.
    """
    for text in banners:
        if name := banner_name(text):
            return Choice(name, f"the site's name: {text[:40]}")
    everything = "\n".join([*banners, *header])
    for text in banners[:1]:
        if _NAME_LIKE.fullmatch(text.strip()) and everything.count(text.strip()) >= 2:
            return Choice(text.strip(), f"the account's name, printed again below: {text[:40]}")
    for text in [*banners, *header]:
        if len(words := text.split()) >= 4 and all(len(w) <= 4 for w in words):
            continue  # a menu: "即时新闻 港闻 财经 国际" names sections, not the site
        tokens = [t for t in words if _NAME_LIKE.fullmatch(t) and not find_dates(t)]
        for token in tokens:
            if _CALL_TO_ACTION.match(token):
                continue
            if v.is_site_name(token) or tokens.count(token) >= 2:
                return Choice(token, f"a name among the metadata: {text[:40]}")
    for text in footer:
        if m := _SITE_FROM_COPYRIGHT.search(text):
            return Choice(m["name"], "the site's copyright line")
    return None


# A name: a few Han characters (or Latin letters), not a label, role or chrome word.
_NAME_LIKE = Folded(r"[\u4e00-\u9fffA-Za-z]{2,14}")


_CALL_TO_ACTION = re.compile(r"(订阅|訂閱|登录|登入|注册|下载|關注|关注|打开|扫码|进入|返回)")


def banner_name(text: str) -> str | None:
    """The best name in a banner or window title: one ending in 网 beats a description
    ending in 网站; the fuller name beats the short one."""
    parts = [p.strip() for p in v.SEPARATORS.split(text) if p.strip()]
    names = [
        p
        for p in parts
        if v.is_site_name(p)
        and not v.looks_like_url(p)
        and len(p) <= 20
        and ":" not in fold(p)  # "转载自：滨江晚报" is a label and its value
        and not is_chrome(p)
        and not _CALL_TO_ACTION.match(p)  # "订阅电子报" is a link, not the paper's name
    ]
    if not names:
        return None
    best = max(names, key=lambda p: (p.endswith(("网", "报", "台", "中心")), len(p)))
    return v.EDITION_SUFFIX.sub("", best) or best
