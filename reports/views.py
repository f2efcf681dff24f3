"""Public pages: sessions, a session's departments, a department report, and their PDFs."""

from urllib.parse import quote

from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from reports import pdf
from reports.assembly import assemble_report, assemble_session_outline
from reports.models import DepartmentReport, Session


def _get_report(request, number: int, department_id: int) -> DepartmentReport:
    """The report of a session and department, if this reader may see it (else 404)."""
    return get_object_or_404(
        DepartmentReport.objects.visible_to(request.user).select_related("session", "department"),
        session__number=number,
        department_id=department_id,
    )


def _get_session(request, number: int) -> tuple[Session, QuerySet]:
    """A session with at least one report this reader may see, and those reports."""
    visible = DepartmentReport.objects.visible_to(request.user)
    session = get_object_or_404(
        Session.objects.filter(reports__in=visible).distinct(), number=number
    )
    return session, visible


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@require_safe
def session_list(request):
    visible = DepartmentReport.objects.visible_to(request.user)
    sessions = (
        Session.objects.filter(reports__in=visible)
        .annotate(report_count=Count("reports", filter=Q(reports__in=visible), distinct=True))
        .order_by("-number")
    )
    return render(request, "reports/session_list.html", {"sessions": sessions})


@require_safe
def session_detail(request, number: int):
    session, visible = _get_session(request, number)
    outline = assemble_session_outline(session, visible)
    return render(request, "reports/session_detail.html", {"outline": outline})


@require_safe
def department_report(request, number: int, department_id: int):
    report = _get_report(request, number, department_id)
    context = {
        "doc": assemble_report(report),
        "department_id": department_id,
        "is_published": report.is_published,
    }
    return render(request, "reports/department_report.html", context)


@require_safe
def department_pdf(request, number: int, department_id: int):
    report = _get_report(request, number, department_id)
    document = assemble_report(report)
    filename = f"제{number}회_{document.department}_주요업무보고.pdf"
    return _pdf_response(pdf.department_pdf(document), filename)


@require_safe
def session_pdf(request, number: int):
    session, visible = _get_session(request, number)
    outline = assemble_session_outline(session, visible)
    documents = [assemble_report(report_id) for report_id in outline.report_ids]
    return _pdf_response(pdf.session_pdf(outline, documents), f"제{number}회_주요업무보고.pdf")
