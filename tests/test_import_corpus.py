"""The fixed corpus of bad files (tests/import_corpus/README.md): each one, uploaded through the
admin by an officer of 비전협력과, is refused — HTTP 200, no confirm button, a Korean message
naming the problem (line, column, value, why) — quickly, and leaves every row as it was."""

import time
import zipfile

import pytest

from tests.import_corpus.make_corpus import CASES, HERE, readme
from tests.import_helpers import (
    NOTHING_SAVED,
    PREVIEW,
    confirm_fields,
    db_state,
    make_officer,
    page_text,
    upload,
)

# Generous: a refusal takes well under a second here; the bound catches a file that is
# inflated, evaluated or read to the end before it is refused.
QUICK_SECONDS = 5


@pytest.fixture
def officer_client(client, report_2020):
    client.force_login(make_officer(report_2020.department))
    return client


def corpus_file(case) -> bytes:
    return (HERE / case.file).read_bytes() if case.committed else case.build()


@pytest.mark.parametrize("case", CASES, ids=[case.file for case in CASES])
def test_a_bad_file_is_refused_naming_its_problem_and_changes_nothing(officer_client, case):
    data = corpus_file(case)
    before = db_state()

    started = time.perf_counter()
    response = upload(officer_client, case.kind, data, filename=case.file)
    elapsed = time.perf_counter() - started

    text = page_text(response)
    assert response.status_code == 200
    assert NOTHING_SAVED in text
    assert PREVIEW not in text and not confirm_fields(response)
    missing = [fragment for fragment in case.expect if fragment not in text]
    assert not missing, f"{missing} not in: {text[:1500]}"
    assert db_state() == before
    assert elapsed < QUICK_SECONDS


def test_the_zip_bomb_is_refused_from_its_headers_without_inflating_it(officer_client, monkeypatch):
    opened = []
    real_open = zipfile.ZipFile.open

    def spy(archive, name, *args, **kwargs):
        opened.append(getattr(name, "filename", name))
        return real_open(archive, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    data = (HERE / "zip_bomb.xlsx").read_bytes()

    response = upload(officer_client, "budget", data, filename="zip_bomb.xlsx")

    assert len(data) < 64 * 1024
    assert "압축을 풀면 지나치게 커집니다" in page_text(response)
    assert opened == []  # no part of the zip was read, let alone inflated


def test_a_zip_bomb_that_understates_its_size_is_never_inflated_past_it(
    officer_client, monkeypatch
):
    inflated = []
    real_check = zipfile.ZipExtFile._update_crc  # sees every inflated chunk of a zip part

    def counting_check(part, data):
        if part.name == "xl/worksheets/sheet1.xml":
            inflated.append(len(data))
        return real_check(part, data)

    monkeypatch.setattr(zipfile.ZipExtFile, "_update_crc", counting_check)
    data = (HERE / "zip_bomb_lying_size.xlsx").read_bytes()

    response = upload(officer_client, "budget", data, filename="bomb.xlsx")

    assert NOTHING_SAVED in page_text(response)
    assert inflated and sum(inflated) <= 1000  # what its headers claim, not the 30 MB it holds


def test_the_corpus_has_at_least_thirty_committed_files():
    committed = [case for case in CASES if case.committed]

    assert len(committed) >= 30
    assert all((HERE / case.file).is_file() for case in committed)
    assert {case.kind for case in committed} == {"budget", "staffing", "team"}


def test_the_committed_files_and_readme_are_what_the_script_makes():
    stale = [case.file for case in CASES if case.committed and corpus_file(case) != case.build()]

    assert stale == []
    assert (HERE / "README.md").read_text(encoding="utf-8") == readme()
