"""Canonical URLs: one spelling per page, so that the store can recognise a page it has seen.

The government sites hand out the same page under many addresses (session ids, print views,
tracking parameters, ``index.html``); each rule below removes one such source of variation.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qsl, quote, unquote_to_bytes, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string

# Query parameters that identify a visitor or a campaign, never the document.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "yclid",
        "_hsenc", "_hsmi", "mkt_tok", "ref", "ref_src", "wt_mc", "wt.mc_id", "pk_campaign",
        "pk_kwd", "piwik_campaign", "piwik_kwd", "at_medium", "at_campaign", "nn",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "wt_")
SESSION_PARAMS = frozenset({"jsessionid", "phpsessid", "sid", "sessionid", "session_id", "cfid", "cftoken"})
# GSB renders the same article for printing; other CMSs use similar switches.
VIEW_PARAMS = {("view", "renderprint"), ("view", "print"), ("print", "1"), ("print", "true")}

_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid)=[^/?#]*", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_INDEX_FILES = ("index.html", "index.htm", "index.php")


class URLError(ValueError):
    """A string that cannot be an http(s) URL."""


def canonical_url(url: str) -> str:
    """Return the canonical form of an http(s) URL.

    Idempotent: ``canonical_url(canonical_url(u)) == canonical_url(u)``.
    Raises URLError for anything that is not an absolute http(s) URL.
    """
    parts, scheme, host, port = _checked_parts(url.strip())
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        netloc = f"[{host}]" + ("" if port in (None, _DEFAULT_PORTS[scheme]) else f":{port}")

    path = _PATH_SESSION.sub("", parts.path) or "/"
    for index in _INDEX_FILES:
        if path.endswith("/" + index):
            path = path[: -len(index)]
            break
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _drop_param(k, v)
    ]
    # w3lib sorts the query and normalises percent-encoding the way Scrapy's fingerprints do;
    # unquoting first makes "2.%20Quartal" and "2. Quartal" one spelling.
    # Decoding to bytes and re-encoding everything unsafe makes the result a fixed point (an
    # encoded "%25" stays encoded) while "2.%20Quartal" and "2. Quartal" still meet.
    rebuilt = urlunsplit((scheme, netloc, quote(unquote_to_bytes(path), safe="/;:@&=+$,!~*'()"), urlencode(query), ""))
    return canonicalize_url(rebuilt, keep_fragments=False)


def check_url(url: str) -> None:
    """Raise URLError unless ``url`` is an absolute http(s) URL: the checks of canonical_url
    without its normalisation (a configuration of 50,000 sources is checked in a second)."""
    _checked_parts(url.strip())


_BAD_HOST = re.compile(r"[\\\s%/?#@<>\"{}|^`]")


def _checked_parts(url: str) -> tuple[SplitResult, str, str, int | None]:
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise URLError(f"not a URL: {url[:200]!r} ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise URLError(f"not an absolute http(s) URL: {url[:200]!r}")
    host = parts.hostname.lower().rstrip(".")
    if not host:  # "http://./": a host of dots only is no host
        raise URLError(f"not an absolute http(s) URL: {url[:200]!r}")
    if _BAD_HOST.search(host):
        # "HTTP://0\\%": a browser reads the backslash as a slash, so the host would change
        # between the first canonical form and the second
        raise URLError(f"bad host in URL: {url[:200]!r}")
    try:
        port = parts.port
    except ValueError:
        raise URLError(f"bad port in URL: {url[:200]!r}") from None
    return parts, scheme, host, port


def _drop_param(key: str, value: str) -> bool:
    k = key.lower()
    if k in TRACKING_PARAMS or k in SESSION_PARAMS or k.startswith(TRACKING_PREFIXES):
        return True
    return (k, value.lower()) in VIEW_PARAMS


def host_of(url: str) -> str:
    """The lower-cased host name of a URL as the downloader will read it: Scrapy normalises a URL
    with WHATWG rules first (``http://a\\@b/`` is host a there, host b for urlsplit)."""
    try:
        return (urlsplit(safe_url_string(url)).hostname or "").lower()
    except ValueError:
        return ""


def on_domains(url: str, domains: list[str]) -> bool:
    """Whether the URL's host is one of the domains or below one (Scrapy's offsite rule)."""
    host = host_of(url)
    return any(host == d or host.endswith("." + d) for d in domains)
