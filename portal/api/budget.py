"""Staff API for budget lines and their executions: what the line's admin page edits, as
JSON, checked by DRF serializers and saved by budget.services.budget_line_save."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django_filters import rest_framework as filters
from rest_framework import serializers

from budget import services
from budget.forms import AmountField
from budget.models import FUNDING_FIELDS, BudgetLine, Execution
from portal.api.rows import RowViewSet, sent
from portal.api.tools import IdFilter, staff_schema

AMOUNT_HELP = "천원, 0 이상의 정수"


class ExecutionSerializer(serializers.ModelSerializer):
    executed = serializers.IntegerField(read_only=True, help_text="집행액 계(재원의 합)")

    class Meta:
        model = Execution
        fields = ["id", "as_of", "national", "city", "district", "other", "executed", "expected"]


class BudgetLineSerializer(serializers.ModelSerializer):
    amount = serializers.IntegerField(read_only=True, help_text="예산액(재원의 합, 천원)")
    executions = ExecutionSerializer(many=True, read_only=True)

    class Meta:
        model = BudgetLine
        # What the line's admin page edits, plus the row's id, amount, revision and executions.
        fields = ["id", *services.LINE_FORM_FIELDS, "amount", "revision", "executions"]


class AmountInput(serializers.IntegerField):
    """An amount in 천원, refused in the admin's words (budget.forms.AmountField); null is
    `empty` (0: nothing, as the admin's blank amount box)."""

    def __init__(self, *, empty: int | None = 0, **kwargs):
        self.empty = empty
        super().__init__(required=False, allow_null=True, **kwargs)

    def run_validation(self, data=serializers.empty):
        if data is None:
            return self.empty
        value = super().run_validation(data)
        try:
            return AmountField(empty_value=self.empty).clean(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


def amount_field(label: str, *, empty: int | None = 0) -> serializers.IntegerField:
    return AmountInput(empty=empty, help_text=f"{label}({AMOUNT_HELP})")


class ExecutionWriteSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, allow_null=True, help_text="고칠 집행 실적의 id; 새로 더하면 비웁니다"
    )
    as_of = serializers.DateField(required=False, allow_null=True, help_text="집행 기준일")
    national = amount_field("국비 집행액")
    city = amount_field("시비 집행액")
    district = amount_field("구비 집행액")
    other = amount_field("기타 집행액")
    expected = amount_field("연말까지 집행 예정액", empty=None)


class BudgetLineWriteSerializer(serializers.Serializer):
    department = serializers.IntegerField(required=False, allow_null=True, help_text="부서 id")
    fiscal_year = serializers.IntegerField(
        required=False, allow_null=True, max_value=9999, help_text="회계연도"
    )
    parent = serializers.IntegerField(
        required=False, allow_null=True, help_text="세부사업이면 단위사업의 id"
    )
    name = serializers.CharField(required=False, allow_blank=True, help_text="사업명")
    order = serializers.IntegerField(
        required=False, allow_null=True, max_value=2**31 - 1, help_text="순서"
    )
    national = amount_field("국비 예산")
    city = amount_field("시비 예산")
    district = amount_field("구비 예산")
    other = amount_field("기타 예산")
    revision = serializers.IntegerField(
        required=False, allow_null=True, help_text="읽어 온 수정 차례; 고칠 때 꼭 보냅니다"
    )
    executions = ExecutionWriteSerializer(
        many=True, required=False, help_text="보내면 집행 실적 전체를 이 목록으로 바꿉니다"
    )


class StaffBudgetLineFilter(filters.FilterSet):
    department = IdFilter(field_name="department_id", label="부서 id")
    fiscal_year = IdFilter(field_name="fiscal_year", label="회계연도", max_value=9999)

    class Meta:
        model = BudgetLine
        fields = ["department", "fiscal_year"]


@staff_schema("예산 사업", "이 계정이 볼 수 있는 부서의 예산 사업과 집행 실적.")
class BudgetLineViewSet(RowViewSet):
    model = BudgetLine
    filterset_class = StaffBudgetLineFilter
    read_serializer_class = BudgetLineSerializer
    write_serializer_class = BudgetLineWriteSerializer

    def save(self, request, line, data, *, partial):
        put = line is not None and not partial
        amounts = dict.fromkeys(FUNDING_FIELDS, 0)
        return services.budget_line_save(
            request.user,
            line,
            sent(data, services.LINE_FORM_FIELDS, put=put, blanks=amounts),
            revision=data.get("revision"),
            executions=data.get("executions"),
        )

    def get_queryset(self):
        latest_first = Execution.objects.order_by("-as_of")
        return (
            super()
            .get_queryset()
            .prefetch_related(Prefetch("executions", queryset=latest_first))
            .order_by("-fiscal_year", "department__order", "department_id", "order", "pk")
        )
