"""Builds alert emails (plain text + HTML from Jinja2 templates) without sending them.

Every string that comes from a crawled page is untrusted. Three rules keep it harmless:
- before anything reaches a header, control characters (CR, LF, NUL, ...) become spaces, so a
  title can never end a header line and start a new one (``Bcc: ...``);
- the HTML templates autoescape, and only http(s) URLs ever become links (no ``javascript:``);
- headers are set through ``email.policy.SMTP``, which RFC 2047-encodes non-ASCII text and
  folds long lines, and which refuses CR/LF itself should a caller bypass the cleaning.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from monitor.labels import event_label

# RFC 5322 allows 998 octets per line; folding handles long headers, but a subject that runs to
# thousands of characters (an extraction gone wrong) helps nobody, so it is shortened.
SUBJECT_MAX = 400
# A run of C0/C1 control characters, DEL, or the Unicode line/paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u0085]+")
_SPACES = re.compile(r"\s+")
# RFC 5322 msg-id in its common dot-atom form; anything else (spaces, CR/LF, ">") is refused.
_MESSAGE_ID = re.compile(r"^<[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-]+@[A-Za-z0-9.\-]+>$")
_DOMAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")

LANGUAGES = ("de", "en")


class MessageError(ValueError):
    """A message cannot be built from the given input (bad address, Message-ID, language...)."""


@dataclass
class MilestoneContext:
    """Everything a milestone email shows; every str field is untrusted crawled text."""

    programme: str
    kind: str  # member_ordinal | member_count | new_member
    number: int | None
    member: str | None
    place: str | None
    evidence: str
    published: str | None  # YYYY-MM-DD or None (shown as "unbekannt"/"unknown")
    sources: list[tuple[str, str, str]]  # (title, source name, url) of every page that reported it
    timeline: list[tuple[str, int]]  # (YYYY-MM-DD, number) up to the milestone, oldest first
    chart_png: bytes | None = None  # inline chart, embedded as a related image in the HTML part


# The labels live here rather than in one template per language so that the German and English
# mails cannot drift apart in structure; the templates only lay the labels out.
_LABELS: dict[str, dict[str, str]] = {
    "de": {
        "milestone": "Meilenstein", "new_member": "Neues Mitglied", "count": "Mitgliederzahl",
        "evidence": "Beleg", "published": "Veröffentlicht", "unknown": "unbekannt",
        "sources": "Quellen", "timeline": "Verlauf bis zu diesem Meilenstein", "date": "Datum", "members": "Mitglieder",
        "chart": "Mitgliederzahl im Zeitverlauf", "unsubscribe": "Abbestellen",
        "no_timeline": "noch keine datierten Mitgliederzahlen",
        "digest": "Neue Meldungen", "period": "Zeitraum", "health": "Quellenstatus",
        "source": "Quelle", "state": "Zustand", "detail": "Einzelheiten",
        "footer": "Diese Nachricht wurde automatisch von clusterwatch erstellt.",
    },
    "en": {
        "milestone": "Milestone", "new_member": "New member", "count": "Membership count",
        "evidence": "Evidence", "published": "Published", "unknown": "unknown",
        "sources": "Sources", "timeline": "Timeline up to this milestone", "date": "Date", "members": "Members",
        "chart": "Members over time", "unsubscribe": "Unsubscribe",
        "no_timeline": "no dated membership figures yet",
        "digest": "New announcements", "period": "Period", "health": "Source health",
        "source": "Source", "state": "State", "detail": "Detail",
        "footer": "This message was generated automatically by clusterwatch.",
    },
}

_ENV = Environment(
    loader=PackageLoader("monitor", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
    undefined=StrictUndefined,  # a typo in a template must fail the build, not send a blank
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def one_line(value: object) -> str:
    """Untrusted text made safe for a header or a single line: no control characters, no line
    breaks, whitespace collapsed, NFC-normalised (so a decoded subject compares equal)."""
    text = unicodedata.normalize("NFC", str(value))
    return _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _safe_url(url: str, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
    """The URL if it may become an href or a header value, else None (it is then shown as text):
    only the given schemes, so a crawled ``javascript:`` link never becomes clickable."""
    url = one_line(url)
    if not url or any(c in url for c in ' <>"'):
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in schemes else None


def _link(url: str) -> str | None:
    return _safe_url(url)


_UNSUBSCRIBE_SCHEMES = ("mailto", "http", "https")


_ENV.filters["link"] = _link


def _labels(language: str) -> Mapping[str, str]:
    if language not in _LABELS:
        raise MessageError(f"unsupported language {language!r}; expected one of {', '.join(LANGUAGES)}")
    return _LABELS[language]


def _who(ctx: MilestoneContext) -> str:
    member = one_line(ctx.member or "")
    place = one_line(ctx.place or "")
    if member and place:
        return f"{member} ({place})"
    return member or place


def milestone_subject(ctx: MilestoneContext, language: str = "de") -> str:
    """The subject line, already cleaned of control characters and shortened to SUBJECT_MAX."""
    _labels(language)
    programme = one_line(ctx.programme) or "?"
    what = event_label(ctx.kind, ctx.number, language)
    who = _who(ctx) if ctx.kind != "member_count" else ""
    subject = f"{programme}: {what}" + (f" — {who}" if who else "")
    return _shorten(subject, SUBJECT_MAX)


def stable_message_id(*parts: str, domain: str) -> str:
    """``<sha256-prefix@domain>``; the same parts always give the same id, so a receiver (or the
    Maildir transport) can drop a copy delivered twice after a crash."""
    if not parts:
        raise MessageError("stable_message_id needs at least one part")
    if not _DOMAIN.match(domain):
        raise MessageError(f"not a usable Message-ID domain: {domain!r}")
    # The unit separator keeps ("ab", "c") and ("a", "bc") apart.
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def _address(value: str, what: str) -> str:
    """A config-supplied address, refused (not repaired) when it contains control characters:
    silently altering where mail goes is worse than failing loudly."""
    if _CONTROL.search(value):
        raise MessageError(f"{what} address contains control characters")
    try:
        msg = EmailMessage(policy=policy.SMTP)
        msg["To"] = value
        addresses = msg["To"].addresses
    except (ValueError, IndexError, TypeError) as exc:
        raise MessageError(f"invalid {what} address {value!r}: {exc}") from exc
    if len(addresses) != 1 or not isinstance(addresses[0], Address) or not addresses[0].domain:
        raise MessageError(f"{what} must be exactly one address with a domain: {value!r}")
    if not addresses[0].addr_spec.isascii():
        # Would need SMTPUTF8 end to end; refused here rather than failing at some relay later.
        raise MessageError(f"{what} address must be ASCII (internationalised addresses are not supported): {value!r}")
    return value


def _list_unsubscribe(unsubscribe: str) -> str | None:
    """RFC 2369 header value when ``unsubscribe`` is a mailto: or http(s) URL, else None."""
    url = _safe_url(unsubscribe, _UNSUBSCRIBE_SCHEMES)
    return f"<{url}>" if url else None


def _envelope(subject: str, *, sender: str, recipient: str, message_id: str, unsubscribe: str | None,
              date: datetime | None, unsubscribe_url: str | None = None) -> EmailMessage:
    if not _MESSAGE_ID.match(message_id):
        raise MessageError(f"not a valid Message-ID: {message_id!r}")
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = _address(sender, "sender")
    msg["To"] = _address(recipient, "recipient")
    msg["Subject"] = one_line(subject)
    msg["Date"] = format_datetime(date or datetime.now(UTC))
    msg["Message-ID"] = message_id
    # RFC 3834: keeps vacation responders and ticket systems from answering an alert.
    msg["Auto-Submitted"] = "auto-generated"
    if unsubscribe is not None:
        header = _list_unsubscribe(unsubscribe_url or unsubscribe)
        if header:
            msg["List-Unsubscribe"] = header
    return msg


def _fill(msg: EmailMessage, plain: str, html: str, *, image: bytes | None = None, cid: str | None = None) -> None:
    # quoted-printable keeps every part 7-bit, so no server needs 8BITMIME for umlauts.
    msg.set_content(plain, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    if image is not None and cid is not None:
        html_part = next(part for part in msg.iter_parts() if part.get_content_type() == "text/html")
        # add_related turns the text/html part into multipart/related(text/html, image/png).
        html_part.add_related(image, maintype="image", subtype="png", cid=cid, disposition="inline",
                              filename="timeline.png")


def _render(name: str, **context: object) -> str:
    return _ENV.get_template(name).render(**context)


def _clean_links(links: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    return [(one_line(title) or one_line(url), one_line(source), one_line(url)) for title, source, url in links]


def _timeline_rows(timeline: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return [(one_line(day), int(number)) for day, number in timeline]


def build_milestone_message(ctx: MilestoneContext, *, sender: str, recipient: str, message_id: str,
                            language: str = "de", unsubscribe: str, date: datetime | None = None,
                            unsubscribe_url: str | None = None) -> EmailMessage:
    labels = _labels(language)
    subject = milestone_subject(ctx, language)
    msg = _envelope(subject, sender=sender, recipient=recipient, message_id=message_id,
                    unsubscribe=unsubscribe, date=date, unsubscribe_url=unsubscribe_url)
    cid = None
    if ctx.chart_png:
        # Derived from the Message-ID so a re-built message is byte-for-byte comparable.
        cid = "<chart." + hashlib.sha256(message_id.encode()).hexdigest()[:16] + "@clusterwatch>"
    rows = _timeline_rows(ctx.timeline)
    view = {
        "t": labels, "subject": subject, "programme": one_line(ctx.programme), "kind": ctx.kind,
        "number": ctx.number, "who": _who(ctx), "evidence": one_line(ctx.evidence),
        "published": one_line(ctx.published) if ctx.published else labels["unknown"],
        "sources": _clean_links(ctx.sources), "timeline": rows,
        "date_width": max([len(labels["date"])] + [len(d) for d, _ in rows]),
        "number_width": max([len(labels["members"])] + [len(str(n)) for _, n in rows]),
        "chart_cid": cid[1:-1] if cid else None, "unsubscribe": one_line(unsubscribe),
        "unsubscribe_link": _safe_url(unsubscribe_url or unsubscribe, _UNSUBSCRIBE_SCHEMES),
    }
    _fill(msg, _render("milestone.txt", **view), _render("milestone.html", **view), image=ctx.chart_png, cid=cid)
    return msg


def digest_subject(count: int, period: str, language: str = "de") -> str:
    period = one_line(period)
    if language == "de":
        return f"clusterwatch: {count} neue Meldung{'en' if count != 1 else ''} ({period})"
    return f"clusterwatch: {count} new announcement{'s' if count != 1 else ''} ({period})"


def build_digest_message(groups: dict[str, list[tuple[str, str, str | None]]], *, sender: str, recipient: str,
                         message_id: str, language: str = "de", period: str, unsubscribe: str,
                         date: datetime | None = None, unsubscribe_url: str | None = None) -> EmailMessage:
    """One digest: ``groups`` maps a source to its new announcements (title, url, published).
    An empty digest is an error: the caller sends nothing when nothing is new."""
    labels = _labels(language)
    cleaned = {
        one_line(source) or "?": [(one_line(title) or one_line(url), one_line(url),
                                   one_line(published) if published else labels["unknown"])
                                  for title, url, published in items]
        for source, items in groups.items() if items
    }
    count = sum(len(items) for items in cleaned.values())
    if not count:
        raise MessageError("a digest needs at least one announcement")
    subject = digest_subject(count, period, language)
    msg = _envelope(subject, sender=sender, recipient=recipient, message_id=message_id,
                    unsubscribe=unsubscribe, date=date, unsubscribe_url=unsubscribe_url)
    view = {
        "t": labels, "subject": subject, "period": one_line(period), "groups": cleaned, "count": count,
        "unsubscribe": one_line(unsubscribe),
        "unsubscribe_link": _safe_url(unsubscribe_url or unsubscribe, _UNSUBSCRIBE_SCHEMES),
    }
    _fill(msg, _render("digest.txt", **view), _render("digest.html", **view))
    return msg


def build_health_message(source: str, state: str, detail: str, *, sender: str, recipient: str, message_id: str,
                         date: datetime | None = None) -> EmailMessage:
    """A source-health report for the admin ("broken" / "recovered"); English, no unsubscribe."""
    view: dict[str, object] = {"t": _LABELS["en"], "source": one_line(source), "state": one_line(state)}
    subject = f"clusterwatch: source {view['source']} {view['state']}"
    msg = _envelope(_shorten(subject, SUBJECT_MAX), sender=sender, recipient=recipient, message_id=message_id,
                    unsubscribe=None, date=date)
    # The detail may be a multi-line traceback or server reply: kept as lines, minus controls.
    view["detail_lines"] = [one_line(line) for line in str(detail).splitlines()]
    _fill(msg, _render("health.txt", **view), _render("health.html", **view))
    return msg
