"""The non-email forms of a message: plain text with links for chat channels, and a JSON document
with every field for json:// webhooks (documented in docs/delivery.md).

Crawled text stays inert: chat text goes through ``one_line`` (no control characters, no line
breaks inside a field), links are shown only when they are http(s), and the JSON document is
data, never markup.
"""

from __future__ import annotations

import json
from typing import Any

from monitor.alerts.message import _safe_url, one_line
from monitor.labels import event_label

SCHEMA_VERSION = 1
CHAT_MAX = 3500  # chat services cut long messages (Slack 4000, Teams less): a short text with links


def _link_lines(links: list[dict[str, Any]]) -> list[str]:
    out = []
    for link in links:
        title = one_line(link.get("title") or "") or one_line(link.get("url") or "")
        url = _safe_url(link.get("url") or "")
        source = one_line(link.get("source") or "")
        out.append(f"- {title}" + (f" ({source})" if source else "") + (f"\n  {url}" if url else ""))
    return out


def _cut(text: str) -> str:
    return text if len(text) <= CHAT_MAX else text[: CHAT_MAX - 1].rstrip() + "…"


def milestone_text(event: dict[str, Any], subject: str, language: str) -> str:
    published = event.get("published") or ("unbekannt" if language == "de" else "unknown")
    lines = [one_line(subject), ""]
    if event.get("evidence"):
        lines.append(f"„{one_line(event['evidence'])}“" if language == "de" else f"\"{one_line(event['evidence'])}\"")
    lines.append(("Veröffentlicht: " if language == "de" else "Published: ") + one_line(published))
    lines.append("Quellen:" if language == "de" else "Sources:")
    lines += _link_lines(event.get("links") or [])
    return _cut("\n".join(lines))


def milestone_document(event: dict[str, Any], row: dict[str, Any], *, kind: str, message_id: str,
                       recipient: str, subject: str, language: str) -> str:
    """Every field of the event: the stored row and what the email shows (sources, evidence)."""
    doc = {
        "clusterwatch": SCHEMA_VERSION, "id": message_id.strip("<>"), "type": kind, "recipient": recipient,
        "subject": one_line(subject), "label": event_label(row["kind"], row["number"], language),
        "event": {
            **{k: row[k] for k in ("id", "key", "kind", "programme", "number", "member", "place", "qualifier",
                                   "published", "milestone_key", "first_detected")},
            "milestone": bool(row["milestone"]), "retracted": bool(row["retracted"]),
            "evidence": event.get("evidence"), "all_evidence": event.get("all_evidence") or [],
            "rule": event.get("rule"), "titles": event.get("titles") or [],
            "sources": event.get("links") or [],
        },
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True)


Groups = dict[str, list[tuple[str, str, str | None]]]


def digest_text(groups: Groups, subject: str) -> str:
    lines = [one_line(subject)]
    for source, items in groups.items():
        lines += ["", one_line(source) + ":"]
        lines += _link_lines([{"title": title, "url": url} for title, url, _ in items])
    return _cut("\n".join(lines))


def digest_document(groups: Groups, digest: dict[str, Any], *, message_id: str, recipient: str,
                    subject: str) -> str:
    doc = {
        "clusterwatch": SCHEMA_VERSION, "id": message_id.strip("<>"), "type": "digest", "recipient": recipient,
        "subject": one_line(subject), "period": digest["period"], "since": digest["since"],
        "until": digest["until"],
        "items": [{"source": source, "title": title, "url": url, "published": published}
                  for source, items in groups.items() for title, url, published in items],
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True)


def health_text(source: str, state: str, detail: str) -> str:
    return _cut(f"clusterwatch: source {one_line(source)} {one_line(state)}\n\n"
                + "\n".join(one_line(line) for line in str(detail).splitlines()))


def health_document(notice: dict[str, Any], *, message_id: str, recipient: str) -> str:
    doc = {
        "clusterwatch": SCHEMA_VERSION, "id": message_id.strip("<>"), "type": "health", "recipient": recipient,
        "subject": f"clusterwatch: source {one_line(notice['source'])} {one_line(notice['state'])}",
        "source": notice["source"], "state": notice["state"], "detail": notice["detail"] or "",
        "created": notice["created"],
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True)
