"""How a membership event reads to a person: "100. Mitglied", "77 Mitglieder", "neues Mitglied".

One place for the words, so that the command line, the demo and the email subjects say the same.
"""

from __future__ import annotations


def _ordinal_en(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def event_label(kind: str, number: int | None, language: str = "de") -> str:
    if kind == "member_count" and number is not None:
        return f"{number} Mitglieder" if language == "de" else f"{number} members"
    if kind == "new_member" and number is not None:  # newcomers the text does not name
        return f"{number} neue Mitglieder" if language == "de" else f"{number} new members"
    if kind == "new_member" or number is None:
        return "neues Mitglied" if language == "de" else "new member"
    return f"{number}. Mitglied" if language == "de" else f"{_ordinal_en(number)} member"
