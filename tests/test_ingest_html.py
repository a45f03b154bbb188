"""Saved web pages (HTML) as raw input: charset, markup metadata, main content, refusals.

The pages in tests/gallery/html/ were written for this project in the markup of
real sites: a portal with breadcrumbs and a share bar, a GB2312 government page
laid out with tables, WeChat's article markup, JSON-LD NewsArticle pages, a Big5
Hong Kong page, a UTF-8 page with a BOM and no declaration, and four pages that
hold no article.
"""

from __future__ import annotations

import hashlib
import shutil

import pytest

from briefing.ingest import read_html_page

from .conftest import REPO

HTML = REPO / "tests" / "gallery" / "html"


def read(name: str):
    (path,) = HTML.glob(f"{name}*.htm*")
    data = path.read_bytes()
    return read_html_page(data, f"raw/{path.name}", hashlib.sha256(data).hexdigest())


def only(name: str):
    (article,) = read(name).articles
    return article


def test_portal_page_with_breadcrumbs_share_bar_and_meta_tags():
    article = only("portal-01")
    assert article.title == "柳溪城区12处“夜间自习室”延时开放至晚十点"
    assert article.date == "2024-05-18T10:26:00+08:00"  # article:published_time
    assert article.authors == ["韩雪", "邵一鸣"]  # reporter and correspondent; not the editor
    text = article.text
    for chrome in ("分享到", "首页", "相关新闻", "ICP", "网友评论"):
        assert chrome not in text


def test_gb2312_government_page_laid_out_with_tables():
    article = only("government-02")
    assert article.title == "市区二次供水设施改造工程全面完工"
    assert article.date == "2015-06-12T09:30:21+08:00"
    assert article.source == "清源市水务局"
    assert article.authors == ["卢建国"]
    assert len(article.paragraphs) == 5
    assert article.paragraphs[0].startswith("记者从市水务局获悉")
    for chrome in ("索引号", "发布机构", "打印本页", "相关文章", "版权所有"):
        assert chrome not in article.text


def test_wechat_article_markup_gives_account_headline_and_time():
    article = only("wechat-01")
    assert article.source == "澄湖发布"  # #js_name, not the platform's og:site_name
    assert article.date and article.date.startswith("2024-")
    for chrome in ("点击蓝字", "往期推荐", "长按识别二维码", "喜欢此内容的人还喜欢"):
        assert chrome not in article.text


def test_json_ld_news_article_is_the_first_word_on_metadata():
    article = only("jsonld-02")
    assert article.date == "2025-01-16T19:42:00+08:00"  # only the JSON-LD has the time
    assert article.source == "南汀日报"  # the JSON-LD publisher, not the site's name
    assert "1月15日晚，家长带着孩子在夜间门诊候诊。" in article.captions  # <figcaption>


def test_big5_page_declared_in_a_meta_tag_becomes_simplified():
    article = only("big5-01")
    assert article.title == "红磡旧街市活化为社区共享厨房"
    assert article.authors == ["区嘉欣"]  # 撰文; the photographer (摄影) is not an author
    assert article.date == "2024-06-14T11:32:00+08:00"


def test_utf8_page_with_a_bom_and_no_declaration():
    article = only("utf8bom-01")
    assert len(article.paragraphs) == 4  # four paragraphs in one <p>, split at <br><br>
    assert "\ufeff" not in article.text


@pytest.mark.parametrize(
    "name", ["bad-01-truncated", "bad-02-login-wall", "bad-03-channel-list", "bad-04-js-app"]
)
def test_a_page_without_an_article_is_refused(project, run, name):
    (path,) = HTML.glob(f"{name}*.html")
    shutil.copy(path, project / "content" / "raw" / path.name)
    shutil.copy(next(HTML.glob("portal-01*.html")), project / "content" / "raw" / "good.html")
    status, out = run(project, "ingest")
    assert status == 0  # reported; the build goes on
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert errors and errors[0].startswith(f"error: content/raw/{path.name}: ")
    assert len(errors) == 1 and "\n" not in errors[0]
    assert len(list((project / "content" / "zh").glob("*.md"))) == 1  # the good page
    assert "Traceback" not in out


def test_html_pages_are_ingested_once_and_never_changed(project, run):
    raw = project / "content" / "raw"
    for path in HTML.glob("*-0[12]-*.htm*"):
        shutil.copy(path, raw / path.name)
    before = {p.name: p.read_bytes() for p in raw.iterdir()}
    status, _out = run(project, "ingest")
    assert status == 0
    zh = sorted((project / "content" / "zh").glob("*.md"))
    assert len(zh) == len([p for p in before if "bad" not in p])
    text = zh[0].read_text(encoding="utf-8")
    assert "\noriginal: raw/" in text and ".htm" in text  # provenance
    # an editor's correction survives the next build
    zh[0].write_text(text.replace("\ntitle: ", "\ntitle: 改过的 "), encoding="utf-8")
    status, _ = run(project, "ingest")
    assert status == 0
    assert "改过的" in zh[0].read_text(encoding="utf-8")
    assert {p.name: p.read_bytes() for p in raw.iterdir()} == before


def test_explain_reads_an_html_page(run, project):
    path = next(HTML.glob("jsonld-01*.html"))
    status, out = run(project, "explain", str(path))
    assert status == 0
    assert "title candidates (best first):" in out
    assert "the page's markup" in out  # where the date or the authors came from
    assert "<script" not in out


def test_no_remote_image_reaches_the_article():
    for name in ("portal-01", "portal-02", "jsonld-01"):
        for article in read(name).articles:
            assert "http" not in "\n".join(b.text for b in article.blocks)
            assert "<img" not in article.text
