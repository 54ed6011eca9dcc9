"""Alert messages: structure, content in both parts, and untrusted crawled text kept harmless."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime

import pytest

from monitor.alerts.message import (
    SUBJECT_MAX,
    MessageError,
    MilestoneContext,
    build_digest_message,
    build_health_message,
    build_milestone_message,
    milestone_subject,
    stable_message_id,
)

SENDER = "clusterwatch <alerts@clusterwatch.example>"
RECIPIENT = "analyst@example.com"
EVIDENCE = ("Das Innovationscluster Automotive Nordwest e. V. aus Bremen ist heute als 100. Mitglied in das "
            "Exzellenzprogramm „go-cluster“ des Bundesministeriums für Wirtschaft und Energie aufgenommen worden.")
SOURCES = [
    ("Staatssekretär Beckmeyer begrüßt das 100. Mitglied bei go-cluster", "bmwe-press", "https://www.bmwi.de/Redaktion/DE/Pressemitteilungen/2014/20140320.html"),
    ("100. Mitglied bei go-cluster", "aggregator", "https://www.aggregator.example/news/100-mitglied"),
]
TIMELINE = [("2012-07-01", 40), ("2013-05-15", 80), ("2014-03-20", 100)]
UNSUBSCRIBE = "mailto:admin@clusterwatch.example?subject=unsubscribe"


def context(**changes: object) -> MilestoneContext:
    values: dict[str, object] = dict(
        programme="go-cluster", kind="member_ordinal", number=100,
        member="Innovationscluster Automotive Nordwest e. V.", place="Bremen", evidence=EVIDENCE,
        published="2014-03-20", sources=list(SOURCES), timeline=list(TIMELINE),
    )
    values.update(changes)
    return MilestoneContext(**values)  # type: ignore[arg-type]


def build(ctx: MilestoneContext | None = None, **kwargs: object) -> EmailMessage:
    options: dict[str, object] = dict(sender=SENDER, recipient=RECIPIENT, unsubscribe=UNSUBSCRIBE,
                                      message_id=stable_message_id("event-1", RECIPIENT, domain="clusterwatch.example"))
    options.update(kwargs)
    return build_milestone_message(ctx or context(), **options)  # type: ignore[arg-type]


def reparse(msg: EmailMessage) -> EmailMessage:
    """What a receiver sees: the message as bytes on the wire, parsed again."""
    parsed = message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def parts(msg: EmailMessage) -> tuple[str, str]:
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None and html is not None
    return plain.get_content(), html.get_content()


# -- subjects ----------------------------------------------------------------------------------

def test_subject_german_ordinal() -> None:
    assert milestone_subject(context()) == \
        "go-cluster: 100. Mitglied — Innovationscluster Automotive Nordwest e. V. (Bremen)"


def test_subject_english_ordinals() -> None:
    assert milestone_subject(context(), "en") == \
        "go-cluster: 100th member — Innovationscluster Automotive Nordwest e. V. (Bremen)"
    assert milestone_subject(context(number=101), "en").startswith("go-cluster: 101st member")
    assert milestone_subject(context(number=112), "en").startswith("go-cluster: 112th member")
    assert milestone_subject(context(number=23), "en").startswith("go-cluster: 23rd member")


def test_subject_counts_and_new_member() -> None:
    assert milestone_subject(context(kind="member_count", number=150, member=None, place=None)) == \
        "go-cluster: 150 Mitglieder"
    assert milestone_subject(context(kind="member_count", number=150), "en") == "go-cluster: 150 members"
    assert milestone_subject(context(kind="new_member", number=None)) == \
        "go-cluster: neues Mitglied — Innovationscluster Automotive Nordwest e. V. (Bremen)"
    assert milestone_subject(context(kind="new_member", number=None, place=None), "en") == \
        "go-cluster: new member — Innovationscluster Automotive Nordwest e. V."


def test_unknown_language_is_refused() -> None:
    with pytest.raises(MessageError):
        build(language="fr")


# -- structure and headers -------------------------------------------------------------------

def test_structure_with_inline_chart() -> None:
    png = b"\x89PNG\r\n\x1a\nnot really a chart"
    msg = reparse(build(context(chart_png=png)))
    assert msg.get_content_type() == "multipart/alternative"
    plain, related = msg.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html, image = related.iter_parts()
    assert html.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png"
    assert image.get_content() == png
    cid = image["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html.get_content()


def test_real_chart_is_embedded() -> None:
    from monitor.chart import timeline_png

    png = timeline_png("go-cluster", [{"date": d, "number": n, "milestone": n == 100} for d, n in TIMELINE])
    msg = reparse(build(context(chart_png=png)))
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0].get_content() == png


def test_without_chart_there_is_no_image() -> None:
    msg = reparse(build())
    assert [p.get_content_type() for p in msg.walk()] == ["multipart/alternative", "text/plain", "text/html"]
    assert "cid:" not in parts(msg)[1]


def test_headers() -> None:
    moment = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    msg = reparse(build(date=moment))
    assert msg["To"] == RECIPIENT
    assert msg["From"].addresses[0].addr_spec == "alerts@clusterwatch.example"
    assert parsedate_to_datetime(msg["Date"]) == moment
    assert msg["Message-ID"] == stable_message_id("event-1", RECIPIENT, domain="clusterwatch.example")
    assert msg["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"
    assert msg["Auto-Submitted"] == "auto-generated"
    assert not msg.defects and all(not p.defects for p in msg.walk())


def test_date_defaults_to_now() -> None:
    sent = parsedate_to_datetime(reparse(build())["Date"])
    assert abs((datetime.now(UTC) - sent).total_seconds()) < 60


@pytest.mark.parametrize(("unsubscribe", "header"), [
    ("https://clusterwatch.example/unsubscribe?u=42", "<https://clusterwatch.example/unsubscribe?u=42>"),
    ("mailto:admin@clusterwatch.example", "<mailto:admin@clusterwatch.example>"),
    ("Remove your [[subscribers]] entry from the configuration.", None),
    ("javascript:alert(1)", None),
    ("https://x.example/u\r\nBcc: evil@example.com", None),
])
def test_list_unsubscribe_only_for_urls(unsubscribe: str, header: str | None) -> None:
    msg = reparse(build(unsubscribe=unsubscribe))
    assert msg["List-Unsubscribe"] == header
    assert msg["Bcc"] is None
    plain, html = parts(msg)
    assert unsubscribe.split("\r")[0] in plain
    if header is None:
        assert "href=\"javascript" not in html


def test_message_id_is_stable_and_distinct() -> None:
    a = stable_message_id("event-7", "ana@example.com", domain="clusterwatch.example")
    assert a == stable_message_id("event-7", "ana@example.com", domain="clusterwatch.example")
    assert a != stable_message_id("event-7", "bob@example.com", domain="clusterwatch.example")
    assert stable_message_id("ab", "c", domain="d.example") != stable_message_id("a", "bc", domain="d.example")
    assert a.startswith("<") and a.endswith("@clusterwatch.example>")
    with pytest.raises(MessageError):
        stable_message_id("x", domain="evil.example>\r\nBcc: x@y")
    with pytest.raises(MessageError):
        build(message_id="no angle brackets")


@pytest.mark.parametrize("recipient", ["a@example.com\r\nBcc: evil@example.com", "a@example.com, b@example.com",
                                       "not an address", "änalyst@example.com"])
def test_bad_recipient_is_refused(recipient: str) -> None:
    with pytest.raises(MessageError):
        build(recipient=recipient)


# -- content ---------------------------------------------------------------------------------

@pytest.mark.parametrize("language", ["de", "en"])
def test_both_parts_carry_everything(language: str) -> None:
    plain, html = parts(reparse(build(context(chart_png=b"\x89PNG"), language=language)))
    for text in (plain, html):
        assert "Innovationscluster Automotive Nordwest e. V. aus Bremen ist heute als 100. Mitglied" in text
        assert "2014-03-20" in text
        for _title, _source, url in SOURCES:
            assert url in text
        for day, _n in TIMELINE:
            assert day in text
        assert "mailto:admin@clusterwatch.example?subject=unsubscribe" in text
    assert ("Abbestellen" if language == "de" else "Unsubscribe") in plain
    assert ("Quellen" if language == "de" else "Sources") in html
    assert "Staatssekretär Beckmeyer begrüßt das 100. Mitglied" in html


def test_plain_timeline_is_a_table() -> None:
    plain, _ = parts(reparse(build()))
    rows = [line.split() for line in plain.splitlines() if line.strip().startswith(("20", "Datum"))]
    assert rows == [["Datum", "Mitglieder"], ["2012-07-01", "40"], ["2013-05-15", "80"], ["2014-03-20", "100"]]
    # right-aligned numbers: every row ends in the same column
    lines = [line for line in plain.splitlines() if line.strip().startswith(("20", "Datum"))]
    assert len({len(line) for line in lines}) == 1


def test_unknown_publication_date() -> None:
    plain, html = parts(reparse(build(context(published=None))))
    assert "Veröffentlicht: unbekannt" in plain
    plain_en, _ = parts(reparse(build(context(published=None), language="en")))
    assert "Published: unknown" in plain_en


def test_empty_timeline_is_said() -> None:
    plain, html = parts(reparse(build(context(timeline=[]))))
    assert "noch keine datierten Mitgliederzahlen" in plain and "noch keine datierten Mitgliederzahlen" in html


# -- untrusted text ----------------------------------------------------------------------------

def test_header_injection_through_member_and_title() -> None:
    ctx = context(
        programme="go-cluster\nX-Injected: 1",
        member="Evil Cluster\r\nBcc: evil@example.com",
        place="Bremen\rCc: other@example.com",
        sources=[("x\r\nBcc: evil@example.com", "evil\r\nCc: x@example.com", "https://a.example/x"), *SOURCES],
    )
    raw = build(ctx).as_bytes()
    msg = reparse(build(ctx))
    assert msg.get_all("To") == [RECIPIENT]
    assert msg["Bcc"] is None and msg["Cc"] is None and msg["X-Injected"] is None
    assert b"\nBcc:" not in raw and b"\nCc:" not in raw
    assert msg["Subject"] == ("go-cluster X-Injected: 1: 100. Mitglied — Evil Cluster Bcc: evil@example.com"
                              " (Bremen Cc: other@example.com)")
    plain, html = parts(msg)
    assert "x Bcc: evil@example.com" in plain and "x Bcc: evil@example.com" in html


def test_long_non_ascii_subject_is_encoded_folded_and_round_trips() -> None:
    member = ("Überregionale Fördergemeinschaft für Maßnahmen zur Größenänderung öffentlicher Äußerungen " * 4)[:290]
    ctx = context(member=member, place=None)
    raw = build(ctx).as_bytes()
    raw.decode("ascii")  # RFC 2047 encoded: no 8-bit byte anywhere in the message
    header_block = raw.split(b"\r\n\r\n", 1)[0]
    assert max(len(line) for line in header_block.split(b"\r\n")) <= 78
    expected = f"go-cluster: 100. Mitglied — {member.strip()}"
    assert len(expected) > 300
    assert reparse(build(ctx))["Subject"] == expected


def test_overlong_subject_is_shortened() -> None:
    ctx = context(member="Ä" * 5000)
    subject = reparse(build(ctx))["Subject"]
    assert len(subject) == SUBJECT_MAX and subject.endswith("…")


def test_html_injection_is_escaped() -> None:
    ctx = context(
        member="<script>alert('member')</script>",
        evidence='Neu dabei: <img src=x onerror="alert(1)"> und <b>fett</b>',
        sources=[("<img src=x onerror=alert(2)>", "<i>src</i>", "https://a.example/?q=<script>"),
                 ("click me", "x", "javascript:alert(3)")],
    )
    plain, html = parts(reparse(build(ctx)))
    assert "<script>" not in html and "<img src=x" not in html and "<b>fett" not in html and "<i>src" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=" in html
    assert 'href="javascript' not in html
    # the plain part shows the text as it is: no markup is interpreted there
    assert "<img src=x onerror=alert(2)>" in plain


def test_control_characters_do_not_reach_the_body() -> None:
    plain, html = parts(reparse(build(context(evidence="Text\x1b[31m rot\x00 \u2028weiter"))))
    assert "\x1b" not in plain and "\x00" not in plain and "\u2028" not in html
    assert "Text [31m rot weiter" in plain


# -- digest and health -------------------------------------------------------------------------

def test_digest_groups_by_source() -> None:
    groups: dict[str, list[tuple[str, str, str | None]]] = {
        "www.bmwe.de": [("Neue Förderrunde <b>2026</b>", "https://www.bmwe.de/a", "2026-11-20"),
                        ("Clusterpolitik", "https://www.bmwe.de/b", None)],
        "www.clusterplattform.de": [("go-cluster\r\nBcc: evil@example.com", "https://www.clusterplattform.de/c",
                                     "2026-11-21")],
        "empty.example": [],
    }
    msg = reparse(build_digest_message(groups, sender=SENDER, recipient=RECIPIENT, period="2026-11-17 – 2026-11-24",
                                       message_id="<digest-1@clusterwatch.example>", unsubscribe=UNSUBSCRIBE))
    assert msg["Subject"] == "clusterwatch: 3 neue Meldungen (2026-11-17 – 2026-11-24)"
    assert msg["Bcc"] is None and msg.get_all("To") == [RECIPIENT]
    plain, html = parts(msg)
    for text in (plain, html):
        assert "www.bmwe.de" in text and "www.clusterplattform.de" in text and "empty.example" not in text
        assert "https://www.bmwe.de/a" in text and "https://www.clusterplattform.de/c" in text
        assert "2026-11-20" in text and "unbekannt" in text
    assert plain.index("www.bmwe.de") < plain.index("https://www.bmwe.de/a") < plain.index("www.clusterplattform.de")
    assert "<b>2026" not in html and "&lt;b&gt;2026" in html


def test_digest_in_english_and_empty_digest() -> None:
    msg = build_digest_message({"s": [("t", "https://s.example/t", "2026-11-20")]}, sender=SENDER, recipient=RECIPIENT,
                               message_id="<d@x.example>", language="en", period="week 47", unsubscribe=UNSUBSCRIBE)
    assert msg["Subject"] == "clusterwatch: 1 new announcement (week 47)"
    with pytest.raises(MessageError):
        build_digest_message({"s": []}, sender=SENDER, recipient=RECIPIENT, message_id="<d@x.example>",
                             period="p", unsubscribe=UNSUBSCRIBE)


def test_health_message() -> None:
    msg = reparse(build_health_message("www.bmwe.de", "broken", "HTTP 503 three times\nlast: 2026-11-24T15:00Z",
                                       sender=SENDER, recipient="admin@clusterwatch.example",
                                       message_id="<h1@clusterwatch.example>"))
    assert msg["Subject"] == "clusterwatch: source www.bmwe.de broken"
    assert msg["List-Unsubscribe"] is None
    plain, html = parts(msg)
    assert "HTTP 503 three times" in plain and "last: 2026-11-24T15:00Z" in html
