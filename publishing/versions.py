"""Published versions: freezing a report document with its PDF, reading it back, comparing two.

A version stores the assembled document as JSON (canonical: sorted keys, no spaces) with the
SHA-256 of that JSON, and the SHA-256 of the PDF and HWPX files made from the same document;
the files themselves go to the file storage under those digests (core/filestore.py) before
the version row is written, so no version exists without its files. Readers of a published
report see the latest version, never the live data.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass

from django.db.models import Max
from django.utils.translation import gettext as _

from core import filestore, json_any_depth
from publishing import document as doc
from publishing import pdf
from publishing.assembly import assemble_report
from reports import published
from reports.models import DepartmentReport, ReportVersion


def canonical_json(data: dict) -> str:
    """The stored form of a document, hashed as is; any depth (core/json_any_depth.py)."""
    return json_any_depth.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class PdfFailed(Exception):
    """WeasyPrint could not lay out the report (not a database failure)."""


class HwpxFailed(Exception):
    """The HWPX file of the report could not be written (not a database failure)."""


@dataclass(frozen=True)
class Prepared:
    """A report's document, PDF and HWPX made — and put in the file storage — before the
    publishing transaction, so that the database's write lock is not held while WeasyPrint
    works or the storage answers (on SQLite there is one lock)."""

    content: str
    pdf_sha256: str
    hwpx_sha256: str


def _pdf_of(document: doc.ReportDocument) -> bytes:
    try:
        return pdf.department_pdf(document)
    except Exception as error:
        raise PdfFailed(type(error).__name__) from error


def _hwpx_of(document: doc.ReportDocument) -> bytes:
    from publishing import hwpx  # python-hwpx: ~5 MiB that a PDF worker never needs

    try:
        return hwpx.department_hwpx(document)
    except Exception as error:
        raise HwpxFailed(type(error).__name__) from error


def _store_files(document: doc.ReportDocument) -> tuple[str, str]:
    """Lay out the PDF and HWPX and store both (StorageUnavailable: nothing was published)."""
    pdf_bytes, hwpx_bytes = _pdf_of(document), _hwpx_of(document)
    return filestore.put_edition(pdf_bytes, "pdf"), filestore.put_edition(hwpx_bytes, "hwpx")


def prepare_version(report: DepartmentReport) -> Prepared:
    document = assemble_report(report)
    pdf_sha256, hwpx_sha256 = _store_files(document)
    return Prepared(canonical_json(document.to_dict()), pdf_sha256, hwpx_sha256)


def publish_version(
    report: DepartmentReport, user, *, note: str = "", prepared: Prepared | None = None
) -> ReportVersion:
    """Freeze the report as it is now as its next version (call inside the workflow).

    `prepared` (from `prepare_version`, outside the transaction) is used only if the report
    still assembles to the very same document; otherwise its files are made again here."""
    document = assemble_report(report)
    data = document.to_dict()
    content = canonical_json(data)
    if prepared is not None and prepared.content == content:
        pdf_sha256, hwpx_sha256 = prepared.pdf_sha256, prepared.hwpx_sha256
    else:
        pdf_sha256, hwpx_sha256 = _store_files(document)
    latest = report.versions.aggregate(latest=Max("number"))["latest"] or 0
    version = ReportVersion.objects.create(
        report=report,
        number=latest + 1,
        document=data,
        content_sha256=sha256(content.encode()),
        pdf_sha256=pdf_sha256,
        hwpx_sha256=hwpx_sha256,
        note=note,
        card_count=sum(len(section.cards) for section in document.sections),
        published_by=user if user is not None and user.is_authenticated else None,
    )
    published.record(version)
    return version


def verify(version: ReportVersion) -> bool:
    """Whether the stored content and files still match the digests taken when published."""
    content = canonical_json(version.document).encode()
    try:
        version.pdf, version.hwpx  # noqa: B018  (each read checks its file's SHA-256)
    except filestore.DamagedFile:
        return False
    return sha256(content) == version.content_sha256


# Reading a stored document back -------------------------------------------------------------


def document_from_dict(data: dict) -> doc.ReportDocument:
    """The inverse of ReportDocument.to_dict, so stored versions render like live reports."""
    budget = data["budget"]
    return doc.ReportDocument(
        anchor=data["anchor"],
        session=doc.SessionInfo(**data["session"]),
        department=data["department"],
        bureau=data["bureau"],
        teams=[doc.Team(**team) for team in data["teams"]],
        staffing=doc.StaffingTable(
            as_of=data["staffing"]["as_of"],
            groups=[doc.StaffingGroup(**g) for g in data["staffing"]["groups"]],
            grades=data["staffing"]["grades"],
            rows=[doc.StaffingRow(**r) for r in data["staffing"]["rows"]],
        ),
        facilities=data["facilities"],
        budget=doc.BudgetTable(
            as_of=budget["as_of"],
            show_expected=budget["show_expected"],
            total=doc.BudgetRow(**budget["total"]),
            rows=[doc.BudgetRow(**r) for r in budget["rows"]],
        ),
        sections=[_section(s) for s in data["sections"]],
        contents=[doc.ContentsEntry(**c) for c in data.get("contents", [])],
    )


def _funding(data: dict | None) -> doc.Funding | None:
    if data is None:
        return None
    return doc.Funding(total=data["total"], parts=[tuple(p) for p in data["parts"]])


def _section(data: dict) -> doc.Section:
    cards = []
    for card in data["cards"]:
        budget = card["budget"]
        cards.append(
            doc.Card(
                **{k: v for k, v in card.items() if k not in {"blocks", "budget"}},
                blocks=[doc.Block(**b) for b in card["blocks"]],
                budget=None
                if budget is None
                else doc.CardBudget(
                    kind=budget["kind"],
                    heading=budget["heading"],
                    budget=_funding(budget["budget"]),
                    executed=_funding(budget["executed"]),
                    rate=budget["rate"],
                ),
            )
        )
    return doc.Section(**{k: v for k, v in data.items() if k != "cards"}, cards=cards)


# What changed between two versions ----------------------------------------------------------


@dataclass
class Change:
    where: str  # "Ⅳ 2. 국제금융 특구 — 추진실적"
    before: list[str]
    after: list[str]


def _node_lines(nodes: list[dict]) -> list[str]:
    """Nodes as indented lines, for the list of changes (iterative: any stored depth)."""
    lines = []
    pending = [(node, 0) for node in reversed(nodes)]
    while pending:
        node, depth = pending.pop()
        if node.get("type") == "table":
            lines += [" | ".join(str(cell) for cell in row) for row in node.get("rows", [])]
        else:
            text = node.get("text", "")
            marker = node.get("marker", "")
            lines.append(f"{'  ' * depth}{marker} {text}".rstrip())
        pending += [(child, depth + 1) for child in reversed(node.get("children", []))]
    return lines


def _funding_text(funding: dict | None) -> str:
    if funding is None:
        return "-"
    parts = ", ".join(f"{name} {amount:,}" for name, amount in funding["parts"])
    return f"{funding['total']:,}" + (f" ({parts})" if parts else "")


def _blocks(data: dict) -> dict[str, list[str]]:
    """The document as named blocks of text lines, in reading order."""
    blocks: dict[str, list[str]] = {}
    blocks[_("Ⅰ 조직")] = [f"{t['name']}: " + " / ".join(t["duties"]) for t in data["teams"]]
    staffing = data["staffing"]
    blocks[_("Ⅰ 인력")] = [
        f"{row['label']} {row['total']}: "
        + " ".join("-" if c is None else str(c) for c in row["cells"])
        for row in staffing["rows"]
    ]
    blocks[_("Ⅰ 주요시설 및 장비")] = _node_lines(data["facilities"]) or [_("해당없음")]
    budget = data["budget"]
    blocks[_("Ⅰ 예산 현황")] = [
        f"{row['name']}: {_('예산액')} {row['amount']:,}, {_('집행액')} "
        f"{'-' if row['executed'] is None else format(row['executed'], ',')}, "
        f"{_('집행률')} {row['rate'] or '-'}"
        for row in [budget["total"], *budget["rows"]]
    ]
    for section in data["sections"]:
        for card in section["cards"]:
            # Keyed by the card itself, so a retitled or renumbered card is one change.
            where = _card_key(card)
            blocks[where] = [card["title"], card["team"], card["purpose"]]
            for block in card["blocks"]:
                blocks[f"{where}\x1f{block['heading']}"] = _node_lines(block["nodes"])
            if card["budget"]:
                budget = card["budget"]
                blocks[f"{where}\x1f\x1e{budget['heading'] or _('예산')}"] = [
                    f"{_('예산액')} {_funding_text(budget['budget'])}",
                    f"{_('집행액')} {_funding_text(budget['executed'])}",
                    f"{_('집행률')} {budget['rate'] or '-'}",
                ]
    return blocks


def _card_key(card: dict) -> str:
    return f"\x1dcard{card['card_id']}" if card.get("card_id") else f"\x1dno{card['number']}"


def _card_places(data: dict) -> dict[str, str]:
    """Each card's key → `Ⅱ 1. 국내외 도시와의 상호교류 활성화`."""
    return {
        _card_key(card): f"{section['numeral']} {card['number']}. {card['title']}"
        for section in data["sections"]
        for card in section["cards"]
    }


def _label(where: str, places: dict[str, str]) -> str:
    """A block key as readers know it: `Ⅱ 1. 국내외 … — 사업개요`."""
    card, _sep, heading = where.partition("\x1f")
    if card not in places:
        return where
    heading = heading.lstrip("\x1e")
    return f"{places[card]} — {heading}" if heading else places[card]


def changes_between(old: dict, new: dict) -> list[Change]:
    """Blocks whose text differs, with only the lines that differ; added and removed blocks too."""
    before, after = _blocks(old), _blocks(new)
    places = {**_card_places(old), **_card_places(new)}
    changes = []
    for where in [*before, *(w for w in after if w not in before)]:
        old_lines, new_lines = before.get(where, []), after.get(where, [])
        if old_lines == new_lines:
            continue
        matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
        removed, added = [], []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag != "equal":
                removed += old_lines[i1:i2]
                added += new_lines[j1:j2]
        changes.append(Change(_label(where, places), removed, added))
    return changes
