"""Small builders for synthetic reports (tests and `manage.py bench`)."""

from projects.models import Block, Card
from reports.synthetic import build_report  # noqa: F401  (one builder for tests and bench)

__all__ = ["Block", "Card", "build_report"]
