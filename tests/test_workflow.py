"""The life of a report: an officer submits, the head approves, the clerk publishes; published
is frozen, and a correction becomes version 2 that readers can compare with version 1."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from budget.models import BudgetLine
from org.roles import Role, make_staff
from projects.models import Card
from publishing.versions import verify
from publishing.workflow import WorkflowError, perform
from reports.models import DepartmentReport, ReportEvent, ReportVersion
from tests.textmatch import pdf_pages, squash

Status = DepartmentReport.Status


def squash_pages(content: bytes) -> str:
    return squash(" ".join(pdf_pages(content)))


@pytest.fixture
def people(report_2020, clerk):
    User = get_user_model()
    officer = User.objects.create_user("officer", password="x", first_name="김담당")
    make_staff(officer, Role.OFFICER, report_2020.department)
    head = User.objects.create_user("head", password="x", first_name="이과장")
    make_staff(head, Role.HEAD, report_2020.department)
    return {"officer": officer, "head": head, "clerk": clerk}


def editor_url(report):
    return reverse("admin:reports_departmentreport_change", args=[report.pk])


def press(client, report, action, comment=""):
    return client.post(editor_url(report), {"_transition": action, "comment": comment})


def the_card(report):
    return Card.objects.filter(section__report=report).order_by("pk").first()


def test_submit_approve_publish_through_the_editor_buttons(client, report_2020, people):
    client.force_login(people["officer"])
    assert "제출" in client.get(editor_url(report_2020)).text
    press(client, report_2020, "submit")
    client.force_login(people["head"])
    press(client, report_2020, "approve")
    client.force_login(people["clerk"])
    response = press(client, report_2020, "publish")

    report_2020.refresh_from_db()
    assert report_2020.status == Status.PUBLISHED
    assert response.status_code == 302
    version = report_2020.versions.get()
    assert (version.number, version.published_by) == (1, people["clerk"])
    assert verify(version)
    assert "국내외도시와의상호교류활성화" in squash_pages(bytes(version.pdf))
    actions = list(report_2020.events.order_by("at", "pk").values_list("action", "actor__username"))
    assert actions == [("submit", "officer"), ("approve", "head"), ("publish", "clerk")]


def test_a_submitted_report_is_read_only_for_its_officer(client, report_2020, people):
    perform(report_2020, "submit", people["officer"])
    client.force_login(people["officer"])

    page = client.get(editor_url(report_2020))
    refused = client.post(editor_url(report_2020), {"report-facilities": "○ 바뀐 시설"})

    assert page.status_code == 200
    assert '<fieldset class="editor-fields" disabled>' in page.text
    assert "제출 상태의 보고서는 고칠 수 없습니다" in page.text
    assert "저장하지 않았습니다. 제출 상태의 보고서는 고칠 수 없습니다" in refused.text
    report_2020.refresh_from_db()
    assert "바뀐 시설" not in str(report_2020.facilities)
    card = the_card(report_2020)
    card_page = client.get(reverse("admin:projects_card_change", args=[card.pk]))
    assert 'name="title"' not in card_page.text  # shown read-only, no input


@pytest.mark.parametrize(
    ("who", "action", "message"),
    [
        ("officer", "approve", "승인 권한이 없습니다."),
        ("officer", "publish", "공개 권한이 없습니다."),
        ("head", "publish", "공개 권한이 없습니다."),
        ("clerk", "publish", "‘작성 중’ 상태의 보고서는 공개할 수 없습니다."),
        ("clerk", "approve", "‘작성 중’ 상태의 보고서는 승인할 수 없습니다."),
        ("clerk", "return", "‘작성 중’ 상태의 보고서는 보완 요청할 수 없습니다."),
        ("clerk", "launch", "알 수 없는 처리입니다."),
    ],
)
def test_illegal_moves_are_refused_in_korean_and_change_nothing(
    client, report_2020, people, who, action, message
):
    client.force_login(people[who])

    response = press(client, report_2020, action)

    assert message in client.get(response.url).text
    report_2020.refresh_from_db()
    assert report_2020.status == Status.DRAFT
    assert not ReportEvent.objects.exists()
    assert not ReportVersion.objects.exists()


def test_a_return_needs_a_comment_and_the_officer_sees_it(client, report_2020, people):
    perform(report_2020, "submit", people["officer"])
    with pytest.raises(WorkflowError, match="보완할 내용을 적어야 합니다"):
        perform(report_2020, "return", people["head"], comment="  ")

    perform(report_2020, "return", people["head"], comment="예산 집행률을 다시 확인하세요")
    client.force_login(people["officer"])

    page = client.get(editor_url(report_2020)).text
    assert "예산 집행률을 다시 확인하세요" in page
    assert '<fieldset class="editor-fields">' in page  # editable again


def publish(report, people):
    perform(report, "submit", people["officer"])
    perform(report, "approve", people["head"])
    perform(report, "publish", people["clerk"])


def test_a_clerk_publishes_session_227_and_the_officer_can_no_longer_change_a_number(
    client, report_2020, people
):
    publish(report_2020, people)
    card = the_card(report_2020)
    line = BudgetLine.objects.filter(department=report_2020.department).first()
    client.force_login(people["officer"])

    card_post = client.post(
        reverse("admin:projects_card_change", args=[card.pk]), {"title": "바꾼 제목"}
    )
    delete = client.post(reverse("admin:projects_card_delete", args=[card.pk]), {"post": "yes"})
    bulk = client.post(
        reverse("admin:projects_card_changelist"),
        {"action": "delete_selected", "_selected_action": [card.pk], "post": "yes"},
    )
    editor = client.post(editor_url(report_2020), {"report-facilities": "○ 바뀐 시설"})

    assert card_post.status_code == 403
    assert delete.status_code == 403
    assert bulk.status_code in (200, 403)  # the bulk delete page refuses
    assert "저장하지 않았습니다. 공개된 보고서는 고칠 수 없습니다" in editor.text
    report_2020.refresh_from_db()
    assert "바뀐 시설" not in str(report_2020.facilities)
    card.refresh_from_db()
    assert card.title != "바꾼 제목"
    assert Card.objects.filter(pk=card.pk).exists()
    # Live budget figures stay department data, but what readers see is the frozen version.
    BudgetLine.objects.filter(pk=line.pk).update(district=line.district + 1)
    public = client.get(report_2020.get_absolute_url()).text
    version = report_2020.versions.get()
    stored = {row["name"]: row["amount"] for row in version.document["budget"]["rows"]}
    assert stored[line.name] == line.amount
    assert f"<td>{line.amount + 1:,}</td>" not in public
    assert verify(version)


def test_versions_cannot_be_changed_or_deleted_through_the_orm(report_2020, people):
    publish(report_2020, people)
    version = report_2020.versions.get()

    with pytest.raises(Exception, match="공개된 판은 고치거나 지울 수 없습니다"):
        version.save()
    with pytest.raises(Exception, match="공개된 판은 고치거나 지울 수 없습니다"):
        version.delete()
    with pytest.raises(Exception, match="공개된 판은 고치거나 지울 수 없습니다"):
        ReportVersion.objects.filter(pk=version.pk).update(note="x")
    with pytest.raises(Exception, match="공개된 판은 고치거나 지울 수 없습니다"):
        ReportVersion.objects.all().delete()


def test_a_correction_produces_version_2_and_the_public_page_shows_what_changed(
    client, report_2020, people
):
    publish(report_2020, people)
    card = the_card(report_2020)
    old_title = card.title
    with pytest.raises(WorkflowError, match="정정 사유를 적어야 합니다"):
        perform(report_2020, "reopen", people["clerk"])
    perform(report_2020, "reopen", people["clerk"], comment="사업명 오기 정정")
    Card.objects.filter(pk=card.pk).update(title="국내외 도시와의 상호교류 확대")
    publish(report_2020, people)

    versions = list(report_2020.versions.order_by("number"))
    page = client.get(report_2020.get_absolute_url()).text
    first = client.get(versions[0].get_absolute_url()).text

    assert [(v.number, v.note) for v in versions] == [(1, ""), (2, "사업명 오기 정정")]
    assert "정정된 제2판입니다" in page
    assert "사업명 오기 정정" in page
    assert f"<del>{old_title}</del>" in page
    assert "<ins>국내외 도시와의 상호교류 확대</ins>" in page
    assert "제1판에서 제2판으로 바뀐 곳" in page
    assert "이전 판(제1판)을 보고 있습니다" in first
    assert old_title in first
    assert versions[0].pdf_sha256 != versions[1].pdf_sha256
    v1_pdf = client.get(reverse("reports:version_pdf", args=[227, report_2020.department_id, 1]))
    assert v1_pdf.content == bytes(versions[0].pdf)


def test_what_changed_lists_the_changed_lines_only(report_2020, people):
    from publishing.versions import changes_between

    publish(report_2020, people)
    card = the_card(report_2020)
    block = card.blocks.order_by("order").first()
    perform(report_2020, "reopen", people["clerk"], comment="실적 추가")
    block.content = [
        *block.content,
        {"type": "item", "marker": "○", "text": "새 실적 한 줄", "children": []},
    ]
    block.save()
    publish(report_2020, people)

    old, new = report_2020.versions.order_by("number")
    changes = changes_between(old.document, new.document)

    assert len(changes) == 1
    assert changes[0].where == f"Ⅱ {card.number}. {card.title} — {block.heading}"
    assert changes[0].before == []
    assert changes[0].after == ["○ 새 실적 한 줄"]


def test_a_comment_longer_than_2000_characters_is_refused(report_2020, people):
    perform(report_2020, "submit", people["officer"])

    with pytest.raises(WorkflowError, match="의견은 2,000자까지 적을 수 있습니다"):
        perform(report_2020, "return", people["head"], comment="가" * 2_001)

    report_2020.refresh_from_db()
    assert report_2020.status == Status.SUBMITTED


def test_a_save_after_the_report_was_submitted_elsewhere_keeps_the_typing(
    client, report_2020, people
):
    client.force_login(people["officer"])
    perform(report_2020, "submit", people["officer"])  # in another tab, meanwhile

    response = client.post(editor_url(report_2020), {"report-facilities": "○ 새 회의실"})

    assert response.status_code == 200
    assert "저장하지 않았습니다. 제출 상태의 보고서는 고칠 수 없습니다" in response.text
    assert "○ 새 회의실" in response.text
    report_2020.refresh_from_db()
    assert "새 회의실" not in str(report_2020.facilities)


def test_a_pdf_that_cannot_be_made_publishes_nothing(report_2020, people, monkeypatch):
    from publishing import pdf

    perform(report_2020, "submit", people["officer"])
    perform(report_2020, "approve", people["head"])

    def broken(document):
        raise OSError("disk full")

    monkeypatch.setattr(pdf, "department_pdf", broken)
    with pytest.raises(WorkflowError, match="PDF를 만들지 못해 공개하지 않았습니다"):
        perform(report_2020, "publish", people["clerk"])

    report_2020.refresh_from_db()
    assert report_2020.status == Status.APPROVED
    assert not ReportVersion.objects.exists()


def test_while_the_report_is_reviewed_its_budget_and_staffing_hold_still(
    client, report_2020, people
):
    perform(report_2020, "submit", people["officer"])
    perform(report_2020, "approve", people["head"])
    line = BudgetLine.objects.filter(department=report_2020.department).first()
    client.force_login(people["officer"])

    page = client.get(reverse("admin:budget_budgetline_change", args=[line.pk]))
    post = client.post(
        reverse("admin:budget_budgetline_change", args=[line.pk]), {"district": 99_999}
    )

    assert 'name="district"' not in page.text  # read-only
    assert post.status_code == 403
    line.refresh_from_db()
    assert line.district != 99_999
