"""Council members read online: session list → session page → department report."""

from django.urls import reverse


def test_the_session_list_names_each_session_with_its_period(client, published_2020):
    response = client.get(reverse("reports:sessions"))

    assert "제227회 구의회 제2차 정례회" in response.text
    assert "2020. 11. 20. ~ 12. 23." in response.text


def test_the_session_page_lists_the_bureaus_departments_in_order(client, published_2020):
    response = client.get(reverse("reports:session", args=[227]))

    text = response.text
    assert (
        text.index("미래비전추진단")
        < text.index("비전협력과")
        < text.index("미래교육과")
        < text.index("사회적경제과")
    )


def test_a_department_without_a_report_is_shown_but_not_linked(client, published_2020):
    response = client.get(reverse("reports:session", args=[227]))

    assert "보고 자료 없음" in response.text
    assert response.text.count("/departments/") == 3  # 비전협력과: page, PDF and HWPX only


def test_the_department_page_opens_with_the_cover_and_the_report_order(client, published_2020):
    response = client.get(published_2020.get_absolute_url())

    assert response.status_code == 200
    assert response.text.index("보고 순서") < response.text.index("Ⅱ.</span> 주요업무 추진실적")


def test_tables_have_header_cells_with_scope_and_captions(client, published_2020):
    html = client.get(published_2020.get_absolute_url()).text

    assert '<th scope="colgroup" colspan="6">일반직</th>' in html
    assert "<caption>예산 현황 (10.31. 기준)</caption>" in html


def test_an_unknown_session_or_department_is_a_plain_404(client, published_2020):
    assert client.get("/sessions/9999/").status_code == 404
    assert client.get("/sessions/227/departments/99999/").status_code == 404
    assert client.get("/sessions/227/departments/99999/report.pdf").status_code == 404


def test_a_report_url_with_another_sessions_number_is_not_found(
    client, published_2020, published_2018
):
    url = reverse("reports:department", args=[206, published_2020.department_id])

    assert client.get(url).status_code == 404


def test_pages_are_read_only(client, published_2020):
    assert client.post(published_2020.get_absolute_url()).status_code == 405


def test_a_missing_page_says_so_in_korean(client, published_2020, settings):
    settings.DEBUG = False

    response = client.get("/sessions/9999/")

    assert response.status_code == 404
    assert "찾는 쪽이 없습니다" in response.text
