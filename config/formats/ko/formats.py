"""Korean date formats for templates (`|date`, `|date:"DATETIME_FORMAT"`): core/formats.py's."""

from core.formats import DATE_FORMAT, DATETIME_FORMAT

__all__ = ["DATE_FORMAT", "DATETIME_FORMAT"]
