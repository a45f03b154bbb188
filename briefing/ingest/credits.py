"""Who made an article: bylines, wherever a page puts them.

A byline names people after their role: 记者 张三, 文/李四, 通讯员：王五, 编辑｜赵六,
(记者 A 通讯员 B), 晋南日报记者 王明, 张三 摄. Writers (reporters, correspondents,
authors) are the article's authors; editors, reviewers and producers are not;
photographers are kept apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from briefing.ingest import vocabulary as v
from briefing.ingest.features import is_chrome
from briefing.ingest.text import Folded, fold

_ROLE_WORDS = sorted(
    {w for group in (v.WRITER_ROLES, v.EDITOR_ROLES, v.PICTURE_ROLES) for w in group.split("|")},
    key=len,
    reverse=True,
)
_WRITERS = set(v.WRITER_ROLES.split("|"))
_EDITORS = set(v.EDITOR_ROLES.split("|"))
_PICTURES = set(v.PICTURE_ROLES.split("|"))
_SINGLE = {"文", "图", "摄", "文/"}  # one-character roles: only with a separator after them

# A role at a byline position: at the start, after a space, bracket or separator, or
# after an outlet's name ("晋南日报记者", "新华社记者"); then a separator, a space or a name.
_ROLE = re.compile(
    r"(?:(?<=^)|(?<=[\s(\[【〔|｜,;:/、。!?■●◆▲▶·•*\-])|(?<=[报台社网站刊部心]))"
    rf"(?P<role>{'|'.join(re.escape(w) for w in _ROLE_WORDS)})"
    r"(?P<sep>\s*[:|｜/]\s*|\s+|(?=[\u4e00-\u9fff]))"
)
_OUTLET_BEFORE = re.compile(
    r"[\u4e00-\u9fff]{1,10}?(?:日报|晚报|早报|时报|晨报|报|电视台|台|新闻社|社|网|中心)$"
)
# What a byline may end with besides names.
_TRAILERS = re.compile(
    r"(联合)?([\u4e00-\u9fff]{0,6}?(报道|报导)|采写|整理|编译|综合报道|综合|发自\S{0,6}|摄影?报道|"
    r"文/图|图/文|文图|图文|摄|报)$"
)
_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$|^[\u4e00-\u9fff]{1,6}·[\u4e00-\u9fff]{1,8}$")
_NOT_IN_NAMES = re.compile(r"[的了是在和与市县省局委网报台社部厅院镇乡村区讯电站刊组队中心]")
_ORGANIZATION = re.compile(
    r"[\u4e00-\u9fff\d]{2,14}(组|部|处|科|室|中心|学院|系|办|办公室|队|局|站|所|社|台|报|网|委|会|院|校)"
)
_WORDS = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
_BOTH_ROLES_BEFORE = re.compile(
    r"(?:^|(?<=[\s(\[【|｜:]))(文/图|图/文|文图|图文)\s*[:|｜]?(?=\s*[\u4e00-\u9fff])"
)
_BOTH_ROLES_AFTER = re.compile(r"\s(文/图|图/文|文图|图文)(?=\s|$)")
_NAME_SEPARATORS = re.compile(r"[\s、,，;；/和及与]+")
_NOT_NAMES = {
    "本报",
    "本台",
    "本网",
    "本刊",
    "新华社",
    "人民网",
    "央视网",
    "特约",
    "见习",
    "实习",
    "一线",
    "现场",
    "全文",
    "原文",
    "综合",
    "整理",
    "报道",
    "通讯",
    "记者",
    "编辑",
    "作者",
    "视频",
    "佚名",
    "小编",
    "网络",
    "本站",
    "未知",
    "匿名",
    "网友",
}


@dataclass
class Credits:
    writers: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    photographers: list[str] = field(default_factory=list)
    leftover: str = ""  # what is on the line besides roles and names

    @property
    def people(self) -> int:
        return len(self.writers) + len(self.editors) + len(self.photographers)

    @property
    def whole_line(self) -> bool:
        """Nothing but credits: the line is a byline, not text that mentions a reporter."""
        return self.people > 0 and not self.leftover


def read_credits(text: str, bare_names_are_writers: bool = False) -> Credits:
    """The people a byline names, by role. With `bare_names_are_writers`, names with no
    role before them are writers: "(杨杰英 张云)" after a dateline."""
    # "文/图 龙秀英" wrote the text and took the pictures: a writer; after the names
    # ("记者 吴桐 文/图") it adds nothing.
    folded = _BOTH_ROLES_AFTER.sub(" ", _BOTH_ROLES_BEFORE.sub(" 文/", fold(text)))
    credits = Credits()
    roles = [m for m in _ROLE.finditer(folded) if _is_role_here(m)]
    leftover = []
    inherited: str | None = None
    for current_role, chunk in _pairs(folded, roles):
        names, rest = _names_in(chunk)
        if inherited and current_role in _WRITERS:
            current_role = inherited  # "摄影 记者 张三": a reporter who took the pictures
        inherited = current_role if current_role in _PICTURES and not names and not rest else None
        if current_role is None:
            if bare_names_are_writers and names:
                credits.writers += names
            elif names and _ends_with_photo_credit(rest):
                credits.photographers += names
                rest = ""
            else:
                leftover.append(" ".join([*names, rest]).strip())
            continue
        if rest and _ends_with_photo_credit(rest) and current_role in _WRITERS:
            credits.photographers += names  # "记者 张三 摄": the reporter took the picture
            rest = ""
        elif current_role in _WRITERS:
            credits.writers += names
        elif current_role in _EDITORS:
            credits.editors += names
        else:
            credits.photographers += names
        leftover.append(rest)
    # Bullets and brackets around a byline ("■本报记者 吴桐") are not words.
    credits.leftover = " ".join(p for p in leftover if _WORDS.search(p)).strip()
    return credits


def _pairs(folded: str, roles: list[re.Match]) -> list[tuple[str | None, str]]:
    """(role, the text up to the next role), with (None, text before the first role)."""
    pairs: list[tuple[str | None, str]] = []
    start = 0
    role: str | None = None
    for m in roles:
        chunk = folded[start : m.start()]
        if m.group("role") == "记者" and (outlet := _OUTLET_BEFORE.search(chunk)):
            chunk = chunk[: outlet.start()]
        pairs.append((role, chunk))
        role, start = m.group("role"), m.end()
    pairs.append((role, folded[start:]))
    return pairs


def _is_role_here(m: re.Match) -> bool:
    role, sep = m.group("role"), m.group("sep")
    if role in _SINGLE:
        # 文/张三, 图：李四; never the 文 of 文化 or the 图 of 地图
        return role == "文/" or bool(sep.strip())
    return True


def _names_in(chunk: str) -> tuple[list[str], str]:
    """Names at the start of a chunk, and what follows them."""
    chunk = chunk.strip(" ()[]【】|｜:/,;、")
    names: list[str] = []
    rest: list[str] = []
    for token in _NAME_SEPARATORS.split(chunk):
        token = token.strip("()[]【】|｜:/")
        if not token:
            continue
        if not rest and token.endswith("摄") and is_name(token[:-1]):
            names.append(token[:-1])  # "记者林柏宏摄": a name, then the photo credit
            rest.append("摄")
        elif not rest and is_name(token):
            names.append(token)
        elif not rest and (reporter := wire_reporter(token)):
            names.append(reporter)
        elif not rest and not names and (v.is_site_name(token) or _ORGANIZATION.fullmatch(token)):
            continue  # "文｜翠峰县融媒体中心 段文秀", "初二年级组 宋婉清": the writer's unit
        elif (
            not rest and (trailer := _TRAILERS.search(token)) and is_name(token[: trailer.start()])
        ):
            names.append(token[: trailer.start()])
            rest.append(trailer[0])
        else:
            rest.append(token)
    leftover = " ".join(rest)
    if _TRAILERS.fullmatch(leftover) and not _ends_with_photo_credit(leftover):
        leftover = ""  # 报道, 整理 ...: part of the byline
    return names, leftover


def _ends_with_photo_credit(rest: str) -> bool:
    return rest.strip().endswith("摄") or rest.strip() in ("摄影", "摄影报道")


_WIRE_RUN = re.compile(r"^([\u4e00-\u9fff]{4,8})\d{1,2}日专?电$")


def wire_reporter(token: str) -> str | None:
    """The reporter in "（中央社记者陈怡君台中5日电）": name, place and day run together."""
    m = _WIRE_RUN.match(token)
    if not m:
        return None
    for length in (3, 2):  # most names have three characters; a place has two or more
        if len(m[1]) - length >= 2 and is_name(m[1][:length]):
            return m[1][:length]
    return None


def is_name(token: str) -> bool:
    """A person's name: a surname and one or two characters (or a name with ·)."""
    if "·" in token:
        return bool(_NAME.match(token))
    surname_known = token[:1] in v.SURNAMES or token[:2] in v.COMPOUND_SURNAMES
    return (
        surname_known
        and bool(_NAME.match(token))
        and token not in _NOT_NAMES
        and token not in _WRITERS
        and token not in _EDITORS
        and not _NOT_IN_NAMES.search(token[1:])  # 区 is a surname as well as a district
        and not is_chrome(token)
    )


# --- bylines in running text -----------------------------------------------------------------

# A dateline: "新华社太原3月5日电（记者 张三、李四）", "本报讯（记者 王明 通讯员 李华）",
# "中新网太原2月27日电 (杨杰英 张云)".
DATELINE = Folded(
    r"^(?P<head>[^\s,。(]{0,24}?(?:\d{1,2}月\d{1,2}日)?(?:专?电|讯|消息))\s*"
    r"[(\[【〔]\s*(?P<inside>[^()\[\]【】〔〕]{2,60}?)\s*[)\]】〕]"
)
# Credits closing the last paragraph: "……智创高地。(刘宪芳)", "……（记者 A 通讯员 B）".
SIGN_OFF = Folded(r"(?<=[。!?”」…])\s*[(\[【]\s*(?P<inside>[^()\[\]【】]{2,60}?)\s*[)\]】]\s*$")
# "……过好节。” 本报记者 贺娟芳"
TRAILING_BYLINE = Folded(
    rf"(?<=[。!?”」…])\s*(?P<inside>(?:[\u4e00-\u9fff]{{0,10}})?(?:{v.WRITER_ROLES})\s*[:：]?\s*"
    r"[\u4e00-\u9fff·]{2,5}(?:[\s、][\u4e00-\u9fff·]{2,5})*)\s*$"
)


# A lead-in with the reporter before the text, no brackets: "湘楚网讯 记者 邵一鸣 报道 6月2日晚…"
LEAD_IN_BARE = Folded(
    rf"^[^,。(\[【]{{0,16}}?(?:讯|电)\s*(?P<inside>(?:{v.WRITER_ROLES})\s*[:：]?\s*[^,。]{{2,24}}?(?:报道|报导))"
)
# A lead-in with the reporter before the text: "〔记者王小明／台南报导〕", "【记者 张三】".
LEAD_IN = Folded(r"^[〔【\[(]\s*(?P<inside>[^()\[\]【】〔〕]{2,40}?)\s*[〕】\])]")


def dateline_credits(paragraph: str) -> Credits | None:
    """The people in a dateline's or lead-in's brackets; None when it has neither."""
    for pattern, bare in ((DATELINE, True), (LEAD_IN, False), (LEAD_IN_BARE, False)):
        m = pattern.match(paragraph)
        if not m:
            continue
        credits = read_credits(m["inside"], bare_names_are_writers=bare)
        if credits.people and not credits.leftover:
            return credits
    return None


def sign_off(paragraph: str) -> tuple[str, Credits] | None:
    """A paragraph ending in credits: (the paragraph without them, the credits)."""
    for pattern in (SIGN_OFF, TRAILING_BYLINE):
        m = pattern.search(paragraph)
        if not m:
            continue
        credits = read_credits(m["inside"], bare_names_are_writers=pattern is SIGN_OFF)
        if credits.people and not credits.leftover:
            return paragraph[: m.start()].rstrip(), credits
    return None
