"""HTML to plain text for `clusterwatch extract` on saved pages."""

from __future__ import annotations

import trafilatura
from lxml import html as lxml_html


class HtmlExtractionError(ValueError):
    """Raised when a document cannot be parsed as HTML at all."""


def html_to_text(html: str) -> str:
    """Main text of a page; falls back to all visible text when trafilatura finds no article.

    Paragraphs are separated by blank lines, which the sentence splitter treats as boundaries.
    """
    if not html.strip():
        return ""
    text = trafilatura.extract(
        html, include_comments=False, include_tables=True, favor_recall=True
    )
    if text:
        return text.replace("\n", "\n\n")
    try:
        root = lxml_html.fromstring(html)
    except (ValueError, lxml_html.etree.ParserError) as exc:
        raise HtmlExtractionError(str(exc)) from exc
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    blocks = [" ".join(el.text_content().split()) for el in root.xpath("//p|//h1|//h2|//h3|//li")]
    blocks = [b for b in blocks if b]
    if not blocks:
        blocks = [" ".join(root.text_content().split())]
    return "\n\n".join(blocks)
