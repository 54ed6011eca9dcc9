"""Membership-event detection: text -> member ordinals, member counts and new members."""

from .detector import check_models, detect
from .html_text import HtmlExtractionError, html_to_text
from .model import Event
from .numbers import NumberFormatError
from .programmes import normalise_programme

__all__ = [
    "Event",
    "HtmlExtractionError",
    "NumberFormatError",
    "check_models",
    "detect",
    "html_to_text",
    "normalise_programme",
]
