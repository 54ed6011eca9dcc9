"""A Scrapy spider loader over the configured sources, so `scrapy list` and `scrapy crawl NAME`
work from the project root exactly like `clusterwatch crawl NAME`, with the same settings."""

from __future__ import annotations

import builtins
from typing import Any

from crawler.config import load
from crawler.runner import config_settings, spider_class


# Scrapy >= 2.13 checks a spider loader by protocol; the zope interface that older versions
# verified is deprecated there, so it is not declared.
class SourceSpiderLoader:
    def __init__(self, settings: Any):
        self.config = load(settings.get("CLUSTERWATCH_CONFIG") or None)
        self._classes = {s.name: spider_class(s) for s in self.config.sources}
        # The configuration's [crawler] settings (delay, timeouts, the contact in the User-Agent)
        # at the spider's priority: above the project defaults, which alone used to apply here
        # (DOWNLOAD_DELAY stayed 2.0 when the configuration said 0.2), below `scrapy crawl -s`.
        ours = config_settings(self.config)
        settings_db = settings.get("CLUSTERWATCH_DB")
        # A -s on the command line still wins over the configuration's address policy.
        networks = settings.get("CLUSTERWATCH_ALLOW_NETWORKS") if settings.getpriority(
            "CLUSTERWATCH_ALLOW_NETWORKS") >= 40 else ours["CLUSTERWATCH_ALLOW_NETWORKS"]
        for cls in self._classes.values():
            cls.custom_settings = {**(cls.custom_settings or {}), **ours, "CLUSTERWATCH_ALLOW_NETWORKS": networks,
                                   "CLUSTERWATCH_DB": settings_db or str(self.config.database)}

    @classmethod
    def from_settings(cls, settings: Any) -> SourceSpiderLoader:
        return cls(settings)

    def load(self, spider_name: str) -> type:
        try:
            return self._classes[spider_name]
        except KeyError:
            raise KeyError(f"Spider not found: {spider_name}") from None

    def list(self) -> builtins.list[str]:
        return list(self._classes)

    def find_by_request(self, request: Any) -> builtins.list[str]:
        return []
