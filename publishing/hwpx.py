"""HWPX (Hancom Office OWPML) export of the report document, written with python-hwpx.

The `ReportDocument` that the web page and the PDF read is written here paragraph by paragraph
and table by table, in the order the print templates lay it out (templates/reports/print/ and
templates/reports/partials/): the cover, 보고 순서, Ⅰ 일반현황 (조직, 인력, 주요시설 및 장비,
예산 현황), then each section with its list of cards and the cards. Numbers go through the
templates' own filters (`publishing.templatetags.report_format`), so a △ shortfall, a 집행률 or a
funding split reads exactly as in the PDF.

Layout: A4 portrait with the PDF's margins; 함초롬바탕 for text and 함초롬돋움 for headings
and tables (the file only names the faces; Hancom Office ships both). 개조식 items keep their
markers, which hang: a wrapped line goes on under the text, and each level starts further in.
Tables are OWPML tables; heading cells are merged (rowSpan/colSpan) where the PDF's span, and
heading rows repeat when Hancom breaks a table across pages.

Pages: the file is one section whose footer holds an automatic page number ("- 1 -"). Each
department's body restarts the count at 1 (a 새 번호 control, `hp:newNum`, on its first line),
and every line of a cover or a contents page hides the footer on its page (`hp:pageHiding`), so
those pages carry no number, as in the PDF. (A section per department would do the same, but
python-hwpx adds sections ever more slowly as they grow in number.) A session booklet is its
cover and 순서, then for each bureau its cover and its departments, each numbered from 1.

Hancom lays the text out itself, so the file only says where a page must start (a part, a
card) and what keeps with what. Hence what the PDF has and the file has not: the page numbers
that the PDF's contents and list tables read off its own layout, and the booklet's running
"책자 N" beside each department's own number (a document has one page counter).

python-hwpx's public API does nearly everything: paragraphs and runs, tables and merges, page
setup, footer and page numbering, and the `ensure_*` calls that mint (and reuse) character,
paragraph and border shapes. A few attributes without an API are set on the elements: a
table's `repeatHeader`, a heading cell's `header`, a cell's fill. Every save runs the library's
editor-open safety validation (package structure, OWPML schema, reopening), which takes most
of the time of a large booklet.

`hwpx_paragraphs` reads a file back through the library's `TextExtractor`: every paragraph's
text in reading order, the cells of a table row by row, page headers and footers left out.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from zipfile import ZipFile

from hwpx import HwpxDocument, TextExtractor
from hwpx.form_fit.measure import glyph_advance_em
from hwpx.oxml import HwpxOxmlParagraph

from publishing.assembly import BureauEntry, SessionOutline
from publishing.document import (
    BudgetRow,
    BudgetTable,
    Card,
    CardBudget,
    Funding,
    ReportDocument,
    Section,
    SessionInfo,
    StaffingTable,
    roman,
)
from publishing.templatetags import report_format as fmt

__all__ = ["department_hwpx", "hwpx_paragraphs", "session_hwpx"]


def department_hwpx(report: ReportDocument) -> bytes:
    """One department's report: its cover and 보고 순서, then its body numbered from 1."""
    writer = _Writer(title=f"{report.session.title} {report.department} 주요업무 보고")
    writer.department(report)
    return writer.doc.to_bytes()


def session_hwpx(outline: SessionOutline, reports: list[ReportDocument]) -> bytes:
    """The session booklet: its cover and 순서, then per bureau its cover and its departments,
    each numbered from 1 as in the council booklets."""
    writer = _Writer(title=f"{outline.session.title} 주요업무 보고")
    # A published document keeps the department's name of its day: match on the id.
    by_anchor = {report.anchor: report for report in reports}
    writer.session_front(outline)
    for bureau in outline.bureaus:
        if bureau.name:
            writer.bureau_cover(outline.session, bureau)
        for department in bureau.departments:
            report = by_anchor.get(f"d{department.department_id}")
            if report is not None:
                writer.department(report)
    return writer.doc.to_bytes()


def hwpx_paragraphs(data: bytes) -> list[str]:
    """Every paragraph's text of an .hwpx file in reading order, table cells row by row.

    Page headers and footers are left out; a line break inside a paragraph reads as "\\n".
    """
    with ZipFile(io.BytesIO(data)) as archive:
        paragraphs = TextExtractor(archive).iter_document_paragraphs(include_nested=True)
        return [info.text() for info in paragraphs if not _in_header_or_footer(info.ancestors)]


def _in_header_or_footer(ancestors: Sequence[str]) -> bool:
    # Path steps read like "footer" or "tc[2]".
    return any(step.partition("[")[0] in ("header", "footer") for step in ancestors)


# Shapes ----------------------------------------------------------------------------------------

SERIF = "함초롬바탕"
SANS = "함초롬돋움"
BLACK = "#000000"
NAVY = "#1F3A68"
HEADING_FILL = "#E7EDF6"  # report.css --navy-soft
TOTAL_FILL = "#F3F3F3"
CELL_RULE = "#888888"

PT = 100  # HWPUNIT (1/7200 inch) per point


def mm(value: float) -> int:
    return round(value * 7200 / 25.4)


# print.css: A4, the text 22 mm from the top and the bottom and 20 mm from either side. Hancom
# puts the header and footer areas inside the top and bottom margins; the footer holds the number.
PAGE_MARGINS_MM = {"left": 20, "right": 20, "top": 14, "header": 8, "bottom": 12, "footer": 10}
BODY_WIDTH = mm(210 - 20 - 20)


@dataclass(frozen=True)
class Char:
    """A character shape."""

    size: float = 12
    font: str = SERIF
    bold: bool = False
    color: str = BLACK
    spacing: int = 0  # 자간, percent


@dataclass(frozen=True)
class Para:
    """A paragraph shape; lengths in HWPUNIT."""

    align: str = "JUSTIFY"
    left: int = 0
    indent: int = 0  # of the first line; negative hangs it out of the others
    before: int = 0
    after: int = 0
    line: int = 160  # line spacing, percent
    keep_with_next: bool = False
    border: str | None = None  # "box" (the purpose paragraph) or "rule" (a line below)


Runs = Sequence[tuple[str, Char]]

TEXT = Char()
NOTE = Char(size=11)
UNIT = Char(size=10, font=SANS)
CAPTION = Char(size=10, font=SANS, color="#555555")
CELL = Char(size=10.5, font=SANS)
CELL_BOLD = Char(size=10.5, font=SANS, bold=True)
CELL_SMALL = Char(size=9, font=SANS)
COVER_SESSION = Char(size=16, font=SANS, bold=True, color=NAVY)
COVER_PERIOD = Char(size=14, font=SANS, color=NAVY)
COVER_KICKER = Char(size=16, font=SANS, spacing=30)
COVER_TITLE = Char(size=28, font=SANS, bold=True, spacing=8)
COVER_NAME = Char(size=24, font=SANS, bold=True, spacing=35)
CONTENTS_TITLE = Char(size=18, font=SANS, bold=True, spacing=50)
CONTENTS_NUMERAL = Char(size=14, font=SANS, bold=True, color=NAVY)
CONTENTS_ENTRY = Char(size=14, font=SANS)
CONTENTS_BUREAU = Char(size=14, font=SANS, bold=True, color=NAVY)
PART_TITLE = Char(size=17, font=SANS, bold=True, color=NAVY)
SUB_NUMBER = Char(size=13, font=SANS, bold=True, color=NAVY)
SUB_TITLE = Char(size=14, font=SANS, bold=True)
ORG_HEAD = Char(size=12, font=SANS, bold=True)
CARD_NUMBER = Char(size=15, font=SANS, bold=True, color=NAVY)
CARD_TITLE = Char(size=15, font=SANS, bold=True)
CARD_TEAM = Char(size=11, font=SANS, bold=True, color=NAVY)
BLOCK_HEADING = Char(size=13, font=SANS, bold=True)

BODY = Para(after=2 * PT)
UNIT_LINE = Para(align="RIGHT", line=130, keep_with_next=True)
CAPTION_LINE = Para(align="LEFT", line=130, keep_with_next=True)
NONE_LINE = Para(left=6 * PT)
TABLE_ANCHOR = Para(align="LEFT", line=100, after=4 * PT)  # its empty line goes under the table
CELL_LEFT = Para(align="LEFT", line=130)
CELL_CENTER = Para(align="CENTER", line=130)
CELL_RIGHT = Para(align="RIGHT", line=130)
CONTENTS_TITLE_LINE = Para(align="CENTER", before=mm(20), after=18 * PT, border="rule")
CONTENTS_LINE = Para(align="LEFT", before=6 * PT, after=6 * PT)
CONTENTS_BUREAU_LINE = Para(align="LEFT", before=10 * PT, after=2 * PT, keep_with_next=True)
BUREAU_ORDER_LINE = Para(align="LEFT", left=mm(35), before=4 * PT, after=4 * PT)
PART_TITLE_LINE = Para(align="LEFT", after=10 * PT, keep_with_next=True, border="rule")
SUB_TITLE_LINE = Para(align="LEFT", before=8 * PT, after=4 * PT, keep_with_next=True)
ORG_HEAD_LINE = Para(align="CENTER", after=6 * PT, keep_with_next=True)
CARD_TITLE_LINE = Para(align="LEFT", after=6 * PT, keep_with_next=True, border="rule")
CARD_TEAM_LINE = Para(align="RIGHT", line=130, keep_with_next=True)
PURPOSE = Para(before=4 * PT, after=12 * PT, line=170, border="box")
BLOCK_HEADING_LINE = Para(align="LEFT", before=6 * PT, after=2 * PT, keep_with_next=True)

LEVEL_STEP = 24 * PT  # each 개조식 level starts two 12 pt characters further in


def item_shape(depth: int, marker: str, char: Char) -> Para:
    """The marker hangs: the first line starts at the level's edge, the lines after it under the
    text, as far in as the marker and its space are wide in the font."""
    widths = [glyph_advance_em(char.font, glyph) or 1.0 for glyph in (marker, " ")]
    hanging = round(sum(widths) * char.size * PT)
    return Para(left=depth * LEVEL_STEP, indent=-hanging, after=2 * PT)


# Tables as plain grids of cells ---------------------------------------------------------------


@dataclass
class Cell:
    row: int
    col: int
    lines: list[Runs]  # one paragraph each
    shape: Para = CELL_CENTER
    fill: str | None = None  # "heading" | "total"
    row_span: int = 1
    col_span: int = 1


@dataclass
class Grid:
    rows: int
    widths: list[float]  # relative column widths
    cells: list[Cell]
    heading_rows: int = 1


def lines(*texts: str, char: Char = CELL) -> list[Runs]:
    return [[(text, char)] for text in texts]


def heading(row: int, col: int, *texts: str, row_span: int = 1, col_span: int = 1) -> Cell:
    return Cell(
        row,
        col,
        lines(*texts, char=CELL_BOLD),
        fill="heading",
        row_span=row_span,
        col_span=col_span,
    )


def teams_grid(report: ReportDocument) -> Grid:
    """The 조직 chart: the teams' names, each team's duties under its name."""
    cells = [heading(0, col, team.name) for col, team in enumerate(report.teams)]
    cells += [
        Cell(1, col, lines(*(f"- {duty}" for duty in team.duties)), shape=CELL_LEFT)
        for col, team in enumerate(report.teams)
    ]
    return Grid(rows=2, widths=[1] * len(report.teams), cells=cells)


def staffing_grid(table: StaffingTable) -> Grid:
    """인력 현황: 구분 and 계 down both heading rows, each job series across its grades."""
    cells = [heading(0, 0, "구 분", row_span=2), heading(0, 1, "계", row_span=2)]
    col = 2
    for group in table.groups:
        cells.append(heading(0, col, group.label, col_span=group.span))
        col += group.span
    cells += [heading(1, col, grade) for col, grade in enumerate(table.grades, start=2)]
    for row, line in enumerate(table.rows, start=2):
        shortfall = line is table.rows[-1]  # 과부족: △1 for −1, blank for 0
        total = (fmt.signed(line.total) or "0") if shortfall else fmt.amount(line.total)
        value = fmt.signed if shortfall else fmt.headcount
        cells += [Cell(row, 0, lines(line.label)), Cell(row, 1, lines(total, char=CELL_BOLD))]
        cells += [Cell(row, col, lines(value(n))) for col, n in enumerate(line.cells, start=2)]
    widths = [2.2, 1.6] + [1] * len(table.grades)
    return Grid(rows=2 + len(table.rows), widths=widths, cells=cells, heading_rows=2)


def budget_grid(table: BudgetTable) -> Grid:
    """예산 현황; with the 12.31. 집행 예정액, 집행액 spans its two columns."""
    if table.show_expected:
        rate_heading = [[("집행률(%)", CELL_BOLD)], [(f"({table.as_of}기준)", CELL_SMALL)]]
        cells = [
            heading(0, 0, "단위사업명", row_span=2),
            heading(0, 1, "예산액", row_span=2),
            heading(0, 2, "집행액", col_span=2),
            Cell(0, 4, rate_heading, fill="heading", row_span=2),
            heading(1, 2, f"{table.as_of}기준"),
            heading(1, 3, "12.31.까지"),
        ]
        heading_rows, widths = 2, [3.4, 1.4, 1.6, 1.4, 1.3]
    else:
        titles = ["단위사업명", "예산액", "집행액", "집행률(%)"]
        cells = [heading(0, col, title) for col, title in enumerate(titles)]
        heading_rows, widths = 1, [3.4, 1.6, 1.8, 1.3]
    if not table.rows:
        cells.append(
            Cell(heading_rows, 0, lines("입력된 예산 사업이 없습니다."), col_span=len(widths))
        )
        return Grid(heading_rows + 1, widths, cells, heading_rows)
    for row, line in enumerate([table.total, *table.rows], start=heading_rows):
        cells += budget_row(row, line, table, total=line is table.total)
    return Grid(heading_rows + 1 + len(table.rows), widths, cells, heading_rows)


def budget_row(row: int, line: BudgetRow, table: BudgetTable, *, total: bool) -> list[Cell]:
    """budget_row.html: the 계 row first, in bold; "-" where nothing is executed yet."""
    char = CELL_BOLD if total else CELL
    fill = "total" if total else None
    executed: Runs = [("-", char)]
    if line.executed is not None:
        executed = [(fmt.amount(line.executed), char)]
        if line.as_of:
            executed.append((f" ({line.as_of}기준)", CELL_SMALL))
    values: list[Runs] = [[(fmt.amount(line.amount), char)], executed]
    if table.show_expected:
        values.append([(fmt.amount(line.expected), char)])
    values.append([(fmt.rate(line.rate), char)])
    cells = [Cell(row, 0, [[(line.name, char)]], shape=CELL_LEFT, fill=fill)]
    cells += [
        Cell(row, col, [runs], shape=CELL_RIGHT, fill=fill)
        for col, runs in enumerate(values, start=1)
    ]
    return cells


def card_list_grid(section: Section) -> Grid:
    """The part's list of cards: 연번, 사 업 명 and 쪽 (the page is Hancom's to find)."""
    cells = [heading(0, 0, "연번"), heading(0, 1, "사 업 명"), heading(0, 2, "쪽")]
    widths = [1.2, 8, 1.2]
    if not section.cards:
        cells.append(Cell(1, 0, lines("등록된 사업이 없습니다."), col_span=3))
        return Grid(2, widths, cells)
    for row, card in enumerate(section.cards, start=1):
        cells += [
            Cell(row, 0, lines(card.marker)),
            Cell(row, 1, lines(card.title), shape=CELL_LEFT),
            Cell(row, 2, lines("")),
        ]
    return Grid(1 + len(section.cards), widths, cells)


def card_budget_grid(budget: CardBudget) -> Grid:
    """A card's 예산액, 집행액 and 집행률, each amount over its split by source."""

    def with_split(funding: Funding) -> list[Runs]:
        return [[(fmt.amount(funding.total), CELL)], [(fmt.funding_note(funding), CELL_SMALL)]]

    cells = [
        heading(0, 0, "예산액"),
        heading(0, 1, "집행액"),
        heading(0, 2, "집행률(%)"),
        Cell(1, 0, with_split(budget.budget)),
        Cell(1, 1, with_split(budget.executed) if budget.executed else lines("-")),
        Cell(1, 2, lines(fmt.rate(budget.rate))),
    ]
    return Grid(2, [1, 1, 0.6], cells)


def node_grid(node: dict) -> Grid:
    """table_node.html: the heading rows, and the heading columns of the rows below them."""
    cells = []
    for row, values in enumerate(node["rows"]):
        for col, value in enumerate(values):
            is_heading = row < node["header_rows"] or col < node["header_cols"]
            char = CELL_BOLD if is_heading else CELL
            cells.append(
                Cell(
                    row,
                    col,
                    lines(*value.split("\n"), char=char),
                    fill="heading" if is_heading else None,
                )
            )
    return Grid(len(node["rows"]), [1] * len(node["rows"][0]), cells, node["header_rows"])


# The writer -------------------------------------------------------------------------------------


class _Writer:
    """Writes the parts of reports into one HwpxDocument of one section."""

    def __init__(self, *, title: str) -> None:
        self.doc = HwpxDocument.new()
        self.doc.page.setup(paper_size="A4", orientation="portrait", margins_mm=PAGE_MARGINS_MM)
        self.doc.page.set_page_number(prefix="- ", suffix=" -")
        # Not the blank skeleton's author and dates: no author, and made now.
        self.doc.parts.clear_document_metadata(timestamp=f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}")
        self.doc.parts.set_document_metadata(title=title)
        # The section's first paragraph holds its settings: the first line is written into it.
        self.opening = self.doc.paragraphs[0]
        self.front = False  # covers and contents: no page number on their pages
        self.fills = {
            None: self.doc.styles.ensure_border_fill(border_color=CELL_RULE),
            "heading": self.doc.styles.ensure_border_fill(
                border_color=CELL_RULE, fill_color=HEADING_FILL
            ),
            "total": self.doc.styles.ensure_border_fill(
                border_color=CELL_RULE, fill_color=TOTAL_FILL
            ),
        }
        self.char = cache(self._char_shape)
        self.para = cache(self._para_shape)

    def _char_shape(self, char: Char) -> str:
        return self.doc.styles.ensure_run(
            size=char.size,
            font=char.font,
            bold=char.bold,
            color=char.color,
            letter_spacing=char.spacing or None,
        )

    def _para_shape(self, shape: Para) -> str:
        border = None
        if shape.border:
            box = shape.border == "box"
            border_fill = self.doc.styles.ensure_border_fill(
                border_color=NAVY,
                border_width="0.25 mm" if box else "0.4 mm",
                fill_color=HEADING_FILL if box else None,
                active_borders=None if box else ["bottom"],
            )
            gap = mm(2)
            border = {
                "borderFillIDRef": border_fill,
                **{f"offset{side}": gap for side in ("Left", "Right", "Top", "Bottom")},
            }
        return self.doc.parts.headers[0].ensure_paragraph_format(
            base_para_pr_id="0",
            alignment=shape.align,
            line_spacing_percent=shape.line,
            margins={
                "left": shape.left,
                "intent": shape.indent,
                "prev": shape.before,
                "next": shape.after,
            },
            break_setting={"keep_with_next": shape.keep_with_next, "keep_lines": True},
            border=border,
        )

    # Paragraphs and tables

    def write(
        self,
        runs: Runs,
        shape: Para = BODY,
        *,
        new_page: bool = False,
        restart_numbering: bool = False,
    ) -> None:
        """A paragraph of `runs`; with `restart_numbering` its page is numbered 1."""
        if self.opening is not None:  # the document's first line is on its first page anyway
            paragraph, self.opening = self.opening, None
            paragraph.para_pr_id_ref = self.para(shape)
        else:
            paragraph = self.doc.add_paragraph(
                "",
                para_pr_id_ref=self.para(shape),
                include_run=False,
                inherit_style=False,
                **({"pageBreak": "1"} if new_page else {}),
            )
        for text, char in runs or [("", TEXT)]:
            paragraph.add_run(text, char_pr_id_ref=self.char(char))
        if self.front:  # the footer with the page number is hidden on the page of this line
            self.doc.page.hide_page_elements(paragraph, footer=True)
        if restart_numbering:
            self.doc.page.restart_page_number(paragraph, number=1)

    def line(self, text: str, char: Char = TEXT, shape: Para = BODY, **options) -> None:
        self.write([(text, char)], shape, **options)

    def table(self, grid: Grid) -> None:
        """Cells are merged first; then every cell left gets its text, shape and fill."""
        table = self.doc.add_table(
            grid.rows,
            len(grid.widths),
            width=BODY_WIDTH,
            border_fill_id_ref=self.fills[None],
            para_pr_id_ref=self.para(TABLE_ANCHOR),
        )
        table.set_column_widths(grid.widths)
        table.set_treat_as_char(False)  # flows with the text; Hancom breaks it between rows
        table.element.set("repeatHeader", "1")
        for cell in grid.cells:
            if cell.row_span > 1 or cell.col_span > 1:
                last_row, last_col = cell.row + cell.row_span - 1, cell.col + cell.col_span - 1
                table.merge_cells(cell.row, cell.col, last_row, last_col)
        # One look at the merged grid; `table.cell()` would lay it out again for every cell.
        targets = {position.anchor: position.cell for position in table.iter_grid()}
        for cell in grid.cells:
            target = targets[cell.row, cell.col]
            first, *more = cell.lines or [[]]
            self._fill(target.paragraphs[0], first, cell.shape)
            for runs in more:
                self._fill(target.add_paragraph(""), runs, cell.shape)
            # What `table.set_cell_border_fill()` writes, without its look-up.
            target.element.set("borderFillIDRef", self.fills[cell.fill])
            if cell.row < grid.heading_rows:
                target.element.set("header", "1")

    def _fill(self, paragraph: HwpxOxmlParagraph, runs: Runs, shape: Para) -> None:
        """Write `runs` into a table cell's paragraph, in place of its empty run."""
        paragraph.para_pr_id_ref = self.para(shape)
        (text, char), *rest = runs or [("", CELL)]
        paragraph.text = text
        paragraph.char_pr_id_ref = self.char(char)
        for text, char in rest:
            paragraph.add_run(text, char_pr_id_ref=self.char(char))

    # The parts, in the print templates' order

    def department(self, report: ReportDocument) -> None:
        """department_front.html, then department_body.html numbered from 1."""
        self.front = True
        self.cover_head(report.session)
        self.line(report.department, COVER_NAME, Para(align="CENTER", before=mm(75)))
        self.contents(report)
        self.front = False
        self.general(report)
        for section in report.sections:
            self.section_part(section)

    def cover_head(self, session: SessionInfo, *, kicker: str = "") -> None:
        """The top of every cover, on a new page: the session, its period, (부서별,) the title."""
        top = Para(align="CENTER", before=mm(55))
        self.line(session.title, COVER_SESSION, top, new_page=True)
        self.line(session.period, COVER_PERIOD, Para(align="CENTER", before=4 * PT))
        if kicker:
            self.line(kicker, COVER_KICKER, Para(align="CENTER", before=40 * PT))
        title = f"{session.year}년 주요업무 보고"
        self.line(title, COVER_TITLE, Para(align="CENTER", before=16 * PT))

    def contents(self, report: ReportDocument) -> None:
        """contents.html, on a page of its own."""
        self.line("보고 순서", CONTENTS_TITLE, CONTENTS_TITLE_LINE, new_page=True)
        for entry in report.contents:
            runs = [(f"{entry.numeral}.", CONTENTS_NUMERAL), (f" {entry.title}", CONTENTS_ENTRY)]
            self.write(runs, CONTENTS_LINE)

    def session_front(self, outline: SessionOutline) -> None:
        """session_front.html: the booklet's cover, and its 순 서 on a page of its own."""
        self.front = True
        self.cover_head(outline.session)
        self.line("순 서", CONTENTS_TITLE, CONTENTS_TITLE_LINE, new_page=True)
        for bureau in outline.bureaus:
            if bureau.name:
                self.line(bureau.name, CONTENTS_BUREAU, CONTENTS_BUREAU_LINE)
            for department in bureau.departments:
                if department.report_id:
                    self.line(department.name, CONTENTS_ENTRY, CONTENTS_LINE)
        self.front = False

    def bureau_cover(self, session: SessionInfo, bureau: BureauEntry) -> None:
        """bureau_cover.html: the bureau's name and the order of its departments."""
        self.front = True
        self.cover_head(session, kicker="부서별")
        self.line(bureau.name, COVER_NAME, Para(align="CENTER", before=mm(35)))
        self.line("순서", CONTENTS_TITLE, Para(align="CENTER", before=mm(20), after=8 * PT))
        for number, department in enumerate(bureau.departments, start=1):
            runs = [
                (f"{roman(number)}.", CONTENTS_NUMERAL),
                (f" {department.name}", CONTENTS_ENTRY),
            ]
            if not department.report_id:
                runs.append((" (보고 자료 없음)", UNIT))
            self.write(runs, BUREAU_ORDER_LINE)
        self.front = False

    def part_title(self, numeral: str, title: str, **options) -> None:
        """A part of the body, from a new page."""
        runs = [(f"{numeral}.", PART_TITLE), (f" {title}", PART_TITLE)]
        self.write(runs, PART_TITLE_LINE, new_page=True, **options)

    def sub_title(self, number: int, title: str) -> None:
        self.write([(str(number), SUB_NUMBER), (f" {title}", SUB_TITLE)], SUB_TITLE_LINE)

    def general(self, report: ReportDocument) -> None:
        """general.html: Ⅰ. 일반현황."""
        self.part_title(roman(1), "일반현황", restart_numbering=True)
        self.sub_title(1, "조직")
        self.line(f"{report.department} - ( {len(report.teams)} )개팀", ORG_HEAD, ORG_HEAD_LINE)
        if report.teams:
            self.table(teams_grid(report))
        self.sub_title(2, "인력")
        self.staffing(report.staffing)
        self.sub_title(3, "주요시설 및 장비")
        if report.facilities:
            self.nodes(report.facilities, depth=0)
        else:
            self.line(": 해당없음", TEXT, NONE_LINE)
        self.sub_title(4, "예산 현황")
        self.line("(단위: 천원)", UNIT, UNIT_LINE)
        self.line(f"예산 현황 ({report.budget.as_of} 기준)", CAPTION, CAPTION_LINE)
        self.table(budget_grid(report.budget))

    def staffing(self, table: StaffingTable) -> None:
        """staffing_table.html"""
        if not table.as_of:
            self.line(": 기준일 현재 입력된 인력 현황이 없습니다.", TEXT, NONE_LINE)
            return
        self.line(f"인력 현황 ({table.as_of} 기준, 단위: 명)", CAPTION, CAPTION_LINE)
        self.table(staffing_grid(table))

    def section_part(self, section: Section) -> None:
        """section.html: a new page with the part's title and list of cards, then the cards."""
        self.part_title(section.numeral, section.title)
        self.table(card_list_grid(section))
        for card in section.cards:
            self.card(card)

    def card(self, card: Card) -> None:
        """card.html, from a new page."""
        runs = [(str(card.number), CARD_NUMBER), (f" {card.title}", CARD_TITLE)]
        self.write(runs, CARD_TITLE_LINE, new_page=True)
        if card.team:
            self.line(card.team, CARD_TEAM, CARD_TEAM_LINE)
        if card.purpose:
            self.line(fmt.paragraph(card.purpose), TEXT, PURPOSE)
        for block in card.blocks:
            self.line(f"□ {block.heading}", BLOCK_HEADING, BLOCK_HEADING_LINE)
            self.nodes(block.nodes, depth=0)
        if card.budget:
            self.card_budget(card.budget)

    def card_budget(self, budget: CardBudget) -> None:
        """card_budget.html"""
        if budget.kind == "non_budget":
            self.line(f"□ {budget.heading}: 비예산", BLOCK_HEADING, BLOCK_HEADING_LINE)
        elif budget.kind == "requirement":
            note = fmt.requirement_note(budget.budget)
            self.line(f"□ {budget.heading}: {note}", BLOCK_HEADING, BLOCK_HEADING_LINE)
        else:
            runs = [(f"□ {budget.heading}", BLOCK_HEADING), (" (단위: 천원)", UNIT)]
            self.write(runs, BLOCK_HEADING_LINE)
            self.table(card_budget_grid(budget))

    def nodes(self, nodes: list[dict], *, depth: int) -> None:
        """nodes.html: 개조식 items under their markers, tables, lines without a marker."""
        for node in nodes:
            if node["type"] == "item":
                char = NOTE if node["marker"] == "※" else TEXT
                runs = [(f"{node['marker']} ", char), *inline(node["text"], char)]
                self.write(runs, item_shape(depth, node["marker"], char))
                self.nodes(node["children"], depth=depth + 1)
            elif node["type"] == "table":
                self.table(node_grid(node))
            else:
                self.write(inline(node["text"], TEXT), Para(left=depth * LEVEL_STEP))


def inline(text: str, char: Char) -> list[tuple[str, Char]]:
    """개조식 text as runs: **bold** in bold; a line break stays one."""
    bold = Char(size=char.size, font=char.font, bold=True, color=char.color)
    parts = fmt.BOLD.split(text or "")
    return [(part, bold if index % 2 else char) for index, part in enumerate(parts) if part]
