"""Page-to-text layer: main content, title, author and raw date metadata of an article page.

trafilatura finds the main content; what it lets through on the ministry, Cluster Platform and
aggregator pages (teasers, share bars, image credits, captions printed twice, cookie text) is
removed before (on the DOM, where the structure still tells a teaser box from a paragraph) and
after (on the text, where the same strings arrive from feeds and GSB content blocks too).
Dates are returned raw; interpreting them is crawler.dates' job.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import ftfy
import trafilatura
from htmldate import find_date as _htmldate_find_date
from lxml import etree
from lxml import html as lxml_html

from crawler.encoding import decode_html, fix_mojibake

__all__ = [
    "ExtractionError",
    "Extracted",
    "clean_text",
    "decode_html",
    "extract_article",
    "html_fragment_to_text",
]


class ExtractionError(ValueError):
    """Raised when a page cannot be parsed as HTML at all."""


@dataclass
class Extracted:
    title: str | None
    text: str
    author: str | None
    meta_dates: dict[str, str] = field(default_factory=dict)
    # The page's declared language (<html lang>, Content-Language, og:locale) as a two-letter
    # code, e.g. "de"; handed to detection, which otherwise guesses it from the words.
    language: str | None = None
    # htmldate's reading of the page's markup (meta, JSON-LD, <time>, date elements, URL):
    # the original publication day as "YYYY-MM-DD", or None
    html_date: str | None = None


# ---------------------------------------------------------------------------------------------
# Text clean-up
# ---------------------------------------------------------------------------------------------


def _key(s: str) -> str:
    """Comparison key: case- and punctuation-insensitive, so "> Mehr erfahren …" == "mehr erfahren"."""
    s = s.casefold().replace("ß", "ss")
    s = re.sub(r"[^\w\s-]", " ", s)
    return " ".join(s.split())


_CHROME_LINES = {
    _key(s)
    for s in (
        "Jetzt lesen",
        "Weiterlesen",
        "Mehr lesen",
        "mehr erfahren",
        "Mehr",
        "Mehr dazu",
        "Mehr Informationen",
        "Zum Artikel",
        "Artikel lesen",
        "Zur Meldung",
        "KOMMENTARE WERDEN GELADEN",
        "Kommentare werden geladen",
        "Kommentar schreiben",
        "Seite teilen",
        "Seite drucken",
        "Artikel teilen",
        "Artikel drucken",
        "Link kopieren",
        "Beitrag teilen",
        "Diese Seite teilen",
        "Teilen auf",
        "Nach oben",
        "Zum Seitenanfang",
        "Seitenanfang",
        "Zurück",
        "Zurück zur Übersicht",
        "Schließen",
        "Menü",
        "Menü schließen",
        "Suche",
        "Suchen",
        "Alle akzeptieren",
        "Akzeptieren",
        "Ablehnen",
        "Alle ablehnen",
        "Nur notwendige Cookies",
        "Nur notwendige Cookies akzeptieren",
        "Cookie-Einstellungen",
        "Einstellungen",
        "Auswahl speichern",
        "Inhalt",
        "Navigation",
        "Hauptmenü",
        "Servicemenü",
        "Bild vergrößern",
        "Vergrößern",
        "Anzeige",
        "Werbung",
        "Zum Inhalt springen",
        "Direkt zum Inhalt",
        "Bildergalerie",
        "Video abspielen",
    )
}

# A line made only of these words is a share/print bar, however the buttons are ordered.
_SHARE_WORDS = {
    "teilen",
    "drucken",
    "twitter",
    "x",
    "facebook",
    "linkedin",
    "xing",
    "instagram",
    "youtube",
    "mastodon",
    "whatsapp",
    "threads",
    "bluesky",
    "e-mail",
    "email",
    "mail",
    "pinterest",
    "telegram",
    "rss",
    "teilen:",
    "share",
    "print",
    "tweet",
    "seite",
    "link",
    "kopieren",
    "auf",
    "per",
    "artikel",
    "versenden",
    "empfehlen",
}

# Headings that open the "more from us" part of a page; everything after them is teasers.
_TEASER_HEADINGS = {
    _key(s)
    for s in (
        "Das könnte Sie auch interessieren",
        "Das könnte Sie ebenfalls interessieren",
        "Das könnte dich auch interessieren",
        "Weitere Artikel",
        "Ähnliche Artikel",
        "Ähnliche Beiträge",
        "Verwandte Artikel",
        "Verwandte Beiträge",
        "Verwandte Themen",
        "Mehr zum Thema",
        "Auch interessant",
        "Weitere Meldungen",
        "Weitere Nachrichten",
        "Das interessiert andere Leser",
        "Lesen Sie auch",
        "Kommentare",
        "Schreibe einen Kommentar",
        "Hinterlasse einen Kommentar",
        "Kommentar verfassen",
        "Ihr Kommentar",
        "Kommentar abgeben",
        "Antwort hinterlassen",
    )
}

# Press-portal title lines such as "MELDUNG/283: Innovationscluster …" or "WIRTSCHAFT/1234: …".
_PORTAL_TITLE_RE = re.compile(r"^[A-ZÄÖÜ][A-ZÄÖÜ -]{2,}/\d+:\s")
# Link notes: "<http://…>" inline (plain-text mail style) and "[1] http://…" footnote lines.
_ANGLE_LINK_RE = re.compile(r"\s*<(?:https?://|www\.)[^>\s]*>")
_LINK_NOTE_LINE_RE = re.compile(r"^\[\d+\]\s*(?:https?://|www\.)\S*$")
_LINK_NOTE_REF_RE = re.compile(r"(?<=\w)\[\d+\]")
# Credits.  A credit-only line, or one hanging off a caption: "Caption © BMWi/Susanne Eriksson".
_CREDIT_PREFIX = (
    r"(?:©|\(c\)|Copyright\b:?|Bildnachweis\s*:|Bildquelle\s*:|Bildrechte\s*:|"
    r"Fotos?\s*/\s*Quelle\s*:|Fotos?\s*:|Bild\s*:|Quelle\s*:\s*(?:Foto|Bild)\b)"
)
_CREDIT_LINE_RE = re.compile(rf"^{_CREDIT_PREFIX}", re.IGNORECASE)
# At the end of a caption only unambiguous markers count: "Das Bild: ein Erfolg" and
# "Absatz 1 (c)" are text.
_CREDIT_TAIL_RE = re.compile(
    r"\s*[|–-]?\s*(?<!\w)(?:©|Copyright\b:?|Bildnachweis\s*:|Bildquelle\s*:|Bildrechte\s*:|"
    r"Fotos?\s*/\s*Quelle\s*:)\s*[^.!?]{0,80}$",
    re.IGNORECASE,
)
# "(Quelle: dpa / Max Mustermann)" and "(Foto: …)" credits inside a sentence.
_CREDIT_PAREN_RE = re.compile(
    r"\s*\((?:Foto|Bild)?(?:quelle|nachweis|foto)\s*:\s*[^()]*?/[^()]*\)|\s*\((?:Foto|Bild)\s*:[^()]*\)",
    re.IGNORECASE,
)
# Breadcrumb trails, a header's "today" (never a publication date) and press-portal labels.
_FIXED_CHROME_RE = re.compile(
    r"^(?:Sie sind hier\s*:|Sie befinden sich hier\s*:|Pressemeldung der Firma\b|"
    r"(?:Heute(?: ist)?\s*:?\s*)(?:\w+,\s*)?[\d.]+\s*(?:\w+\s+\d{4})?$)",
    re.IGNORECASE,
)
# "… Die Meldung. Weiterlesen →" as feed summaries and teaser paragraphs end.
_TEASER_TAIL_RE = re.compile(
    r"(?<=\S)\s+[>»›→]?\s*(?:Weiterlesen|Jetzt lesen|Mehr lesen|mehr erfahren|Zum Artikel)"
    r"\s*[…→»›.]*\s*$",
    re.IGNORECASE,
)
_TEASER_TAIL_HINTS = ("lesen", "erfahren", "zum artikel")
_CREDIT_HINTS = ("©", "(c)", "copyright", "bild", "foto", "quelle")
_WP_FOOTER_RE = re.compile(
    r"^(?:Der Beitrag|Der Artikel|The post)\b.*\b(?:erschien zuerst auf|appeared first on)\b",
    re.IGNORECASE,
)
_COOKIE_RE = re.compile(r"cookie", re.IGNORECASE)
_COOKIE_CONTEXT_RE = re.compile(
    r"akzeptier|verwende|einstellung|zustimm|einwillig|datenschutz|nutzungserlebnis|tracking",
    re.IGNORECASE,
)
_BULLET_RE = re.compile(r"^(?:[-•*–·▪]|\d+\.)\s+")
_STRAY_WORD_RE = re.compile(r"^[a-zäöüß]{3,}$")
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)


def _is_chrome_line(line: str) -> bool:
    key = _key(line)
    if not key:
        # Pure punctuation/symbol lines ("|", "»", "…") are left-overs of widgets.
        return True
    if key in _CHROME_LINES:
        return True
    if re.fullmatch(r"kommentare?\s+werden\s+geladen.*", key):
        return True
    words = re.split(r"[\s|·/,]+", line.casefold().strip())
    if words and len(words) <= 12 and all(w in _SHARE_WORDS for w in words if w):
        return True
    if _PORTAL_TITLE_RE.match(line) or _LINK_NOTE_LINE_RE.match(line):
        return True
    if _FIXED_CHROME_RE.match(line):
        return True
    return bool(_CREDIT_LINE_RE.match(line))


def _clean_line(line: str) -> str:
    line = _CREDIT_PAREN_RE.sub("", line)
    line = _LINK_NOTE_REF_RE.sub("", line)
    if _is_chrome_line(line):
        return ""
    # The tail patterns scan from every position; most lines have no hint of either.
    folded = line.casefold()
    if any(h in folded for h in _TEASER_TAIL_HINTS):
        line = _TEASER_TAIL_RE.sub("", line)
    if any(h in folded for h in _CREDIT_HINTS):
        line = _CREDIT_TAIL_RE.sub("", line)
    return line.strip()


def _paragraphs(text: str) -> list[list[str]]:
    """Blank lines separate paragraphs; a bulleted line also starts one."""
    paras: list[list[str]] = [[]]
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if not line:
            if paras[-1]:
                paras.append([])
            continue
        if _BULLET_RE.match(line) and paras[-1]:
            paras.append([])
        paras[-1].append(line)
    return [p for p in paras if p]


def clean_text(text: str) -> str:
    """Remove the boilerplate these sites leave in article text; one paragraph per block.

    Whitespace is normalised within each paragraph (hard-wrapped lines are joined) and
    paragraphs are separated by one blank line.  Repeated paragraphs (captions printed two or
    three times) are kept once.
    """
    if not text:
        return ""
    text = ftfy.fixes.fix_c1_controls(fix_mojibake(text))
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = _ANGLE_LINK_RE.sub("", text)

    out: list[str] = []
    seen: set[str] = set()
    for lines in _paragraphs(text):
        kept = [c for c in (_clean_line(line) for line in lines) if c]
        if not kept:
            continue
        para = " ".join(kept)
        key = _key(para)
        if key in _TEASER_HEADINGS:
            if out:
                break  # the rest of the page is teasers / comments
            continue
        if _STRAY_WORD_RE.match(para) or _WP_FOOTER_RE.match(para):
            continue
        if _COOKIE_RE.search(para) and _COOKIE_CONTEXT_RE.search(para) and len(para) < 600:
            continue
        if key in seen:
            continue
        seen.add(key)
        out.append(para)
    return "\n\n".join(out)


# ---------------------------------------------------------------------------------------------
# Tree to text
# ---------------------------------------------------------------------------------------------

_HTML_BLOCKS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tr",
    "ul",
    # trafilatura's output vocabulary
    "head",
    "item",
    "list",
    "quote",
    "row",
    "code",
}
_CELLS = {"td", "th", "cell"}
_LINEBREAKS = {"br", "lb"}
_SKIP_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "button",
    "select",
    "input",
    "textarea",
    "iframe",
    "object",
}


_HTML_SPACE = re.compile(r"\s+")


def _tree_text(root: etree._Element) -> str:
    out: list[str] = []

    def text(value: str) -> str:
        # In HTML a newline in the source is just a space; only <br> and blocks break lines.
        return _HTML_SPACE.sub(" ", value)

    def walk(el: etree._Element) -> None:
        tag = el.tag if isinstance(el.tag, str) else None
        if tag is None or tag in _SKIP_TAGS:
            if el.tail:
                out.append(text(el.tail))
            return
        block = tag in _HTML_BLOCKS
        if block:
            out.append("\n\n")
        elif tag in _LINEBREAKS:
            out.append("\n")
        elif tag in _CELLS:
            out.append(" ")
        if el.text:
            out.append(el.text if tag == "pre" else text(el.text))
        for child in el:
            walk(child)
        if block:
            out.append("\n\n")
        if el.tail:
            out.append(text(el.tail))

    walk(root)
    return "".join(out)


def html_fragment_to_text(html: str) -> str:
    """HTML snippet (feed summary, GSB ``div.content``) to cleaned paragraph text."""
    if not html or not html.strip():
        return ""
    try:
        root = lxml_html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return clean_text(html)
    return clean_text(_tree_text(root))


# ---------------------------------------------------------------------------------------------
# Metadata
# ---------------------------------------------------------------------------------------------

_DATE_META_RE = re.compile(r"date|published|modified|created|issued|pubdate|_time$|:time$|updated_time", re.IGNORECASE)
_NOT_DATE_META = {"viewport", "format-detection"}
_JSONLD_DATE_KEYS = ("datePublished", "dateModified", "dateCreated", "uploadDate")
_TITLE_SEPARATORS_RE = re.compile(r"\s+[-|–—·:]\s+")
_KNOWN_SITE_NAMES = {
    "bmwi",
    "bmwk",
    "bmwe",
    "clusterplattform",
    "clusterplattform deutschland",
    "bundesministerium für wirtschaft und energie",
    "bundesministerium für wirtschaft und klimaschutz",
}
_VISIBLE_BYLINE_RE = re.compile(r"(?:^|[·|•,–]\s*)Von\s+([A-ZÄÖÜ][\w.'-]+(?:\s+[A-ZÄÖÜ][\w.'-]+){0,3})\s*$")
_BYLINE_RE = re.compile(r"^(?:von|by|autor(?:in)?:?)\s+(.{2,60}?)\s*$", re.IGNORECASE)


def _squash(s: str | None) -> str | None:
    if s is None:
        return None
    s = " ".join(s.split())
    return s or None


def _metas(tree: lxml_html.HtmlElement) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv")
        content = meta.get("content")
        if key and content and content.strip():
            found.append((key.strip(), content.strip()))
    return found


def _first(metas: list[tuple[str, str]], *names: str) -> str | None:
    wanted = [n.casefold() for n in names]
    for name in wanted:
        for key, value in metas:
            if key.casefold() == name:
                return value
    return None


def _jsonld_objects(tree: lxml_html.HtmlElement) -> list[dict]:
    objects: list[dict] = []
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue  # broken JSON-LD is common; the other evidence still counts
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                objects.append(item)
                stack.extend(v for k, v in item.items() if k == "@graph")
    return objects


def _jsonld_author(obj: dict) -> str | None:
    author = obj.get("author")
    if isinstance(author, list) and author:
        author = author[0]
    if isinstance(author, dict):
        author = author.get("name")
    return author if isinstance(author, str) and author.strip() else None


def _meta_dates(tree: lxml_html.HtmlElement, metas: list[tuple[str, str]], jsonld: list[dict]) -> dict[str, str]:
    dates: dict[str, str] = {}
    for key, value in metas:
        if key.casefold() not in _NOT_DATE_META and _DATE_META_RE.search(key):
            dates.setdefault(key, value)
    for obj in jsonld:
        for k in _JSONLD_DATE_KEYS:
            if isinstance(obj.get(k), str):
                dates.setdefault(k, obj[k])
    for el in tree.xpath("//*[@itemprop][not(self::meta)]"):
        prop = el.get("itemprop")
        if prop in _JSONLD_DATE_KEYS:
            value = el.get("datetime") or el.get("content") or el.text_content().strip()
            if value:
                dates.setdefault(prop, value)
    times = tree.xpath("(//article//time[@datetime] | //main//time[@datetime])[1]")
    if times:
        dates.setdefault("time", times[0].get("datetime").strip())
    return dates


def _site_names(metas: list[tuple[str, str]], url: str) -> set[str]:
    names = set(_KNOWN_SITE_NAMES)
    for key in ("og:site_name", "application-name", "publisher", "dc.publisher"):
        value = _first(metas, key)
        if value:
            names.add(value.casefold())
    host = urlsplit(url).hostname or ""
    labels = [p for p in host.split(".") if p not in {"www", "de", "com", "org", "net", "eu"}]
    names.update(labels)
    return names


def _strip_site_name(title: str, site_names: set[str]) -> str:
    parts = _TITLE_SEPARATORS_RE.split(title)
    if len(parts) < 2:
        return title

    def is_site(part: str) -> bool:
        p = part.casefold().strip()
        compact = re.sub(r"[\s.-]", "", p)
        return p in site_names or compact in site_names or any(compact == re.sub(r"[\s.-]", "", n) for n in site_names)

    while len(parts) > 1 and is_site(parts[-1]):
        parts.pop()
    while len(parts) > 1 and is_site(parts[0]):
        parts.pop(0)
    # Only the separators between the remaining parts matter; rebuild from the original
    # string so a title's own " – " keeps its dash.
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip()


def _title(tree: lxml_html.HtmlElement, metas: list[tuple[str, str]], url: str) -> str | None:
    site_names = _site_names(metas, url)
    candidates = [_first(metas, "og:title", "twitter:title", "dc.title")]
    # The article's own heading first: a page's first <h1> is often the site's name.
    for path in ("//main//h1", "//article//h1", "//*[contains(concat(' ', @class, ' '), ' entry-title ')]", "//h1"):
        found = tree.xpath(path)
        if found:
            candidates.append(found[0].text_content())
            break
    title_el = tree.find(".//title")
    if title_el is not None:
        candidates.append(title_el.text_content())
    for cand in candidates:
        cand = _squash(cand)
        if not cand:
            continue
        cand = _PORTAL_TITLE_RE.sub("", cand)
        stripped = _strip_site_name(cand, site_names)
        if stripped.casefold() not in site_names:
            return fix_mojibake(stripped)
    return None


def _author(tree: lxml_html.HtmlElement, metas: list[tuple[str, str]], jsonld: list[dict]) -> str | None:
    for name in ("author", "article:author", "dc.creator", "dcterms.creator", "twitter:creator"):
        value = _first(metas, name)
        if value and not value.startswith(("http://", "https://", "@")):
            return _normalise_author(value)
    for obj in jsonld:
        author = _jsonld_author(obj)
        if author:
            return _normalise_author(author)
    for el in tree.xpath(
        '//*[@rel="author"] | //*[@itemprop="author"] | '
        '//*[contains(concat(" ", normalize-space(@class), " "), " byline ")] | '
        '//*[contains(concat(" ", normalize-space(@class), " "), " author ")]'
    ):
        value = _squash(el.text_content())
        if value and len(value) <= 80:
            return _normalise_author(value)
    # A visible byline in the article head: "19.09.2016, 14:53 Uhr · Von Jürgen Köhler".
    for el in tree.xpath("(//article//*[self::p or self::span] | //main//*[self::p or self::span])[position() <= 40]"):
        value = _squash(el.text_content())
        if value and len(value) <= 120 and (m := _VISIBLE_BYLINE_RE.search(value)):
            return m.group(1)
    return None


def _normalise_author(value: str) -> str | None:
    value = " ".join(value.split())
    m = _BYLINE_RE.match(value)
    if m:
        value = m.group(1)
    return value or None


def _language(tree: lxml_html.HtmlElement, metas: list[tuple[str, str]]) -> str | None:
    root = tree.getroottree().getroot()
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    lang = lang or _first(metas, "content-language", "dc.language", "language", "og:locale")
    if not lang:
        return None
    primary = re.split(r"[-_,;\s]", lang.strip())[0].lower()
    return primary or None


# ---------------------------------------------------------------------------------------------
# DOM pre-cleaning
# ---------------------------------------------------------------------------------------------

_CHROME_TOKEN_RE = re.compile(
    r"(?:^|[-_])(?:cookies?|consent|gdpr|cmp|share|sharing|shariff|social|socials|teasers?|"
    r"related|breadcrumbs?|comments?|respond|newsletter|sidebar|subnav|navigation|navi|nav|navbar|"
    r"footer|pagination|banner|login|calendar|widgets?|promo|advert|ads|logos?|credits?|"
    r"copyright|print-link|toolbar|skiplinks?|search|suche|menu|menue|kalender|pfad|kopf|fuss|"
    r"login)(?:$|[-_])",
    re.IGNORECASE,
)
# State modifiers on page wrappers ("has-sidebar", "comments-open") say nothing about the
# element itself being chrome.
_STATE_TOKEN_RE = re.compile(r"^(?:has|with|no|is|show|hide)-|-(?:open|closed|enabled|active)$")
_PROTECTED_TAGS = {"html", "body", "main", "article"}
_TEASER_LINK_TEXTS = {
    _key(s) for s in ("Jetzt lesen", "Weiterlesen", "Mehr lesen", "mehr erfahren", "Zum Artikel", "Artikel lesen")
}
_TEASER_BOX_RE = re.compile(r"teaser|card|box|related|promo|more|tile|kachel", re.IGNORECASE)


def _remove(el: etree._Element) -> None:
    """Drop an element but keep its tail text, which belongs to the parent."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _holds_main_content(el: etree._Element) -> bool:
    return bool(el.xpath(".//h1 | .//main | .//article"))


def _preclean(tree: lxml_html.HtmlElement) -> None:
    for el in list(tree.iter(etree.Element)):
        if el.getparent() is None or el.tag in _PROTECTED_TAGS:
            continue
        tokens = [
            t for t in (el.get("class") or "").split() + (el.get("id") or "").split() if not _STATE_TOKEN_RE.search(t)
        ]
        if (
            el.tag in {"nav", "footer", "aside", "form"}
            or el.get("role")
            in {
                "navigation",
                "contentinfo",
                "dialog",
                "banner",
            }
            or any(_CHROME_TOKEN_RE.search(t) for t in tokens)
        ):
            if not _holds_main_content(el):
                _remove(el)

    # "Das könnte Sie auch interessieren" and everything after it in its section.
    # Looked up through the text nodes: text_content() of every div would be quadratic.
    for node in tree.xpath("//body//text()[string-length(normalize-space()) < 60]"):
        heading = _key(node)
        el = node.getparent()
        if heading not in _TEASER_HEADINGS or el is None or node.is_tail:
            continue
        if el.getparent() is None or el.tag in _PROTECTED_TAGS:
            continue
        target = el
        while (
            target.getparent() is not None
            and target.getparent().tag not in _PROTECTED_TAGS
            and _key(target.getparent().text_content()) == heading
        ):
            target = target.getparent()
        if _key(target.text_content()) != heading:
            continue  # the phrase sits inside a longer paragraph: not a heading
        for sib in list(target.itersiblings()):
            _remove(sib)
        _remove(target)

    # Teaser boxes recognisable by their "Jetzt lesen" / "mehr erfahren" link.
    for link in list(tree.iter("a")):
        if link.getparent() is None or _key(link.text_content()) not in _TEASER_LINK_TEXTS:
            continue
        box = None
        for anc in link.iterancestors():
            if anc.tag in _PROTECTED_TAGS:
                break
            if _TEASER_BOX_RE.search(anc.get("class") or "") or anc.tag == "li":
                box = anc
                break
        if box is not None and len(box.text_content()) < 600 and not _holds_main_content(box):
            _remove(box)
        else:
            _remove(link)


# ---------------------------------------------------------------------------------------------
# Article extraction
# ---------------------------------------------------------------------------------------------


def _parse(html: str) -> lxml_html.HtmlElement:
    if not html or not html.strip():
        raise ExtractionError("empty document")
    # lxml refuses str input that still carries an XML encoding declaration.
    html = re.sub(r"^\s*<\?xml[^>]*\?>", "", html)
    try:
        return lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"unparseable HTML: {exc}") from exc


def _fallback_text(tree: lxml_html.HtmlElement) -> str:
    for xpath in ("//main", "//article", '//*[@id="content"]', "//body"):
        found = tree.xpath(xpath)
        if found:
            return _tree_text(found[0])
    return _tree_text(tree)


def _trafilatura_text(tree: lxml_html.HtmlElement, url: str) -> str:
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        favor_precision=True,
        include_comments=False,
        include_tables=True,  # trafilatura keeps only tables inside the main content
        include_images=False,
        with_metadata=False,
    )
    body = getattr(document, "body", None)  # a Document unless as_dict=True
    return _tree_text(body) if body is not None else ""


def _html_date(html: str, url: str) -> str | None:
    """htmldate's publication day of the page, from markup only (no free-text search).

    ``original_date`` prefers the publication date over a modification date; the extensive
    search is left off because it reads dates out of running text, where crawler.dates'
    dateline rules decide what counts.
    """
    try:
        found = _htmldate_find_date(
            html, url=url, original_date=True, extensive_search=False, outputformat="%Y-%m-%d"
        )
    except (ValueError, TypeError, AttributeError, IndexError, RecursionError):
        # htmldate is defensive already; a page it chokes on simply has no markup date
        return None
    return found if isinstance(found, str) else None


def extract_article(html: str, url: str) -> Extracted:
    """Main text and metadata of an article page (already decoded; see :func:`decode_html`)."""
    tree = _parse(html)
    metas = _metas(tree)
    jsonld = _jsonld_objects(tree)
    title = _title(tree, metas, url)
    author = _author(tree, metas, jsonld)
    meta_dates = _meta_dates(tree, metas, jsonld)
    language = _language(tree, metas)

    _preclean(tree)
    text = clean_text(_trafilatura_text(tree, url))
    if not text:
        # The pre-clean may have mistaken an unusual wrapper for chrome: retry without it.
        text = clean_text(_trafilatura_text(_parse(html), url))
    if not text:
        # favor_precision occasionally rejects short press notes; a plain walk of the cleaned
        # main element is better than nothing.
        text = clean_text(_fallback_text(tree)) or clean_text(_fallback_text(_parse(html)))

    paras = text.split("\n\n") if text else []
    if title:
        # The headline is kept in .title; republications repeat it after the dateline.
        head = [p for p in paras[:3] if _key(p) != _key(title)]
        paras = head + paras[3:]
    if paras:
        m = _BYLINE_RE.match(paras[-1]) if len(paras[-1]) <= 64 else None
        if m:
            author = author or _normalise_author(m.group(1))
            paras = paras[:-1]
        elif author is None and paras and (m := _BYLINE_RE.match(paras[0])):
            author = _normalise_author(m.group(1))
            paras = paras[1:]
    return Extracted(
        title=title,
        text="\n\n".join(paras),
        author=author,
        meta_dates=meta_dates,
        html_date=_html_date(html, url),
        language=language,
    )
