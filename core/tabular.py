"""Spreadsheets in and out: reading uploaded XLSX/CSV files safely, reading Korean amounts and
dates, and writing cells that a spreadsheet program will not run as formulas.

Real exports (e-호조, 지방재정365, HR spreadsheets) start with a title and a "(단위: 원)" line
before the header row, name the same column in several ways, come in UTF-8 or CP949/EUC-KR,
and write amounts as "1,234", "△1,234", "-1,234" or "(1,234)". `read_table` finds the header
row by the column names a resource knows (`Column.synonyms`), notes the unit, and returns the
data rows with their line numbers in the file, so every message can say where it comes from.

Reading is bounded: file size, rows, columns and cell length are capped; an XLSX is checked as
a zip (entries, uncompressed size, compression ratio) before openpyxl opens it, in read-only
mode and without evaluating anything: a formula cell is refused, not computed.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.text import invisible_message

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 60
MAX_CELL_CHARS = 2_000
HEADER_SEARCH_ROWS = 20
# An XLSX is a zip of XML parts: bounded in number, in total size and in how much each grows.
MAX_ZIP_ENTRIES = 500
MAX_XLSX_UNCOMPRESSED = 60 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200

WON_PER_THOUSAND = 1000
UNITS = {"원": 1, "천원": WON_PER_THOUSAND, "백만원": 1_000_000}
# Cells a spreadsheet program would read as a formula or a command (CSV/XLSX injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Text an export prefixes with ' (`escape_cell`): the triggers, and ' itself so that it reads back.
ESCAPED_STARTS = (*FORMULA_TRIGGERS, "'")
TOTAL_ROW_NAMES = {"합계", "총계", "계", "소계", "총합계"}


class FileRejected(Exception):
    """The file as a whole cannot be read; the message (Korean) says why."""


class CellError(ValueError):
    """A value that cannot be read as its column's kind; the message (Korean) says why."""


# --- Columns and headers --------------------------------------------------------------------


def header_key(text: object) -> str:
    """A header as compared with synonyms: NFKC, lower case, no spaces, punctuation or brackets."""
    text = unicodedata.normalize("NFKC", str(text or "")).lower()
    return re.sub(r"[\s()\[\]{}<>·ㆍ・/_\-.,:：]", "", text)


_UNIT_IN_HEADER = re.compile(r"[(\[]\s*(?:단위\s*[:：]?\s*)?(백만원|천원|원)\s*[)\]]")
_UNIT_LINE = re.compile(r"단위\s*[:：]?\s*(백만원|천원|원)")


@dataclass(frozen=True)
class Column:
    """A column a resource reads: its key, its exported header, and the names files use."""

    key: str
    label: str
    synonyms: tuple[str, ...] = ()
    amount: bool = False  # read with the file's unit

    def matches(self, header: str) -> bool:
        key = header_key(_UNIT_IN_HEADER.sub("", header))
        return key in {header_key(name) for name in (self.label, *self.synonyms)}


@dataclass(frozen=True)
class SourceRow:
    """One data row of a sheet as the file holds it: its line in the file, its raw cells by
    column key. Readers never change it; what they read from it is a row of their own."""

    line: int
    values: Mapping[str, object]

    def get(self, key: str) -> object:
        return self.values.get(key)


@dataclass(frozen=True)
class Table:
    """The data rows of one sheet, by column key, with where each came from."""

    columns: Mapping[str, str]  # key -> the header as written in the file
    rows: tuple[SourceRow, ...]
    unit: int  # multiplier to 원 of the file's amounts (1 or 1000 …); see `to_thousands`
    unit_source: str  # where the unit was read: "파일 3행" / "‘예산현액(원)’ 열" / ""
    ignored: tuple[str, ...] = ()  # headers no column reads
    skipped_totals: tuple[int, ...] = ()  # lines of 합계 rows left out
    sheet: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)  # key -> label, for every column

    def has(self, key: str) -> bool:
        return key in self.columns

    def header(self, key: str) -> str:
        """The column's header in the file or, for a column the file lacks, its label."""
        return self.columns.get(key) or self.labels.get(key, key)

    def renamed(self, old: str, new: str) -> Table:
        """A copy whose column `old` is read as column `new` (this table is left as it is)."""

        def key(name: str) -> str:
            return new if name == old else name

        return replace(
            self,
            columns={key(name): header for name, header in self.columns.items()},
            rows=tuple(
                SourceRow(row.line, {key(name): value for name, value in row.values.items()})
                for row in self.rows
            ),
        )


# --- Reading files --------------------------------------------------------------------------


@dataclass
class Sheet:
    """The raw rows of one worksheet (a CSV file is one sheet without a name)."""

    name: str
    rows: list[list[object]]


EMPTY_FILE_MESSAGE = gettext_lazy("빈 파일입니다. 내용이 있는 XLSX나 CSV 파일을 올려 주세요.")


def read_sheets(data: bytes, *, filename: str = "") -> list[Sheet]:
    """Every sheet of `data` (XLSX or CSV, told apart by content), read within the limits.

    Raises FileRejected with a Korean message when the file is empty, too big, not a
    spreadsheet, damaged, or holds formulas.
    """
    if not data:
        raise FileRejected(EMPTY_FILE_MESSAGE)
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileRejected(too_big_message(len(data)))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileRejected(
            _(
                "XLS(엑셀 97-2003)나 HWP 파일은 읽지 않습니다. "
                "엑셀에서 ‘다른 이름으로 저장’ → XLSX 또는 CSV로 저장해 올려 주세요."
            )
        )
    if data[:4] == b"PK\x03\x04":
        return _xlsx_sheets(data)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise FileRejected(
            _("XLSX 파일이 아니거나 손상된 파일입니다. 엑셀에서 다시 저장해 주세요.")
        )
    return [Sheet("", _csv_rows(data))]


def too_big_message(size: int) -> str:
    return _("파일이 너무 큽니다(%(size)s). %(max)s MB까지 올릴 수 있습니다.") % {
        "size": _size(size),
        "max": MAX_UPLOAD_BYTES // (1024 * 1024),
    }


def find_table(
    sheets: Sequence[Sheet], *, columns: Sequence[Column], required: Sequence[str]
) -> Table:
    """The first sheet with a header row naming the required columns, read as a Table."""
    problems = []
    for sheet in sheets:
        try:
            return _table(sheet.rows, columns=columns, required=required, sheet=sheet.name)
        except FileRejected as error:
            problems.append(str(error))
    raise FileRejected(problems[0])


def read_table(
    data: bytes, *, filename: str = "", columns: Sequence[Column], required: Sequence[str] = ()
) -> Table:
    """`read_sheets` then `find_table`."""
    return find_table(read_sheets(data, filename=filename), columns=columns, required=required)


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) or, failing that, CP949 (a superset of EUC-KR)."""
    if b"\x00" in data[:4096]:
        if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
            try:
                return data.decode("utf-16")
            except UnicodeDecodeError:
                pass
        raise FileRejected(_("텍스트(CSV) 파일이 아닙니다. XLSX나 CSV 파일을 올려 주세요."))
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected(
        _(
            "글자 인코딩을 읽을 수 없습니다. CSV는 UTF-8이나 CP949(EUC-KR)로 저장해 주세요. "
            "엑셀에서는 ‘CSV UTF-8(쉼표로 분리)’로 저장하면 됩니다."
        )
    )


def _csv_rows(data: bytes) -> list[list[object]]:
    text = decode_text(data)
    try:
        delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",\t;").delimiter
    except csv.Error:
        delimiter = ","
    rows = []
    # Only the delimiter is guessed: the sniffer can take the ' of escaped cells ('-2) for the
    # quote character. strict: a quote left open would swallow the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for row in reader:
            _check_size(rows, row)
            rows.append(row)
    except csv.Error as error:
        raise FileRejected(
            _("CSV 파일의 %(line)s행을 읽을 수 없습니다: 따옴표나 구분자가 맞지 않습니다.")
            % {"line": len(rows) + 1}
        ) from error
    return rows


def _check_size(rows: list, row: Sequence, *, already: int = 0) -> None:
    if already + len(rows) >= MAX_ROWS + HEADER_SEARCH_ROWS:
        raise FileRejected(
            _(
                "행이 너무 많습니다. 한 번에 %(max)s행까지 가져올 수 있습니다. 파일을 나누어 올려 주세요."
            )
            % {"max": f"{MAX_ROWS:,}"}
        )
    if len(row) > MAX_COLUMNS and any(cell not in (None, "") for cell in row[MAX_COLUMNS:]):
        # No count: an XLSX row is read only to one column past the limit.
        raise FileRejected(
            _("%(line)s행의 열이 너무 많습니다. %(max)s열까지 읽습니다.")
            % {"line": len(rows) + 1, "max": MAX_COLUMNS}
        )


def _xlsx_sheets(data: bytes) -> list[Sheet]:
    """Every worksheet's rows; the zip is checked before any XML is parsed."""
    _check_zip(data)

    import openpyxl  # imported here: only uploads need it

    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except Exception as error:  # openpyxl raises many kinds for a damaged part
        raise FileRejected(
            _(
                "XLSX 파일을 읽을 수 없습니다(손상되었거나 엑셀 파일이 아닙니다). 엑셀에서 다시 저장해 주세요."
            )
        ) from error
    try:
        sheets, read = [], 0
        for sheet in workbook.worksheets:  # the row limit holds for the workbook as a whole
            rows = _sheet_rows(sheet, already=read)
            read += len(rows)
            sheets.append(Sheet(sheet.title, rows))
        return sheets
    except FileRejected:
        raise
    except Exception as error:
        raise FileRejected(
            _(
                "XLSX 파일의 내용을 끝까지 읽을 수 없습니다(손상된 파일). 엑셀에서 다시 저장해 주세요."
            )
        ) from error
    finally:
        workbook.close()


def _check_zip(data: bytes) -> None:
    """An XLSX is a zip: bounded in entries, in size and in how much each entry grows, holding
    a workbook and no macros."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise FileRejected(
            _("XLSX 파일이 손상되었거나 끝까지 올라오지 않았습니다. 엑셀에서 다시 저장해 주세요.")
        ) from error
    if len(entries) > MAX_ZIP_ENTRIES:
        raise FileRejected(_("XLSX 파일 안의 항목이 너무 많습니다. 엑셀에서 다시 저장해 주세요."))
    total = sum(entry.file_size for entry in entries)
    if total > MAX_XLSX_UNCOMPRESSED or any(
        entry.file_size > MAX_COMPRESSION_RATIO * max(entry.compress_size, 1024)
        for entry in entries
    ):
        raise FileRejected(
            _(
                "XLSX 파일의 압축을 풀면 지나치게 커집니다. 값만 남긴 작은 파일로 다시 저장해 주세요."
            )
        )
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRejected(_("XLSX 파일이 아닙니다. 엑셀 통합 문서(XLSX)나 CSV를 올려 주세요."))
    if any(name.lower().endswith(".bin") and "vbaproject" in name.lower() for name in names):
        raise FileRejected(_("매크로가 든 파일은 받지 않습니다. 매크로 없는 XLSX로 저장해 주세요."))


def _sheet_rows(sheet, *, already: int = 0) -> list[list[object]]:
    """The sheet's rows; `already`: rows read from the workbook's earlier sheets."""
    rows: list[list[object]] = []
    for row in sheet.iter_rows(max_col=MAX_COLUMNS + 1):
        values = []
        for cell in row:
            if getattr(cell, "data_type", None) == "f":
                raise FileRejected(
                    _(
                        "‘%(sheet)s’ 시트 %(cell)s 셀에 수식(%(formula)s)이 있습니다. 수식은 "
                        "계산하지 않고 받지 않습니다. 값으로 붙여 넣어 저장한 뒤 올려 주세요."
                    )
                    % {
                        "sheet": sheet.title,
                        "cell": getattr(cell, "coordinate", ""),
                        "formula": str(cell.value)[:40],
                    }
                )
            values.append(cell.value)
        _check_size(rows, values, already=already)
        rows.append(values)
    return rows


@dataclass(frozen=True)
class _Header:
    """The header row found in a sheet, and the unit a line above it gave."""

    index: int  # position of the header row among the sheet's rows
    matched: dict[str, int]  # column key -> position of its cell in the row
    unit: int
    unit_source: str


def _table(rows: list[list[object]], *, columns, required, sheet: str) -> Table:
    where = _("‘%(sheet)s’ 시트") % {"sheet": sheet} if sheet else _("파일")
    found = _find_header(rows, columns=columns, required=required, where=where)
    headers = [_text(cell) for cell in rows[found.index]]
    present = {key: headers[position] for key, position in found.matched.items()}
    unit, unit_source = _header_unit(headers, found, columns)
    _refuse_repeated_columns(headers, found.matched, columns)
    read = set(found.matched.values())
    header_line = found.index + 1
    data_rows, skipped_totals = _data_rows(
        rows[found.index + 1 :], first_line=header_line + 1, matched=found.matched, present=present
    )
    if not data_rows:
        raise FileRejected(
            _("%(where)s에 머리글(%(line)s행) 아래 가져올 행이 없습니다.")
            % {"where": where, "line": header_line}
        )
    if len(data_rows) > MAX_ROWS:
        raise FileRejected(
            _("행이 너무 많습니다(%(count)s행). 한 번에 %(max)s행까지 가져올 수 있습니다.")
            % {"count": f"{len(data_rows):,}", "max": f"{MAX_ROWS:,}"}
        )
    return Table(
        columns=present,
        rows=tuple(data_rows),
        unit=unit,
        unit_source=unit_source,
        ignored=tuple(text for at, text in enumerate(headers) if text and at not in read),
        skipped_totals=tuple(skipped_totals),
        sheet=sheet,
        labels={column.key: column.label for column in columns},
    )


def _find_header(rows, *, columns, required, where: str) -> _Header:
    """The first row (of the first HEADER_SEARCH_ROWS) naming two columns and the required
    ones; a "(단위: 원)" line above it sets the unit."""
    unit, unit_source = WON_PER_THOUSAND, ""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [_text(cell) for cell in row]
        matched = _match_columns(cells, columns)
        if len(matched) >= 2 and all(key in matched for key in required):
            return _Header(index, matched, unit, unit_source)
        for text in cells:
            if found := _UNIT_LINE.search(text):
                unit, unit_source = UNITS[found.group(1)], _("%(line)s행") % {"line": index + 1}
    labels = ", ".join(f"‘{c.label}’" for c in columns if c.key in required)
    raise FileRejected(
        _(
            "%(where)s 앞쪽 %(rows)s행 안에서 머리글 행을 찾지 못했습니다. %(labels)s 열이 "
            "있어야 합니다(내보내기 파일의 머리글을 그대로 쓰면 됩니다)."
        )
        % {"where": where, "rows": HEADER_SEARCH_ROWS, "labels": labels}
    )


def _match_columns(cells: list[str], columns: Sequence[Column]) -> dict[str, int]:
    """Column key -> position of the first cell that names it."""
    matched: dict[str, int] = {}
    for position, text in enumerate(cells):
        if not text:
            continue
        column = next((c for c in columns if c.matches(text)), None)
        if column is not None and column.key not in matched:
            matched[column.key] = position
    return matched


def _header_unit(headers: list[str], found: _Header, columns) -> tuple[int, str]:
    """The unit an amount header states ("예산현액(원)"), else the one found above the header;
    amount headers stating different units are refused."""
    unit, unit_source = found.unit, found.unit_source
    amounts = {column.key for column in columns if column.amount}
    header_units = {}
    for key, position in found.matched.items():
        if key in amounts and (stated := _UNIT_IN_HEADER.search(headers[position])):
            header_units[headers[position]] = unit = UNITS[stated.group(1)]
            unit_source = _("‘%(header)s’ 열") % {"header": headers[position]}
    if len(set(header_units.values())) > 1:
        # One unit is read for every amount: 원 read as 천원 would be a thousand times too much.
        raise FileRejected(
            _("금액 열의 단위가 서로 다릅니다(%(headers)s). 모든 금액 열을 한 단위로 맞춰 주세요.")
            % {"headers": ", ".join(f"‘{header}’" for header in header_units)}
        )
    return unit, unit_source


def _refuse_repeated_columns(headers: list[str], matched: dict[str, int], columns) -> None:
    """A second header naming a column already read: which of the two is meant is unknown."""
    read = set(matched.values())
    for position, text in enumerate(headers):
        if (
            text
            and position not in read
            and any(c.matches(text) for c in columns if c.key in matched)
        ):
            raise FileRejected(
                _(
                    "머리글 ‘%(header)s’ 열이 두 번 있습니다. 어느 쪽을 읽을지 알 수 없어 한쪽을 지워 주세요."
                )
                % {"header": text}
            )


def _data_rows(rows, *, first_line: int, matched: dict[str, int], present: dict[str, str]):
    """The rows below the header with a value, and the lines of 합계 rows left out."""
    data_rows: list[SourceRow] = []
    skipped_totals: list[int] = []
    for line, row in enumerate(rows, start=first_line):
        values = {
            key: (row[position] if position < len(row) else None)
            for key, position in matched.items()
        }
        texts = [_text(value) for value in values.values()]
        if not any(texts):
            continue
        if any(text in TOTAL_ROW_NAMES for text in texts[:3]):
            skipped_totals.append(line)
            continue
        _refuse_long_cells(line, values, present)
        data_rows.append(SourceRow(line, values))
    return data_rows, skipped_totals


def _refuse_long_cells(line: int, values: dict[str, object], present: dict[str, str]) -> None:
    for key, value in values.items():
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            raise FileRejected(
                _(
                    "%(line)s행 ‘%(header)s’ 열의 글자가 너무 깁니다(%(count)s자). %(max)s자까지 읽습니다."
                )
                % {
                    "line": line,
                    "header": present[key],
                    "count": f"{len(value):,}",
                    "max": f"{MAX_CELL_CHARS:,}",
                }
            )


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


# --- Reading values -------------------------------------------------------------------------

_AMOUNT = re.compile(r"^(?P<sign>[△▲-]?)(?P<digits>\d+(?:\.\d+)?)$")


_PLAIN_AMOUNT = re.compile(r"[0-9]{1,15}")
# Commas only as thousands separators: "1,234,567" (and "1,234.5"), never "1,2,3" or "12,34".
_GROUPED = re.compile(r"[△▲-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
MAX_THOUSANDS = 10**15  # 10^18 원


def read_amount(value: object, *, unit: int = WON_PER_THOUSAND) -> int:
    """An amount in 천원 from a cell written in `unit` (원 = 1, 천원 = 1000).

    Reads numbers, "1,234", "△1,234" / "-1,234" / "(1,234)" (negative), "-" or an empty cell
    (zero). 원 are rounded half-up to 천원. Raises CellError (Korean) for anything else.
    """
    if value is None or value == "":
        return 0
    if unit == WON_PER_THOUSAND and (plain := _plain_thousands(value)) is not None:
        return plain
    if isinstance(value, bool):
        raise CellError(_("금액 자리에 참/거짓 값이 있습니다."))
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        number = _written_amount(value)
        if number is None:
            return 0
    return _in_thousands(number, unit)


def _plain_thousands(value: object) -> int | None:
    """The common case, read without Decimal: a whole 천원 amount as a number or digits."""
    if type(value) is int and abs(value) < MAX_THOUSANDS:
        return value
    if type(value) is str and _PLAIN_AMOUNT.fullmatch(value):
        return int(value)
    return None


def _written_amount(value: object) -> Decimal | None:
    """The number a text cell writes ("△1,234", "(1,234)", "1,234원"); None for "-" (zero)."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = text.replace("−", "-")
    if text.startswith("'") and text[1:2] in FORMULA_TRIGGERS:
        text = text[1:]  # written escaped by an export
    if text in {"", "-", "–", "—"}:
        return None
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1].strip()
    text = re.sub(r"(천원|원)$", "", text).strip()
    if "," in text and not _GROUPED.fullmatch(re.sub(r"\s", "", text)):
        raise CellError(
            _(
                "‘%(value)s’: 쉼표(,)는 세 자리마다 찍는 천 단위 구분으로만 읽습니다"
                "(예: 1,234,567). 여러 금액이면 칸을 나누어 적어 주세요."
            )
            % {"value": display(value)}
        )
    compact = re.sub(r"[,\s]", "", text)
    found = _AMOUNT.match(compact)
    if found is None or (negative and found.group("sign")):
        if compact.startswith("="):
            raise CellError(_("수식은 읽지 않습니다. 값을 적어 주세요."))
        raise CellError(_("금액으로 읽을 수 없습니다. 숫자와 쉼표, △만 쓸 수 있습니다."))
    if found.group("sign") == "▲":
        raise CellError(_("▲ 표시는 읽지 않습니다. 줄어든 금액은 △로 적어 주세요."))
    number = Decimal(found.group("digits"))
    return -number if negative or found.group("sign") in {"△", "-"} else number


def _in_thousands(number: Decimal, unit: int) -> int:
    """`number` (written in `unit`) in 천원, rounded half-up; a fraction of 천원 is refused in a
    천원 file (it is a 원 file without its unit line)."""
    try:
        in_won = number * unit
    except InvalidOperation as error:
        raise CellError(_("금액으로 읽을 수 없습니다.")) from error
    if not in_won.is_finite() or abs(in_won) >= Decimal(10) ** 18:
        raise CellError(_("금액이 너무 큽니다."))
    thousands = (in_won / WON_PER_THOUSAND).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if unit == WON_PER_THOUSAND and thousands != in_won / WON_PER_THOUSAND:
        raise CellError(
            _("천원 단위 금액에 소수점이 있습니다. 원 단위 파일이면 ‘(단위: 원)’을 적어 주세요.")
        )
    return int(thousands)


def to_thousands(parts: dict[str, int]) -> dict[str, int]:
    """Amounts in 원 as 천원: their total rounded half-up, and each part rounded so that the
    parts still add up to it (the largest remainders take the rounding), e.g. 국비 500,500원 +
    구비 500,500원 = 1,001,000원 → 국비 501 + 구비 500 = 1,001천원."""
    total = (sum(parts.values()) + WON_PER_THOUSAND // 2) // WON_PER_THOUSAND
    thousands = {key: value // WON_PER_THOUSAND for key, value in parts.items()}
    left = total - sum(thousands.values())
    by_remainder = sorted(parts, key=lambda key: -(parts[key] % WON_PER_THOUSAND))
    for key in by_remainder[:left]:
        thousands[key] += 1
    return thousands


def won_text(won: int, unit: int) -> str:
    """An amount as the file wrote it: 천원 for a 천원 file, 원 otherwise."""
    if unit == WON_PER_THOUSAND and won % WON_PER_THOUSAND == 0:
        return f"{won // WON_PER_THOUSAND:,}천원"
    return f"{won:,}원"


def read_count(value: object) -> int:
    """A whole number: a headcount, an order, a year (empty is 0)."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise CellError(_("정수 자리에 참/거짓 값이 있습니다."))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip().removesuffix("명").strip()
    if text in {"", "-"}:
        return 0
    if not re.fullmatch(r"-?\d+", text):
        raise CellError(_("정수로 적어야 합니다."))
    return int(text)


_DATE = re.compile(r"^(\d{4})\s*[-./년]\s*(\d{1,2})\s*[-./월]\s*(\d{1,2})\s*[.일]?$")


def read_date(value: object) -> datetime.date | None:
    """A date from a date cell, 20260930, 2026-09-30, 2026.9.30, "2026. 9. 30." or 2026년 9월 30일.
    Empty gives None; anything else raises CellError."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = str(int(value)) if float(value).is_integer() else text
    if re.fullmatch(r"\d{8}", text):
        parts = (text[:4], text[4:6], text[6:])
    elif found := _DATE.match(text):
        parts = found.groups()
    else:
        raise CellError(_("날짜로 읽을 수 없습니다. 2026-09-30처럼 적어 주세요."))
    try:
        return datetime.date(*(int(part) for part in parts))
    except ValueError as error:
        raise CellError(_("없는 날짜입니다.")) from error


def read_text(value: object, *, max_length: int) -> str:
    """Text of a cell: trimmed, at most `max_length` characters, no formula."""
    text = _text(value)
    if text.startswith("'") and text[1:2] in ESCAPED_STARTS:
        text = text[1:]  # written escaped by an export
    elif text.startswith("="):
        raise CellError(_("수식은 읽지 않습니다. 값을 적어 주세요."))
    if any(unicodedata.category(char) == "Cc" and char not in "\t\n\r" for char in text):
        # NUL and the like: PostgreSQL refuses them, and no one means to type them.
        raise CellError(_("보이지 않는 제어 문자가 섞여 있습니다. 글자만 적어 주세요."))
    if (message := invisible_message(text)) is not None:  # zero-width, bidi override, BOM
        raise CellError(message)
    if len(text) > max_length:
        raise CellError(
            _("%(max)s자까지 쓸 수 있습니다(지금 %(count)s자).")
            % {"max": max_length, "count": len(text)}
        )
    return text


def display(value: object) -> str:
    """A cell value as shown back in a message: short, on one line."""
    text = _text(value).replace("\n", " ")
    return text if len(text) <= 40 else text[:39] + "…"


# --- Writing --------------------------------------------------------------------------------


_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def escape_cell(value: object) -> object:
    """A cell for an exported file: text that a spreadsheet would run is prefixed with ' (and
    text that starts with ' too, so that `read_text` gives back what was exported).

    Numbers stay numbers (a negative amount is a number, not a formula); only text is escaped.
    """
    if isinstance(value, str) and value.startswith(ESCAPED_STARTS):
        return "'" + value
    return value


def escape_rows(rows: Iterable[Sequence[object]], *, xlsx: bool = False) -> Iterator[list[object]]:
    """Every cell through `escape_cell`; for an XLSX, control characters that XML cannot hold
    (a vertical tab pasted from a slide, say), which openpyxl refuses to write, become spaces."""
    for row in rows:
        cells = [escape_cell(value) for value in row]
        if xlsx:
            cells = [_XML_ILLEGAL.sub(" ", c) if isinstance(c, str) else c for c in cells]
        yield cells
