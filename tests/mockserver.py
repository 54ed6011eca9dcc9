"""The tests' mock server is the product's replica server (monitor/replica.py)."""

from monitor.replica import SiteServer

__all__ = ["SiteServer"]
