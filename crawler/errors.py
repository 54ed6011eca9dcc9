"""The one family of errors a user is shown: every exception whose message is meant for the person
at the command line derives from ``ClusterwatchError``, and the command line catches that one
class in one place (``monitor.cli.main``) and prints its message on one line.

It lives in ``crawler/`` because both sides raise it and ``crawler/`` imports nothing from
``monitor/``.
"""

from __future__ import annotations


class ClusterwatchError(Exception):
    """A failure the user can act on; ``str(exc)`` says what and where, in one line."""
