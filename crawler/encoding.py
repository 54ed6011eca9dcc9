"""Turn fetched HTML bytes into correct Unicode, even when the page lies about its charset.

The German cluster sites mix UTF-8, ISO-8859-1 and Windows-1252, and several declare the wrong
one (header says UTF-8 but the bytes are Latin-1; <meta> says ISO-8859-1 but the bytes are
UTF-8).  Trusting the declaration stores mojibake ("GrÃ¼ÃŸe", "VerbĂ€nden") that the milestone
detector then cannot match, so the declared decoding is verified against the bytes.
"""

from __future__ import annotations

import codecs
import re

import ftfy
from charset_normalizer import from_bytes
from w3lib.encoding import (
    html_body_declared_encoding,
    html_to_unicode,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
)

__all__ = ["EncodingError", "decode_html", "fix_mojibake"]


class EncodingError(ValueError):
    """Raised when bytes cannot be turned into text at all (not raised for merely odd pages)."""


_UTF8_NAMES = {"utf-8", "utf8"}

# Single-byte encodings in which mojibake of UTF-8 German text has been seen.  Order matters:
# Windows-1252 is what browsers use for "ISO-8859-1"; ISO-8859-16 produces the "VerbĂ€nden"
# pattern, which ftfy (no ISO-8859-16 support) would "repair" into "VerbÀnden".
_MOJIBAKE_SOURCES = ("cp1252", "latin-1", "iso-8859-15", "iso-8859-16", "cp1250", "iso-8859-2")

# A mojibake run: the rendering of a UTF-8 lead byte (C2-C5/E2 in the encodings above)
# followed by one or two renderings of continuation bytes (0x80-0xBF), repeated.
_LEAD = "ÂÃÄÅâĂ"
_RUN_RE = re.compile(rf"(?:[{_LEAD}][\u0080-\u02ff\u2000-\u20ff\u2122]{{1,2}})+")

# Characters that mojibake of German text is made of and correct German text (almost) never
# contains: C1 controls, the renderings of UTF-8 lead bytes, rare Windows-1252 symbols.  A page
# without any of them is left alone; ftfy's badness check costs ~7 ms on a 40 kB page.
_SUSPECT_RE = re.compile("[\u0080-\u009fÂÃÅâĂƒ†‡‰Š‹ŒŽ˜™š›œžŸ¢¤¦¨¯´¸¹º¾¿]")

# What a repaired run may decode to: Latin-1 letters, Latin Extended-A (Polish/Czech names),
# general punctuation (German quotes, dashes) and the euro sign.  Anything else means the
# run was genuine text, not mojibake.
_PLAUSIBLE_RE = re.compile(r"[\u00a0-\u017f\u2010-\u205e\u20ac]+")


def _is_ascii(data: bytes) -> bool:
    return data.isascii()


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _normalise(encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return codecs.lookup(resolve_encoding(encoding) or encoding).name
    except LookupError:
        return None


def _detect(body: bytes) -> str | None:
    best = from_bytes(body[:65536]).best()
    return best.encoding if best is not None else None


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode an HTML response body to text, preferring the encoding the bytes actually use.

    A BOM decides outright (through w3lib's ``html_to_unicode``).  Otherwise non-ASCII bytes
    that are valid UTF-8 are read as UTF-8 whatever was declared (Latin-1 German text is
    practically never valid UTF-8); if they are not, the charsets declared in the
    ``Content-Type`` header and in ``<meta charset>``/``http-equiv`` (found with w3lib's
    parsers, with its WHATWG aliasing: "iso-8859-1" means Windows-1252) are tried strictly,
    then Windows-1252, then charset_normalizer's guess.  Mojibake left in the result (a UTF-8
    page with a Latin-1 template, or text garbled before it was published) is repaired by
    :func:`fix_mojibake`.
    """
    if not isinstance(body, bytes | bytearray):
        raise EncodingError(f"expected bytes, got {type(body).__name__}")
    body = bytes(body)

    bom_encoding, _ = read_bom(body)
    if bom_encoding:
        # A BOM is unambiguous; w3lib strips it.
        return fix_mojibake(html_to_unicode(content_type, body)[1])

    text = _decode_verified(body, content_type)
    return fix_mojibake(text)


def _decode_verified(body: bytes, content_type: str | None) -> str:
    if _is_ascii(body):
        return body.decode("ascii")

    utf8_text = _strict(body, "utf-8")
    if utf8_text is not None:
        # Valid UTF-8 with non-ASCII bytes: whatever was declared, this is the right reading.
        return utf8_text

    declared = [
        _normalise(http_content_type_encoding(content_type) if content_type else None),
        _normalise(html_body_declared_encoding(body)),
    ]
    for encoding in declared:
        if encoding is None or encoding.replace("_", "-") in _UTF8_NAMES:
            continue  # UTF-8 already failed strictly above
        text = _strict(body, encoding)
        if text is not None:
            return text

    # Nothing declared fits.  For pages of this corpus the answer is nearly always
    # Windows-1252 (which browsers use for Latin-1); the detector is asked only when
    # Windows-1252 cannot decode the bytes either (one of its five undefined byte values).
    text = _strict(body, "cp1252")
    if text is not None:
        return text
    guessed = _normalise(_detect(body))
    if guessed:
        text = _strict(body, guessed)
        if text is not None:
            return text
    return body.decode("cp1252", errors="replace")


def _repair_run(run: str) -> str:
    for encoding in _MOJIBAKE_SOURCES:
        try:
            fixed = run.encode(encoding).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if len(fixed) < len(run) and _PLAUSIBLE_RE.fullmatch(fixed):
            return fixed
    return run


def fix_mojibake(text: str) -> str:
    """Repair UTF-8-read-as-single-byte mojibake inside already-decoded text.

    Runs are repaired one by one, so correct text next to them is never re-interpreted.  What
    the targeted pass does not recognise goes to ``ftfy.fix_encoding``, which only acts when
    its own badness heuristic says the text is broken.
    """
    if text.isascii() or not _SUSPECT_RE.search(text):
        return text
    repaired = _RUN_RE.sub(lambda m: _repair_run(m.group(0)), text)
    if _SUSPECT_RE.search(repaired) and ftfy.badness.is_bad(repaired):
        repaired = ftfy.fix_encoding(repaired)
    return repaired
