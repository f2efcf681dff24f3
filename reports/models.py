"""Council sessions (회기), department reports (부서별 주요업무 보고) and their sections."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core import filestore
from core.fields import GaejosikField
from core.json_any_depth import AnyDepthDecoder, AnyDepthEncoder
from core.text import refuse_invisible


def format_date(day: datetime.date) -> str:
    """`2020. 11. 20.` as Korean reports write dates."""
    return f"{day.year}. {day.month}. {day.day}."


def format_period(start: datetime.date, end: datetime.date) -> str:
    """`2020. 11. 20. ~ 12. 23.`; the year is repeated only when it changes."""
    tail = f"{end.month}. {end.day}." if end.year == start.year else format_date(end)
    return f"{format_date(start)} ~ {tail}"


class Session(models.Model):
    """A council session (회기) for which departments report."""

    class Kind(models.TextChoices):
        REGULAR = "regular", _("정례회")
        EXTRAORDINARY = "extraordinary", _("임시회")

    number = models.PositiveIntegerField(
        _("회기 번호"),
        unique=True,
        validators=[MinValueValidator(1)],
        error_messages={"unique": _("이 번호의 회기가 이미 있습니다.")},
        help_text=_("제227회라면 227"),
    )
    name = models.CharField(
        _("회기 이름"),
        max_length=50,
        help_text=_("예: 제2차 정례회, 임시회"),
        validators=[refuse_invisible],
    )
    kind = models.CharField(_("종류"), max_length=20, choices=Kind.choices, default=Kind.REGULAR)
    start_date = models.DateField(_("시작일"))
    end_date = models.DateField(_("종료일"))
    year = models.PositiveSmallIntegerField(_("보고 연도"))
    figure_date = models.DateField(_("기준일"), help_text=_("보고서 수치(집행액, 인력)의 기준일"))
    deadline = models.DateField(
        _("제출 마감일"), null=True, blank=True, help_text=_("부서가 보고서를 제출할 마지막 날")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("회기")
        verbose_name_plural = _("회기")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__lte=F("end_date")),
                name="session_start_before_end",
                violation_error_message=_("종료일은 시작일보다 빠를 수 없습니다."),
            ),
            models.CheckConstraint(
                condition=Q(figure_date__lte=F("end_date")),
                name="session_figure_date_not_after_end",
                violation_error_message=_("기준일은 회기 종료일보다 늦을 수 없습니다."),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100),
                name="session_year_range",
                violation_error_message=_("보고 연도는 2000년에서 2100년 사이여야 합니다."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reports:session", args=[self.number])

    @property
    def title(self) -> str:
        return f"제{self.number}회 {settings.COUNCIL_NAME} {self.name}"

    @property
    def period(self) -> str:
        return format_period(self.start_date, self.end_date)

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.start_date > self.end_date:
            raise ValidationError({"end_date": _("종료일은 시작일보다 빠를 수 없습니다.")})
        if self.figure_date and self.end_date and self.figure_date > self.end_date:
            raise ValidationError({"figure_date": _("기준일은 회기 종료일보다 늦을 수 없습니다.")})
        # The figures are those of a day before the session, within the year before it opens.
        if (
            self.year
            and self.start_date
            and self.year
            not in (
                self.start_date.year,
                self.start_date.year - 1,
            )
        ):
            raise ValidationError(
                {"year": _("보고 연도는 회기가 열리는 해이거나 그 전 해여야 합니다.")}
            )
        self._check_deadline()
        if (
            self.figure_date
            and self.start_date
            and not (
                self.start_date - datetime.timedelta(days=366)
                <= self.figure_date
                <= self.start_date
            )
        ):
            raise ValidationError(
                {
                    "figure_date": _(
                        "기준일은 회기 시작일 전 1년 안의 날짜여야 합니다(시작일 당일까지)."
                    )
                }
            )

    def _check_deadline(self) -> None:
        """제출 마감일: after the 기준일 (the figures must exist), no later than the start."""
        deadline = self.deadline
        if deadline is None:
            return
        if self.figure_date and deadline <= self.figure_date:
            raise ValidationError(
                {
                    "deadline": _("제출 마감일은 기준일 %(day)s보다 뒤여야 합니다.")
                    % {"day": format_date(self.figure_date)}
                }
            )
        if self.start_date and deadline > self.start_date:
            raise ValidationError(
                {
                    "deadline": _("제출 마감일은 회기 시작일 %(day)s보다 늦을 수 없습니다.")
                    % {"day": format_date(self.start_date)}
                }
            )


class DepartmentReportQuerySet(models.QuerySet):
    def with_versions(self) -> "DepartmentReportQuerySet":
        """Reports with at least one published version: what the public reads."""
        return self.filter(pk__in=ReportVersion.objects.values("report_id"))

    def previewable_by(self, user) -> "DepartmentReportQuerySet":
        """Reports this account may read before they are published (org/access.py)."""
        from org import access

        if not user.is_authenticated or not user.is_active:
            return self.none()
        previewable = self.none()
        if user.is_staff and user.has_perm("reports.view_departmentreport"):
            previewable = access.scope(user, self.all())
        from org.roles import Role, has_role

        if has_role(user, Role.MEMBER):
            previewable = previewable | self.filter(shared_with_members=True)
        return previewable

    def visible_to(self, user) -> "DepartmentReportQuerySet":
        """What a reader may open: published versions, and drafts their role lets them preview."""
        public = self.with_versions()
        if not user.is_authenticated:
            return public
        return self.filter(
            Q(pk__in=public.values("pk")) | Q(pk__in=self.previewable_by(user).values("pk"))
        )

    def for_session(self, session: Session) -> "DepartmentReportQuerySet":
        return self.filter(session=session)

    def in_booklet_order(self) -> "DepartmentReportQuerySet":
        return self.order_by(
            F("department__bureau__order").asc(nulls_first=True),
            "department__bureau__name",
            "department__order",
            "department__name",
        )


class DepartmentReport(models.Model):
    """One department's 주요업무 보고 for one session."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("작성 중")
        RETURNED = "returned", _("보완 요청")
        SUBMITTED = "submitted", _("제출")
        APPROVED = "approved", _("승인")
        PUBLISHED = "published", _("공개")

    session = models.ForeignKey(
        Session, verbose_name=_("회기"), on_delete=models.PROTECT, related_name="reports"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("부서"), on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField(
        _("상태"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    facilities = GaejosikField(
        _("주요시설 및 장비"), help_text=_("비워 두면 ‘해당없음’으로 나옵니다.")
    )
    shared_with_members = models.BooleanField(
        _("구의원 열람 공유"),
        default=False,
        help_text=_("공개 전 보고서를 로그인한 구의원이 미리 읽을 수 있게 합니다."),
    )
    status_comment = models.TextField(_("상태 의견"), blank=True)
    revision = models.PositiveIntegerField(_("수정 차례"), default=1, editable=False)
    created_at = models.DateTimeField(_("만든 때"), auto_now_add=True)
    updated_at = models.DateTimeField(_("고친 때"), auto_now=True)

    objects = DepartmentReportQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("부서 보고서")
        verbose_name_plural = _("부서 보고서")
        ordering = ["-session__number", "department__order", "department__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "department"], name="report_one_per_department_per_session"
            ),
        ]
        permissions = [
            ("submit_report", _("보고서 제출")),
            ("approve_report", _("보고서 승인·보완 요청")),
            ("publish_report", _("보고서 공개·정정")),
            ("view_dashboard", _("회기 현황판 보기")),
        ]

    def __str__(self) -> str:
        return f"{self.session.title} — {self.department.name}"

    def get_absolute_url(self) -> str:
        return reverse("reports:department", args=[self.session.number, self.department_id])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def is_editable(self) -> bool:
        """Content may change only while the department is writing it."""
        return self.status in EDITABLE_STATUSES


EDITABLE_STATUSES = frozenset({DepartmentReport.Status.DRAFT, DepartmentReport.Status.RETURNED})


class ReportSection(models.Model):
    """A numbered part (Ⅱ, Ⅲ, …) of a report holding project cards; Ⅰ 일반현황 is implicit."""

    class Kind(models.TextChoices):
        RESULTS = "results", _("주요업무 추진실적")
        PLANS = "plans", _("다음 연도 추진계획")
        KEY = "key", _("신규·중점 추진사업")
        OTHER = "other", _("기타")

    report = models.ForeignKey(
        DepartmentReport,
        verbose_name=_("부서 보고서"),
        on_delete=models.CASCADE,
        related_name="sections",
    )
    kind = models.CharField(_("종류"), max_length=20, choices=Kind.choices, default=Kind.RESULTS)
    title = models.CharField(
        _("단원 제목"),
        max_length=100,
        help_text=_("예: 2021년 주요업무 추진계획"),
        validators=[refuse_invisible],
    )
    order = models.PositiveIntegerField(_("순서"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("보고 단원")
        verbose_name_plural = _("보고 단원")
        ordering = ["report_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "title"], name="section_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title


class ReportEvent(models.Model):
    """One step of a report's workflow: who moved it from which status to which, and why."""

    report = models.ForeignKey(
        DepartmentReport,
        verbose_name=_("부서 보고서"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField(_("처리"), max_length=20)
    from_status = models.CharField(
        _("이전 상태"), max_length=20, choices=DepartmentReport.Status.choices
    )
    to_status = models.CharField(
        _("바뀐 상태"), max_length=20, choices=DepartmentReport.Status.choices
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("처리한 사람"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    comment = models.TextField(_("의견"), blank=True)
    at = models.DateTimeField(_("처리 시각"), auto_now_add=True)

    class Meta:
        verbose_name = _("처리 기록")
        verbose_name_plural = _("처리 기록")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.report} {self.get_from_status_display()} → {self.get_to_status_display()}"


class ReportVersionQuerySet(models.QuerySet):
    """Versions are written once. Bulk updates and deletes are refused here as in the database."""

    def update(self, **kwargs):
        raise FrozenVersionError

    def delete(self):
        raise FrozenVersionError


class FrozenVersionError(ValidationError):
    def __init__(self):
        super().__init__(_("공개된 판은 고치거나 지울 수 없습니다. 정정은 새 판으로 공개하세요."))


class ReportVersion(models.Model):
    """A published edition of a report: its assembled document and its PDF (and HWPX), never
    changed. The files live in the file storage under their SHA-256 (core/filestore.py);
    `pdf` and `hwpx` read them back, checked against the digests recorded here."""

    report = models.ForeignKey(
        DepartmentReport,
        verbose_name=_("부서 보고서"),
        on_delete=models.PROTECT,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("판"))
    document = models.JSONField(_("보고서 내용"), encoder=AnyDepthEncoder, decoder=AnyDepthDecoder)
    content_sha256 = models.CharField(_("내용 SHA-256"), max_length=64)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64)
    # Blank for editions published before HWPX files were kept: theirs is made on request.
    hwpx_sha256 = models.CharField(_("HWPX SHA-256"), max_length=64, blank=True)
    note = models.TextField(_("정정 사유"), blank=True)
    card_count = models.PositiveIntegerField(_("사업 카드 수"), default=0)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("공개한 사람"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("공개 시각"), auto_now_add=True)

    objects = ReportVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("공개판")
        verbose_name_plural = _("공개판")
        ordering = ["report_id", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="version_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.report} 제{self.number}판"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise FrozenVersionError
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "reports:version",
            args=[self.report.session.number, self.report.department_id, self.number],
        )

    def delete(self, *args, **kwargs):
        raise FrozenVersionError

    @property
    def pdf(self) -> bytes:
        """The edition's PDF from the file storage (DamagedFile if it no longer matches)."""
        return filestore.read_edition(self.pdf_sha256, "pdf")

    @property
    def hwpx(self) -> bytes | None:
        """The edition's HWPX from the file storage, if it was kept when published."""
        return filestore.read_edition(self.hwpx_sha256, "hwpx") if self.hwpx_sha256 else None


class AccessLog(models.Model):
    """A view or download of material that is not public (개인정보·접근기록 관리)."""

    class Action(models.TextChoices):
        VIEW = "view", _("열람")
        DOWNLOAD = "download", _("내려받기")
        EDIT = "edit", _("편집 화면 열람")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("계정"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("시각"), auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("접속 주소"), null=True, blank=True)
    action = models.CharField(_("행위"), max_length=20, choices=Action.choices)
    target = models.CharField(_("대상"), max_length=200)
    path = models.CharField(_("주소"), max_length=500)

    class Meta:
        verbose_name = _("접근 기록")
        verbose_name_plural = _("접근 기록")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()} {self.target}"


# Published figures as rows ------------------------------------------------------------------
# A published version's document is also written out as rows, once, when the version is made
# (reports/published.py), so the public API can filter and page through the staffing, budget
# and cards of every published edition in the database instead of unpacking documents.


class FrozenPublishedRowError(ValidationError):
    def __init__(self):
        super().__init__(_("공개된 보고서의 내용은 고칠 수 없습니다. 정정은 새 판으로 공개하세요."))


class PublishedRowQuerySet(models.QuerySet):
    """Rows are written once, with their version. Bulk updates and deletes are refused here as
    in the database (reports/migrations/0014_published_rows_frozen.py)."""

    def update(self, **kwargs):
        raise FrozenPublishedRowError

    def delete(self):
        raise FrozenPublishedRowError

    def current(self) -> "PublishedRowQuerySet":
        """Rows of each report's latest edition: a correction replaces the edition before."""
        newer = ReportVersion.objects.filter(
            report_id=models.OuterRef("version__report_id"),
            number__gt=models.OuterRef("version__number"),
        )
        return self.exclude(models.Exists(newer))


class PublishedRow(models.Model):
    version = models.ForeignKey(
        ReportVersion, verbose_name=_("공개판"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveIntegerField(_("순서"))

    objects = PublishedRowQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["version_id", "position"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.version_id}-{self.position}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise FrozenPublishedRowError
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenPublishedRowError


class PublishedStaffingCell(PublishedRow):
    """One column of a published 인력 현황 table: 직렬 × 직급, 정원 and 현원 as printed."""

    as_of = models.CharField(_("기준일"), max_length=20)
    series = models.CharField(_("직렬"), max_length=20)
    grade = models.CharField(_("직급"), max_length=10)
    authorized = models.PositiveSmallIntegerField(_("정원"))
    current = models.PositiveSmallIntegerField(_("현원"))

    class Meta(PublishedRow.Meta):
        verbose_name = _("공개된 인력 칸")
        verbose_name_plural = _("공개된 인력 칸")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="published_staffing_position"
            )
        ]


class PublishedBudgetRow(PublishedRow):
    """One 단위사업 of a published 예산 현황 table, with its execution as of the 기준일."""

    name = models.CharField(_("사업명"), max_length=100)
    amount = models.BigIntegerField(_("예산액"))
    executed = models.BigIntegerField(_("집행액"), null=True)
    expected = models.BigIntegerField(_("연말까지 집행 예정액"), null=True)
    rate = models.DecimalField(_("집행률"), max_digits=7, decimal_places=1, null=True)
    as_of = models.CharField(_("집행 기준일"), max_length=20)

    class Meta(PublishedRow.Meta):
        verbose_name = _("공개된 예산 사업")
        verbose_name_plural = _("공개된 예산 사업")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "position"], name="published_budget_position"
            )
        ]


class PublishedCard(PublishedRow):
    """One project card of a published report, with its blocks' 개조식 structure."""

    section_numeral = models.CharField(_("단원 번호"), max_length=4)
    section_kind = models.CharField(
        _("단원 종류"), max_length=20, choices=ReportSection.Kind.choices
    )
    section_title = models.CharField(_("단원 제목"), max_length=100)
    number = models.PositiveSmallIntegerField(_("번호"))
    title = models.CharField(_("사업명"), max_length=200)
    team = models.CharField(_("담당 팀"), max_length=50, blank=True)
    purpose = models.TextField(_("추진 목적"), blank=True)
    blocks = models.JSONField(_("블록"), encoder=AnyDepthEncoder, decoder=AnyDepthDecoder)
    budget = models.JSONField(
        _("예산 블록"), null=True, encoder=AnyDepthEncoder, decoder=AnyDepthDecoder
    )

    class Meta(PublishedRow.Meta):
        verbose_name = _("공개된 사업 카드")
        verbose_name_plural = _("공개된 사업 카드")
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="published_card_position")
        ]


class BookletBuild(models.Model):
    """One background build of a session booklet PDF (publishing/booklet.py, publishing/tasks.py).

    `composition` says which document each department contributes — a published version
    (`version` id) or the live draft (`version` null) — so a worker on any machine builds the
    same booklet the reader asked for. `key` is the content hash of the booklet it produced
    (or, while it runs, of the one requested): a reader whose booklet has the same key gets
    this file.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("대기 중")
        RUNNING = "running", _("부서별 조판 중")
        ASSEMBLING = "assembling", _("책자로 묶는 중")
        SUCCEEDED = "succeeded", _("완료")
        FAILED = "failed", _("실패")

    ACTIVE = (Status.QUEUED, Status.RUNNING, Status.ASSEMBLING)

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="booklet_builds", verbose_name=_("회기")
    )
    key = models.CharField(_("내용 해시"), max_length=64, db_index=True)
    composition = models.JSONField(_("구성"))
    public = models.BooleanField(
        _("공개본"),
        default=False,
        help_text=_("모든 부서가 공개된 판이면 누구나 받을 수 있습니다."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("요청자"),
    )
    status = models.CharField(
        _("상태"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    part_keys = models.JSONField(_("부서별 조각 해시"), default=list)
    departments_total = models.PositiveIntegerField(_("부서 수"), default=0)
    departments_done = models.PositiveIntegerField(_("조판된 부서 수"), default=0)
    error = models.TextField(_("실패 사유"), blank=True)
    error_detail = models.TextField(
        _("실패 내용(직원용)"), blank=True, help_text=_("오류의 원문: 직원에게만 보입니다.")
    )
    pages = models.PositiveIntegerField(_("쪽수"), null=True, blank=True)
    size = models.PositiveBigIntegerField(_("파일 크기"), null=True, blank=True)
    created_at = models.DateTimeField(_("요청 시각"), auto_now_add=True)
    started_at = models.DateTimeField(_("시작 시각"), null=True, blank=True)
    finished_at = models.DateTimeField(_("끝난 시각"), null=True, blank=True)

    class Meta:
        verbose_name = _("책자 PDF 만들기")
        verbose_name_plural = _("책자 PDF 만들기")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.session} #{self.pk} {self.get_status_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.departments_total:
            return 0
        return round(90 * self.departments_done / self.departments_total)


class PdfWorker(models.Model):
    """A running PDF worker process, seen by its heartbeat; a task whose worker has gone silent
    is handed to another one (publishing/workers.py)."""

    worker_id = models.CharField(_("작업자"), max_length=64, primary_key=True)
    hostname = models.CharField(_("컴퓨터"), max_length=255)
    pid = models.PositiveIntegerField(_("프로세스"))
    started_at = models.DateTimeField(_("시작 시각"), auto_now_add=True)
    last_seen = models.DateTimeField(_("마지막 신호"), db_index=True)

    class Meta:
        verbose_name = _("PDF 작업자")
        verbose_name_plural = _("PDF 작업자")

    def __str__(self):
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
