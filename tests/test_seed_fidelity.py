"""Product rule 1: everything in both real reports comes back out of the web page and the PDF,
in the report's own order (fixtures/seeds/*.expect.txt, read from the source documents)."""

import pytest
from django.urls import reverse

from portal.seeds import SEED_DIR
from publishing import booklet
from publishing.assembly import assemble_report, assemble_session_outline
from tests.textmatch import expected_lines, missing_in_order, page_text, pdf_pages

SEEDS = [("published_2018", "2018_planning"), ("published_2020", "2020_vision")]


@pytest.mark.parametrize(("fixture", "seed"), SEEDS)
def test_the_department_page_shows_every_line_of_the_seed_in_order(request, client, fixture, seed):
    report = request.getfixturevalue(fixture)
    response = client.get(report.get_absolute_url())

    assert response.status_code == 200
    assert (
        missing_in_order(expected_lines(SEED_DIR / f"{seed}.expect.txt"), page_text(response.text))
        == []
    )


@pytest.mark.slow
@pytest.mark.parametrize(("fixture", "seed"), SEEDS)
def test_the_department_pdf_shows_every_line_of_the_seed_in_order(request, client, fixture, seed):
    report = request.getfixturevalue(fixture)
    response = client.get(
        reverse("reports:department_pdf", args=[report.session.number, report.department_id])
    )

    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(pdf_pages(response.content))
    assert missing_in_order(expected_lines(SEED_DIR / f"{seed}.expect.txt"), text) == []


@pytest.mark.slow
def test_the_session_booklet_has_the_bureau_cover_then_the_department_report(report_2020, tmp_path):
    outline = assemble_session_outline(report_2020.session)
    result = booklet.build(outline, [assemble_report(report_2020)], tmp_path / "booklet.pdf")
    content = result.content_path.read_bytes()

    text = "\n".join(pdf_pages(content))
    expected = expected_lines(SEED_DIR / "2020_vision.session.expect.txt")
    expected += expected_lines(SEED_DIR / "2020_vision.expect.txt")
    assert missing_in_order(expected, text) == []


def test_the_expectations_really_constrain_the_page(published_2020, client):
    report_2020 = published_2020
    """A page missing one bullet fails the check: the comparison is not vacuous."""
    html = client.get(report_2020.get_absolute_url()).text
    lines = expected_lines(SEED_DIR / "2020_vision.expect.txt")
    damaged = page_text(html).replace("나베현(Nha Be)", "")

    assert missing_in_order(lines, damaged) == ["호치민시 외무국의 교류 추천 도시: 나베현(Nha Be)"]
