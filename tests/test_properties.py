"""Property tests for untrusted text: URL canonicalisation and date extraction never crash and
finish in bounded time, whatever a crawled page contains."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls

from crawler.canonical import URLError, canonical_url
from crawler.dates import DateResult, find_published, parse_date

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
# Modest counts keep the file well under 30 s; CI runs it on every push, so coverage accumulates.
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text drawn from the characters that matter to these parsers, plus anything at all.
_PARTS = st.sampled_from([
    "http://", "https://", "HTTP://", "ftp://", "//", "/", "?", "#", "&", "=", ";", ":", "@", "[", "]",
    "%", "%2", "%zz", "%20", "%C3%BC", "ü", "ß", "\x00", "\t", "\n", " ", "..", ".", "index.html",
    "jsessionid=", "utm_source=x", "view=renderPrint", "127.0.0.1", "[::1]", ":80", ":443", ":99999",
    ":-1", "www.bmwe.de", "xn--", "\u200b", "👍", "Ä",
])
url_like = st.lists(st.one_of(_PARTS, st.text(max_size=8)), max_size=14).map("".join)
_DATE_PARTS = st.sampled_from([
    "1", "11", "2019", "1990", "2027", "20190411", ".", "/", "-", ":", " ", "\n", "März", "Mrz.",
    "April", "Apr", "Donnerstag, ", "den ", "Stand ", "vom ", "heute", "gestern", "Uhr", "+0200",
    "T", "Z", "am ", "(", ")", "Pressemitteilung ", "0", "9", "31", "12", "99",
])
date_like = st.lists(st.one_of(_DATE_PARTS, st.text(max_size=6)), max_size=30).map("".join)


def _canonical_or_none(text: str) -> str | None:
    try:
        return canonical_url(text)
    except URLError:
        return None


@FAST
@given(st.one_of(st.text(), url_like, urls()))
def test_canonical_url_raises_only_urlerror_and_is_idempotent(text: str) -> None:
    once = _canonical_or_none(text)
    if once is None:
        return
    assert isinstance(once, str)
    assert canonical_url(once) == once


@SLOW
@given(st.one_of(st.text(), date_like))
def test_parse_date_never_raises(text: str) -> None:
    got = parse_date(text, now=NOW)
    assert got is None or (isinstance(got, tuple) and len(got) == 2)
    relative = parse_date(text, now=NOW, allow_relative=True)
    assert relative is None or isinstance(relative[1], str)


@SLOW
@given(
    url=st.one_of(st.none(), url_like, urls()),
    meta=st.one_of(st.none(), st.dictionaries(st.sampled_from(["article:published_time", "date", "DC.date.issued",
                                                               "datePublished", "x"]), date_like, max_size=3)),
    topline=st.one_of(st.none(), date_like),
    text=st.one_of(st.none(), date_like, st.text(max_size=300)),
)
def test_find_published_never_raises(url, meta, topline, text) -> None:
    result = find_published(url=url, meta=meta, topline=topline, text=text, crawl_time=NOW)
    assert isinstance(result, DateResult)
    assert (result.value is None) == (result.reason is not None)


@pytest.mark.parametrize("url", ["HTTP://0/%2580", "https://www.bmwe.de/a%252Fb.html"])
def test_canonical_url_is_idempotent_on_an_encoded_percent(url: str) -> None:
    once = canonical_url(url)
    assert canonical_url(once) == once


MB = 1024 * 1024
PATHOLOGICAL = {
    "one letter": "a" * MB,
    "one digit": "1" * MB,
    "years back to back": "2019" * (MB // 4),
    "years between dots": "2019." * (MB // 5),
    "dates without spaces": "11.04.2019" * (MB // 10),
    "month names and years": "März2019" * (MB // 8),
    "stand slashes": "Stand12/2025/" * (MB // 13),
    "almost a time": "11.04.2019,14:" * (MB // 14),
    "brackets": "(" * MB,
    "dots": "." * MB,
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_date_extraction_is_bounded_on_a_megabyte_without_a_space(text: str) -> None:
    started = time.monotonic()
    parse_date(text, now=NOW)
    parse_date(text[:960], now=NOW)  # the longest a candidate may be before it is refused unread
    find_published(url="https://www.bmwe.de/" + text[:2000], topline=text, text=text, crawl_time=NOW)
    assert time.monotonic() - started < 5.0  # measured: under 2 s


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_canonical_url_is_bounded_on_long_input(text: str) -> None:
    # 100 kB: fifty times Scrapy's URL length limit, and linear cost is what is being shown.
    text = text[: 100 * 1024]
    started = time.monotonic()
    for candidate in (text, "https://www.bmwe.de/" + text, "https://www.bmwe.de/?q=" + text):
        once = _canonical_or_none(candidate)
        assert once is None or canonical_url(once) == once
    assert time.monotonic() - started < 5.0  # measured: under 2 s
