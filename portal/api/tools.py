"""Building blocks the apps' API modules share: whole-number filters, Korean operation docs,
the 개조식 field. (Kept apart from portal/api/base.py, which the REST_FRAMEWORK setting loads before
DRF's views exist.)"""

from __future__ import annotations

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from core import gaejosik

MAX_ID = 2**31 - 1
GAEJOSIK_NODES_SCHEMA = {"type": "array", "items": {"$ref": "#/components/schemas/GaejosikNode"}}


class IdFilter(filters.Filter):
    """A whole-number filter (ids, session numbers, years): anything else is a 400."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field(GAEJOSIK_NODES_SCHEMA)
class GaejosikNodesField(serializers.JSONField):
    """개조식 content as its structure (core/gaejosik.py), for reading: at most
    gaejosik.MAX_DEPTH levels, like the page, whatever is stored."""

    def to_representation(self, value):
        return super().to_representation(gaejosik.clamp(value))


def _titled(documented, titles: dict[str, str]):
    def decorate(viewset):
        viewset.titles = titles  # the browsable pages' names (portal.api.base.PortalViewMixin)
        return documented(viewset)

    return decorate


def read_schema(summary: str, description: str, item: str, item_description: str = ""):
    """The docs of a read-only endpoint: its list and its one-item operations, in Korean (also
    the titles of its browsable pages)."""
    documented = extend_schema_view(
        list=extend_schema(summary=summary, description=description),
        # An empty description would let the view's (English) docstring through.
        retrieve=extend_schema(summary=item, description=item_description or description),
    )
    return _titled(documented, {"List": summary, "Instance": item})


def staff_schema(noun: str, description: str):
    """The docs of a staff endpoint: Korean summaries of its six operations (and the titles of
    its browsable pages)."""
    documented = extend_schema_view(
        list=extend_schema(summary=f"{noun} 목록(직원)", description=description),
        retrieve=extend_schema(summary=f"{noun} 하나(직원)", description=description),
        create=extend_schema(
            summary=f"{noun} 추가", description=f"관리 화면의 {noun} 추가와 같습니다."
        ),
        update=extend_schema(
            summary=f"{noun} 고치기(전체)",
            description="관리 화면에서 고치는 것과 같은 확인을 거칩니다. 읽어 온 revision을 함께 보냅니다.",
        ),
        partial_update=extend_schema(
            summary=f"{noun} 고치기(일부)",
            description="보낸 항목만 바꿉니다. 읽어 온 revision을 함께 보냅니다.",
        ),
        destroy=extend_schema(
            summary=f"{noun} 지우기",
            description=f"관리 화면의 {noun} 지우기와 같은 확인을 거칩니다.",
        ),
    )
    return _titled(documented, {"List": f"{noun} 목록(직원)", "Instance": f"{noun} 하나(직원)"})
