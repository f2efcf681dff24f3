"""Council sessions (회기), department reports (부서별 주요업무 보고) and their sections."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from projects.fields import GaejosikField


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
        _("회기 번호"), unique=True, help_text=_("제227회라면 227")
    )
    name = models.CharField(_("회기 이름"), max_length=50, help_text=_("예: 제2차 정례회, 임시회"))
    kind = models.CharField(_("종류"), max_length=20, choices=Kind.choices, default=Kind.REGULAR)
    start_date = models.DateField(_("시작일"))
    end_date = models.DateField(_("종료일"))
    year = models.PositiveSmallIntegerField(_("보고 연도"))
    figure_date = models.DateField(_("기준일"), help_text=_("보고서 수치(집행액, 인력)의 기준일"))

    class Meta:
        verbose_name = _("회기")
        verbose_name_plural = _("회기")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__lte=F("end_date")), name="session_start_before_end"
            ),
            models.CheckConstraint(
                condition=Q(figure_date__lte=F("end_date")),
                name="session_figure_date_not_after_end",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="session_year_range"
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


class DepartmentReportQuerySet(models.QuerySet):
    def published(self) -> "DepartmentReportQuerySet":
        return self.filter(status=DepartmentReport.Status.PUBLISHED)

    def visible_to(self, user) -> "DepartmentReportQuerySet":
        """The public reads published reports; signed-in staff may preview the others."""
        return self if user.is_authenticated and user.is_staff else self.published()

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
    created_at = models.DateTimeField(_("만든 때"), auto_now_add=True)
    updated_at = models.DateTimeField(_("고친 때"), auto_now=True)

    objects = DepartmentReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("부서 보고서")
        verbose_name_plural = _("부서 보고서")
        ordering = ["-session__number", "department__order", "department__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "department"], name="report_one_per_department_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session.title} — {self.department.name}"

    def get_absolute_url(self) -> str:
        return reverse("reports:department", args=[self.session.number, self.department_id])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


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
        _("단원 제목"), max_length=100, help_text=_("예: 2021년 주요업무 추진계획")
    )
    order = models.PositiveIntegerField(_("순서"), default=0)

    class Meta:
        verbose_name = _("보고 단원")
        verbose_name_plural = _("보고 단원")
        ordering = ["report_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "title"], name="section_unique_title"),
        ]

    def __str__(self) -> str:
        return self.title
