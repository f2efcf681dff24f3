"""The card's own admin page: fields, 개조식 blocks in order, and a whole card pasted at once."""

from __future__ import annotations

from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from org.models import Department, Team
from projects.models import Block, Card
from tests.test_admin_report_editor import dump, field_errors, form_data

# Cut from the 2020 source (fixtures/seeds/source/002_…): purpose, then □ blocks, as HWP pastes.
PASTED_CARD = """여의도 금융개발진흥지구를 육성하여 금융 산업의 경쟁력 강화를 도모하고자 함

□ 사업개요
 - 사업기간: ’20. 1. ~ 12.
 - 사업지역: 여의도 일대
□ 주요 추진실적
 - 여의도 국제금융컨퍼런스 개최: ’20. 7월
  - 홍보대사 위촉: ’20. 9월
□ 향후계획
 - 서울시 국제금융컨퍼런스 참석: ’20. 11월"""

BROKEN_PASTE = """목적 문단
□ 사업개요
 - 사업기간: ’20. 1. ~ 12.
□ 운영현황
구분\t횟수
협의회\t"28
□ 향후계획
 - 끝"""


def card_url(card: Card, *, back: bool = False) -> str:
    url = reverse("admin:projects_card_change", args=[card.pk])
    return url + "?return=report" if back else url


def card_form(client, card: Card) -> dict[str, str]:
    response = client.get(card_url(card))
    assert response.status_code == 200
    return form_data(response.content.decode(), "card_form")


def post_card(client, card: Card, data: dict[str, str], *, back: bool = False):
    return client.post(card_url(card, back=back), MultiValueDict({k: [v] for k, v in data.items()}))


def seed_card(title: str = "여의도 금융특정개발진흥지구 육성") -> Card:
    return Card.objects.get(title=title)


def test_the_card_page_shows_each_block_as_the_text_officers_typed(admin_client, report_2020):
    data = card_form(admin_client, seed_card())

    assert data["blocks-0-heading"] == "사업개요"
    assert data["blocks-0-content"].startswith("- 사업기간: '20. 1. ~ 12.\n- 사업지역: 여의도 일대")


def test_saving_the_card_page_unchanged_changes_nothing(admin_client, report_2020):
    card = seed_card()
    data = card_form(admin_client, card)
    before = dump()

    response = post_card(admin_client, card, data)

    assert response.status_code == 302
    assert dump() == before


def test_pasting_a_whole_card_creates_its_blocks_in_order(admin_client, report_2020):
    card = seed_card()
    data = card_form(admin_client, card)
    data.update({"paste_all": PASTED_CARD, "paste_replace": "on"})

    post_card(admin_client, card, data)

    assert list(card.blocks.values_list("heading", flat=True)) == [
        "사업개요",
        "주요 추진실적",
        "향후계획",
    ]
    assert (
        card.blocks.get(heading="주요 추진실적").content[0]["children"][0]["text"]
        == "홍보대사 위촉: '20. 9월"
    )


def test_the_text_before_the_first_heading_becomes_the_purpose(admin_client, report_2020):
    card = seed_card()
    data = card_form(admin_client, card)
    data.update({"paste_all": PASTED_CARD, "paste_replace": "on"})

    post_card(admin_client, card, data)

    card.refresh_from_db()
    assert (
        card.purpose == "여의도 금융개발진흥지구를 육성하여 금융 산업의 경쟁력 강화를 도모하고자 함"
    )


def test_pasted_blocks_go_after_the_existing_ones_unless_replacing(admin_client, report_2020):
    card = seed_card()
    data = card_form(admin_client, card)
    data["paste_all"] = "□ 추진일정\n○ 12월: 결과 보고"

    post_card(admin_client, card, data)

    assert list(card.blocks.values_list("heading", flat=True))[-2:] == ["향후계획", "추진일정"]


def test_a_paste_with_a_bad_line_names_the_block_and_the_line(admin_client, report_2020):
    card = seed_card()
    data = card_form(admin_client, card)
    data["paste_all"] = BROKEN_PASTE

    response = post_card(admin_client, card, data)

    message = field_errors(response.content.decode(), "paste_all")
    assert "2번째 □ 블록 ‘운영현황’" in message
    assert '2번째 줄: 표의 따옴표(")가 닫히지 않았습니다.' in message


def test_a_paste_with_a_bad_line_saves_nothing(admin_client, report_2020):
    card = seed_card()
    data = card_form(admin_client, card)
    data.update({"paste_all": BROKEN_PASTE, "paste_replace": "on", "title": "바뀐 제목"})
    before = dump()

    post_card(admin_client, card, data)

    assert dump() == before


def test_a_block_body_with_a_heading_line_says_which_line(admin_client, report_2020):
    card = seed_card()
    data = card_form(admin_client, card)
    data["blocks-1-content"] = "- 첫 줄\n□ 다른 제목"

    response = post_card(admin_client, card, data)

    assert "2번째 줄: 블록 본문에는 □ 제목을 쓸 수 없습니다." in field_errors(
        response.content.decode(), "blocks-1-content"
    )


def test_blocks_are_reordered_by_their_order_field(admin_client, report_2020):
    card = seed_card()
    data = card_form(admin_client, card)
    data["blocks-0-order"], data["blocks-2-order"] = data["blocks-2-order"], data["blocks-0-order"]

    post_card(admin_client, card, data)

    assert list(card.blocks.values_list("heading", flat=True)) == [
        "향후계획",
        "주요 추진실적",
        "사업개요",
    ]


def test_the_card_page_refuses_a_team_of_another_department(admin_client, report_2020):
    card = seed_card()
    stranger = Team.objects.create(
        department=Department.objects.create(name="다른과"), name="남의팀"
    )
    data = card_form(admin_client, card)
    data["team"] = str(stranger.pk)

    response = post_card(admin_client, card, data)

    assert field_errors(response.content.decode(), "team")


def test_saving_a_card_opened_from_the_editor_returns_to_the_editor(admin_client, report_2020):
    card = seed_card()
    data = card_form(admin_client, card)

    response = post_card(admin_client, card, data, back=True)

    editor = reverse("admin:reports_departmentreport_change", args=[report_2020.pk])
    assert response["Location"] == f"{editor}#card-{card.pk}"


def test_the_card_list_is_filtered_by_report(admin_client, report_2020, report_2018):
    response = admin_client.get(
        reverse("admin:projects_card_changelist"), {"report": report_2018.pk}
    )

    assert response.context["cl"].result_count == 5


def test_the_card_list_is_filtered_by_section(admin_client, report_2020):
    section = report_2020.sections.get(title="신규·중점 추진사업")

    response = admin_client.get(reverse("admin:projects_card_changelist"), {"section": section.pk})

    assert [card.title for card in response.context["cl"].result_list] == [
        "영등포구 사회공헌(CSR) 활성화",
        "평화통일 교육 사업 추진",
    ]


def test_the_card_list_is_searchable_by_title(admin_client, report_2020):
    response = admin_client.get(reverse("admin:projects_card_changelist"), {"q": "메디컬"})

    assert response.context["cl"].result_count == 2


def test_a_new_card_page_opened_for_a_section_lists_only_that_departments_teams(
    admin_client, report_2020
):
    section = report_2020.sections.first()
    Team.objects.create(department=Department.objects.create(name="다른과"), name="남의팀")

    response = admin_client.get(reverse("admin:projects_card_add"), {"section": section.pk})

    assert "남의팀" not in response.content.decode()


def test_a_card_can_be_added_from_a_pasted_card_alone(admin_client, report_2020):
    section = report_2020.sections.get(title="신규·중점 추진사업")
    add = reverse("admin:projects_card_add")
    data = form_data(admin_client.get(add, {"section": section.pk}).content.decode(), "card_form")
    data.update(
        {"section": str(section.pk), "number": "3", "title": "새 사업", "paste_all": PASTED_CARD}
    )

    admin_client.post(add, MultiValueDict({k: [v] for k, v in data.items()}))

    card = Card.objects.get(title="새 사업")
    assert Block.objects.filter(card=card).count() == 3


def test_a_paste_without_any_heading_is_refused_and_changes_nothing(admin_client, report_2020):
    card = seed_card()
    data = card_form(admin_client, card)
    data["paste_all"] = "○ 목적만 있는 글\n○ 둘째 줄"
    before = dump()

    response = post_card(admin_client, card, data)

    assert "□ 제목이 있는 줄이 없습니다" in field_errors(response.content.decode(), "paste_all")
    assert dump() == before


def test_a_paste_does_not_overwrite_the_purpose_unless_replacing(admin_client, report_2020):
    card = seed_card()
    data = card_form(admin_client, card)
    data["paste_all"] = "다른 목적\n□ 추진일정\n○ 12월: 결과 보고"
    before = dump()

    response = post_card(admin_client, card, data)

    assert "추진 목적과 다릅니다" in field_errors(response.content.decode(), "paste_all")
    assert dump() == before


def test_a_card_number_already_used_in_the_section_names_the_other_card(admin_client, report_2020):
    card = seed_card()
    data = card_form(admin_client, card)
    data["number"] = "1"
    before = dump()

    response = post_card(admin_client, card, data)

    message = field_errors(response.content.decode(), "number")
    assert "1번 카드 ‘국내외 도시와의 상호교류 활성화’가 이미 있습니다" in message
    assert dump() == before
