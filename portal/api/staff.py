"""Staff API for department reports and their sections.

DRF serializers over reports/services.py: a report's 주요시설 및 장비 are saved by
`report_facilities_save` with the report editor's checks (the same 개조식 field, the revision
the client read), new reports by `add_report`, sections by `save_section`. Status changes go
through publishing.workflow.perform, as the editor's buttons do.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core import gaejosik
from core.conflicts import EditConflict
from core.fields import GaejosikFormField
from portal.api.base import Conflict, ProblemSerializer, Rejected
from portal.api.permissions import ReaderPermission
from portal.api.rows import (
    CHANGED_MEANWHILE,
    UNKNOWN_FIELD,
    RowViewSet,
    log_addition,
    log_change,
    validation_items,
)
from portal.api.tools import GaejosikNodesField, IdFilter, staff_schema
from publishing import workflow
from reports import services as report_services
from reports.access_log import log_access
from reports.models import AccessLog, DepartmentReport, ReportSection


class ReportStaffSerializer(serializers.ModelSerializer):
    session = serializers.IntegerField(source="session.number", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    facilities = serializers.SerializerMethodField(help_text="주요시설 및 장비(개조식 글)")
    facilities_nodes = GaejosikNodesField(
        source="facilities", read_only=True, help_text="주요시설 및 장비(구조)"
    )
    transitions = serializers.SerializerMethodField(
        help_text="이 계정이 지금 할 수 있는 처리(submit, approve, return, publish …)"
    )

    class Meta:
        model = DepartmentReport
        fields = [
            "id",
            "session",
            "department",
            "department_name",
            "status",
            "status_comment",
            "shared_with_members",
            "facilities",
            "facilities_nodes",
            "revision",
            "updated_at",
            "transitions",
        ]

    def get_facilities(self, report: DepartmentReport) -> str:
        return gaejosik.to_text(report.facilities)

    def get_transitions(self, report: DepartmentReport) -> list[str]:
        return [t.action for t in workflow.available(self.context["request"].user, report)]


class ReportWriteSerializer(serializers.Serializer):
    session = serializers.IntegerField(
        required=False, allow_null=True, help_text="새 보고서의 회기 id(추가할 때만)"
    )
    department = serializers.IntegerField(
        required=False, allow_null=True, help_text="새 보고서의 부서 id(추가할 때만)"
    )
    facilities = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="주요시설 및 장비(개조식 글)",
    )
    revision = serializers.IntegerField(
        required=False, allow_null=True, help_text="읽어 온 수정 차례; 고칠 때 꼭 보냅니다"
    )


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=sorted(workflow.TRANSITIONS), help_text="submit, approve, return, publish …"
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="보완 요청·정정 사유 등"
    )


EDITOR_FIELDS = ("facilities", "revision")


class StaffReportFilter(filters.FilterSet):
    session = IdFilter(field_name="session__number", label="회기 번호(예: 227)")
    department = IdFilter(field_name="department_id", label="부서 id")
    status = filters.ChoiceFilter(choices=DepartmentReport.Status.choices, label="상태")

    class Meta:
        model = DepartmentReport
        fields = ["session", "department", "status"]


class SectionFilter(filters.FilterSet):
    report = IdFilter(field_name="report_id", label="부서 보고서 id")

    class Meta:
        model = ReportSection
        fields = ["report"]


@extend_schema_view(
    create=extend_schema(
        summary="부서 보고서 추가",
        description="회기와 부서를 골라 보고서를 만듭니다(기획·의회사무국).",
    ),
    update=extend_schema(
        summary="부서 보고서 고치기",
        description="보고서 편집 화면과 같은 확인을 거쳐 주요시설 및 장비를 저장합니다. "
        "읽어 온 revision을 함께 보냅니다.",
    ),
)
@staff_schema("부서 보고서", "이 계정이 볼 수 있는 부서의 보고서와 상태.")
class ReportStaffViewSet(RowViewSet):
    model = DepartmentReport
    filterset_class = StaffReportFilter
    read_serializer_class = ReportStaffSerializer
    write_serializer_class = ReportWriteSerializer
    ordering = ("-session__number", "department__order", "department__name")

    def get_queryset(self):
        return super().get_queryset().select_related("session", "department")

    def retrieve(self, request, *args, **kwargs):
        """Reading a report that is not published is recorded, as opening its editor is."""
        report = self.get_object()
        if not report.is_published:
            log_access(request, report, AccessLog.Action.VIEW)
        return Response(
            self.read_serializer_class(report, context=self.get_serializer_context()).data
        )

    def create(self, request, *args, **kwargs):
        checked = ReportWriteSerializer(data=request.data)
        checked.is_valid(raise_exception=True)
        data = checked.validated_data
        unknown = [name for name in data if name not in report_services.REPORT_FIELDS]
        if unknown:
            raise Rejected([{"field": name, "message": str(UNKNOWN_FIELD)} for name in unknown])
        try:
            report = report_services.add_report(
                request.user, data.get("session"), data.get("department")
            )
        except ValidationError as error:
            raise Rejected(validation_items(error)) from None
        except IntegrityError as error:  # e.g. added meanwhile by someone else
            raise Conflict(CHANGED_MEANWHILE) from error
        log_addition(request, report)
        return Response(self._shown(report), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        report = self.get_object()
        checked = ReportWriteSerializer(data=request.data, partial=True)
        checked.is_valid(raise_exception=True)
        payload = dict(checked.validated_data)
        unknown = [name for name in payload if name not in EDITOR_FIELDS]
        if unknown:
            raise exceptions.ValidationError(
                {name: [_("이 항목은 보고서를 만든 뒤에는 고칠 수 없습니다.")] for name in unknown}
            )
        facilities = report.facilities
        if "facilities" in payload:
            try:
                facilities = GaejosikFormField(required=False).clean(payload["facilities"])
            except ValidationError as error:
                raise Rejected(
                    [{"field": "facilities", "message": str(m)} for m in error.messages]
                ) from None
        try:
            changed = report_services.report_facilities_save(
                request.user, report, facilities, revision=payload.get("revision")
            )
        except EditConflict as conflict:
            raise Conflict(
                [{"field": None, "message": str(m)} for m in conflict.messages]
            ) from None
        except ValidationError as error:
            raise Rejected(validation_items(error)) from None
        except IntegrityError as error:
            raise Conflict(
                _("저장하는 사이에 다른 사람이 같은 보고서를 고쳤습니다. 다시 읽은 뒤 보내세요.")
            ) from error
        if changed:
            log_change(request, report, [{"changed": {"fields": changed}}])
        return Response(self._shown(report))

    @extend_schema(
        summary="보고서 처리(제출·승인·보완 요청·공개 …)",
        description="보고서 편집 화면의 처리 단추와 같습니다. 할 수 없는 처리는 까닭과 함께 거절합니다.",
        request=TransitionSerializer,
        responses={200: ReportStaffSerializer, 400: ProblemSerializer},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        report = self.get_object()
        checked = TransitionSerializer(data=request.data)
        checked.is_valid(raise_exception=True)
        try:
            workflow.perform(
                report,
                checked.validated_data["action"],
                request.user,
                comment=checked.validated_data.get("comment", ""),
            )
        except workflow.WorkflowError as error:
            raise exceptions.ValidationError({"action": [str(error)]}) from error
        return Response(self._shown(report))

    def get_permissions(self):
        if self.action == "transition":
            # Who may make which move is the workflow's own rule (as for the page's buttons);
            # here only: a staff account that can read this report.
            return [ReaderPermission()]
        return super().get_permissions()


class StaffSectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportSection
        fields = ["id", "report", "kind", "title", "order"]


class SectionWriteSerializer(serializers.Serializer):
    report = serializers.IntegerField(required=False, allow_null=True, help_text="부서 보고서 id")
    kind = serializers.ChoiceField(choices=ReportSection.Kind.choices, required=False)
    title = serializers.CharField(required=False, allow_blank=True, help_text="단원 제목")
    order = serializers.IntegerField(required=False, allow_null=True, max_value=2**31 - 1)


@staff_schema("보고 단원", "이 계정이 볼 수 있는 부서 보고서의 단원.")
class SectionViewSet(RowViewSet):
    model = ReportSection
    filterset_class = SectionFilter
    read_serializer_class = StaffSectionSerializer
    write_serializer_class = SectionWriteSerializer
    ordering = ("-report__session__number", "report__department__order", "order")

    # Writes: the serializer checks the JSON's types, reports.services.save_section the rest.

    def create(self, request, *args, **kwargs):
        changes = {"kind": ReportSection.Kind.RESULTS, "order": 0, **self._changes(request, True)}
        changes.setdefault("report", None)
        changes.setdefault("title", "")
        section = self._save_section(request, None, changes)
        log_addition(request, section)
        return Response(self._shown(section), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        section = self.get_object()
        changes = self._changes(request, partial)
        if not partial:
            changes = {name: changes.get(name) for name in report_services.SECTION_FIELDS}
        before = {name: getattr(section, name) for name in report_services.SECTION_FIELDS}
        section = self._save_section(request, section, changes)
        changed = [
            str(ReportSection._meta.get_field(name).verbose_name)
            for name, value in before.items()
            if getattr(section, name) != value
        ]
        log_change(request, section, [{"changed": {"fields": changed}}] if changed else [])
        return Response(self._shown(section))

    def _changes(self, request, partial: bool) -> dict:
        checked = SectionWriteSerializer(data=request.data, partial=partial)
        checked.is_valid(raise_exception=True)
        return dict(checked.validated_data)

    def _save_section(self, request, section, changes) -> ReportSection:
        try:
            return report_services.save_section(request.user, section, changes)
        except ValidationError as error:
            raise Rejected(validation_items(error)) from None
        except IntegrityError as error:  # e.g. submitted meanwhile: its rows refuse to change
            raise Conflict(CHANGED_MEANWHILE) from error
