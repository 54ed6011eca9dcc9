"""Credentials out of stored server replies.

A server's reply is kept in ``alerts.last_error`` and shown by `alerts`, `query` and Datasette. A
server that echoes the client's line (``535 5.7.8 bad credentials: AUTH PLAIN AGFsaWNl...``)
would put the base64 of username and password there, which is the password in plain sight.
Every reply and message of a failed delivery passes through ``redact`` first.
"""

from __future__ import annotations

import base64
import re

MARK = "[redacted]"
# Whatever follows "AUTH <mechanism>" on one line is credential material.
_AUTH_ARGUMENT = re.compile(r"(?i)(\bAUTH\s+[A-Z0-9_-]+\s+)[^\s]+")


def credential_spellings(username: str | None, password: str | None) -> list[str]:
    """The texts the client may have sent that reveal the password: the password itself and the
    base64 forms of AUTH PLAIN (with and without an authorisation id) and AUTH LOGIN, padded or
    not, in UTF-8 (our PLAIN) and Latin-1; longest first, so no shorter one splits a longer."""
    if not password:
        return []
    user = username or ""
    found = {password}
    for encoding in ("utf-8", "latin-1"):
        try:
            u, p = user.encode(encoding), password.encode(encoding)
        except UnicodeEncodeError:
            continue
        for raw in (b"\0" + u + b"\0" + p, u + b"\0" + u + b"\0" + p, p):
            token = base64.b64encode(raw).decode("ascii")
            found |= {token, token.rstrip("=")}
    return sorted(found, key=len, reverse=True)


def redact(text: str, spellings: list[str]) -> str:
    for secret in spellings:
        # Case-blind: a server may echo the line upper-cased; redacting a little more costs nothing.
        text = re.sub(re.escape(secret), MARK, text, flags=re.IGNORECASE)
    return _AUTH_ARGUMENT.sub(lambda m: m.group(1) + MARK, text)
