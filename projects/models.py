"""Project cards (사업 카드) of a report section and their 개조식 blocks."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import GaejosikField
from core.text import refuse_invisible


class Card(models.Model):
    """One project card: number, title, team, purpose, ordered blocks, and a budget block."""

    class BudgetKind(models.TextChoices):
        NONE = "none", _("예산 블록 없음")
        EXECUTION = "execution", _("예산액·집행액·집행률 (예산 사업)")
        REQUIREMENT = "requirement", _("소요예산 (총액·재원)")
        NON_BUDGET = "non_budget", _("비예산")

    section = models.ForeignKey(
        "reports.ReportSection",
        verbose_name=_("보고 단원"),
        on_delete=models.CASCADE,
        related_name="cards",
    )
    number = models.PositiveSmallIntegerField(_("번호"))
    title = models.CharField(_("사업명"), max_length=200, validators=[refuse_invisible])
    team = models.ForeignKey(
        "org.Team",
        verbose_name=_("담당 팀"),
        # A team that cards name is abolished (폐지일), not deleted: reports keep naming it.
        on_delete=models.PROTECT,
        related_name="cards",
        null=True,
        blank=True,
    )
    purpose = models.TextField(
        _("추진 목적"),
        blank=True,
        help_text=_("카드 첫머리 상자에 들어가는 글입니다."),
        validators=[refuse_invisible],
    )
    order = models.PositiveIntegerField(_("순서"), default=0)
    predecessor = models.ForeignKey(
        "self",
        verbose_name=_("이전 보고의 같은 사업"),
        on_delete=models.SET_NULL,
        related_name="successors",
        null=True,
        blank=True,
    )
    budget_kind = models.CharField(
        _("예산 블록"), max_length=20, choices=BudgetKind.choices, default=BudgetKind.NONE
    )
    budget_heading = models.CharField(
        _("예산 블록 제목"),
        max_length=50,
        default="예산현황",
        blank=True,
        validators=[refuse_invisible],
    )
    budget_line = models.ForeignKey(
        "budget.BudgetLine",
        verbose_name=_("예산 사업"),
        on_delete=models.PROTECT,
        related_name="cards",
        null=True,
        blank=True,
    )
    required_national = models.PositiveBigIntegerField(_("소요예산 국비"), default=0)
    required_city = models.PositiveBigIntegerField(_("소요예산 시비"), default=0)
    required_district = models.PositiveBigIntegerField(_("소요예산 구비"), default=0)
    required_other = models.PositiveBigIntegerField(_("소요예산 기타"), default=0)
    revision = models.PositiveIntegerField(
        _("수정 차례"),
        default=1,
        editable=False,
        help_text=_(
            "저장할 때마다 1씩 늘어, 같은 것을 두 사람이 동시에 고치면 나중 저장을 막습니다."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("사업 카드")
        verbose_name_plural = _("사업 카드")
        ordering = ["section_id", "order", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "number"],
                name="card_unique_number",
                violation_error_message=_(
                    "같은 단원에 이 번호의 카드가 이미 있습니다. 다른 번호를 쓰세요."
                ),
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="card_number_positive",
                violation_error_message=_("카드 번호는 1 이상이어야 합니다."),
            ),
            models.CheckConstraint(
                condition=Q(budget_kind="execution", budget_line__isnull=False)
                | (~Q(budget_kind="execution") & Q(budget_line__isnull=True)),
                name="card_budget_line_only_for_execution",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def required_parts(self) -> dict[str, int]:
        return {
            "national": self.required_national,
            "city": self.required_city,
            "district": self.required_district,
            "other": self.required_other,
        }

    def clean(self) -> None:
        super().clean()
        if self.budget_kind == self.BudgetKind.EXECUTION and not self.budget_line_id:
            raise ValidationError(
                {"budget_line": _("예산액·집행액 블록에는 예산 사업을 골라야 합니다.")}
            )
        if self.budget_kind != self.BudgetKind.EXECUTION:
            self.budget_line = None
        if self.budget_kind == self.BudgetKind.REQUIREMENT and not any(
            self.required_parts().values()
        ):
            raise ValidationError({"required_district": _("소요예산 재원을 하나 이상 입력하세요.")})
        if self.budget_kind != self.BudgetKind.REQUIREMENT:
            self.required_national = self.required_city = 0
            self.required_district = self.required_other = 0
        report = self.section.report if self.section_id else None
        if report is None:
            return
        if self.team_id and self.team.department_id != report.department_id:
            raise ValidationError({"team": _("이 부서의 팀만 고를 수 있습니다.")})
        line = self.budget_line
        if line and (
            line.department_id != report.department_id or line.fiscal_year != report.session.year
        ):
            raise ValidationError(
                {
                    "budget_line": _("이 부서의 %(year)s년 예산 사업만 고를 수 있습니다.")
                    % {"year": report.session.year}
                }
            )


class Block(models.Model):
    """A □ block of a card: its heading and its 개조식 body (nested items and tables)."""

    card = models.ForeignKey(
        Card, verbose_name=_("사업 카드"), on_delete=models.CASCADE, related_name="blocks"
    )
    heading = models.CharField(
        _("제목"),
        max_length=100,
        help_text=_("□ 뒤에 오는 제목 (예: 사업개요)"),
        validators=[refuse_invisible],
    )
    content = GaejosikField(
        _("내용"),
        help_text=_(
            "○ - · ※ 기호로 적습니다. 표는 엑셀이나 한글에서 복사해 붙여 넣으면 됩니다(탭으로 구분)."
        ),
    )
    order = models.PositiveIntegerField(_("순서"), default=0)
    as_of = models.DateField(
        _("실적 기준일"),
        null=True,
        blank=True,
        help_text=_(
            "분기마다 추진실적을 새 블록으로 더할 때 그 분기 말일을 적습니다(이전 분기 블록은 그대로 둡니다). "
            "같은 제목의 블록은 보고서에서 날짜 순서로 이어 붙고, 회기 기준일보다 늦은 블록은 나오지 않습니다."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("블록")
        verbose_name_plural = _("블록")
        ordering = ["card_id", "order", "pk"]

    def __str__(self) -> str:
        return f"□ {self.heading}"

    def clean(self) -> None:
        super().clean()
        if self.as_of is None or not self.card_id:
            return
        from reports.models import format_date  # reports.models imports this app's fields

        session = self.card.section.report.session
        first = datetime.date(session.year - 1, 1, 1)
        if not first <= self.as_of <= session.figure_date:
            raise ValidationError(
                {
                    "as_of": _(
                        "실적 기준일은 %(first)s부터 회기 기준일 %(last)s까지의 날짜여야 합니다."
                    )
                    % {"first": format_date(first), "last": format_date(session.figure_date)}
                }
            )
