"""Small builders for synthetic reports (tests and `manage.py bench`)."""

from portal.synthetic import build_report  # noqa: F401  (one builder for tests and bench)
from projects.models import Block, Card

__all__ = ["Block", "Card", "build_report"]
