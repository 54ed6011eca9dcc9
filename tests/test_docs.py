"""The configuration reference (docs/configuration.md) lists exactly the keys the code accepts."""

from __future__ import annotations

import re
from pathlib import Path

from crawler.config import CRAWLER_DEFAULTS, CRAWLER_KEYS, MONITOR_SECTIONS, OWN_TOP_LEVEL
from crawler.sources import COMMON_KEYS, GSB_SELECTOR_DEFAULTS, KINDS

DOC = (Path(__file__).resolve().parent.parent / "docs" / "configuration.md").read_text(encoding="utf-8")
DOCUMENTED = set(re.findall(r"^- `([a-z_]+(?:\.[a-z_]+)?)`", DOC, re.M))


def code_keys() -> set[str]:
    keys = {"database"}
    keys |= {f"crawler.{k}" for k in CRAWLER_KEYS}
    keys |= {f"sources.{k}" for k in COMMON_KEYS}
    for kind in KINDS.values():
        keys |= {f"sources.{k}" for k in kind.keys}
    keys |= {f"selectors.{k}" for k in GSB_SELECTOR_DEFAULTS}
    for section, allowed in MONITOR_SECTIONS.items():
        keys |= {f"{section}.{k}" for k in allowed or ()}
    keys.add("milestones.default")
    return keys


def test_every_key_in_the_code_is_documented() -> None:
    assert code_keys() - DOCUMENTED == set()


def test_nothing_is_documented_that_the_code_does_not_accept() -> None:
    assert DOCUMENTED - code_keys() == set()


def test_top_level_sections_are_all_documented() -> None:
    for section in (*OWN_TOP_LEVEL, *MONITOR_SECTIONS):
        assert f"[{section}]" in DOC or f"[[{section}]]" in DOC or section == "database"


def test_documented_crawler_defaults_match_the_code() -> None:
    for key, value in CRAWLER_DEFAULTS.items():
        line = next(line for line in DOC.splitlines() if line.startswith(f"- `crawler.{key}`"))
        shown = {True: "true", False: "false"}.get(value, value) if isinstance(value, bool) else value
        assert f"`{shown}`" in line or f'`"{shown}"`' in line, (key, line)


SCHEMA = (Path(__file__).resolve().parent.parent / "docs" / "schema.md").read_text(encoding="utf-8")


def test_schema_doc_lists_every_column_of_a_migrated_dataset(tmp_path: Path) -> None:
    from monitor.events import open_dataset

    db = open_dataset(tmp_path / "x.db")
    documented = set(re.findall(r"`([a-z_]+\.[a-z_]+)`", SCHEMA))
    actual = {f"{t}.{c.name}" for t in db.table_names()
              if not t.startswith(("_", "announcements_fts")) for c in db[t].columns}
    assert actual - documented == set()
    assert {d for d in documented if d.split(".")[0] in db.table_names()} - actual == set()
