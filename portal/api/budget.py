"""Staff API for budget lines and their executions: the BudgetLine admin page, as JSON."""

from __future__ import annotations

from django_filters import rest_framework as filters
from rest_framework import serializers

from budget.admin import ExecutionInline
from budget.forms import BudgetLineAdminForm
from budget.models import BudgetLine, Execution
from portal.api.admin_forms import AdminFormViewSet
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
        fields = ["id", *BudgetLineAdminForm.Meta.fields, "amount", "revision", "executions"]


def amount_field(label: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False, allow_null=True, help_text=f"{label}({AMOUNT_HELP})"
    )


class ExecutionWriteSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, allow_null=True, help_text="고칠 집행 실적의 id; 새로 더하면 비웁니다"
    )
    as_of = serializers.DateField(required=False, allow_null=True, help_text="집행 기준일")
    national = amount_field("국비 집행액")
    city = amount_field("시비 집행액")
    district = amount_field("구비 집행액")
    other = amount_field("기타 집행액")
    expected = amount_field("연말까지 집행 예정액")


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
class BudgetLineViewSet(AdminFormViewSet):
    model = BudgetLine
    filterset_class = StaffBudgetLineFilter
    read_serializer_class = BudgetLineSerializer
    write_serializer_class = BudgetLineWriteSerializer
    inlines = {"executions": ExecutionInline}

    def get_queryset(self):
        # The admin's queryset already brings the executions, newest first.
        return (
            super()
            .get_queryset()
            .order_by("-fiscal_year", "department__order", "department_id", "order", "pk")
        )
