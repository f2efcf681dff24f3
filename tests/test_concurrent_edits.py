"""No lost updates: two officers editing the same card, budget line or report at once.

Both open the page; the first saves; the second's save is refused with a message naming who
changed what meanwhile, and the first one's change is kept (core.conflicts). The last tests
run two saves at the same moment on PostgreSQL, each in its own thread and connection.
"""

from __future__ import annotations

import html
import re
import threading
import time
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from budget.models import BudgetLine
from core import conflicts
from core.conflicts import EditConflict, revision_claim, revisions_check
from portal import forms as reports_forms
from portal.forms import ReportEditor
from projects.forms import CardAdminForm
from projects.models import Block, Card
from tests.test_admin_card import card_url, seed_card
from tests.test_admin_report_editor import dump, editor_data, form_data, post, row_prefix

CARD_TITLE = "여의도 금융특정개발진흥지구 육성"
LINE_NAME = "대외교류 활성화"
# `2026. 11. 22. 14:05`: the moment of the other save, in Seoul time.
WHEN = re.compile(r"\d{4}\. \d{1,2}\. \d{1,2}\. \d{2}:\d{2}")
REFUSED = "이 화면을 연 뒤에 다른 사람이 고쳐 저장해서, 덮어쓰지 않도록 저장하지 않았습니다."
EDITOR_REFUSED = "이 화면을 연 뒤에 다른 사람이 저장한 내용이 있어"


# Personas and helpers -----------------------------------------------------------------------


@pytest.fixture
def chulsoo(django_user_model):
    return django_user_model.objects.create_superuser("chulsoo", password="x", first_name="김철수")


@pytest.fixture
def younghee(django_user_model):
    return django_user_model.objects.create_superuser("younghee", password="x", first_name="이영희")


def officer(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def open_page(client, url: str, form_id: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    return form_data(response.content.decode(), form_id)


def submit(client, url: str, data: dict[str, str]):
    return client.post(url, MultiValueDict({key: [value] for key, value in data.items()}))


def page_text(response) -> str:
    """The page as a reader sees it: tags dropped, entities and spaces tidied."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def line_url(line: BudgetLine) -> str:
    return reverse("admin:budget_budgetline_change", args=[line.pk])


def report_url(report) -> str:
    return reverse("admin:reports_departmentreport_change", args=[report.pk])


# The card's page ----------------------------------------------------------------------------


def test_the_second_officer_to_save_a_card_is_refused(chulsoo, younghee, report_2020):
    card = seed_card(CARD_TITLE)
    first, second = officer(chulsoo), officer(younghee)
    mine = open_page(first, card_url(card), "card_form")
    theirs = open_page(second, card_url(card), "card_form")
    mine["title"] = "여의도 금융중심지 육성"
    theirs["purpose"] = "두 번째 사람이 고친 목적"

    assert submit(first, card_url(card), mine).status_code == 302
    response = submit(second, card_url(card), theirs)

    assert response.status_code == 200
    assert REFUSED in page_text(response)


def test_the_refusal_names_who_changed_what_and_when(chulsoo, younghee, report_2020):
    card = seed_card(CARD_TITLE)
    first, second = officer(chulsoo), officer(younghee)
    mine = open_page(first, card_url(card), "card_form")
    theirs = open_page(second, card_url(card), "card_form")
    mine["title"] = "여의도 금융중심지 육성"
    submit(first, card_url(card), mine)

    text = page_text(submit(second, card_url(card), theirs))

    assert (
        f"김철수(chulsoo), {WHEN.search(text).group()} 저장 — 사업명: ‘{CARD_TITLE}’ → ‘여의도 금융중심지 육성’"
        in text
    )


def test_the_first_change_is_kept_and_nothing_of_the_second_is_saved(
    chulsoo, younghee, report_2020
):
    card = seed_card(CARD_TITLE)
    first, second = officer(chulsoo), officer(younghee)
    mine = open_page(first, card_url(card), "card_form")
    theirs = open_page(second, card_url(card), "card_form")
    mine["title"] = "여의도 금융중심지 육성"
    theirs.update(
        {"purpose": "두 번째 사람이 고친 목적", "blocks-0-heading": "두 번째 사람의 제목"}
    )
    submit(first, card_url(card), mine)
    after_first = dump()

    submit(second, card_url(card), theirs)

    assert dump() == after_first
    assert Card.objects.get(pk=card.pk).title == "여의도 금융중심지 육성"


def test_a_block_changed_meanwhile_is_named_in_the_refusal(chulsoo, younghee, report_2020):
    card = seed_card(CARD_TITLE)
    first, second = officer(chulsoo), officer(younghee)
    mine = open_page(first, card_url(card), "card_form")
    theirs = open_page(second, card_url(card), "card_form")
    mine["blocks-0-content"] += "\n- 새로 더한 줄"
    submit(first, card_url(card), mine)

    text = page_text(submit(second, card_url(card), theirs))

    assert "블록 ‘사업개요’ 고침(내용: ‘…" in text
    assert "- 새로 더한 줄’)" in text


def test_a_card_saved_without_changes_does_not_stop_the_next_officer(
    chulsoo, younghee, report_2020
):
    card = seed_card(CARD_TITLE)
    first, second = officer(chulsoo), officer(younghee)
    mine = open_page(first, card_url(card), "card_form")
    theirs = open_page(second, card_url(card), "card_form")
    submit(first, card_url(card), mine)
    theirs["title"] = "여의도 금융중심지 육성"

    assert submit(second, card_url(card), theirs).status_code == 302


def test_after_a_block_error_the_officer_can_fix_it_and_save(admin_client, report_2020):
    card = seed_card(CARD_TITLE)
    data = open_page(admin_client, card_url(card), "card_form")
    data.update({"title": "여의도 금융중심지 육성", "blocks-1-content": "- 첫 줄\n□ 다른 제목"})
    refused = submit(admin_client, card_url(card), data)
    again = form_data(refused.content.decode(), "card_form")
    again["blocks-1-content"] = "- 첫 줄"

    assert submit(admin_client, card_url(card), again).status_code == 302


def test_a_card_page_posted_without_its_revision_is_refused(admin_client, report_2020):
    card = seed_card(CARD_TITLE)
    data = open_page(admin_client, card_url(card), "card_form")
    del data["revision"]
    data["title"] = "수정 차례 없이 보낸 제목"

    text = page_text(submit(admin_client, card_url(card), data))

    assert "이 화면을 연 때의 수정 차례를 알 수 없어 저장하지 않았습니다." in text
    assert Card.objects.get(pk=card.pk).title == CARD_TITLE


# The budget line's page ---------------------------------------------------------------------


def test_the_second_officer_to_save_a_budget_line_is_told_the_new_amount(
    chulsoo, younghee, report_2020
):
    line = BudgetLine.objects.get(name=LINE_NAME)
    first, second = officer(chulsoo), officer(younghee)
    mine = open_page(first, line_url(line), "budgetline_form")
    theirs = open_page(second, line_url(line), "budgetline_form")
    mine["district"] = f"{line.district + 1000:,}"
    theirs["order"] = "9"
    submit(first, line_url(line), mine)

    text = page_text(submit(second, line_url(line), theirs))

    assert f"구비: {line.district:,} → {line.district + 1000:,}" in text
    assert BudgetLine.objects.get(pk=line.pk).order == line.order


def test_an_execution_changed_meanwhile_is_named_on_the_budget_line_page(
    chulsoo, younghee, report_2020
):
    line = BudgetLine.objects.get(name=LINE_NAME)
    first, second = officer(chulsoo), officer(younghee)
    mine = open_page(first, line_url(line), "budgetline_form")
    theirs = open_page(second, line_url(line), "budgetline_form")
    mine["executions-0-district"] = "1,234"
    submit(first, line_url(line), mine)

    text = page_text(submit(second, line_url(line), theirs))

    assert "2020. 10. 31. 기준 집행 실적 고침(구비:" in text
    assert "→ 1,234)" in text


# The report editor --------------------------------------------------------------------------


def test_the_second_officer_to_save_the_report_editor_saves_nothing(chulsoo, younghee, report_2020):
    first, second = officer(chulsoo), officer(younghee)
    mine, theirs = editor_data(first, report_2020), editor_data(second, report_2020)
    mine["report-facilities"] = "○ 회의실 1개"
    theirs[row_prefix(theirs, "lines", "name", LINE_NAME) + "-national"] = "5,000"
    post(first, report_2020, mine)
    after_first = dump()

    response = post(second, report_2020, theirs)

    assert EDITOR_REFUSED in page_text(response)
    assert dump() == after_first


def test_the_editor_refusal_says_what_the_first_officer_saved(chulsoo, younghee, report_2020):
    first, second = officer(chulsoo), officer(younghee)
    mine, theirs = editor_data(first, report_2020), editor_data(second, report_2020)
    mine["report-facilities"] = "○ 회의실 1개"
    post(first, report_2020, mine)

    text = page_text(post(second, report_2020, theirs))

    assert "주요시설 및 장비: (빈칸) → ‘○ 회의실 1개’; 바꾼 부분: 주요시설 및 장비" in text
    assert "김철수(chulsoo)" in text


def test_a_card_changed_on_its_page_stops_an_editor_opened_before(chulsoo, younghee, report_2020):
    card = seed_card(CARD_TITLE)
    first, second = officer(chulsoo), officer(younghee)
    editor = editor_data(second, report_2020)
    page = open_page(first, card_url(card), "card_form")
    page["title"] = "여의도 금융중심지 육성"
    submit(first, card_url(card), page)
    editor[row_prefix(editor, "cards", "title", CARD_TITLE) + "-number"] = "7"

    text = page_text(post(second, report_2020, editor))

    assert f"사업 카드 7. {CARD_TITLE} : 김철수(chulsoo), " in text
    assert f"사업명: ‘{CARD_TITLE}’ → ‘여의도 금융중심지 육성’" in text
    assert Card.objects.get(pk=card.pk).title == "여의도 금융중심지 육성"


def test_a_card_changed_in_the_editor_stops_its_page_opened_before(chulsoo, younghee, report_2020):
    card = seed_card(CARD_TITLE)
    first, second = officer(chulsoo), officer(younghee)
    page = open_page(second, card_url(card), "card_form")
    editor = editor_data(first, report_2020)
    editor[row_prefix(editor, "cards", "title", CARD_TITLE) + "-title"] = "편집 화면에서 고친 제목"
    post(first, report_2020, editor)
    page["purpose"] = "카드 화면에서 고친 목적"

    text = page_text(submit(second, card_url(card), page))

    assert f"사업명: ‘{CARD_TITLE}’ → ‘편집 화면에서 고친 제목’" in text
    assert Card.objects.get(pk=card.pk).purpose != "카드 화면에서 고친 목적"


def test_a_budget_line_changed_on_its_page_stops_an_editor_opened_before(
    chulsoo, younghee, report_2020
):
    line = BudgetLine.objects.get(name=LINE_NAME)
    first, second = officer(chulsoo), officer(younghee)
    editor = editor_data(second, report_2020)
    page = open_page(first, line_url(line), "budgetline_form")
    page["city"] = f"{line.city + 500:,}"
    submit(first, line_url(line), page)
    editor[row_prefix(editor, "lines", "name", LINE_NAME) + "-exec_city"] = "1"

    text = page_text(post(second, report_2020, editor))

    assert f"시비: {line.city:,} → {line.city + 500:,}" in text
    assert BudgetLine.objects.get(pk=line.pk).city == line.city + 500


def test_an_editor_posted_without_its_revision_is_refused(admin_client, report_2020):
    data = editor_data(admin_client, report_2020)
    del data["report-revision"]
    data["report-facilities"] = "○ 수정 차례 없이 보낸 시설"
    before = dump()

    text = page_text(post(admin_client, report_2020, data))

    assert "보고서 : 이 화면을 연 때의 수정 차례를 알 수 없습니다." in text
    assert dump() == before


def test_saving_the_editor_unchanged_keeps_every_revision(admin_client, report_2020):
    data = editor_data(admin_client, report_2020)
    revisions = list(Card.objects.order_by("pk").values_list("revision", flat=True))

    post(admin_client, report_2020, data)

    assert list(Card.objects.order_by("pk").values_list("revision", flat=True)) == revisions


# Two saves at the same moment (PostgreSQL) -------------------------------------------------

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)"
)
HOLD_SECONDS = 0.6


def timed(record: list[float], function):
    """`function`, noting in `record` when each call starts."""

    def call(*args, **kwargs):
        record.append(time.monotonic())
        return function(*args, **kwargs)

    return call


def run_together(*jobs):
    """Run the jobs in threads that start at the same moment, each with its own connection;
    returns what each returned (or raised)."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=10)
            results[index] = job()
        except Exception as error:  # handed back to the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_of_two_claims_of_the_same_revision_at_once_exactly_one_wins(report_2020):
    card = seed_card(CARD_TITLE)
    seen = card.revision
    events: dict[str, float] = {}

    def save_as(title):
        def job():
            with transaction.atomic():
                events[f"{title} claims"] = time.monotonic()
                revision = revision_claim(Card, card.pk, seen)
                stored = Card.objects.get(pk=card.pk)
                stored.title, stored.revision = title, revision
                stored.save()
                time.sleep(HOLD_SECONDS)  # the transaction stays open, the row locked
            events[f"{title} committed"] = time.monotonic()
            return title

        return job

    results = run_together(save_as("첫째"), save_as("둘째"))

    winners = [result for result in results if isinstance(result, str)]
    losers = [result for result in results if isinstance(result, EditConflict)]
    assert len(winners) == 1 and len(losers) == 1
    loser = "둘째" if winners == ["첫째"] else "첫째"
    assert events[f"{loser} claims"] < events[f"{winners[0]} committed"]  # it really waited
    assert Card.objects.get(pk=card.pk).title == winners[0]
    assert Card.objects.get(pk=card.pk).revision == seen + 1
    assert f"사업명: ‘{CARD_TITLE}’ → ‘{winners[0]}’" in " ".join(losers[0].messages)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_officers_saving_the_same_card_at_the_same_moment(chulsoo, younghee, report_2020):
    card = seed_card(CARD_TITLE)
    pages = {}
    for user, title in ((chulsoo, "김철수의 제목"), (younghee, "이영희의 제목")):
        client = officer(user)
        pages[title] = (client, {**open_page(client, card_url(card), "card_form"), "title": title})
    blocks = list(Block.objects.filter(card=card).order_by("pk").values())
    original_save = CardAdminForm.save

    def slow_save(form, commit=True):
        saved = original_save(form, commit)
        time.sleep(HOLD_SECONDS)  # inside the admin's transaction: the card stays locked
        return saved

    checks: list[float] = []
    done: dict[str, float] = {}

    def save(title):
        client, data = pages[title]

        def job():
            response = submit(client, card_url(card), data)
            done[title] = time.monotonic()
            return response

        return job

    with (
        mock.patch.object(CardAdminForm, "save", slow_save),
        mock.patch.object(conflicts, "revisions_check", timed(checks, conflicts.revisions_check)),
    ):
        responses = dict(zip(pages, run_together(*(save(title) for title in pages)), strict=True))

    statuses = sorted(response.status_code for response in responses.values())
    assert statuses == [200, 302]
    winner = next(title for title, response in responses.items() if response.status_code == 302)
    loser = next(response for response in responses.values() if response.status_code == 200)
    assert len(checks) == 2 and max(checks) < done[winner]  # the loser waited for the lock
    assert Card.objects.get(pk=card.pk).title == winner
    assert f"사업명: ‘{CARD_TITLE}’ → ‘{winner}’" in page_text(loser)
    assert list(Block.objects.filter(card=card).order_by("pk").values()) == blocks


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_officers_saving_the_report_editor_at_the_same_moment(chulsoo, younghee, report_2020):
    pages = {}
    for user, text in ((chulsoo, "○ 김철수의 회의실"), (younghee, "○ 이영희의 회의실")):
        client = officer(user)
        pages[text] = (client, {**editor_data(client, report_2020), "report-facilities": text})
    original_staffing = ReportEditor._save_staffing

    def slow_staffing(editor):
        saved = original_staffing(editor)
        time.sleep(HOLD_SECONDS)  # inside the editor's transaction: the report stays locked
        return saved

    checks: list[float] = []
    done: dict[str, float] = {}

    def save(text):
        client, data = pages[text]

        def job():
            response = post(client, report_2020, data)
            done[text] = time.monotonic()
            return response

        return job

    with (
        mock.patch.object(ReportEditor, "_save_staffing", slow_staffing),
        mock.patch.object(reports_forms, "revisions_check", timed(checks, revisions_check)),
    ):
        responses = dict(zip(pages, run_together(*(save(text) for text in pages)), strict=True))

    statuses = sorted(response.status_code for response in responses.values())
    assert statuses == [200, 302]
    winner = next(text for text, response in responses.items() if response.status_code == 302)
    loser = next(response for response in responses.values() if response.status_code == 200)
    assert len(checks) == 2 and max(checks) < done[winner]  # the loser waited for the lock
    report_2020.refresh_from_db()
    assert report_2020.facilities[0]["text"] == winner.removeprefix("○ ")
    assert EDITOR_REFUSED in page_text(loser)
