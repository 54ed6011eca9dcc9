import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.canonical import URLError, canonical_url

CASES = json.loads((Path(__file__).parent / "cases" / "canonical_urls.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("url", "expected"), CASES, ids=[c[0][:60] for c in CASES])
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize("bad", ["", "ftp://example.org/x", "mailto:a@b.de", "/relative/path", "http://", "HTTP://.",
                                 "https://../x",
                                 # a backslash in the host: a browser reads a slash, so the host would
                                 # change from one canonical form to the next (found by Hypothesis)
                                 "HTTP://0\\%", "http://exa%mple.org/", "http://exa mple.org/"])
def test_not_a_web_url_is_refused(bad: str) -> None:
    with pytest.raises(URLError):
        canonical_url(bad)


_segment = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)


@given(
    scheme=st.sampled_from(["http", "HTTP", "https"]),
    host=st.from_regex(r"[a-zA-Z][a-zA-Z0-9-]{0,10}\.(de|org|com)", fullmatch=True),
    port=st.sampled_from(["", ":80", ":443", ":8080"]),
    path=st.lists(_segment, max_size=4),
    query=st.dictionaries(st.sampled_from(["a", "utm_source", "view", "p", "jsessionid", "q"]), _segment, max_size=4),
    fragment=_segment,
)
def test_canonicalisation_is_idempotent(scheme, host, port, path, query, fragment) -> None:
    from urllib.parse import quote, urlencode

    url = f"{scheme}://{host}{port}/" + "/".join(quote(p) for p in path)
    if query:
        url += "?" + urlencode(query)
    url += "#" + quote(fragment)
    once = canonical_url(url)
    assert canonical_url(once) == once
