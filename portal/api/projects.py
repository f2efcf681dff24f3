"""Staff API for project cards and their blocks: what the card's admin page edits, as JSON,
checked by DRF serializers and saved by projects.services.card_save."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from rest_framework import serializers

from core import gaejosik
from core.fields import GaejosikFormField
from portal.api.base import Rejected
from portal.api.budget import amount_field
from portal.api.rows import RowViewSet, sent
from portal.api.tools import GaejosikNodesField, IdFilter, staff_schema
from projects import services
from projects.models import Block, Card


class StaffBlockSerializer(serializers.ModelSerializer):
    content = serializers.SerializerMethodField(help_text="개조식 글(관리 화면에 적는 그대로)")
    nodes = GaejosikNodesField(source="content", read_only=True, help_text="개조식 구조")

    class Meta:
        model = Block
        fields = ["id", "heading", "as_of", "order", "content", "nodes"]

    def get_content(self, block: Block) -> str:
        return gaejosik.to_text(block.content)


class StaffCardSerializer(serializers.ModelSerializer):
    report = serializers.IntegerField(source="section.report_id", read_only=True)
    blocks = StaffBlockSerializer(many=True, read_only=True)

    class Meta:
        model = Card
        # What the card's admin page edits, plus the row's id, report, revision and blocks.
        fields = ["id", "report", *services.CARD_FIELDS, "revision", "blocks"]


class BlockWriteSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        required=False, allow_null=True, help_text="고칠 블록의 id; 새 블록이면 비웁니다"
    )
    heading = serializers.CharField(required=False, allow_blank=True, help_text="□ 뒤의 제목")
    as_of = serializers.DateField(required=False, allow_null=True, help_text="실적 기준일")
    content = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text="개조식 글(○ - · ※)"
    )
    order = serializers.IntegerField(required=False, allow_null=True, max_value=2**31 - 1)

    def validate_content(self, text: str) -> list:
        """개조식 text as its nodes, with the block field's own messages."""
        try:
            return GaejosikFormField(required=False).clean(text)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class CardWriteSerializer(serializers.Serializer):
    section = serializers.IntegerField(required=False, allow_null=True, help_text="보고 단원 id")
    number = serializers.IntegerField(
        required=False, allow_null=True, max_value=32767, help_text="카드 번호"
    )
    title = serializers.CharField(required=False, allow_blank=True, help_text="사업명")
    team = serializers.IntegerField(required=False, allow_null=True, help_text="담당 팀 id")
    order = serializers.IntegerField(required=False, allow_null=True, max_value=2**31 - 1)
    purpose = serializers.CharField(required=False, allow_blank=True, help_text="추진 목적")
    budget_kind = serializers.ChoiceField(choices=Card.BudgetKind.choices, required=False)
    budget_heading = serializers.CharField(required=False, allow_blank=True)
    budget_line = serializers.IntegerField(
        required=False, allow_null=True, help_text="예산 사업 id"
    )
    required_national = amount_field("소요예산 국비")
    required_city = amount_field("소요예산 시비")
    required_district = amount_field("소요예산 구비")
    required_other = amount_field("소요예산 기타")
    predecessor = serializers.IntegerField(
        required=False, allow_null=True, help_text="이전 보고의 같은 사업 카드 id"
    )
    paste_all = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="한글에서 복사한 카드 전체(□ 제목마다 블록이 됩니다)",
    )
    paste_replace = serializers.BooleanField(
        required=False, help_text="기존 블록을 지우고 붙여 넣은 블록으로"
    )
    revision = serializers.IntegerField(
        required=False, allow_null=True, help_text="읽어 온 수정 차례; 고칠 때 꼭 보냅니다"
    )
    blocks = BlockWriteSerializer(
        many=True, required=False, help_text="보내면 블록 전체를 이 목록으로 바꿉니다"
    )


class StaffCardFilter(filters.FilterSet):
    report = IdFilter(field_name="section__report_id", label="부서 보고서 id")
    section = IdFilter(field_name="section_id", label="보고 단원 id")

    class Meta:
        model = Card
        fields = ["report", "section"]


@staff_schema("사업 카드", "이 계정이 볼 수 있는 부서의 사업 카드와 블록.")
class CardViewSet(RowViewSet):
    model = Card
    filterset_class = StaffCardFilter
    read_serializer_class = StaffCardSerializer
    write_serializer_class = CardWriteSerializer
    ordering = (
        "-section__report__session__number",
        "section__report__department__order",
        "section__order",
        "order",
        "number",
    )

    def destroy(self, request, *args, **kwargs):
        """A card that a frozen card continues is kept (projects.services.delete_blockers)."""
        card = self.get_object()
        if blockers := services.delete_blockers([card]):
            raise Rejected(
                _("‘%(object)s’을(를) 쓰는 자료가 있어 지울 수 없습니다: %(names)s")
                % {"object": card, "names": ", ".join(sorted(blockers)[:5])}
            )
        return super().destroy(request, *args, **kwargs)

    def save(self, request, card, data, *, partial):
        amounts = {name: 0 for name in services.CARD_FIELDS if name.startswith("required_")}
        put = card is not None and not partial
        return services.card_save(
            request.user,
            card,
            sent(data, services.CARD_FIELDS, put=put, blanks=amounts),
            revision=data.get("revision"),
            blocks=data.get("blocks"),
            paste=data.get("paste_all") or "",
            paste_replace=bool(data.get("paste_replace")),
        )

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("section")
            .prefetch_related(Prefetch("blocks", queryset=Block.objects.order_by("order", "pk")))
        )
