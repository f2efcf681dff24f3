"""The API of the organisation: bureaus (국·단) and departments (과), public; staffing
snapshots for staff (saved by org.services.staffing_snapshot_save)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from org import services
from org.forms import HeadcountField
from org.models import Bureau, Department, Grade, JobSeries, StaffingCell, StaffingSnapshot
from portal.api.base import CSVRenderer, PortalViewMixin
from portal.api.rows import RowViewSet, sent
from portal.api.tools import IdFilter, read_schema, staff_schema


class BureauSerializer(serializers.ModelSerializer):
    class Meta:
        model = Bureau
        fields = ["id", "name", "order"]


class DepartmentSerializer(serializers.ModelSerializer):
    bureau_name = serializers.SerializerMethodField()

    class Meta:
        model = Department
        fields = ["id", "name", "bureau", "bureau_name", "order"]

    def get_bureau_name(self, department: Department) -> str:
        return department.bureau.name if department.bureau else ""


class DepartmentFilter(filters.FilterSet):
    bureau = IdFilter(field_name="bureau_id", label="국·단 id")

    class Meta:
        model = Department
        fields = ["bureau"]


@read_schema(
    "국·단 목록",
    "책자 순서대로.",
    "국·단 하나",
)
class BureauViewSet(PortalViewMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Bureau.objects.order_by("order", "name")
    serializer_class = BureauSerializer
    lookup_value_regex = "[0-9]{1,9}"
    renderer_classes = [*viewsets.ReadOnlyModelViewSet.renderer_classes, CSVRenderer]


@read_schema(
    "부서 목록",
    "책자 순서대로(국·단 순서, 부서 순서).",
    "부서 하나",
)
class DepartmentViewSet(PortalViewMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Department.objects.select_related("bureau").order_by(
        F("bureau__order").asc(nulls_first=True), "bureau__name", "order", "name"
    )
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilter
    lookup_value_regex = "[0-9]{1,9}"
    renderer_classes = [*viewsets.ReadOnlyModelViewSet.renderer_classes, CSVRenderer]


# Staff: staffing snapshots and their cells -------------------------------------------


class StaffingCellSerializer(serializers.ModelSerializer):
    class Meta:
        model = StaffingCell
        fields = ["id", "series", "grade", "authorized", "current"]


class StaffingSnapshotSerializer(serializers.ModelSerializer):
    cells = StaffingCellSerializer(many=True, read_only=True)

    class Meta:
        model = StaffingSnapshot
        fields = ["id", "department", "as_of", "cells"]


class StaffingCellWriteSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, allow_null=True, help_text="고칠 칸의 id; 새 칸이면 비웁니다"
    )
    series = serializers.ChoiceField(choices=JobSeries.choices, required=False, help_text="직렬")
    grade = serializers.ChoiceField(choices=Grade.choices, required=False, help_text="직급")
    authorized = serializers.IntegerField(required=False, allow_null=True, help_text="정원(0–999)")
    current = serializers.IntegerField(required=False, allow_null=True, help_text="현원(0–999)")

    def _headcount(self, value):
        """A number of people in the admin's words (org.forms.HeadcountField); null is 0."""
        try:
            return HeadcountField().clean(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def validate_authorized(self, value):
        return self._headcount(value)

    def validate_current(self, value):
        return self._headcount(value)


class StaffingSnapshotWriteSerializer(serializers.Serializer):
    department = serializers.IntegerField(required=False, allow_null=True, help_text="부서 id")
    as_of = serializers.DateField(required=False, allow_null=True, help_text="기준일")
    cells = StaffingCellWriteSerializer(
        many=True, required=False, help_text="보내면 칸 전체를 이 목록으로 바꿉니다"
    )


class StaffingFilter(filters.FilterSet):
    department = IdFilter(field_name="department_id", label="부서 id")

    class Meta:
        model = StaffingSnapshot
        fields = ["department"]


@staff_schema("인력 현황", "부서의 기준일별 정원·현원.")
class StaffingViewSet(RowViewSet):
    model = StaffingSnapshot
    filterset_class = StaffingFilter
    read_serializer_class = StaffingSnapshotSerializer
    write_serializer_class = StaffingSnapshotWriteSerializer
    ordering = ("department__order", "department__name", "-as_of")

    def save(self, request, snapshot, data, *, partial):
        put = snapshot is not None and not partial
        return services.staffing_snapshot_save(
            request.user,
            snapshot,
            sent(data, services.SNAPSHOT_FIELDS, put=put),
            cells=data.get("cells"),
        )

    def get_queryset(self):
        return super().get_queryset().prefetch_related("cells")
