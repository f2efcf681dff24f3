"""The public read API: sessions, department reports and their published editions, and the
published staffing, budget and cards as rows.

A report's content is what its web page shows — the latest published edition's stored
document (portal.views.reading_for), or the live draft for an account that may preview it —
so the API, the page, the PDF and the HWPX can never disagree. The rows of /staffing,
/budget-lines and /cards are written from those documents when a version is published
(reports/published.py): only published editions, whoever asks.
"""

from __future__ import annotations

from django.db.models import F, OuterRef, Subquery
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from core import gaejosik
from portal.api.base import CSVRenderer, PortalViewMixin
from portal.api.tools import GaejosikNodesField, IdFilter, read_schema
from portal.views import reading_for, visible_sessions
from reports.access_log import log_access
from reports.models import (
    AccessLog,
    DepartmentReport,
    PublishedBudgetRow,
    PublishedCard,
    PublishedStaffingCell,
    ReportSection,
    ReportVersion,
    Session,
)


def _absolute(request, name: str, *args) -> str:
    return request.build_absolute_uri(reverse(name, args=args))


# Sessions -----------------------------------------------------------------------------------


class SessionLinksSerializer(serializers.Serializer):
    web = serializers.URLField(help_text="회기 화면")
    pdf = serializers.URLField(help_text="회기 책자 PDF")
    hwpx = serializers.URLField(help_text="회기 책자 한글(HWPX)")


class SessionSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True, help_text="예: 제227회 구의회 제2차 정례회")
    period = serializers.CharField(read_only=True, help_text="예: 2020. 11. 20. ~ 12. 23.")
    report_count = serializers.IntegerField(read_only=True, help_text="볼 수 있는 부서 보고서 수")
    links = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = [
            "number",
            "title",
            "name",
            "kind",
            "start_date",
            "end_date",
            "period",
            "year",
            "figure_date",
            "report_count",
            "links",
        ]

    @extend_schema_field(SessionLinksSerializer)
    def get_links(self, session: Session) -> dict:
        request = self.context["request"]
        return {
            "web": _absolute(request, "reports:session", session.number),
            "pdf": _absolute(request, "reports:session_pdf", session.number),
            "hwpx": _absolute(request, "reports:session_hwpx", session.number),
        }


class SessionFilter(filters.FilterSet):
    year = IdFilter(field_name="year", label="보고 연도", max_value=9999)
    kind = filters.ChoiceFilter(choices=Session.Kind.choices, label="회기 종류")

    class Meta:
        model = Session
        fields = ["year", "kind"]


@read_schema(
    "회기 목록",
    "볼 수 있는 보고서가 있는 회기, 최근 것부터.",
    "회기 하나",
    "회기 번호(예: 227)로 찾습니다.",
)
class SessionViewSet(PortalViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SessionSerializer
    filterset_class = SessionFilter
    lookup_field = "number"
    lookup_value_regex = "[0-9]{1,9}"
    renderer_classes = [*viewsets.ReadOnlyModelViewSet.renderer_classes, CSVRenderer]

    def get_queryset(self):
        return visible_sessions(self.request.user)


# Documents ----------------------------------------------------------------------------------
# The shapes of publishing.document, for the schema; the document is passed through as stored.


class SessionInfoSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    period = serializers.CharField()
    year = serializers.IntegerField()
    figure_date = serializers.CharField(help_text="보고서 수치의 기준일, 예: 2020. 10. 31.")


class TeamSerializer(serializers.Serializer):
    name = serializers.CharField()
    duties = serializers.ListField(child=serializers.CharField(), help_text="업무분장")


class StaffingGroupSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="직렬, 예: 일반직")
    span = serializers.IntegerField(help_text="이 직렬의 열 수")


class StaffingRowSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="정원, 현원, 과부족")
    total = serializers.IntegerField()
    cells = serializers.ListField(
        child=serializers.IntegerField(allow_null=True), help_text="열마다의 수; 빈 열은 null"
    )


class StaffingTableSerializer(serializers.Serializer):
    as_of = serializers.CharField(allow_null=True, help_text="인력 기준일; 입력이 없으면 null")
    groups = StaffingGroupSerializer(many=True)
    grades = serializers.ListField(child=serializers.CharField(), help_text="열마다의 직급")
    rows = StaffingRowSerializer(many=True)


class BudgetRowSerializer(serializers.Serializer):
    name = serializers.CharField()
    amount = serializers.IntegerField(help_text="예산액(천원)")
    executed = serializers.IntegerField(allow_null=True, help_text="집행액(천원)")
    expected = serializers.IntegerField(allow_null=True, help_text="연말까지 집행 예정액(천원)")
    rate = serializers.CharField(allow_null=True, help_text="집행률(%), 예: 71.4")
    as_of = serializers.CharField(allow_null=True, help_text="표의 기준일과 다를 때 집행 기준일")


class BudgetTableSerializer(serializers.Serializer):
    as_of = serializers.CharField(help_text="예: 10.31.")
    show_expected = serializers.BooleanField()
    total = BudgetRowSerializer()
    rows = BudgetRowSerializer(many=True)


class FundingSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="천원")
    parts = serializers.ListField(
        child=serializers.ListField(),
        help_text='재원별 금액, 예: [["시비", 20000], ["구비", 95900]]',
    )


class CardBudgetSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["execution", "requirement", "non_budget"])
    heading = serializers.CharField()
    budget = FundingSerializer(allow_null=True)
    executed = FundingSerializer(allow_null=True)
    rate = serializers.CharField(allow_null=True)


class DocumentBlockSerializer(serializers.Serializer):
    heading = serializers.CharField(help_text="□ 뒤의 제목")
    nodes = GaejosikNodesField(help_text="개조식 내용")


class DocumentCardSerializer(serializers.Serializer):
    anchor = serializers.CharField()
    number = serializers.IntegerField()
    marker = serializers.CharField(help_text="①")
    title = serializers.CharField()
    team = serializers.CharField()
    purpose = serializers.CharField()
    blocks = DocumentBlockSerializer(many=True)
    budget = CardBudgetSerializer(allow_null=True)
    card_id = serializers.IntegerField(allow_null=True)


class DocumentSectionSerializer(serializers.Serializer):
    anchor = serializers.CharField()
    numeral = serializers.CharField(help_text="Ⅱ")
    kind = serializers.ChoiceField(choices=ReportSection.Kind.choices)
    title = serializers.CharField()
    cards = DocumentCardSerializer(many=True)


class ContentsEntrySerializer(serializers.Serializer):
    numeral = serializers.CharField()
    title = serializers.CharField()
    anchor = serializers.CharField()


class DocumentSerializer(serializers.Serializer):
    """A report document (publishing/document.py), as the web page, the PDF and the HWPX show it."""

    anchor = serializers.CharField()
    session = SessionInfoSerializer()
    department = serializers.CharField()
    bureau = serializers.CharField()
    teams = TeamSerializer(many=True)
    staffing = StaffingTableSerializer()
    facilities = GaejosikNodesField(help_text="주요시설 및 장비(개조식)")
    budget = BudgetTableSerializer()
    sections = DocumentSectionSerializer(many=True)
    contents = ContentsEntrySerializer(many=True)


# Reports and versions -----------------------------------------------------------------------


class ReportLinksSerializer(serializers.Serializer):
    web = serializers.URLField()
    pdf = serializers.URLField()
    hwpx = serializers.URLField()


class VersionSerializer(serializers.ModelSerializer):
    session = serializers.IntegerField(source="report.session.number", read_only=True)
    department = serializers.IntegerField(source="report.department_id", read_only=True)
    department_name = serializers.CharField(source="report.department.name", read_only=True)
    links = serializers.SerializerMethodField()

    class Meta:
        model = ReportVersion
        fields = [
            "id",
            "report",
            "session",
            "department",
            "department_name",
            "number",
            "published_at",
            "note",
            "card_count",
            "content_sha256",
            "pdf_sha256",
            "links",
        ]

    @extend_schema_field(ReportLinksSerializer)
    def get_links(self, version: ReportVersion) -> dict:
        args = (version.report.session.number, version.report.department_id, version.number)
        request = self.context["request"]
        return {
            "web": _absolute(request, "reports:version", *args),
            "pdf": _absolute(request, "reports:version_pdf", *args),
            "hwpx": _absolute(request, "reports:version_hwpx", *args),
        }


class VersionDetailSerializer(VersionSerializer):
    document = DocumentSerializer(read_only=True)

    class Meta(VersionSerializer.Meta):
        fields = [*VersionSerializer.Meta.fields, "document"]


class ReportSerializer(serializers.ModelSerializer):
    session = serializers.IntegerField(source="session.number", read_only=True)
    session_title = serializers.CharField(source="session.title", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    bureau = serializers.SerializerMethodField()
    edition = serializers.IntegerField(
        source="latest_number", allow_null=True, read_only=True, help_text="최근 공개판 번호"
    )
    published_at = serializers.DateTimeField(
        source="latest_published_at", allow_null=True, read_only=True
    )
    preview = serializers.SerializerMethodField(
        help_text="true면 이 계정이 미리 보는 공개 전 내용입니다(공개판이 아님)."
    )
    links = serializers.SerializerMethodField()

    class Meta:
        model = DepartmentReport
        fields = [
            "id",
            "session",
            "session_title",
            "department",
            "department_name",
            "bureau",
            "edition",
            "published_at",
            "preview",
            "links",
        ]

    def get_bureau(self, report: DepartmentReport) -> str:
        bureau = report.department.bureau
        return bureau.name if bureau else ""

    def get_preview(self, report: DepartmentReport) -> bool:
        return report.pk in self.context["live_ids"]

    @extend_schema_field(ReportLinksSerializer)
    def get_links(self, report: DepartmentReport) -> dict:
        args = (report.session.number, report.department_id)
        request = self.context["request"]
        return {
            "web": _absolute(request, "reports:department", *args),
            "pdf": _absolute(request, "reports:department_pdf", *args),
            "hwpx": _absolute(request, "reports:department_hwpx", *args),
        }


class ReportDetailSerializer(ReportSerializer):
    document = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "versions", "document"]

    @extend_schema_field(DocumentSerializer)
    def get_document(self, report: DepartmentReport) -> dict:
        return self.context["reading"].document.to_dict()

    @extend_schema_field(VersionSerializer(many=True))
    def get_versions(self, report: DepartmentReport) -> list:
        return VersionSerializer(
            self.context["reading"].versions, many=True, context=self.context
        ).data


class ReportFilter(filters.FilterSet):
    session = IdFilter(field_name="session__number", label="회기 번호(예: 227)")
    year = IdFilter(field_name="session__year", label="보고 연도", max_value=9999)
    department = IdFilter(field_name="department_id", label="부서 id")
    bureau = IdFilter(field_name="department__bureau_id", label="국·단 id")

    class Meta:
        model = DepartmentReport
        fields = ["session", "year", "department", "bureau"]


def _latest(field: str) -> Subquery:
    return Subquery(
        ReportVersion.objects.filter(report=OuterRef("pk")).order_by("-number").values(field)[:1]
    )


@read_schema(
    "부서 보고서 목록",
    "공개된 부서 보고서(로그인한 직원·구의원은 미리 볼 수 있는 보고서도), "
    "회기 최근 것부터 책자 순서로.",
    "부서 보고서 하나와 그 내용",
    "웹 화면과 같은 내용: 최근 공개판의 문서(미리 보기 권한이 있으면 작성 중인 내용).",
)
class ReportViewSet(PortalViewMixin, viewsets.ReadOnlyModelViewSet):
    filterset_class = ReportFilter
    lookup_value_regex = "[0-9]{1,9}"
    renderer_classes = [*viewsets.ReadOnlyModelViewSet.renderer_classes, CSVRenderer]

    def get_queryset(self):
        reports = (
            DepartmentReport.objects.visible_to(self.request.user)
            .select_related("session", "department__bureau")
            .annotate(latest_number=_latest("number"), latest_published_at=_latest("published_at"))
        )
        return reports.order_by(
            "-session__number",
            F("department__bureau__order").asc(nulls_first=True),
            "department__bureau__name",
            "department__order",
            "department__name",
        )

    def get_serializer_class(self):
        return ReportDetailSerializer if self.action == "retrieve" else ReportSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = self.request.user
        context["live_ids"] = (
            set(
                DepartmentReport.objects.previewable_by(user)
                .exclude(status=DepartmentReport.Status.PUBLISHED)
                .values_list("pk", flat=True)
            )
            if user.is_authenticated
            else set()
        )
        return context

    def retrieve(self, request, *args, **kwargs):
        report = self.get_object()
        reading = reading_for(request, report.session.number, report.department_id)
        if reading.is_preview:
            log_access(request, report, AccessLog.Action.VIEW)
        context = {**self.get_serializer_context(), "reading": reading}
        if reading.is_preview:
            context["live_ids"] = {report.pk}
        return Response(ReportDetailSerializer(report, context=context).data)


class VersionFilter(filters.FilterSet):
    session = IdFilter(field_name="report__session__number", label="회기 번호")
    year = IdFilter(field_name="report__session__year", label="보고 연도", max_value=9999)
    department = IdFilter(field_name="report__department_id", label="부서 id")
    report = IdFilter(field_name="report_id", label="부서 보고서 id")

    class Meta:
        model = ReportVersion
        fields = ["session", "year", "department", "report"]


@read_schema(
    "공개판 목록",
    "공개된 모든 판(정정판 포함).",
    "공개판 하나와 그 문서",
    "공개한 그대로의 문서.",
)
class VersionViewSet(PortalViewMixin, viewsets.ReadOnlyModelViewSet):
    """Every version is a publication: public whatever the report's status is now."""

    filterset_class = VersionFilter
    lookup_value_regex = "[0-9]{1,9}"
    renderer_classes = [*viewsets.ReadOnlyModelViewSet.renderer_classes, CSVRenderer]

    def get_queryset(self):
        versions = ReportVersion.objects.select_related("report__session", "report__department")
        if self.action == "retrieve":
            return versions
        return versions.defer("document").order_by(
            "-report__session__number", "report__department__order", "report_id", "-number"
        )

    def get_serializer_class(self):
        return VersionDetailSerializer if self.action == "retrieve" else VersionSerializer


# Published rows -----------------------------------------------------------------------------


class PublishedFilter(filters.FilterSet):
    session = IdFilter(field_name="version__report__session__number", label="회기 번호(예: 227)")
    year = IdFilter(field_name="version__report__session__year", label="보고 연도", max_value=9999)
    department = IdFilter(field_name="version__report__department_id", label="부서 id")
    bureau = IdFilter(field_name="version__report__department__bureau_id", label="국·단 id")
    version = IdFilter(
        field_name="version_id", label="공개판 id(주지 않으면 보고서마다 최근 공개판)"
    )

    def filter_queryset(self, queryset):
        """Without ?version=, each report's latest edition: a correction replaces its rows."""
        queryset = super().filter_queryset(queryset)
        return queryset if self.form.cleaned_data.get("version") else queryset.current()


class PublishedRowSerializer(serializers.ModelSerializer):
    session = serializers.IntegerField(source="version.report.session.number", read_only=True)
    department = serializers.IntegerField(source="version.report.department_id", read_only=True)
    department_name = serializers.CharField(source="version.report.department.name", read_only=True)
    report = serializers.IntegerField(source="version.report_id", read_only=True)
    edition = serializers.IntegerField(source="version.number", read_only=True)

    common_fields = ["session", "department", "department_name", "report", "version", "edition"]


class PublishedStaffingSerializer(PublishedRowSerializer):
    difference = serializers.SerializerMethodField(help_text="과부족 = 현원 − 정원")

    class Meta:
        model = PublishedStaffingCell
        fields = [
            *PublishedRowSerializer.common_fields,
            "as_of",
            "series",
            "grade",
            "authorized",
            "current",
            "difference",
        ]

    def get_difference(self, cell: PublishedStaffingCell) -> int:
        return cell.current - cell.authorized


class PublishedBudgetSerializer(PublishedRowSerializer):
    class Meta:
        model = PublishedBudgetRow
        fields = [
            *PublishedRowSerializer.common_fields,
            "name",
            "amount",
            "executed",
            "expected",
            "rate",
            "as_of",
        ]


class PublishedSectionSerializer(serializers.Serializer):
    numeral = serializers.CharField(source="section_numeral", help_text="Ⅱ")
    kind = serializers.ChoiceField(source="section_kind", choices=ReportSection.Kind.choices)
    title = serializers.CharField(source="section_title")


class PublishedCardSerializer(PublishedRowSerializer):
    section = PublishedSectionSerializer(source="*", read_only=True)
    blocks = DocumentBlockSerializer(many=True, read_only=True)
    budget = CardBudgetSerializer(allow_null=True, read_only=True)
    content_text = serializers.SerializerMethodField(
        help_text="□ 제목과 개조식 내용을 한 글로(검색·CSV용)"
    )

    class Meta:
        model = PublishedCard
        fields = [
            *PublishedRowSerializer.common_fields,
            "section",
            "number",
            "title",
            "team",
            "purpose",
            "blocks",
            "budget",
            "content_text",
        ]

    def get_content_text(self, card: PublishedCard) -> str:
        parts = []
        for block in card.blocks:
            parts.append(f"□ {block['heading']}")
            text = gaejosik.to_text(block["nodes"])
            if text:
                parts.append(text)
        return "\n".join(parts)


class PublishedCardFilter(PublishedFilter):
    section = filters.ChoiceFilter(
        field_name="section_kind", choices=ReportSection.Kind.choices, label="단원 종류"
    )


class PublishedRowViewSet(PortalViewMixin, viewsets.ReadOnlyModelViewSet):
    """Rows of published editions: the latest edition of each report, or of `?version=`
    (PublishedFilter), for lists and single rows alike."""

    model = None
    filterset_class = PublishedFilter
    lookup_value_regex = "[0-9]{1,9}"
    renderer_classes = [*viewsets.ReadOnlyModelViewSet.renderer_classes, CSVRenderer]

    def get_queryset(self):
        rows = self.model.objects.select_related(
            "version__report__session", "version__report__department"
        ).defer("version__document")
        return rows.order_by(
            "-version__report__session__number",
            F("version__report__department__bureau__order").asc(nulls_first=True),
            "version__report__department__order",
            "version__report_id",
            "-version__number",
            "position",
        )


@read_schema(
    "공개된 인력 현황",
    "공개판 인력 현황표의 직렬·직급마다 정원·현원·과부족(보고서 기준일 현재).",
    "공개된 인력 칸 하나",
)
class PublishedStaffingViewSet(PublishedRowViewSet):
    model = PublishedStaffingCell
    serializer_class = PublishedStaffingSerializer


@read_schema(
    "공개된 예산 현황",
    "공개판 예산 현황표의 단위사업마다 예산액·집행액·집행률(천원, 보고서 기준일 현재).",
    "공개된 예산 사업 하나",
)
class PublishedBudgetViewSet(PublishedRowViewSet):
    model = PublishedBudgetRow
    serializer_class = PublishedBudgetSerializer


@read_schema(
    "공개된 사업 카드",
    "공개판의 사업 카드: 단원, 번호, 사업명, 담당 팀, 개조식 내용과 표, 예산 블록.",
    "공개된 사업 카드 하나",
)
class PublishedCardViewSet(PublishedRowViewSet):
    model = PublishedCard
    serializer_class = PublishedCardSerializer
    filterset_class = PublishedCardFilter
