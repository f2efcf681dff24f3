"""Deep 개조식 nesting (issue 18, point 1): refused at input with the line that goes too deep,
and whatever is stored anyway — written straight into the database — still shows on the page,
in the PDF and in the HWPX, its deeper levels at the last one."""

from __future__ import annotations

import json
import time

import pytest
from django.db import connection
from django.urls import reverse

from core import gaejosik, json_any_depth
from org.roles import Role, make_staff
from projects.models import Block, Card
from publishing import booklet
from publishing.assembly import assemble_report, assemble_session_outline
from publishing.hwpx import hwpx_paragraphs
from publishing.versions import canonical_json
from publishing.workflow import publish_imported
from tests.test_admin_card import card_form, post_card
from tests.test_api_staff import SEED_CARD, card_url, patch, token_client
from tests.textmatch import pdf_pages, squash

pytestmark = pytest.mark.slow


def staircase(depth: int) -> str:
    """`depth` lines, line i indented i spaces: each one a level below the one before."""
    return "\n".join(f"{' ' * i}○ 단계{i + 1}" for i in range(depth))


def nested_nodes(depth: int) -> list[dict]:
    """The structure `staircase(depth)` would parse to, built without any limit."""
    root: list[dict] = []
    children = root
    for level in range(1, depth + 1):
        node = {"type": "item", "marker": "○", "text": f"단계{level}", "children": []}
        children.append(node)
        children = node["children"]
    return root


@pytest.fixture
def officer(report_2020, django_user_model):
    user = django_user_model.objects.create_user("officer", password=None)
    make_staff(user, Role.OFFICER, report_2020.department)
    return user


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def save_block(client, card: Card, content: str):
    read = client.get(card_url(card)).json()
    kept = read["blocks"][0]
    block = {**{k: kept[k] for k in ("id", "heading", "order")}, "content": content}
    return patch(client, card_url(card), {"revision": read["revision"], "blocks": [block]})


def force_content(block: Block, nodes: list[dict]) -> None:
    """Write a block's content below the app: no validation, no model, no JSON size checks."""
    text = json_any_depth.dumps(nodes, ensure_ascii=False)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # SQLite's json_valid() stops at 1,000 levels
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        cursor.execute(
            f"UPDATE {Block._meta.db_table} SET content = %s WHERE id = %s", [text, block.pk]
        )
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA ignore_check_constraints = OFF")


def department_files(client, report) -> tuple[str, list[str], list[str]]:
    """The department page, its PDF's text and its HWPX's paragraphs, each answered 200."""
    args = [report.session.number, report.department_id]
    page = client.get(report.get_absolute_url())
    pdf = client.get(reverse("reports:department_pdf", args=args))
    hwpx = client.get(reverse("reports:department_hwpx", args=args))
    assert (page.status_code, pdf.status_code, hwpx.status_code) == (200, 200, 200)
    return page.content.decode(), pdf_pages(pdf.content), hwpx_paragraphs(hwpx.content)


def test_the_probes_sixty_nested_lines_are_a_korean_400_naming_the_line(officer, report_2020):
    api = token_client(officer)
    card = Card.objects.get(title=SEED_CARD)
    before = list(card.blocks.values_list("content", flat=True))

    response = save_block(api, card, staircase(60))

    assert response.status_code == 400
    assert "9번째 줄" in response.content.decode()
    assert "8단계까지만" in response.content.decode()
    assert list(card.blocks.values_list("content", flat=True)) == before


def test_nine_levels_are_refused_and_eight_are_kept(officer, report_2020):
    api = token_client(officer)
    card = Card.objects.get(title=SEED_CARD)

    refused = save_block(api, card, staircase(9))
    kept = save_block(api, card, staircase(8))

    assert refused.status_code == 400 and "9번째 줄" in refused.content.decode()
    assert kept.status_code == 200, kept.content.decode()
    assert gaejosik.depth(card.blocks.get().content) == 8


def test_eight_levels_print_on_the_page_in_the_pdf_and_in_the_hwpx(officer_client, report_2020):
    card = Card.objects.get(title=SEED_CARD)
    assert save_block(officer_client, card, staircase(8)).status_code == 200

    page, pdf, hwpx = department_files(officer_client, report_2020)

    assert "단계8" in page
    assert "단계8" in squash("".join(pdf))
    assert any("단계8" in text for text in hwpx)


def test_the_card_page_refuses_a_paste_nested_too_deep(admin_client, report_2020):
    card = Card.objects.get(title=SEED_CARD)
    data = card_form(admin_client, card)
    data["paste_all"] = "□ 깊은 계획\n" + staircase(12)

    response = post_card(admin_client, card, data)

    assert response.status_code == 200  # the page again, with the error
    assert "9번째 줄" in response.content.decode()
    assert not card.blocks.filter(heading="깊은 계획").exists()


def test_the_report_editor_refuses_facilities_nested_too_deep(officer, report_2020):
    api = token_client(officer)
    url = f"/api/v1/staff/reports/{report_2020.pk}/"
    revision = api.get(url).json()["revision"]

    response = patch(api, url, {"revision": revision, "facilities": staircase(9)})

    assert response.status_code == 400
    assert "9번째 줄" in response.content.decode()


@pytest.mark.parametrize("depth", [200, 800])
def test_content_stored_too_deep_still_shows_quickly(officer_client, report_2020, depth):
    block = Card.objects.get(title=SEED_CARD).blocks.first()
    force_content(block, nested_nodes(depth))
    started = time.monotonic()

    page, pdf, hwpx = department_files(officer_client, report_2020)

    # Alone: 0.4 s page, 13 s PDF (800 more lines, 20 more pages), 3 s HWPX at depth 800;
    # before the fix depth 200 took minutes. The bound leaves room for a busy test machine.
    assert time.monotonic() - started < 90
    assert f"단계{depth}" in page  # nothing lost: the deeper levels at the eighth
    assert f"단계{depth}" in squash("".join(pdf))
    assert any(f"단계{depth}" in text for text in hwpx)


def test_content_stored_too_deep_opens_in_the_api_and_the_card_page(
    officer, admin_client, report_2020
):
    card = Card.objects.get(title=SEED_CARD)
    force_content(card.blocks.first(), nested_nodes(800))

    read = token_client(officer).get(card_url(card))
    page = admin_client.get(f"/admin/projects/card/{card.pk}/change/")

    assert read.status_code == 200
    assert gaejosik.depth(read.json()["blocks"][0]["nodes"]) == gaejosik.MAX_DEPTH
    assert page.status_code == 200 and "단계800" in page.content.decode()


def test_a_report_with_content_stored_too_deep_publishes_and_shows(client, report_2020):
    force_content(Card.objects.get(title=SEED_CARD).blocks.first(), nested_nodes(800))

    publish_imported(report_2020, comment="seed")
    page, pdf, hwpx = department_files(client, report_2020)

    assert "단계800" in page and any("단계800" in text for text in hwpx)
    assert report_2020.versions.get().document  # stored, clamped, and read back


def test_the_session_booklet_and_its_hwpx_hold_content_stored_too_deep(
    client, report_2020, tmp_path
):
    force_content(Card.objects.get(title=SEED_CARD).blocks.first(), nested_nodes(800))
    outline = assemble_session_outline(report_2020.session)
    documents = [assemble_report(report) for report in outline.report_ids]

    built = booklet.build(outline, documents, tmp_path / "booklet.pdf")
    publish_imported(report_2020, comment="seed")
    hwpx = client.get(reverse("reports:session_hwpx", args=[report_2020.session.number]))

    assert "단계800" in squash("".join(pdf_pages(built.content_path.read_bytes())))
    assert hwpx.status_code == 200 and any("단계800" in t for t in hwpx_paragraphs(hwpx.content))


def test_stored_json_of_any_depth_loads_and_hashes_like_the_standard_library():
    deep = "[" * 100_000 + "]" * 100_000
    document = {"b": [1, 2.5, None, True], "a": {"한글": '\u2028"\\'}, "c": []}

    assert json_any_depth.dumps(json_any_depth.loads(deep)) == deep
    assert canonical_json(document) == json.dumps(
        document, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    with pytest.raises(json.JSONDecodeError):
        json_any_depth.loads("[" * 5_000 + "]" * 4_999)
