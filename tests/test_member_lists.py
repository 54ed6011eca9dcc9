"""New members listed line by line under a header (monitor/detection/member_lists.py): each line is
one event that says which line and header it came from. The case folder holds whole documents
(tests/cases/detection/62*-list-*); these check what the events explain."""

from __future__ import annotations

from monitor.detection import detect
from monitor.detection.member_lists import member_lists

RELEASE = """Bilanz der Werkstoffallianz Harz

Die Werkstoffallianz Harz hat im Herbst vier Betriebe aufgenommen und zählt nun 77 Mitglieder.

Folgende Betriebe wurden neu aufgenommen:
- Gießerei Blankenburg GmbH – 38889 Blankenburg
- Keramikwerk Ilsenburg AG – 38871 Ilsenburg
- Brockenstahl KG – 38855 Wernigerode
- Oberharzer Kunststofftechnik GmbH – 38678 Clausthal-Zellerfeld
"""


def test_each_listed_line_is_a_new_member_that_explains_where_it_came_from() -> None:
    events = detect(RELEASE)
    listed = [e for e in events if e.kind == "new_member"]
    assert [(e.member, e.place) for e in listed] == [
        ("Gießerei Blankenburg GmbH", "Blankenburg"), ("Keramikwerk Ilsenburg AG", "Ilsenburg"),
        ("Brockenstahl KG", "Wernigerode"), ("Oberharzer Kunststofftechnik GmbH", "Clausthal-Zellerfeld")]
    for e in listed:
        assert e.programme == "werkstoffallianz harz"
        assert e.why["frame"] == "new member: list lines"
        assert e.evidence == "Folgende Betriebe wurden neu aufgenommen:"
        assert e.member in e.why["roles"]["member"] and "under the header" in e.why["roles"]["member"]
    # The count stays; "vier Betriebe aufgenommen" is not reported beside the four names.
    assert [(e.kind, e.number) for e in events if e.kind != "new_member"] == [("member_count", 77)]


def test_a_list_needs_a_header_about_new_members() -> None:
    lines = "- Gießerei Blankenburg GmbH\n- Brockenstahl KG\n"
    assert member_lists("Unsere Partner:\n" + lines) == []
    assert member_lists("Neue Mitglieder im Beirat:\n" + lines) == []
    assert member_lists("Neue Mitglieder erhalten:\n" + lines) == []
    assert [len(found.items) for found in member_lists("Neue Mitglieder:\n" + lines)] == [2]


def test_unmarked_lines_are_a_list_only_when_they_are_names() -> None:
    # Lines without a bullet: names, but not sentences; one alone is not enough.
    names = "Neue Mitglieder:\nGießerei Blankenburg GmbH\nBrockenstahl KG\n"
    assert [i.member for found in member_lists(names) for i in found.items] == ["Gießerei Blankenburg GmbH",
                                                                                "Brockenstahl KG"]
    prose = "Neue Mitglieder:\nDie Versammlung hat getagt.\nEs gab Kuchen.\n"
    assert member_lists(prose) == []
    assert member_lists("Neue Mitglieder:\nBrockenstahl KG\n\nDie Versammlung tagte lange und beschloss viel.\n") == []


def test_an_english_plural_of_an_organisation_noun_is_no_name() -> None:
    """"the alliances", "networks", "societies" refer to bodies as "the alliance" does; they are
    never whose membership an event is. A name stays a name."""
    from monitor.detection.names import generic

    assert all(generic(word) for word in ("alliances", "Alliances", "networks", "societies", "associations"))
    assert not any(generic(word) for word in ("Oneworld", "IHKs", "Siemens", "Lions"))
