"""The frame detector on sentences written here in the style of the misses the real-page
measurement found (whose membership, count frames, the member of an ordinal), with the `why`
every event carries. bench/score_detection.py measures it on real pages."""

from __future__ import annotations

import pytest

from monitor.detection import detect as read

CASES = [
    # (text, kind, programme, number, member)
    ("Die Netzwerk Elbmarsch GmbH & Co. KG hat die Kranich Logistik AG als 320. Mitglied aufgenommen.",
     "member_ordinal", "netzwerk elbmarsch", 320, "Kranich Logistik AG"),
    ("Der Förderkreis Moorland e. V. zählt mittlerweile gut 640 Mitglieder.",
     "member_count", "förderkreis moorland", 640, None),
    ("Knapp 90 Mitglieder hat die Initiative Sonnenküste inzwischen.",
     "member_count", "initiative sonnenküste", 90, None),
    ("Der Heideverband legt zu\n\nDie Zahl seiner Mitglieder stieg im Herbst auf 73.",
     "member_count", "heideverband", 73, None),
    ("Mit dem Weingut Kaltenbach begrüßt der Winzerverein Rebland sein 150. Mitglied.",
     "member_ordinal", "winzerverein rebland", 150, "Weingut Kaltenbach"),  # "Digitalverband Bitkom" is Bitkom, but a place after the descriptor makes the name
    ("Die Orbis Sensorik GmbH tritt dem Netzwerk Feinmechanik Jena bei.",
     "new_member", "netzwerk feinmechanik jena", None, "Orbis Sensorik GmbH"),
    ("With more than 1,200 member companies, the Harbour Trade Association is the largest in the region.",
     "member_count", "harbour trade association", 1200, None),
    ("Der Energieverbund Nord vertritt die Interessen von 415 Mitgliedsbetrieben.",
     "member_count", "energieverbund nord", 415, None),
]


@pytest.mark.parametrize("text,kind,programme,number,member", CASES)
def test_frame(text: str, kind: str, programme: str, number: int | None, member: str | None) -> None:
    events = read(text)
    assert [(e.kind, e.programme, e.number, e.member) for e in events] == [(kind, programme, number, member)]
    (event,) = events
    assert event.why["frame"] and event.why["sentence"] and event.why["programme"]


@pytest.mark.parametrize("text", [
    "Die neun Mitglieder des Vorstands wurden einstimmig gewählt.",
    "Schon 2019 hatte der Heideverband sein 500. Mitglied begrüßt. 2025 plant er ein Fest.",
    "Zur Versammlung waren 52 Mitglieder anwesend.",
    "The board of the Harbour Trade Association has seven members.",
    "Werden Sie Mitglied im Förderkreis Moorland!",
])
def test_no_event(text: str) -> None:
    assert read(text) == []


def test_unsaid_programme_is_none_with_a_reason() -> None:
    (event,) = read("Inzwischen sind es 212 Mitglieder.")
    assert event.programme is None
    assert "does not say" in event.why["programme"]
