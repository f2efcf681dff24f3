"""The department page and its assembly run a fixed number of queries, whatever the size."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from publishing.assembly import assemble_report


def _queries_for_page(client, report) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(report.get_absolute_url())
    assert response.status_code == 200
    return len(queries)


def test_a_40_card_report_page_costs_as_many_queries_as_a_1_card_one(clerk_client, make_report):
    small = make_report(cards=1, department="작은과")
    large = make_report(cards=40, department="큰과")

    assert _queries_for_page(clerk_client, small) == _queries_for_page(clerk_client, large)


def test_the_department_page_stays_within_its_query_budget(
    clerk_client, make_report, django_assert_max_num_queries
):
    report = make_report(cards=40)

    # 10 for the assembly, and for a signed-in preview: session and account (2), permissions
    # and roles (3), the report with its versions and the preview check (3), the access record
    # (1), the session renewed on every request (3 with its savepoint).
    with django_assert_max_num_queries(21):
        clerk_client.get(report.get_absolute_url())


def test_rendering_the_assembled_document_runs_no_query(make_report, django_assert_num_queries):
    from django.template.loader import render_to_string

    document = assemble_report(make_report(cards=5))

    with django_assert_num_queries(0):
        render_to_string("reports/print/department_body.html", {"doc": document, "print": True})


def test_a_corrected_edition_seen_before_costs_three_queries(
    make_report, client, django_assert_max_num_queries
):
    from publishing.workflow import publish_imported

    report = make_report(cards=40)
    publish_imported(report, comment="first")
    publish_imported(report, comment="second")  # 제2판, its page shows what changed
    client.get(report.get_absolute_url())

    # The report, its editions, and the page from the published page cache (not the two
    # editions' documents that the changes are worked out from).
    with django_assert_max_num_queries(3):
        client.get(report.get_absolute_url())
