"""Publication dates of German (and some English) web pages.

Design:

* ``parse_date`` turns one candidate string into a date. Hand-written exact
  formats (full-match regexes) come first because dateparser costs about a
  millisecond per call; dateparser is called at most once per candidate, and
  only for strings that name a month and a four-digit year (or, with
  ``allow_relative``, a relative phrase), so numbers such as "1.000 Mitglieder"
  or "2.0.1" never reach it.
* Precision is kept, never invented: a day gives a ``date``, a stated time an
  aware ``datetime`` in Europe/Berlin, and a month without a day ("(April
  2021)", "Stand 12/2025") gives ``date(year, month, 1)`` with kind
  ``"month"``; its ISO form is the reduced-precision ``"2021-04"``.
* ``find_published`` weighs the evidence of one page in a fixed order (see its
  docstring) and records which evidence won.

Two-digit years ("14.04.16") are deliberately not recognised: none of the
watched sites use them and they collide with section numbers and versions.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

__all__ = [
    "BERLIN",
    "MIN_YEAR",
    "DateResult",
    "date_from_url",
    "find_dates_in_text",
    "find_published",
    "format_iso",
    "month_from_url",
    "parse_date",
]

BERLIN = ZoneInfo("Europe/Berlin")
MIN_YEAR = 1990  # the watched sites and their archives start in the late 1990s

# Candidates longer than this are not dates; the cap keeps pathological input cheap.
_MAX_CANDIDATE = 120
# How much of a text counts as its opening (dateline, "Pressemitteilung vom …").
_HEAD_LINES = 8
_HEAD_CHARS = 1500
# How many "Pressemitteilung vom …" notes are tried before giving up.
_MAX_SOURCE_NOTES = 10


@dataclass(frozen=True)
class DateResult:
    """The publication date of a page and the evidence that gave it."""

    value: str | None
    evidence: str | None
    reason: str | None = None


# --------------------------------------------------------------------------- names

_MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    [
        "januar jan jän jänner january",
        "februar feb feber february",
        "märz mär maerz mrz mar march",
        "april apr",
        "mai may",
        "juni jun june",
        "juli jul july",
        "august aug",
        "september sep sept",
        "oktober okt october oct",
        "november nov",
        "dezember dez december dec",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _num

_WEEKDAYS = (
    "montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag "
    "monday tuesday wednesday thursday friday saturday sunday "
    "mo di mi do fr sa so mon tue wed thu fri sat sun"
).split()

# Longest first so that "September" is not cut to "Sep".
_MON = "(?:" + "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True)) + ")"
_WD = "(?:" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + ")"

# A time after a date: "14:53", "14:53 Uhr", "um 14.53 Uhr", "14:53:07".
_TIME = (
    r"(?:,\s*|\s+|\s*[-–|]\s*)(?:um\s+)?"
    r"(?:(?P<H>[0-9]{1,2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2}))?(?:\s*Uhr)?"
    r"|(?P<H2>[0-9]{1,2})\.(?P<M2>[0-9]{2})\s*Uhr)"
)
_WD_PREFIX = rf"(?:{_WD}\.?,?\s+(?:den\s+)?)?"

# --------------------------------------------------------------------------- exact formats

_ISO = re.compile(
    r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})"
    r"(?:[T ](?P<H>[0-9]{2}):(?P<M>[0-9]{2})(?::(?P<S>[0-9]{2})(?:[.,][0-9]+)?)?"
    r"\s*(?P<tz>Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)
_DMY_DOT = re.compile(
    _WD_PREFIX + rf"(?P<d>[0-9]{{1,2}})\.\s?(?P<m>[0-9]{{1,2}})\.\s?(?P<y>[0-9]{{4}})(?:{_TIME})?",
    re.IGNORECASE,
)
_DMY_DASH = re.compile(
    _WD_PREFIX
    + r"(?P<d>[0-9]{1,2})(?P<sep>[-/])(?P<m>[0-9]{1,2})(?P=sep)(?P<y>[0-9]{4})"
    + rf"(?:{_TIME})?",
    re.IGNORECASE,
)
_YMD_SLASH = re.compile(r"(?P<y>[0-9]{4})/(?P<m>[0-9]{1,2})/(?P<d>[0-9]{1,2})")
_D_MON_Y = re.compile(
    _WD_PREFIX + rf"(?P<d>[0-9]{{1,2}})\.?\s*(?P<mon>{_MON})\.?,?\s+(?P<y>[0-9]{{4}})(?:{_TIME})?",
    re.IGNORECASE,
)
_MON_D_Y = re.compile(
    _WD_PREFIX + rf"(?P<mon>{_MON})\.?\s+(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>[0-9]{{4}})"
    rf"(?:{_TIME})?",
    re.IGNORECASE,
)
_MON_Y = re.compile(rf"(?P<mon>{_MON})\.?\s+(?P<y>[0-9]{{4}})", re.IGNORECASE)
_M_SLASH_Y = re.compile(r"(?P<m>[0-9]{1,2})/(?P<y>[0-9]{4})")
# ISO 8601 reduced to a month, as format_iso writes it and as metadata sometimes states it
_ISO_MONTH = re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})")
# RFC 822/2822 as used by RSS: "Mon, 19 Sep 2016 14:53:00 +0200".
_RFC2822 = re.compile(
    r"(?:[A-Za-z]{3},\s*)?[0-9]{1,2}\s+[A-Za-z]{3}\s+[0-9]{4}\s+[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?"
    # zones named explicitly: a catch-all [A-Z]+ would read "2:53 PM" as a zone
    r"\s+(?:[+-][0-9]{4}|GMT|UTC?|Z|[ECMP][SD]T)"
)

# Labels that precede a date in a candidate ("Stand: 12/2025", "vom 14.04.2016").
_LABEL = re.compile(
    r"^(?:stand|datum|date|vom|am|on|veröffentlicht(?:\s+am)?|published(?:\s+on)?"
    r"|erstellt(?:\s+am)?|letzte\s+änderung|zuletzt\s+aktualisiert(?:\s+am)?)\s*:?\s+",
    re.IGNORECASE,
)
_RELATIVE_WORDS = {"heute": 0, "today": 0, "gestern": 1, "yesterday": 1, "vorgestern": 2}
# Only phrases dateparser understands and that carry a date: "vor 3 Tagen", "2 days ago".
_RELATIVE_PHRASE = re.compile(
    r"\b(?:vor\s+[0-9]{1,3}\s+(?:tag|tagen|woche|wochen|stunde|stunden|minute|minuten)"
    r"|[0-9]{1,3}\s+(?:day|days|week|weeks|hour|hours|minute|minutes)\s+ago)\b",
    re.IGNORECASE,
)
_HAS_MONTH_AND_YEAR = re.compile(
    rf"(?=.*\b{_MON}\b)(?=.*(?<![0-9])[0-9]{{4}}(?![0-9]))", re.IGNORECASE | re.S
)


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(BERLIN)
    if now.tzinfo is None:
        return now.replace(tzinfo=BERLIN)
    return now.astimezone(BERLIN)


def _plausible(value: date, now: datetime) -> bool:
    return MIN_YEAR <= value.year <= now.year + 1


def _time_parts(m: re.Match[str]) -> tuple[int, int, int] | None:
    groups = m.groupdict()
    if groups.get("H") is not None:
        return int(groups["H"]), int(groups["M"]), int(groups.get("S") or 0)
    if groups.get("H2") is not None:
        return int(groups["H2"]), int(groups["M2"]), 0
    return None


def _build(y: int, mo: int, d: int, hms: tuple[int, int, int] | None) -> date | datetime | None:
    try:
        if hms is None:
            return date(y, mo, d)
        return datetime(y, mo, d, *hms, tzinfo=BERLIN)
    except ValueError:  # 30.02., 25:61 Uhr …
        return None


def _exact(s: str) -> tuple[date | datetime, str] | None:
    """Full-match the known formats; None when none applies or the date is invalid."""
    if m := _ISO.fullmatch(s):
        y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
        if m["H"] is None:
            v = _build(y, mo, d, None)
            return (v, "date") if v else None
        try:
            # fromisoformat understands every offset spelling the regex admits
            iso = f"{m['y']}-{m['m']}-{m['d']}T{m['H']}:{m['M']}:{m['S'] or '00'}"
            tz = m["tz"]
            if tz:
                tz = "+00:00" if tz == "Z" else tz
                if len(tz) == 3:
                    tz += ":00"
                elif ":" not in tz:
                    tz = tz[:3] + ":" + tz[3:]
                dt = datetime.fromisoformat(iso + tz).astimezone(BERLIN)
            else:
                # a naive timestamp on a German site is local time
                dt = datetime.fromisoformat(iso).replace(tzinfo=BERLIN)
        except ValueError:
            return None
        return dt, "datetime"
    for rx in (_DMY_DOT, _DMY_DASH):
        if m := rx.fullmatch(s):
            hms = _time_parts(m)
            day, month = int(m["d"]), int(m["m"])
            if rx is _DMY_DASH and m["sep"] == "/" and month > 12 >= day:
                # "06/26/2008" can only be the US order; an ambiguous "06/07/2008" stays D/M
                day, month = month, day
            v = _build(int(m["y"]), month, day, hms)
            return (v, "datetime" if hms else "date") if v else None
    if m := _YMD_SLASH.fullmatch(s):
        v = _build(int(m["y"]), int(m["m"]), int(m["d"]), None)
        return (v, "date") if v else None
    for rx in (_D_MON_Y, _MON_D_Y):
        if m := rx.fullmatch(s):
            hms = _time_parts(m)
            v = _build(int(m["y"]), _MONTHS[m["mon"].lower()], int(m["d"]), hms)
            return (v, "datetime" if hms else "date") if v else None
    if m := _MON_Y.fullmatch(s):
        v = _build(int(m["y"]), _MONTHS[m["mon"].lower()], 1, None)
        return (v, "month") if v else None
    if m := _ISO_MONTH.fullmatch(s):
        v = _build(int(m["y"]), int(m["m"]), 1, None)
        return (v, "month") if v else None
    if m := _M_SLASH_Y.fullmatch(s):
        v = _build(int(m["y"]), int(m["m"]), 1, None)
        return (v, "month") if v else None
    if _RFC2822.fullmatch(s):
        try:
            dt = parsedate_to_datetime(s)
        except (TypeError, ValueError, IndexError):
            return None
        if dt.tzinfo is None:  # "-0000" means UTC with unknown local zone
            dt = dt.replace(tzinfo=UTC)
        return dt.astimezone(BERLIN), "datetime"
    return None


def _normalise(text: str) -> str:
    s = " ".join(text.split())
    s = s.strip(" \t\"'„“”‚‘’«»()[]{}<>")
    s = s.rstrip(",;:")
    # every supported format ends in a digit, a month name or "Uhr": a final "." is punctuation
    s = s.rstrip(" .")
    prev = None
    while prev != s:
        prev, s = s, _LABEL.sub("", s, count=1)
    return s


@lru_cache(maxsize=1)
def _date_data_parser() -> Any:
    # Imported lazily: importing dateparser costs ~0.3 s and most pages never need it.
    from dateparser.date import DateDataParser

    return DateDataParser(
        languages=["de", "en"],
        settings={
            "DATE_ORDER": "DMY",
            "TIMEZONE": "Europe/Berlin",
            "RETURN_AS_TIMEZONE_AWARE": True,
            "PREFER_DATES_FROM": "past",
            # a missing year would be filled with the current one: that is invention
            "REQUIRE_PARTS": ["month", "year"],
        },
    )


def _dateparser_date_data(s: str, relative_base: datetime | None) -> tuple[datetime, str] | None:
    """The single dateparser call: (aware datetime, period) or None."""
    if relative_base is None:
        parser = _date_data_parser()
    else:
        from dateparser.date import DateDataParser

        parser = DateDataParser(
            languages=["de", "en"],
            settings={
                "DATE_ORDER": "DMY",
                "TIMEZONE": "Europe/Berlin",
                "RETURN_AS_TIMEZONE_AWARE": True,
                "PREFER_DATES_FROM": "past",
                # dateparser wants a naive base in the configured zone
                "RELATIVE_BASE": relative_base.replace(tzinfo=None),
            },
        )
    try:
        data = parser.get_date_data(s)
    except (ValueError, TypeError, OverflowError, AttributeError, KeyError, IndexError):
        # dateparser raises assorted errors on odd input; for us that means "no date"
        return None
    if data.date_obj is None:
        return None
    return data.date_obj, data.period or "day"


def parse_date(
    text: str, *, now: datetime | None = None, allow_relative: bool = False
) -> tuple[date | datetime, str] | None:
    """Parse one candidate string.

    Returns ``(value, kind)`` where kind is ``"date"`` (a ``date``), ``"datetime"``
    (an aware ``datetime`` in Europe/Berlin), ``"month"`` (``date(y, m, 1)``; the
    day is unknown) or ``"relative:<word>"`` (a ``date`` counted back from
    ``now``; only with ``allow_relative``). Returns None for anything else,
    including implausible years (before 1990 or after ``now``'s year + 1).
    """
    if not isinstance(text, str) or not text:
        return None
    if len(text) > _MAX_CANDIDATE * 8:  # not a candidate but a document; don't scan it
        return None
    ref = _now(now)
    s = _normalise(text)
    if not s or len(s) > _MAX_CANDIDATE:
        return None

    if allow_relative:
        word = s.lower()
        if word in _RELATIVE_WORDS:
            return ref.date() - timedelta(days=_RELATIVE_WORDS[word]), f"relative:{word}"

    found = _exact(s)
    if found is None:
        relative = allow_relative and _RELATIVE_PHRASE.search(s) is not None
        if not relative and not _HAS_MONTH_AND_YEAR.match(s):
            return None
        got = _dateparser_date_data(s, ref if relative else None)
        if got is None:
            return None
        dt, period = got
        dt = dt.astimezone(BERLIN)
        if relative:
            found = dt.date(), f"relative:{' '.join(s.lower().split())}"
        elif period == "month":
            found = date(dt.year, dt.month, 1), "month"
        elif period in ("day", "time") and (dt.hour, dt.minute, dt.second) != (0, 0, 0):
            # dateparser sets midnight when no time was stated
            found = dt.replace(microsecond=0), "datetime"
        elif period in ("day", "time"):
            found = dt.date(), "date"
        else:  # "year" or "week": not precise enough to publish
            return None

    value, kind = found
    if not _plausible(value, ref):
        return None
    return value, kind


def format_iso(value: date | datetime, kind: str = "date") -> str:
    """ISO 8601 text: "2019-04-11", "2016-09-19T14:53:00+02:00", or "2021-04" for a month."""
    if kind == "month":
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, datetime):
        return value.astimezone(BERLIN).replace(microsecond=0).isoformat()
    return value.isoformat()


# --------------------------------------------------------------------------- text scanning

# One alternation, most specific first: at a given position the first alternative that
# matches wins, so "Montag, 19. September 2016" beats "19. September 2016".
_SCAN = re.compile(
    r"(?<![\w./-])"
    # cheap guard: every format starts with a digit or with one word ("Montag,",
    # "September", "Stand:") followed by a digit; this rejects ordinary words before
    # the costly alternation is tried
    r"(?=[0-9]|[^\W\d_]{2,10}\.?[,:]?\s+(?:den\s+)?[0-9])"
    r"(?:"
    + "|".join(
        [
            rf"(?P<iso>{_ISO.pattern})(?![0-9:])",
            rf"(?P<rfc>{_RFC2822.pattern})(?!\w)",
            rf"(?P<dmy>{_DMY_DOT.pattern.replace('?P<', '?P<a_')})(?![0-9]|\.[0-9])",
            rf"(?P<dmy2>{_DMY_DASH.pattern.replace('?P<', '?P<b_').replace('P=sep', 'P=b_sep')})"
            r"(?![0-9/-])",
            rf"(?P<ymd>{_YMD_SLASH.pattern.replace('?P<', '?P<c_')})(?![0-9/])",
            rf"(?P<dmony>{_D_MON_Y.pattern.replace('?P<', '?P<d_')})(?![0-9])",
            rf"(?P<mondy>{_MON_D_Y.pattern.replace('?P<', '?P<e_')})(?![0-9])",
            rf"(?P<mony>{_MON_Y.pattern.replace('?P<', '?P<f_')})(?![0-9])",
            # "Stand 12/2025": a bare "3/2020" is a file number far more often than a month
            r"(?P<stand>Stand:?\s+(?P<g_m>[0-9]{1,2})/(?P<g_y>[0-9]{4}))(?![0-9/])",
        ]
    )
    + ")",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Candidate:
    text: str
    start: int
    end: int
    kind: str  # the alternative that matched


# Every supported date contains a four-digit year. Python's re tries the whole
# alternation at every position (about 0.5 µs a character), so only windows around
# years are scanned: that makes a 3 kB article about 30 times cheaper.
_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")
_BEFORE_YEAR = 48  # "Donnerstag, den 19. September 2016" and room to spare
_AFTER_YEAR = 40  # ", 14:53:07 Uhr" / " 14:53:00 +0200"


def _matches(text: str) -> list[re.Match[str]]:
    found: list[re.Match[str]] = []
    done = 0  # text before this offset is scanned or consumed by a match
    for y in _YEAR.finditer(text):
        if y.end() <= done:
            continue
        pos = max(done, y.start() - _BEFORE_YEAR)
        end = min(len(text), y.end() + _AFTER_YEAR)
        while pos < end:
            m = _SCAN.search(text, pos, end)
            if m is None:
                break
            # re-match without endpos so trailing look-aheads see the real text: a match
            # that only existed because the window cut "12/2025/3" short is dropped
            full = _SCAN.match(text, m.start())
            if full is None:
                pos = m.start() + 1
                continue
            found.append(full)
            pos = full.end()
        done = max(done, pos, end - _AFTER_YEAR)
    return found


def _scan(text: str) -> list[_Candidate]:
    out: list[_Candidate] = []
    for m in _matches(text):
        kind = m.lastgroup or ""
        frag = m.group(kind)
        start = m.start(kind)
        if kind == "stand":
            frag = f"{m['g_m']}/{m['g_y']}"
            start = m.start("g_m")
        out.append(_Candidate(frag, start, start + len(frag), kind))
    return out


def find_dates_in_text(text: str) -> list[str]:
    """Date-like substrings of ``text`` in order of appearance, ready for ``parse_date``.

    "Pressemitteilung vom 14.04.2016" gives ["14.04.2016"], "Stand 12/2025" gives
    ["12/2025"], "im August 2016" gives ["August 2016"]. Relative words are not
    candidates: they are only meaningful against a crawl time (see find_published).
    """
    if not isinstance(text, str):
        return []
    return [c.text for c in _scan(text)]


# --------------------------------------------------------------------------- URLs

# "20190411-slug.html", "20210728_slug.html", "20190411.html", and the same after a prefix
# joined by "_" or "-": "TPT_20081017_TPT0006", "pm-20190411-slug"
_URL_COMPACT = re.compile(
    r"(?:^|[_-])(?P<y>(?:19|20)[0-9]{2})(?P<m>[0-9]{2})(?P<d>[0-9]{2})(?:[-_.]|$)"
)
# "2016-03-24-slug", "news_2016-03-24.html"
_URL_DASHED = re.compile(
    r"(?:^|[_-])(?P<y>(?:19|20)[0-9]{2})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})(?:[-_.]|$)"
)
_URL_YEAR = re.compile(r"(?:19|20)[0-9]{2}")
_URL_TWO = re.compile(r"[0-9]{2}")
_URL_YEAR_MONTH = re.compile(r"(?P<y>(?:19|20)[0-9]{2})(?P<m>[0-9]{2})")


def _url_segments(url: str) -> list[str] | None:
    if not isinstance(url, str) or not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    return [unquote(seg.split(";", 1)[0]) for seg in path.split("/")]


def date_from_url(url: str, *, now: datetime | None = None) -> date | None:
    """A day stated by a URL's path, or None.

    Understands a segment holding ``YYYYMMDD`` or ``YYYY-MM-DD`` at its start or after a
    prefix joined by ``_``/``-`` (GSB's ``/Pressemitteilungen/2019/20190411-slug.html``,
    ``/2021/3_quartal/20210728_slug.html``, ``/presseaussendung/TPT_20081017_TPT0006/``),
    WordPress's ``/2016/03/24/slug/`` and ``/201710/24/slug``. A year or year/month
    folder alone is not a day and gives None (see ``month_from_url``). Query strings and
    ``;jsessionid=`` are ignored, so session ids that happen to contain digits cannot pose
    as dates.
    """
    segments = _url_segments(url)
    if segments is None:
        return None
    ref = _now(now)
    for i, seg in enumerate(segments):
        found: date | None = None
        m = _URL_COMPACT.search(seg) or _URL_DASHED.search(seg)
        if m:
            found = _build(int(m["y"]), int(m["m"]), int(m["d"]), None)  # type: ignore[assignment]
        elif i + 1 < len(segments) and _URL_TWO.fullmatch(segments[i + 1]):
            if (
                i + 2 < len(segments)
                and _URL_YEAR.fullmatch(seg)
                and _URL_TWO.fullmatch(segments[i + 2])
            ):
                found = _build(int(seg), int(segments[i + 1]), int(segments[i + 2]), None)  # type: ignore[assignment]
            elif ym := _URL_YEAR_MONTH.fullmatch(seg):
                found = _build(int(ym["y"]), int(ym["m"]), int(segments[i + 1]), None)  # type: ignore[assignment]
        if found is not None and _plausible(found, ref):
            return found
    return None


def month_from_url(url: str, *, now: datetime | None = None) -> date | None:
    """The month of a ``/YYYY/MM/<not a day>`` path (``/2011/07/21546/``), as ``date(y, m, 1)``.

    Blogs and news sites file posts by year and month; the day is unknown and never
    invented. None when the path states a day (see ``date_from_url``) or no month.
    """
    segments = _url_segments(url)
    if segments is None:
        return None
    ref = _now(now)
    for i in range(len(segments) - 2):
        if _URL_YEAR.fullmatch(segments[i]) and _URL_TWO.fullmatch(segments[i + 1]):
            if _URL_TWO.fullmatch(segments[i + 2]):
                return None
            found = _build(int(segments[i]), int(segments[i + 1]), 1, None)
            if found is not None and _plausible(found, ref) and segments[i + 2]:
                return found  # type: ignore[return-value]
    return None


# --------------------------------------------------------------------------- evidence

# Metadata that states publication explicitly, strongest first. Keys are compared
# lower-cased with any "og:"/"itemprop:"/"property:" prefix removed.
_META_PUBLISHED = (
    "article:published_time",
    "datepublished",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.date",
    "publication_date",
    "publishdate",
    "pubdate",
)
# Weaker: often the last modification on CMS pages, so they rank below the topline.
_META_WEAK = ("dc.date", "date", "time")  # "time": the first <time datetime> in the article
_META_PREFIX = re.compile(r"^(?:og:|itemprop:|property:|name:|meta:)+", re.IGNORECASE)

# What may stand before a dateline's date on its line: nothing, a label ("Pressemitteilung
# vom", "Veröffentlicht am", "Submitted by redaktion on", "Stand:"), a separator ("Meldung |",
# "Gießen |") or a place with a comma ("Berlin, "). A label opens its line (or follows a
# separator) after at most a few words, and nothing but a separator follows the date:
# "Am 28. November 2017 wurde …" and "Die Bewerbungsrunde endet am 30. September 2014." are
# narrative.
_DATELINE_LABEL = re.compile(
    r"^\s*(?:"
    r"(?:[\w.'’-]+\s+){0,2}(?:vom|am|on|v\.)"
    r"|(?:[\w.'’-]+\s+){0,3}(?:stand|datum|date|veröffentlicht(?:\s+am)?|erstellt(?:\s+am)?"
    r"|published(?:\s+on)?|posted(?:\s+on)?|updated(?:\s+on)?|aktualisiert(?:\s+am)?)"
    r"|submitted\s+by\s+[^|]{1,40}?\s+on"
    r")\s*:?\s*$",
    re.IGNORECASE,
)
_DATELINE_SEPARATOR = re.compile(r"[|/:–—•·-]\s*$")
# a label's part of the line: what follows the last separator ("… – Pressemitteilung vom")
_DATELINE_SPLIT = re.compile(r"[|–—•·]|\s-\s")
# "Berlin, ", "Frankfurt am Main, ", "LOUDON, TENN., ", "Innsbruck (OTS), ": a place opens the line
_DATELINE_PLACE = re.compile(
    r"^\s*[A-ZÄÖÜ][\w.'’/() -]{1,40}?,\s*$|^\s*[A-ZÄÖÜ][\w.'’/ -]{1,40}\([\w/ ]{1,20}\)\s*[,:–-]?\s*$"
)
# After the date (and any time the scanner took with it) a dateline ends its line or goes on
# with a separator: "19. Juli 2005, 18:45 | 14 Postings", "09 September 2016: Goal reached".
_DATELINE_AFTER = re.compile(r"\s*(?:$|[|/:–—•·(]|-\s)")
# A date alone or after a place may close with a full stop: "Berlin, 15. Februar 2010."
_DATELINE_AFTER_STOP = re.compile(r"\s*[.,]\s*$")
_DATELINE_BYLINE = re.compile(r"\s+(?:by|von)\s+\S", re.IGNORECASE)
_DATELINE_POSTED = re.compile(
    r"\b(?:posted|published|submitted|veröffentlicht|erstellt|geschrieben)\b.{0,40}$",
    re.IGNORECASE,
)
# Later in the text only an explicit source note counts: "Pressemitteilung vom 29. März 2012".
_SOURCE_NOTE = re.compile(
    r"(?:Presse(?:mitteilung|information|meldung)|Mitteilung|Nachricht|Meldung)\s+vom\s+",
    re.IGNORECASE,
)
# "heute" or "today" dates a page only when it stands as the dateline itself: alone on an
# opening line, perhaps with a label and a time ("Heute, 09:12 Uhr", "Veröffentlicht:
# gestern"). Inside a sentence ("Heute findet … statt") it is narrative, not a date.
_RELATIVE_LINE = re.compile(
    r"^\s*(?:(?:veröffentlicht|published|posted|aktualisiert|updated|stand|datum|date)"
    r"(?:\s+(?:am|on))?\s*:?\s*)?"
    r"(heute|gestern|vorgestern|today|yesterday)"
    r"(?:,?\s*(?:um|at\s+)?\s*[0-9]{1,2}[:.][0-9]{2}(?:\s*(?:Uhr|[ap]\.?m\.?))?)?"
    r"\s*(?:[|–—•·].*)?$",
    re.IGNORECASE,
)


def _parse_meta(meta: dict[str, str], keys: tuple[str, ...], now: datetime):
    norm: dict[str, tuple[str, str]] = {}
    for key, val in meta.items():
        if isinstance(key, str) and isinstance(val, str):
            norm.setdefault(_META_PREFIX.sub("", key.strip()).lower(), (key, val))
    for want in keys:
        if want in norm:
            key, val = norm[want]
            got = parse_date(val, now=now)
            if got is not None:
                return got, f"meta:{key}"
    return None


def _parse_feed(feed: datetime | str, now: datetime, field: str = "published"):
    if isinstance(feed, datetime):
        # feedparser's *_parsed fields are UTC; a naive value is read the same way
        dt = feed if feed.tzinfo else feed.replace(tzinfo=UTC)
        dt = dt.astimezone(BERLIN).replace(microsecond=0)
        return ((dt, "datetime"), f"feed:{field}") if _plausible(dt, now) else None
    if isinstance(feed, str):
        got = parse_date(feed, now=now)
        return (got, f"feed:{field}") if got else None
    return None


def _first_in(text: str, now: datetime) -> tuple[date | datetime, str] | None:
    """The first date in a short field such as a topline ("Pressemitteilung 11.04.2019")."""
    for cand in _scan(text[:_HEAD_CHARS]):
        got = parse_date(cand.text, now=now)
        if got is not None:
            return got
    # only a field the scanner found nothing in goes whole to parse_date (and maybe
    # dateparser), so each field costs at most one dateparser call
    return parse_date(text, now=now)


def _head(text: str) -> str:
    lines = [ln for ln in text[:_HEAD_CHARS].splitlines() if ln.strip()]
    return "\n".join(lines[:_HEAD_LINES])


def _is_dateline(head: str, start: int, end: int) -> bool:
    """Whether the date at head[start:end] is the page's dateline rather than narrative."""
    line_start = head.rfind("\n", 0, start) + 1
    line_end = head.find("\n", end)
    before = head[line_start:start]
    after = head[end : line_end if line_end != -1 else len(head)]
    if not _DATELINE_AFTER.match(after):
        if _DATELINE_AFTER_STOP.match(after):
            return not before.strip() or bool(_DATELINE_PLACE.match(before))
        # "Posted on 06/26/2008 by admin": a byline may follow a labelled date
        return bool(_DATELINE_BYLINE.match(after)) and bool(_DATELINE_POSTED.search(before))
    # the line's part after its last separator: "Meldung | " leaves nothing, "… – Presse-
    # mitteilung vom " a label, "Presseinformation / " a short head and its separator
    tail = _DATELINE_SPLIT.split(before)[-1]
    return (
        not tail.strip()
        or bool(_DATELINE_LABEL.match(tail))
        or (bool(_DATELINE_SEPARATOR.search(tail)) and len(tail.split()) <= 4)
        or bool(_DATELINE_PLACE.match(before))
    )


def _from_text(text: str, now: datetime):
    """A day stated by the text: a dateline in the opening lines, else a source note.

    A date inside a sentence ("am 1. Februar 2010 wurde …", "bis zum 31. März 2018") tells
    what happened when, not when the page was published: it never dates the page.
    """
    head = _head(text)
    month_hit = None
    for cand in _scan(head):
        if cand.kind == "mony" or cand.kind == "stand":
            # "im August 2016" is narrative; only a month standing alone on its line
            # ("(April 2021)") or a "Stand" note dates the page
            if month_hit is not None:
                continue
            line_start = head.rfind("\n", 0, cand.start) + 1
            line_end = head.find("\n", cand.end)
            line = head[line_start : line_end if line_end != -1 else len(head)]
            alone = _normalise(line) == _normalise(cand.text) or re.match(
                r"\s*Stand\b", line, re.IGNORECASE
            )
            if alone:
                got = parse_date(cand.text, now=now)
                if got is not None and got[1] == "month":
                    month_hit = got
            continue
        if not _is_dateline(head, cand.start, cand.end):
            continue
        got = parse_date(cand.text, now=now)
        if got is None:
            continue
        if got[1] == "month":
            month_hit = month_hit or got
            continue
        return got, "text:dateline"
    # searching the label first avoids scanning a long text for dates; a page citing more
    # than a few releases is a list, and trying each would make hostile input slow
    for note in itertools.islice(_SOURCE_NOTE.finditer(text), _MAX_SOURCE_NOTES):
        cands = _scan(text[note.end() : note.end() + _BEFORE_YEAR + _AFTER_YEAR])
        if cands and cands[0].start == 0:
            got = parse_date(cands[0].text, now=now)
            if got is not None and got[1] != "month":
                return got, "text:source-note"
    if month_hit is not None:
        return month_hit, "text:month"
    return None


def _relative_dateline(text: str, now: datetime) -> tuple[date, str] | None:
    """"heute"/"gestern"/… standing as an opening line's dateline, against the crawl time."""
    for line in _head(text).splitlines():
        m = _RELATIVE_LINE.match(line)
        if m is not None:
            word = m.group(1).lower()
            got = parse_date(word, now=now, allow_relative=True)
            if got is not None:
                return got[0], f"relative:{word}"  # type: ignore[return-value]
    return None


def _day(v: date | datetime) -> date:
    return v.date() if isinstance(v, datetime) else v


def find_published(
    *,
    url: str | None = None,
    meta: dict[str, str] | None = None,
    feed: datetime | str | None = None,
    feed_field: str = "published",
    topline: str | None = None,
    text: str | None = None,
    crawl_time: datetime | None = None,
    html_date: str | None = None,
) -> DateResult:
    """The publication date of one page, from the best evidence available.

    Order (the first that yields a plausible date wins):

    1. explicit publication metadata: ``article:published_time``, ``datePublished``,
       ``DC.date.issued``/``dcterms.issued`` … (evidence ``meta:<key>``);
    2. the feed entry's date (``feed:<feed_field>``, e.g. ``feed:updated``; a naive datetime
       is read as UTC, as feedparser's ``*_parsed`` fields are);
    3. the page's topline date (``topline``);
    4. weak metadata ``DC.date``/``date`` (often a modification date);
    5. the date in the URL (``url``): ``YYYYMMDD``/``YYYY-MM-DD`` in a segment,
       ``/2017/10/24/``, ``/201710/24/``;
    6. the text's dateline in its opening lines (``text:dateline``): a date alone on
       its line, or after a label ("Pressemitteilung vom", "Posted on"), a separator
       ("Meldung |") or a place ("Berlin, "), and followed by nothing but the line's end
       or a separator. A date inside a sentence ("am 1. Februar 2010 wurde …", "bis zum
       31. März 2018") is narrative and never dates the page, wherever it stands. Then a
       source note anywhere ("Pressemitteilung vom 29. März 2012", ``text:source-note``),
       then a month standing alone ("(April 2021)", "Stand 12/2025", ``text:month``,
       value ``"YYYY-MM"``);
    7. "heute"/"gestern"/"today" standing as an opening line's dateline ("Heute, 09:12
       Uhr") against ``crawl_time`` (``relative:heute``); inside a sentence ("ist heute
       als 100. Mitglied aufgenommen") it is not a publication date;
    8. the month of a ``/YYYY/MM/<id>`` URL (``url:month``, value ``"YYYY-MM"``).

    ``html_date`` is htmldate's reading of the page's markup (see crawler.extract). It
    corroborates and never decides: on the project's HTML it agrees with the metadata on
    every dated article, and on the aggregator's pages it takes the day in the page header
    (the day the page was rendered) over the article's own ``<time>``. When it disagrees
    with the chosen date the evidence says so (``"meta:time (htmldate says …)"``); when
    nothing else is found the reason mentions it.

    When the winner of 1–4 disagrees with the URL's day, or metadata disagrees
    with the topline, the evidence says so: ``"topline (url says 2019-04-10)"``.
    Never raises on bad input; with no evidence the value is None and ``reason``
    says why.
    """
    now = _now(crawl_time)
    url_day = date_from_url(url, now=now) if url else None
    topline_hit = _first_in(topline, now) if isinstance(topline, str) and topline else None
    html_hit = parse_date(html_date, now=now) if isinstance(html_date, str) and html_date else None
    html_day = _day(html_hit[0]) if html_hit is not None and html_hit[1] != "month" else None

    chosen: tuple[tuple[date | datetime, str], str] | None = None
    if meta:
        chosen = _parse_meta(meta, _META_PUBLISHED, now)
    if chosen is None and feed is not None:
        chosen = _parse_feed(feed, now, feed_field)
    if chosen is None and topline_hit is not None:
        chosen = topline_hit, "topline"
    if chosen is None and meta:
        chosen = _parse_meta(meta, _META_WEAK, now)

    if chosen is not None:
        (value, kind), evidence = chosen
        notes = []
        if evidence != "topline" and topline_hit is not None:
            if topline_hit[1] != "month" and _day(topline_hit[0]) != _day(value):
                notes.append(f"topline says {format_iso(topline_hit[0], topline_hit[1])}")
        if url_day is not None and kind != "month" and url_day != _day(value):
            notes.append(f"url says {url_day.isoformat()}")
        return _result(value, kind, evidence, notes, html_day)

    if url_day is not None:
        return _result(url_day, "date", "url", [], html_day)

    if isinstance(text, str) and text:
        hit = _from_text(text, now)
        if hit is not None:
            (value, kind), evidence = hit
            return _result(value, kind, evidence, [], html_day)
        relative = _relative_dateline(text, now)
        if relative is not None:
            return _result(relative[0], "date", relative[1], [], html_day)

    url_month = month_from_url(url, now=now) if url else None
    if url_month is not None:
        return _result(url_month, "month", "url:month", [], html_day)

    reason = "no date in metadata, feed, topline, URL or text"
    if html_day is not None:
        reason += f" (htmldate says {html_day.isoformat()} from the markup; not used alone)"
    return DateResult(None, None, reason)


def _result(
    value: date | datetime, kind: str, evidence: str, notes: list[str], html_day: date | None
) -> DateResult:
    if html_day is not None and kind != "month" and html_day != _day(value):
        notes = [*notes, f"htmldate says {html_day.isoformat()}"]
    if notes:
        evidence = f"{evidence} ({'; '.join(notes)})"
    return DateResult(format_iso(value, kind), evidence)
