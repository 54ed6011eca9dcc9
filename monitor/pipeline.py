"""The monitor's steps over a configured dataset: detect, then (when configured) create alerts.

Kept apart from the command line so the service and the demo run exactly the same steps.
"""

from __future__ import annotations

from crawler.config import Config, ConfigError
from monitor.alerts.outbox import alert_creator
from monitor.events import Detector, MilestoneConfigError, MilestoneRule, open_dataset


def milestone_rule(config: Config) -> MilestoneRule:
    try:
        return MilestoneRule.from_config(config.extra.get("milestones"))
    except MilestoneConfigError as exc:
        raise ConfigError(f"{config.path or 'built-in defaults'}: {exc}") from None


def run_detection(config: Config, *, all_again: bool = False) -> dict[str, int]:
    db = open_dataset(config.database)
    try:
        detector = Detector(db, milestone_rule(config), on_event=alert_creator(config))
        return detector.run(all_again=all_again)
    finally:
        db.conn.close()

