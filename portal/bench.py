"""Figures for `make bench`: session PDF throughput and the department page's cost.

The bench is a table of parts (PARTS). Each part runs in a throwaway test database of its
own (like the test runner's), so the demo data is never touched and parts never see each
other's rows. It prints figures; it asserts nothing about time.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal import bench_worker
from portal.synthetic import build_report
from publishing import pdf
from publishing.assembly import assemble_report, assemble_reports, assemble_session_outline
from publishing.workers import keep_startup_out_of_collections
from reports.models import Session


def _timed(action: Callable[[], object], repeat: int) -> tuple[object, float]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times)


def build_session(*, departments: int, cards: int, number: int = 990) -> Session:
    for index in range(departments):
        build_report(
            cards=cards,
            session_number=number,
            department_name=f"시험{index + 1:02d}과",
            bureau_name=f"시험{index // 5 + 1}국",
        )
    return Session.objects.get(number=number)


def _peak_kib() -> int:
    return bench_worker.peak_kib()


def _single_pass(outline, documents) -> dict:
    """One WeasyPrint pass over the whole booklet (the way it was built before parts), in a
    fresh child process so that its peak memory is its own."""
    started = time.perf_counter()
    content = pdf.session_pdf(outline, documents)
    return {
        "seconds": time.perf_counter() - started,
        "size": len(content),
        "pages": _pages(content),
        "peak_kib": _peak_kib(),
    }


def _pages(content: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(content)).pages)


def _in_child(function, *args):
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
        return pool.submit(function, *args).result()


def booklet_figures(session: Session, *, workers: int) -> dict[str, float]:
    """Cold build on `workers` processes, the rebuild after one card edit, and the single-pass
    render of the same content; sizes per page of both files."""
    import tempfile

    from django.test import override_settings

    from publishing import booklet

    outline = assemble_session_outline(session)
    documents = [assemble_report(report_id) for report_id in outline.report_ids]
    connection.close()  # the forked children must not share the parent's connection
    single = _in_child(_single_pass, outline, documents)

    with tempfile.TemporaryDirectory() as root, override_settings(PDF_BUILD_ROOT=root):
        booklet.render_salt.cache_clear()
        target = Path(root) / "booklet.pdf"
        cold = _cold_build(outline, documents, root, target, workers)
        rebuild = _rebuild_after_one_card(outline, target, cold["departments"])
    return {
        **cold,
        **rebuild,
        "workers": workers,
        "single_seconds": single["seconds"],
        "single_peak_mib": single["peak_kib"] / 1024,
        "single_kib_per_page": single["size"] / 1024 / single["pages"],
        "single_pages": single["pages"],
        "ratio": cold["cold_seconds"] / single["seconds"],
        "size_ratio": (cold["kib_per_page"] * 1024) / (single["size"] / single["pages"]),
    }


def _cold_build(outline, documents, root: str, target: Path, workers: int) -> dict:
    """Every department laid out by `workers` spawned PDF workers, then put together."""
    from publishing import booklet

    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, context, initializer=bench_worker.start, initargs=(root,))
    with pool:
        list(pool.map(bench_worker.ready, range(workers * 4)))  # workers are running already
        started = time.perf_counter()
        parts = booklet.parts_of(outline, documents)
        work = [("part", p.document) for p in parts]
        work += [("numbers", c) for c in booklet.numbers_to_warm(len(parts))]
        peaks: dict[int, int] = {}
        for pid, peak in pool.map(bench_worker.render, work):
            peaks[pid] = max(peak, peaks.get(pid, 0))
    rendered = time.perf_counter()
    assembled = booklet.assemble(outline, parts, target)
    return {
        "departments": len(parts),
        "pages": assembled.pages,
        "cold_seconds": time.perf_counter() - started,
        "cold_assembly": time.perf_counter() - rendered,
        "worker_peak_mib": max(peaks.values()) / 1024,
        "kib_per_page": target.stat().st_size / 1024 / assembled.pages,
    }


def _rebuild_after_one_card(outline, target: Path, departments: int) -> dict:
    """A clerk fixes one card title in one department; the next build re-plans the session
    (every document read again and hashed), renders that department and assembles. Queue
    latency (a worker's poll interval, 0.5 s by default) is not in it."""
    from projects.models import Card
    from publishing import booklet

    card = Card.objects.filter(section__report_id=outline.report_ids[departments // 2]).first()
    Card.objects.filter(pk=card.pk).update(title=card.title + " (수정)")
    # The rebuild runs here, in the bench's process, as it would in a PDF worker: with what
    # the process holds already kept out of the collections, as a worker's loop does before
    # its first task.
    keep_startup_out_of_collections()
    started, cpu_started = time.perf_counter(), time.process_time()
    documents_now = assemble_reports(outline.report_ids)
    parts_now = booklet.parts_of(outline, documents_now)
    missing = [p for p in parts_now if not booklet.has_part(p.key)]
    planned = time.perf_counter()
    for part in missing:
        booklet.render_part(part.document)
    rendered_again = time.perf_counter()
    booklet.assemble(outline, parts_now, target)
    finished = time.perf_counter()
    cpu = time.process_time() - cpu_started  # less noisy than wall on a busy machine
    gc.unfreeze()  # the bench's next parts collect as usual
    return {
        "missing": len(missing),
        "rebuild_seconds": finished - started,
        "rebuild_cpu": cpu,
        "rebuild_plan": planned - started,
        "rebuild_render": rendered_again - planned,
        "rebuild_assembly": finished - rendered_again,
    }


def _page_figures(client: Client, url: str, repeat: int) -> tuple[int, float]:
    response = client.get(url)  # warm the template cache
    assert response.status_code == 200, (url, response.status_code)
    connection.queries_log.clear()  # a full log (maxlen 9000) would make every count 0
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    _response, seconds = _timed(lambda: client.get(url), repeat)
    return len(queries), seconds * 1000


def department_page_figures(*, cards: int, repeat: int = 5) -> dict[str, float]:
    """The staff preview (live assembly), publishing, then the public page (stored version)."""
    from django.contrib.auth import get_user_model

    from org.roles import Role, make_staff
    from publishing.workflow import publish_imported

    report = build_report(cards=cards, session_number=980 + cards, department_name=f"쪽수{cards}과")
    clerk, _created = get_user_model().objects.get_or_create(username="bench-clerk")
    make_staff(clerk, Role.CLERK)
    staff = Client()
    staff.force_login(clerk)
    url = report.get_absolute_url()
    preview_queries, preview_ms = _page_figures(staff, url, repeat)
    started = time.perf_counter()
    version = publish_imported(report, comment="bench")
    publish_ms = (time.perf_counter() - started) * 1000
    public_queries, public_ms = _page_figures(Client(), url, repeat)
    return {
        "cards": cards,
        "preview_queries": preview_queries,
        "preview_ms": preview_ms,
        "publish_ms": publish_ms,
        "pdf_kib": len(bytes(version.pdf)) / 1024,
        "public_queries": public_queries,
        "public_ms": public_ms,
    }


def budget_file(rows: int, *, year: int, extension: str) -> bytes:
    """An e-호조-shaped file of `rows` budget lines: 단위사업 each with four 세부사업."""
    import datetime

    import tablib

    headers = ["회계연도", "단위사업명", "세부사업명", "국비", "시비", "구비", "예산현액"]
    headers += ["국비 집행액", "시비 집행액", "구비 집행액", "지출액", "기준일"]
    dataset = tablib.Dataset(headers=headers)
    day = datetime.date(year, 9, 30)
    for index in range(rows):
        unit = f"단위사업 {index // 5 + 1:04d}"
        if index % 5 == 0:  # the 단위사업's own row: its total
            dataset.append([year, unit, "", 4000, 4000, 8000, 16000, 1000, 1000, 2000, 4000, day])
        else:
            name = f"세부사업 {index + 1:05d}"
            dataset.append([year, unit, name, 1000, 1000, 2000, 4000, 250, 250, 500, 1000, day])
    return dataset.export(extension) if extension == "xlsx" else dataset.export("csv").encode()


def import_figures(*, rows: int = 5000) -> dict[str, float]:
    """Rows per second of a budget import: preview (dry run), confirm (all creates), the same
    file again (all unchanged), and the XLSX read alone."""
    from budget.resources import BudgetLineResource
    from core.tabular import read_sheets
    from org.models import Department
    from org.services import spreadsheet_import

    department = Department.objects.create(name="가져오기 시험과")
    csv_data = budget_file(rows, year=2026, extension="csv")
    xlsx_data = budget_file(rows, year=2026, extension="xlsx")

    def run(dry_run: bool, data: bytes = csv_data):
        started = time.perf_counter()
        plan = spreadsheet_import(
            resource_class=BudgetLineResource,
            data=data,
            user=None,
            department=department,
            dry_run=dry_run,
        )
        assert not plan.problems, plan.problems[:3]
        return time.perf_counter() - started, plan

    preview, _plan = run(True)
    create, plan = run(False)
    again, same = run(False)
    started = time.perf_counter()
    read_sheets(xlsx_data)
    xlsx_read = time.perf_counter() - started
    return {
        "rows": rows,
        "preview": rows / preview,
        "create": rows / create,
        "created": plan.count("new"),
        "unchanged": rows / again,
        "skipped": same.count("skip"),
        "xlsx_read": rows / xlsx_read,
        "xlsx_kib": len(xlsx_data) / 1024,
    }


def api_figures(*, departments: int, cards: int, repeat: int = 5) -> list[dict]:
    """The API's list pages over a published session of `departments` × `cards`: queries,
    median milliseconds and rows per second, anonymous (public) and as a clerk (staff)."""
    from unittest import mock

    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import override_settings

    from org.roles import Role, make_staff
    from publishing.workflow import publish_imported
    from reports.models import DepartmentReport

    session = build_session(departments=departments, cards=cards, number=970)
    with mock.patch.object(pdf, "department_pdf", lambda document: b"%PDF-bench"):
        for report in DepartmentReport.objects.filter(session=session):
            publish_imported(report, comment="bench")
    clerk, _created = get_user_model().objects.get_or_create(username="bench-api-clerk")
    make_staff(clerk, Role.CLERK)
    staff = Client()
    staff.force_login(clerk)
    report_id = DepartmentReport.objects.filter(session=session).values_list("pk", flat=True)[0]
    pages = [
        ("public", "/api/v1/cards/?session=970&page_size=100"),
        ("public", "/api/v1/cards/?session=970&page_size=100&format=csv"),
        ("public", "/api/v1/budget-lines/?session=970&page_size=100"),
        ("public", "/api/v1/staffing/?session=970&page_size=100"),
        ("public", "/api/v1/reports/?session=970&page_size=50"),
        ("public", f"/api/v1/reports/{report_id}/"),
        ("staff", "/api/v1/staff/cards/?page_size=100"),
        ("staff", "/api/v1/staff/budget-lines/?page_size=100"),
    ]
    figures = []
    with override_settings(API_ANON_RATE="1000000/min", API_STAFF_RATE="1000000/min"):
        cache.clear()
        for who, url in pages:
            client = staff if who == "staff" else Client()
            response = client.get(url)
            if "format=csv" in url:
                rows = response.content.decode("utf-8").count("\r\n") - 1
            else:
                body = response.json()
                rows = len(body["results"]) if "results" in body else 1
            queries, ms = _page_figures(client, url, repeat)
            figures.append(
                {
                    "who": who,
                    "url": url,
                    "queries": queries,
                    "ms": ms,
                    "rows": rows,
                    "kib": len(response.content) / 1024,
                }
            )
    return figures


def _measure_import(*, departments: int, cards: int, write: Callable[[str], None]) -> None:
    write("== 예산 가져오기: 5,000행 CSV (단위사업 1,000 × 세부사업 4, 집행액 포함)")
    figures = import_figures()
    write(
        "   rows/s: preview={preview:.0f} confirm(creates)={create:.0f} "
        "(new {created}) | same file again={unchanged:.0f} (unchanged {skipped}) | "
        "XLSX read alone={xlsx_read:.0f} ({xlsx_kib:.0f}KiB)".format(**figures)
    )


def _measure_api(*, departments: int, cards: int, write: Callable[[str], None]) -> None:
    write(f"== API 목록: 공개된 가상 회기 {departments}개 부서 × 사업 카드 {cards}건")
    for page in api_figures(departments=departments, cards=cards):
        write(
            "   {who:<6} {url:<52} rows={rows:<4} queries={queries:<2} {ms:6.1f}ms "
            "({kib:.0f}KiB, {rate:.0f} rows/s, medians of 5)".format(
                rate=page["rows"] / page["ms"] * 1000, **page
            )
        )


def _measure_booklet(*, departments: int, cards: int, write: Callable[[str], None]) -> None:
    write(f"== 회기 책자 PDF: 가상 회기 {departments}개 부서 × 사업 카드 {cards}건")
    started = time.perf_counter()
    session = build_session(departments=departments, cards=cards)
    write(f"   데이터 생성 {time.perf_counter() - started:.1f}s")
    workers = os.cpu_count() or 1
    figures = booklet_figures(session, workers=workers)
    write(
        "   한 번에 조판(예전 방식, 한 프로세스): {single_pages}쪽 {single_seconds:.1f}s "
        "최대 메모리 {single_peak_mib:.0f}MiB, {single_kib_per_page:.1f}KiB/쪽".format(**figures)
    )
    write(
        "   처음 만들기(부서 {departments}개를 작업자 {workers}개가 나눠 조판 + 묶기): "
        "{cold_seconds:.1f}s = 한 번에 조판의 {ratio:.2f}배 (묶기 {cold_assembly:.1f}s) "
        "| 작업자 최대 메모리 {worker_peak_mib:.0f}MiB".format(**figures)
    )
    write(
        "   카드 하나 고친 뒤 다시 만들기: {rebuild_seconds:.2f}s (다시 조판한 부서 {missing}개; "
        "구성 읽기 {rebuild_plan:.2f}s + 조판 {rebuild_render:.2f}s + 묶기 {rebuild_assembly:.2f}s, "
        "작업자 대기 시간 제외; CPU 시간 {rebuild_cpu:.2f}s)".format(**figures)
    )
    write(
        "   파일 크기: {kib_per_page:.1f}KiB/쪽 = 한 번에 조판의 {size_ratio:.2f}배 "
        "({pages}쪽)".format(**figures)
    )


def _measure_pages(*, departments: int, cards: int, write: Callable[[str], None]) -> None:
    write("== 부서 보고서: 직원 미리보기(조립) → 공개(문서+PDF 저장) → 공개 화면(저장된 판)")
    for count in (1, 40):
        page = department_page_figures(cards=count)
        write(
            "   cards={cards:<3} preview: queries={preview_queries} {preview_ms:.0f}ms | "
            "publish {publish_ms:.0f}ms (PDF {pdf_kib:.0f}KiB) | "
            "public: queries={public_queries} {public_ms:.0f}ms (medians of 5)".format(**page)
        )


def first_view_figures() -> dict[str, float]:
    """A reader's first visit of the 2020 seed's published department page (portal.first_view)."""
    from unittest import mock

    from portal.first_view import first_view
    from portal.seeds import SEED_DIR, seed_load_file
    from publishing.workflow import publish_imported

    report, _created = seed_load_file(SEED_DIR / "2020_vision.yaml")
    with mock.patch.object(pdf, "department_pdf", lambda document: b"%PDF-bench"):
        publish_imported(report, comment="bench")
    response = Client().get(report.get_absolute_url())
    assert response.status_code == 200, response.status_code
    view = first_view(response.content.decode())
    return {
        "html_kib": view.html / 1024,
        "css_kib": view.css / 1024,
        "js_kib": view.js / 1024,
        "fonts_kib": view.fonts / 1024,
        "font_files": len(view.font_files),
        "total_kib": view.total / 1024,
    }


def _measure_first_view(*, departments: int, cards: int, write: Callable[[str], None]) -> None:
    write("== 부서 보고서 첫 방문 전송량: 2020 시드(비전협력과) 공개 화면, 압축해서 (목표 ≤ 400KB)")
    write(
        "   HTML {html_kib:.0f}KiB(gzip) + CSS {css_kib:.0f}KiB + JS {js_kib:.0f}KiB(brotli) + "
        "글꼴 조각 {font_files}개 {fonts_kib:.0f}KiB = {total_kib:.0f}KiB "
        "(글꼴은 쓰는 글자마다 네 글꼴 모두 받는다고 보고 센 위쪽 한계)".format(
            **first_view_figures()
        )
    )


# Seconds of load per URL in the readers part (`manage.py bench --readers-seconds`).
READERS_SECONDS = 30.0


def _measure_readers(*, departments: int, cards: int, write: Callable[[str], None]) -> None:
    """gunicorn as documented, on a database of its own (portal/bench_readers.py)."""
    from portal import bench_readers

    bench_readers.run(write=write, seconds=READERS_SECONDS)


@dataclass(frozen=True)
class Part:
    """One part of `make bench`: what it measures, and the function that measures and prints.
    Each part runs in a database of its own (`manage.py bench` makes a fresh one per part)."""

    description: str
    measure: Callable[..., None]  # (*, departments, cards, write) -> None


# In the order `make bench` runs them; `--only <name>` runs one.
PARTS: dict[str, Part] = {
    "import": Part("예산 가져오기 5,000행 (rows/s)", _measure_import),
    "api": Part("공개·직원 API 목록 (쿼리 수, ms)", _measure_api),
    "booklet": Part("회기 책자 PDF (처음 만들기, 다시 만들기, 메모리)", _measure_booklet),
    "pages": Part("부서 보고서 화면 (미리보기, 공개, 공개 화면)", _measure_pages),
    "first-view": Part("부서 보고서 첫 방문 전송량 (HTML·CSS·JS·글꼴, 압축)", _measure_first_view),
    "readers": Part(
        "운영 서버 읽기 부하 50명 (요청/s, p50/p95/p99, 정적 파일 대비)", _measure_readers
    ),
}


def run_part(
    name: str,
    *,
    departments: int = 30,
    cards: int = 8,
    write: Callable[[str], None] = print,
) -> None:
    """One part, in the database that is current (the command gives each part a fresh one)."""
    # Like the test client in the test suite: keep the one (test) connection open between requests.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    PARTS[name].measure(departments=departments, cards=cards, write=write)
