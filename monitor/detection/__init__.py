"""Membership-event detection: text -> member ordinals, member counts and new members."""

from .detector import detect
from .html_text import HtmlExtractionError, html_to_text
from .model import Event
from .numbers import NumberFormatError
from .programmes import normalise_programme

__all__ = [
    "Event",
    "HtmlExtractionError",
    "NumberFormatError",
    "detect",
    "html_to_text",
    "normalise_programme",
]
