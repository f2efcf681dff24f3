"""Budget lines (단위사업 and their 세부사업) and their execution history, in 천원."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.text import refuse_invisible

FUNDING_FIELDS = ("national", "city", "district", "other")
FUNDING_LABELS = {"national": "국비", "city": "시비", "district": "구비", "other": "기타"}


def execution_rate(executed: int, amount: int) -> Decimal | None:
    """집행률 in percent, one decimal, rounded half-up; None when there is no budget."""
    if not amount:
        return None
    rate = Decimal(executed) * 100 / Decimal(amount)
    return rate.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class FundingParts(models.Model):
    """An amount in 천원 split by source; the total is always the sum of the parts."""

    national = models.PositiveBigIntegerField(_("국비"), default=0)
    city = models.PositiveBigIntegerField(_("시비"), default=0)
    district = models.PositiveBigIntegerField(_("구비"), default=0)
    other = models.PositiveBigIntegerField(_("기타(기금 등)"), default=0)

    class Meta:
        abstract = True

    @property
    def total(self) -> int:
        return sum(self.parts().values())

    def parts(self) -> dict[str, int]:
        return {name: getattr(self, name) or 0 for name in FUNDING_FIELDS}


class BudgetLineQuerySet(models.QuerySet):
    def for_year(self, department, year: int) -> "BudgetLineQuerySet":
        return self.filter(department=department, fiscal_year=year)


class BudgetLine(FundingParts):
    """A 단위사업 (top level, printed in 예산 현황) or a 세부사업 under one (cited by cards)."""

    department = models.ForeignKey(
        "org.Department",
        verbose_name=_("부서"),
        on_delete=models.CASCADE,
        related_name="budget_lines",
    )
    fiscal_year = models.PositiveSmallIntegerField(_("회계연도"))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("상위 단위사업"),
        on_delete=models.CASCADE,
        related_name="children",
        null=True,
        blank=True,
        help_text=_("세부사업이면 그 단위사업을 고릅니다."),
    )
    name = models.CharField(_("사업명"), max_length=100, validators=[refuse_invisible])
    order = models.PositiveIntegerField(_("순서"), default=0)

    revision = models.PositiveIntegerField(
        _("수정 차례"),
        default=1,
        editable=False,
        help_text=_(
            "저장할 때마다 1씩 늘어, 같은 것을 두 사람이 동시에 고치면 나중 저장을 막습니다."
        ),
    )

    objects = BudgetLineQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("예산 사업")
        verbose_name_plural = _("예산 사업")
        ordering = ["department_id", "fiscal_year", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "fiscal_year", "name"], name="budget_line_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=2000) & Q(fiscal_year__lte=2100),
                name="budget_line_fiscal_year_range",
                violation_error_message=_("회계연도는 2000년에서 2100년 사이여야 합니다."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.name}"

    @property
    def amount(self) -> int:
        """예산액: the sum of the funding parts, never typed."""
        return self.total

    def clean(self) -> None:
        super().clean()
        parent = self.parent
        if parent is None:
            return
        if self.pk is not None and parent.pk == self.pk:
            raise ValidationError({"parent": _("자기 자신을 상위 단위사업으로 고를 수 없습니다.")})
        if parent.parent_id is not None:
            raise ValidationError({"parent": _("세부사업 아래에 다시 세부사업을 둘 수 없습니다.")})
        if parent.department_id != self.department_id or parent.fiscal_year != self.fiscal_year:
            raise ValidationError(
                {"parent": _("같은 부서, 같은 회계연도의 단위사업만 고를 수 있습니다.")}
            )
        self._check_within_parent(parent)

    def _check_within_parent(self, parent: "BudgetLine") -> None:
        """세부사업 of one 단위사업 add up, source by source, to no more than it."""
        siblings = list(parent.children.exclude(pk=self.pk)) if parent.pk else []
        errors = {}
        for name in FUNDING_FIELDS:
            used = sum(getattr(sibling, name) for sibling in siblings) + (getattr(self, name) or 0)
            budget = getattr(parent, name)
            if used > budget:
                errors[name] = _(
                    "세부사업의 %(label)s 합계 %(used)s천원이 단위사업 ‘%(parent)s’의 "
                    "%(label)s %(budget)s천원보다 많습니다."
                ) % {
                    "label": FUNDING_LABELS[name],
                    "used": f"{used:,}",
                    "parent": parent.name,
                    "budget": f"{budget:,}",
                }
        if errors:
            raise ValidationError(errors)


class ExecutionQuerySet(models.QuerySet):
    def as_of(self, day: datetime.date) -> "ExecutionQuerySet":
        return self.filter(as_of__lte=day)


class Execution(FundingParts):
    """집행액 of a budget line as of a date; quarterly entries accumulate as history."""

    line = models.ForeignKey(
        BudgetLine, verbose_name=_("예산 사업"), on_delete=models.CASCADE, related_name="executions"
    )
    as_of = models.DateField(_("집행 기준일"))
    expected = models.PositiveBigIntegerField(
        _("연말까지 집행 예정액"),
        null=True,
        blank=True,
        help_text=_("12. 31.까지 집행할 것으로 보는 금액(천원). 없으면 비워 둡니다."),
    )

    objects = ExecutionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("집행 실적")
        verbose_name_plural = _("집행 실적")
        ordering = ["line_id", "-as_of"]
        get_latest_by = "as_of"
        constraints = [
            models.UniqueConstraint(fields=["line", "as_of"], name="execution_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.line.name} ({self.as_of:%Y. %m. %d.})"

    @property
    def executed(self) -> int:
        return self.total

    def clean(self) -> None:
        super().clean()
        errors = execution_errors(self, self.line if self.line_id else None)
        if errors:
            raise ValidationError(errors)


def execution_errors(execution: Execution, line: BudgetLine | None) -> dict[str, str]:
    """Korean messages for an execution that does not fit its budget line, by field."""
    if line is None:
        return {}
    errors: dict[str, str] = {}
    for name in FUNDING_FIELDS:
        spent, budget = getattr(execution, name) or 0, getattr(line, name) or 0
        if spent > budget:
            errors[name] = _(
                "%(label)s 집행액 %(spent)s천원이 %(label)s 예산 %(budget)s천원보다 많습니다."
            ) % {
                "label": FUNDING_LABELS[name],
                "spent": f"{spent:,}",
                "budget": f"{budget:,}",
            }
    if execution.expected is not None:
        if execution.expected > line.amount:
            errors["expected"] = _("연말까지 집행 예정액이 예산액 %(budget)s천원보다 많습니다.") % {
                "budget": f"{line.amount:,}"
            }
        elif execution.expected < execution.total:
            errors["expected"] = _(
                "연말까지 집행 예정액은 이미 집행한 %(spent)s천원보다 적을 수 없습니다."
            ) % {"spent": f"{execution.total:,}"}
    if execution.as_of and execution.as_of.year != line.fiscal_year:
        errors["as_of"] = _("집행 기준일은 %(year)s년 안의 날짜여야 합니다.") % {
            "year": line.fiscal_year
        }
    return errors
