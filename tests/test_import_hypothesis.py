"""Generated files through the admin import: random bytes, random CSV with known and unknown
headers, and exports of the 2020 seed mutated byte by byte or cell by cell. Whatever comes in,
the page answers (no server error); a refusal says nothing was saved and nothing was; a preview
saves nothing; and a confirmed preview saves what it showed — "unchanged" rows change nothing,
and the same file previewed again shows nothing left to do."""

import csv
import io
import os

import openpyxl
import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from budget.resources import COLUMNS as BUDGET_COLUMNS
from org.imports import PREVIEW_DIR
from org.resources import STAFFING_COLUMNS, TEAM_COLUMNS
from tests.import_helpers import (
    NOTHING_SAVED,
    PREVIEW,
    confirm,
    confirm_fields,
    db_state,
    export,
    make_officer,
    page_text,
    preview_counts,
    upload,
)

PROPERTY = settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the seed and the client serve every example
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
KINDS = st.sampled_from(["budget", "staffing", "team"])
HEADERS = {
    kind: sorted({name for column in columns for name in (column.label, *column.synonyms)})
    for kind, columns in [
        ("budget", BUDGET_COLUMNS),
        ("staffing", STAFFING_COLUMNS),
        ("team", TEAM_COLUMNS),
    ]
}
CELLS = st.one_of(
    st.integers(-(10**6), 10**12).map(str),
    st.integers(0, 10**9).map(lambda n: f"{n:,}"),
    st.sampled_from(
        [
            *("", "-", "△1,000", "(500)", "1.5", "1,234.5", "0", "999", "1000", "10^3"),
            *("=1+1", "+x", "@cmd", "'=2", "'-3", "합계", "소계", "(단위: 원)", "(단위: 천원)"),
            *("2020-10-31", "20201031", "2020. 12. 1.", "2020-02-30", "2021-01-01", "어제"),
            *("일반직", "관리운영직", "별정직", "기능직", "6급", "6", "11급", "1급"),
            *("비전협력과", "미래교육과", "기본경비", "대외교류 활성화", "청년 일자리"),
            *("국제금융특구팀", "대외협력팀", "기획팀", "가" * 101),
        ]
    ),
    st.text(max_size=30),
)


@pytest.fixture
def officer_client(client, report_2020):
    client.force_login(make_officer(report_2020.department))
    return client


@pytest.fixture
def exports(officer_client):
    """What the officer exports of the seed, once per test: (kind, format) -> bytes."""
    return {
        (kind, file_format): export(officer_client, kind, file_format)
        for kind in ("budget", "staffing", "team")
        for file_format in ("xlsx", "csv")
    }


def discard(preview) -> None:
    """Drop the copy the library keeps of a preview that will not be confirmed."""
    name = os.path.basename(confirm_fields(preview)["import_file_name"])
    os.remove(PREVIEW_DIR / name)


def check(client, kind: str, data: bytes, filename: str) -> None:
    """Upload `data`; whatever the answer, it is a page that changed nothing. A preview is then
    confirmed (and rolled back): it saves what it showed and nothing more."""
    before = db_state()

    response = upload(client, kind, data, filename=filename)

    assert response.status_code == 200
    assert db_state() == before
    text = page_text(response)
    if not confirm_fields(response):
        event("refused")
        assert NOTHING_SAVED in text
        return
    assert PREVIEW in text and NOTHING_SAVED not in text
    with transaction.atomic():
        new, changed, _unchanged = preview_counts(response)
        event("previewed with changes" if new or changed else "previewed as unchanged")
        confirmed = confirm(client, kind, response)
        assert confirmed.status_code == 302, page_text(confirmed)[:1000]
        if new == changed == 0:
            assert db_state() == before
        again = upload(client, kind, data, filename=filename)
        assert preview_counts(again)[:2] == (0, 0)
        discard(again)
        transaction.set_rollback(True)


@PROPERTY
@given(
    kind=KINDS,
    data=st.one_of(
        st.binary(max_size=2048),
        st.binary(max_size=512).map(lambda tail: b"PK\x03\x04" + tail),
        st.binary(max_size=512).map(lambda tail: b"\xef\xbb\xbf" + tail),
        st.binary(max_size=512).map(lambda tail: b"\xff\xfe" + tail),
    ),
    suffix=st.sampled_from(["csv", "xlsx", "txt", ""]),
)
def test_random_bytes_are_answered_and_change_nothing(officer_client, kind, data, suffix):
    check(officer_client, kind, data, f"파일.{suffix}")


@st.composite
def csv_files(draw, kind: str) -> bytes:
    """A CSV with the headers `kind` knows (and others), and cells of every kind."""
    known = st.sampled_from(HEADERS[kind])
    header = draw(st.lists(st.one_of(known, known, CELLS), min_size=1, max_size=9))
    rows = draw(st.lists(st.lists(CELLS, min_size=len(header), max_size=len(header)), max_size=8))
    title = draw(st.lists(CELLS, max_size=2))  # lines above the header, as exports have
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([line] for line in title)
    writer.writerow(header)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp949"]))
    return buffer.getvalue().encode(encoding, errors="replace")


@settings(PROPERTY, max_examples=150)
@given(kind=KINDS, data=st.data())
def test_random_csv_files_are_refused_or_previewed_without_saving(officer_client, kind, data):
    check(officer_client, kind, data.draw(csv_files(kind)), "파일.csv")


@st.composite
def byte_mutation(draw, data: bytes) -> bytes:
    position = draw(st.integers(0, len(data) - 1))
    how = draw(st.sampled_from(["flip", "truncate", "insert", "delete"]))
    if how == "flip":
        return (
            data[:position]
            + bytes([data[position] ^ draw(st.integers(1, 255))])
            + data[position + 1 :]
        )
    if how == "truncate":
        return data[:position]
    if how == "insert":
        return data[:position] + draw(st.binary(min_size=1, max_size=16)) + data[position:]
    return data[:position] + data[position + draw(st.integers(1, 64)) :]


def changed_rows(rows: list[list], draw) -> list[list]:
    rows = [list(row) for row in rows]
    how = draw(st.sampled_from(["cell", "cell", "cell", "drop row", "repeat row", "drop column"]))
    row = draw(st.integers(0, len(rows) - 1))
    if how == "cell":
        rows[row][draw(st.integers(0, len(rows[row]) - 1))] = draw(CELLS)
    elif how == "drop row":
        del rows[row]
    elif how == "repeat row":
        rows.insert(row, rows[row])
    else:
        column = draw(st.integers(0, len(rows[0]) - 1))
        rows = [line[:column] + line[column + 1 :] for line in rows]
    return rows


@st.composite
def cell_mutation(draw, data: bytes, file_format: str) -> bytes:
    if file_format == "csv":
        rows = changed_rows(list(csv.reader(io.StringIO(data.decode("utf-8-sig")))), draw)
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        return buffer.getvalue().encode("utf-8-sig")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = changed_rows([list(row) for row in sheet.iter_rows(values_only=True)], draw)
    workbook = openpyxl.Workbook()
    for row in rows:
        # A text starting with "=" becomes a formula; characters XML cannot hold are dropped.
        workbook.active.append(
            [ILLEGAL_CHARACTERS_RE.sub("", cell) if isinstance(cell, str) else cell for cell in row]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@settings(PROPERTY, max_examples=120)
@given(
    kind=KINDS,
    file_format=st.sampled_from(["xlsx", "csv"]),
    by_cell=st.booleans(),
    data=st.data(),
)
def test_mutated_exports_are_refused_or_previewed_without_saving(
    officer_client, exports, kind, file_format, by_cell, data
):
    original = exports[(kind, file_format)]
    mutation = cell_mutation(original, file_format) if by_cell else byte_mutation(original)

    check(officer_client, kind, data.draw(mutation), f"내보내기.{file_format}")


LETTERS = st.characters(exclude_categories=["Cs", "Cc"])  # control characters are refused
NAMES = st.builds(
    str.__add__,
    st.sampled_from(["", "", "+", "-", "@", "'", "'=", "''", " ", "\t"]),  # escaped on export
    st.text(LETTERS, min_size=1, max_size=45),
)
DUTIES = st.text(st.one_of(LETTERS, st.sampled_from("\n\r\t ")), max_size=200)
AMOUNTS = st.integers(0, 10**9)


def written(header: list[str], rows: list[tuple]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    return buffer.getvalue().encode()


def check_round_trip(client, kind: str, data: bytes) -> None:
    """Import `data`; when it is accepted, what the admin then exports reads back unchanged."""
    response = upload(client, kind, data)
    if not confirm_fields(response):
        event("refused")
        assert NOTHING_SAVED in page_text(response)
        return
    event("imported")
    with transaction.atomic():
        assert confirm(client, kind, response).status_code == 302
        for file_format in ("csv", "xlsx"):
            exported = export(client, kind, file_format)
            again = upload(client, kind, exported, filename=f"내보내기.{file_format}")
            assert preview_counts(again)[:2] == (0, 0), page_text(again)[:1500]
            discard(again)
        transaction.set_rollback(True)


@settings(PROPERTY, max_examples=40)
@given(
    teams=st.lists(
        st.tuples(NAMES, DUTIES, st.integers(0, 10_000)),
        min_size=1,
        max_size=5,
        unique_by=lambda team: team[0].strip(),
    )
)
def test_generated_teams_read_back_unchanged_from_their_export(officer_client, teams):
    check_round_trip(officer_client, "team", written(["팀 이름", "업무분장", "순서"], teams))


@settings(PROPERTY, max_examples=40)
@given(
    lines=st.lists(
        st.tuples(NAMES, AMOUNTS, AMOUNTS, AMOUNTS, AMOUNTS),
        min_size=1,
        max_size=5,
        unique_by=lambda line: line[0].strip(),
    )
)
def test_generated_budget_lines_read_back_unchanged_from_their_export(officer_client, lines):
    header = ["회계연도", "사업명", "국비", "시비", "구비", "기타"]
    check_round_trip(officer_client, "budget", written(header, [(2020, *line) for line in lines]))
