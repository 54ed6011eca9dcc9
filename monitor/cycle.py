"""One cycle of the monitor over a dataset: record the events found in new announcements and,
when subscribers are configured, create their alerts in the same transactions.

Kept apart from the command line so the service and the demo run exactly the same steps. (Not to
be confused with ``crawler/pipelines.py``, Scrapy's item pipeline, which stores crawled items.)
"""

from __future__ import annotations

from crawler.config import Config
from monitor.alerts.outbox import alert_creator
from monitor.events import EventRecorder, open_dataset


def run_detection(config: Config, *, all_again: bool = False) -> dict[str, int]:
    from monitor.detection import check_models

    check_models()  # a broken installation says so before any announcement is read
    db = open_dataset(config.database)
    try:
        recorder = EventRecorder(db, config.milestones, on_event=alert_creator(config))
        return recorder.run(all_again=all_again)
    finally:
        db.conn.close()
