"""Which of two copies of one announcement is its own: the earliest published, decided the same
way whatever order the sources were crawled in.

Sources are crawled concurrently, so the order in which copies reach the store changes from run to
run; only what the copies say (their publication times) and what the configuration says (which
sources are aggregators) may decide.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

# A time without a zone on a German site is German time.
SITE_ZONE = ZoneInfo("Europe/Berlin")


def moment(published: str) -> datetime | None:
    """The full timestamp, or None when only the day is known."""
    if len(published) <= 10:
        return None
    try:
        value = datetime.fromisoformat(published)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=SITE_ZONE)


def replaces(new: str | None, new_is_aggregator: bool, old: str | None, old_is_aggregator: bool) -> bool:
    """Whether a copy published at ``new`` should become the announcement's own instead of the
    stored copy published at ``old``.

    Full timestamps are compared where both have them (09:45 beats 16:42 on the same day); else
    the days. A tie goes to an original publisher over an aggregator, then to the copy seen first,
    which is the stored one.
    """
    if not new:
        return False
    if not old:
        return True
    new_moment, old_moment = moment(new), moment(old)
    if new_moment is not None and old_moment is not None and new_moment != old_moment:
        return new_moment < old_moment
    if new[:10] != old[:10]:
        return new[:10] < old[:10]
    return old_is_aggregator and not new_is_aggregator
