"""The fixed corpus of bad import files (tests/test_import_corpus.py) and its README table.

    .venv/bin/python tests/import_corpus/make_corpus.py

writes every committed file of `CASES` next to this script, and README.md from the same list.
The output is deterministic (seeded bytes, fixed zip timestamps), so a test can check that the
committed files are what this script makes. Files too big to commit (`committed=False`) are
made by the test itself from the same builders.

Every file is uploaded by an officer of 비전협력과 (the 2020 seed) with the form's 회계연도
2020 and no 기준일; `expect` lists fragments of the Korean message the page must show: where
(line, column) and why.
"""

from __future__ import annotations

import datetime
import io
import random
import re
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXED_TIME = (2020, 1, 1, 0, 0, 0)

BUDGET_HEADER = "회계연도,상위 단위사업,사업명,국비,시비,구비,기타,예산액"
STAFFING_HEADER = "기준일,직렬,직급,정원,현원"
TEAM_HEADER = "팀 이름,업무분장,순서,신설일,폐지일"


@dataclass(frozen=True)
class Case:
    file: str
    kind: str  # "budget", "staffing" or "team": which admin import it is uploaded to
    wrong: str  # what is wrong with it (README)
    expect: tuple[str, ...]  # fragments of the Korean message on the page
    build: Callable[[], bytes]
    committed: bool = True  # False: too big to commit, made at test time


# --- Builders ---------------------------------------------------------------------------------


def utf8(text: str, *, bom: bool = False) -> bytes:
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def cp949(text: str) -> bytes:
    return text.encode("cp949")


def csv_lines(*lines: str) -> str:
    return "\r\n".join(lines) + "\r\n"


def normalized_zip(data: bytes, *, replace: dict[str, bytes] | None = None) -> bytes:
    """The zip `data` rewritten with fixed timestamps (and some parts replaced)."""
    replace = replace or {}
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = replace.get(entry.filename, source.read(entry.filename))
            if entry.filename == "docProps/core.xml":
                content = re.sub(
                    rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2020-01-01T00:00:00Z", content
                )
            info = zipfile.ZipInfo(entry.filename, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, content)
    return out.getvalue()


def xlsx(rows: list[list[object]], *, title: str = "예산") -> bytes:
    """A real XLSX written by openpyxl; a text cell starting with "=" becomes a formula."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.properties.created = datetime.datetime(2020, 1, 1)
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return normalized_zip(buffer.getvalue())


def valid_budget_xlsx() -> bytes:
    return xlsx(
        [
            ["회계연도", "사업명", "구비", "예산액"],
            [2020, "청년 일자리", 1000, 1000],
            [2020, "노인 일자리", 2000, 2000],
        ]
    )


def sheet_xml(body: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()


def with_sheet(body: bytes) -> bytes:
    return normalized_zip(valid_budget_xlsx(), replace={"xl/worksheets/sheet1.xml": body})


def zip_bomb() -> bytes:
    """A sheet that inflates from ~30 KB to 30 MB: refused from the zip's own sizes."""
    cell = (
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + b"A" * 30_000_000 + b"</t></is></c></row>"
    )
    return with_sheet(
        sheet_xml("").replace(b"<sheetData></sheetData>", b"<sheetData>" + cell + b"</sheetData>")
    )


def lying_zip_bomb() -> bytes:
    """The zip bomb whose headers claim the sheet is 1,000 bytes: never inflated past that."""
    data = bytearray(zip_bomb())
    name = b"xl/worksheets/sheet1.xml"
    # Local file header: signature, ..., crc(14), compressed(18), uncompressed(22), name_len(26)
    position = 0
    while (position := data.find(b"PK\x03\x04", position)) != -1:
        name_length = struct.unpack_from("<H", data, position + 26)[0]
        if data[position + 30 : position + 30 + name_length] == name:
            struct.pack_into("<I", data, position + 22, 1000)
        position += 4
    # Central directory header: uncompressed at 24, name_len at 28, name at 46.
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) != -1:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + name_length] == name:
            struct.pack_into("<I", data, position + 24, 1000)
        position += 4
    return bytes(data)


def billion_laughs() -> bytes:
    """Ten entities, each ten of the one before: "lol" 10^9 times if expanded."""
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)
    )
    body = (
        '<?xml version="1.0"?>\n'
        f"<!DOCTYPE worksheet [{entities}]>"
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>사업명</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>예산액</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>&l9;</t></is></c><c r="B2"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    )
    return with_sheet(body.encode())


def far_row_xlsx() -> bytes:
    """A header, one row, and a cell on the sheet's last row: a million empty rows between."""
    body = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>사업명</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>예산액</t></is></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>청년 일자리</t></is></c><c r="B2"><v>1</v></c></row>'
        '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>끝</t></is></c></row>'
    )
    return with_sheet(sheet_xml(body))


def extended_xlsx(extra: dict[str, bytes]) -> bytes:
    """The valid budget XLSX with more parts in its zip."""
    base = zipfile.ZipFile(io.BytesIO(valid_budget_xlsx()))
    parts = {entry.filename: base.read(entry) for entry in base.infolist()} | extra
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name, content in parts.items():
            target.writestr(zipfile.ZipInfo(name, FIXED_TIME), content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def many_entries_zip() -> bytes:
    return extended_xlsx({f"x/{index}": b"" for index in range(510)})


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr(zipfile.ZipInfo("예산.csv", FIXED_TIME), "사업명,예산액\n청년,1\n")
    return out.getvalue()


def macro_xlsm() -> bytes:
    return extended_xlsx({"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 56})


def seeded_bytes(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def xls_ole() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + seeded_bytes(512, 7)


def budget_rows(count: int, *, start: int = 1) -> list[str]:
    return [
        f"2020,,시험 사업 {index:05d},0,0,{index},0,{index}"
        for index in range(start, start + count)
    ]


def too_many_rows_csv() -> bytes:
    return utf8(csv_lines(BUDGET_HEADER, *budget_rows(10_001)))


def far_too_many_rows_csv() -> bytes:
    return utf8(csv_lines(BUDGET_HEADER, *budget_rows(30_000)))


def too_many_rows_xlsx() -> bytes:
    rows: list[list[object]] = [["회계연도", "사업명", "구비", "예산액"]]
    rows += [[2020, f"시험 사업 {index:05d}", index, index] for index in range(1, 10_002)]
    return xlsx(rows)


def too_big_csv() -> bytes:
    """6 MB: over the 5 MB cap, dropped while it is uploaded."""
    filler = "가" * 3000
    lines = [BUDGET_HEADER] + [f"2020,,{filler},0,0,1,0,1" for _ in range(700)]
    return utf8(csv_lines(*lines))


def one_bad_among_many() -> bytes:
    rows = budget_rows(60)
    rows[41] = "2020,,시험 사업 00042,0,0,42,0,사십이"
    return utf8(csv_lines(BUDGET_HEADER, *rows))


# --- The cases --------------------------------------------------------------------------------

LONG_NAME = "가" * 101
LONG_CELL = "업무" * 1300  # 2,600 characters

CASES: list[Case] = [
    # Whole-file problems
    Case(
        "empty.csv",
        "budget",
        "0바이트 빈 파일",
        ("빈 파일입니다",),
        lambda: b"",
    ),
    Case(
        "binary_garbage.csv",
        "budget",
        "무작위 바이트(NUL 포함)",
        ("텍스트(CSV) 파일이 아닙니다",),
        lambda: seeded_bytes(4096, 1),
    ),
    Case(
        "utf16_without_bom.csv",
        "budget",
        "BOM 없는 UTF-16LE 텍스트",
        ("텍스트(CSV) 파일이 아닙니다",),
        lambda: csv_lines(BUDGET_HEADER, "2020,,청년 일자리,0,0,1000,0,1000").encode("utf-16-le"),
    ),
    Case(
        "latin1.csv",
        "budget",
        "Latin-1로 저장된 CSV(UTF-8도 CP949도 아님)",
        ("글자 인코딩을 읽을 수 없습니다",),
        lambda: csv_lines("dbiz_nm,bdg_cash_amt", "Café ÿ,1000").encode("latin-1"),
    ),
    Case(
        "mixed_encodings.csv",
        "budget",
        "머리글은 UTF-8, 자료 행은 CP949",
        ("글자 인코딩을 읽을 수 없습니다",),
        lambda: (
            utf8(csv_lines(BUDGET_HEADER)) + cp949(csv_lines("2020,,청년 일자리,0,0,1000,0,1000"))
        ),
    ),
    Case(
        "xls_ole_header.xls",
        "budget",
        "XLS(OLE 복합 문서) 머리",
        ("XLS(엑셀 97-2003)나 HWP 파일은 읽지 않습니다",),
        xls_ole,
    ),
    Case(
        "truncated.xlsx",
        "budget",
        "올바른 XLSX의 앞쪽 절반만",
        ("XLSX 파일이 손상되었거나 끝까지 올라오지 않았습니다",),
        lambda: valid_budget_xlsx()[: len(valid_budget_xlsx()) // 2],
    ),
    Case(
        "zip_bomb.xlsx",
        "budget",
        "시트 XML이 압축을 풀면 30 MB(압축률 약 1,000배)",
        ("XLSX 파일의 압축을 풀면 지나치게 커집니다",),
        zip_bomb,
    ),
    Case(
        "zip_bomb_lying_size.xlsx",
        "budget",
        "같은 폭탄인데 zip 머리에는 1,000바이트라고 적힘(1,000바이트만 풀고 CRC 불일치)",
        ("XLSX 파일을 읽을 수 없습니다",),
        lying_zip_bomb,
    ),
    Case(
        "billion_laughs.xlsx",
        "budget",
        "시트 XML의 엔티티 확장 폭탄(billion laughs)",
        ("XLSX 파일을 읽을 수 없습니다",),
        billion_laughs,
    ),
    Case(
        "far_row.xlsx",
        "budget",
        "1,048,576행에 셀 하나(그 사이 빈 행 백만 개)",
        ("행이 너무 많습니다", "10,000행까지"),
        far_row_xlsx,
    ),
    Case(
        "many_zip_entries.xlsx",
        "budget",
        "zip 항목 519개(상한 500)",
        ("XLSX 파일 안의 항목이 너무 많습니다",),
        many_entries_zip,
    ),
    Case(
        "zip_not_xlsx.xlsx",
        "budget",
        "CSV 하나가 든 평범한 zip",
        ("XLSX 파일이 아닙니다",),
        plain_zip,
    ),
    Case(
        "macro.xlsm",
        "budget",
        "vbaProject.bin이 든 XLSX",
        ("매크로가 든 파일은 받지 않습니다",),
        macro_xlsm,
    ),
    Case(
        "too_big.csv",
        "budget",
        "6 MB(상한 5 MB)",
        ("파일이 너무 큽니다", "5 MB까지"),
        too_big_csv,
        committed=False,
    ),
    Case(
        "too_many_rows.csv",
        "budget",
        "자료 행 10,001개",
        ("행이 너무 많습니다(10,001행)", "10,000행까지"),
        too_many_rows_csv,
        committed=False,
    ),
    Case(
        "far_too_many_rows.csv",
        "budget",
        "자료 행 30,000개(끝까지 읽지 않고 거절)",
        ("행이 너무 많습니다", "10,000행까지"),
        far_too_many_rows_csv,
        committed=False,
    ),
    Case(
        "too_many_rows.xlsx",
        "budget",
        "XLSX 자료 행 10,001개",
        ("행이 너무 많습니다(10,001행)",),
        too_many_rows_xlsx,
        committed=False,
    ),
    Case(
        "too_many_columns.csv",
        "budget",
        "70열짜리 행",
        ("1행의 열이 너무 많습니다", "60열까지"),
        lambda: utf8(
            csv_lines(
                BUDGET_HEADER + "".join(f",비고{i}" for i in range(62)),
                "2020,,청년 일자리,0,0,1000,0,1000" + ",x" * 62,
            )
        ),
    ),
    Case(
        "too_many_columns.xlsx",
        "budget",
        "XLSX 70열짜리 행",
        ("1행의 열이 너무 많습니다", "60열까지"),
        lambda: xlsx(
            [
                ["회계연도", "사업명", "예산액", *(f"비고{i}" for i in range(67))],
                [2020, "청년 일자리", 1000, *("x" for _ in range(67))],
            ]
        ),
    ),
    Case(
        "unterminated_quote.csv",
        "budget",
        "3행에서 연 따옴표를 닫지 않음",
        ("CSV 파일의 3행을 읽을 수 없습니다", "따옴표나 구분자가 맞지 않습니다"),
        lambda: utf8(
            csv_lines("회계연도,사업명,예산액", "2020,청년 일자리,1000", '2020,"노인 일자리,2000')
        ),
    ),
    Case(
        "nul_in_name.csv",
        "budget",
        "402행 사업명에 NUL 문자(앞쪽 4 KB에는 없음)",
        ("402행 ‘사업명’ 열", "보이지 않는 제어 문자가 섞여 있습니다"),
        lambda: utf8(
            csv_lines(
                "회계연도,사업명,예산액",
                *(f"2020,시험 사업 {index:03d},{index}" for index in range(1, 401)),
                "2020,청년\x00일자리,1000",
            )
        ),
    ),
    # Headers
    Case(
        "wrong_headers.csv",
        "budget",
        "아는 머리글이 없음(항목, 금액, 비고)",
        ("머리글 행을 찾지 못했습니다", "‘사업명’ 열이 있어야 합니다"),
        lambda: utf8(csv_lines("항목,금액,비고", "청년 일자리,1000,")),
    ),
    Case(
        "no_amount_column.csv",
        "budget",
        "회계연도·사업명만 있고 예산액 열이 없음",
        ("예산액 열이 없습니다",),
        lambda: utf8(csv_lines("회계연도,사업명,비고", "2020,청년 일자리,")),
    ),
    Case(
        "header_only.csv",
        "budget",
        "머리글 행만 있음",
        ("머리글(1행) 아래 가져올 행이 없습니다",),
        lambda: utf8(csv_lines(BUDGET_HEADER), bom=True),
    ),
    Case(
        "only_total_row.csv",
        "budget",
        "합계 행만 있음(합계는 건너뜀)",
        ("머리글(1행) 아래 가져올 행이 없습니다",),
        lambda: utf8(csv_lines(BUDGET_HEADER, "2020,,합계,0,0,1000,0,1000")),
    ),
    Case(
        "duplicate_header.csv",
        "budget",
        "예산액과 예산현액 열이 함께 있음",
        ("머리글 ‘예산현액’ 열이 두 번 있습니다",),
        lambda: utf8(csv_lines("사업명,예산액,예산현액", "청년 일자리,1000,1000")),
    ),
    Case(
        "mixed_units.csv",
        "budget",
        "‘국비(원)’과 ‘예산액(천원)’: 금액 열마다 단위가 다름",
        ("금액 열의 단위가 서로 다릅니다", "‘국비(원)’", "‘예산액(천원)’"),
        lambda: utf8(
            csv_lines("회계연도,사업명,국비(원),예산액(천원)", "2020,청년 일자리,1000000,1000")
        ),
    ),
    Case(
        "wrong_headers.xlsx",
        "team",
        "팀 XLSX인데 머리글이 ‘이름, 설명’",
        ("머리글 행을 찾지 못했습니다", "‘팀 이름’ 열이 있어야 합니다"),
        lambda: xlsx([["이름", "설명"], ["기획팀", "기획"]], title="팀"),
    ),
    # Budget cells
    Case(
        "text_in_amount.csv",
        "budget",
        "예산액 자리에 ‘많음’",
        ("2행 ‘예산액’ 열 값 ‘많음’", "금액으로 읽을 수 없습니다"),
        lambda: utf8(csv_lines("회계연도,사업명,예산액", "2020,청년 일자리,많음")),
    ),
    Case(
        "negative_amount.csv",
        "budget",
        "구비 ‘△1,000’",
        ("2행 ‘구비’ 열 값 ‘△1,000’", "음수(△) 금액은 쓸 수 없습니다"),
        lambda: cp949(csv_lines(BUDGET_HEADER, '2020,,청년 일자리,0,0,"△1,000",0,')),
    ),
    Case(
        "decimal_thousands.csv",
        "budget",
        "천원 단위 파일의 ‘1,234.5’",
        ("2행 ‘예산액’ 열 값 ‘1,234.5’", "천원 단위 금액에 소수점이 있습니다"),
        lambda: utf8(csv_lines("회계연도,사업명,예산액", '2020,청년 일자리,"1,234.5"')),
    ),
    Case(
        "huge_amount.csv",
        "budget",
        "예산액 10^20",
        ("2행 ‘예산액’ 열", "금액이 너무 큽니다"),
        lambda: utf8(csv_lines("회계연도,사업명,예산액", "2020,청년 일자리," + "1" + "0" * 20)),
    ),
    Case(
        "formula_cell.xlsx",
        "budget",
        "예산액 셀에 진짜 수식(<f>SUM(C2:C2)</f>)",
        ("‘예산’ 시트 D2 셀에 수식(=SUM(C2:C2))이 있습니다",),
        lambda: xlsx(
            [["회계연도", "사업명", "구비", "예산액"], [2020, "청년 일자리", 1000, "=SUM(C2:C2)"]]
        ),
    ),
    Case(
        "formula_text.csv",
        "budget",
        "CSV 사업명에 ‘=HYPERLINK(…)’, 예산액에 ‘=1+1’",
        (
            "2행 ‘사업명’ 열 값 ‘=HYPERLINK(",
            "3행 ‘예산액’ 열 값 ‘=1+1’",
            "수식은 읽지 않습니다",
        ),
        lambda: utf8(
            csv_lines(
                "회계연도,사업명,예산액",
                '2020,"=HYPERLINK(""http://x.example"",""클릭"")",1000',
                "2020,노인 일자리,=1+1",
            )
        ),
    ),
    Case(
        "long_name.csv",
        "budget",
        "사업명 101자",
        ("2행 ‘사업명’ 열", "100자까지 쓸 수 있습니다(지금 101자)"),
        lambda: utf8(csv_lines("회계연도,사업명,예산액", f"2020,{LONG_NAME},1000")),
    ),
    Case(
        "long_cell.csv",
        "budget",
        "사업명 2,600자",
        ("2행 ‘사업명’ 열의 글자가 너무 깁니다(2,600자)", "2,000자까지"),
        lambda: utf8(csv_lines("회계연도,사업명,예산액", f"2020,{LONG_CELL},1000")),
    ),
    Case(
        "duplicate_rows.csv",
        "budget",
        "같은 사업이 2행과 4행에",
        ("4행 ‘사업명’ 열 값 ‘청년 일자리’", "같은 사업이 2행에도 있습니다"),
        lambda: utf8(
            csv_lines(
                BUDGET_HEADER,
                "2020,,청년 일자리,0,0,1000,0,1000",
                "2020,,노인 일자리,0,0,1000,0,1000",
                "2020,,청년 일자리,0,0,2000,0,2000",
            )
        ),
    ),
    Case(
        "child_over_parent.csv",
        "budget",
        "세부사업 구비 2,000천원 > 단위사업 구비 1,000천원",
        (
            "3행 ‘구비’ 열",
            "세부사업의 구비 합계 2,000천원이 단위사업 ‘청년 일자리’의 구비 1,000천원보다 많습니다",
        ),
        lambda: utf8(
            csv_lines(
                BUDGET_HEADER,
                "2020,,청년 일자리,0,0,1000,0,1000",
                "2020,청년 일자리,청년 창업 지원,0,0,2000,0,2000",
            )
        ),
    ),
    Case(
        "grandchild.csv",
        "budget",
        "세부사업 아래 세부사업",
        ("4행 ‘상위 단위사업’ 열", "세부사업 아래에 다시 세부사업을 둘 수 없습니다"),
        lambda: utf8(
            csv_lines(
                BUDGET_HEADER,
                "2020,,청년 일자리,0,0,1000,0,1000",
                "2020,청년 일자리,청년 창업 지원,0,0,500,0,500",
                "2020,청년 창업 지원,창업 교육,0,0,100,0,100",
            )
        ),
    ),
    Case(
        "missing_parent.csv",
        "budget",
        "없는 단위사업 아래 세부사업",
        ("2행 ‘상위 단위사업’ 열", "상위 단위사업 ‘없는 사업’이(가) 없습니다"),
        lambda: utf8(csv_lines(BUDGET_HEADER, "2020,없는 사업,청년 창업 지원,0,0,500,0,500")),
    ),
    Case(
        "funding_sum_mismatch.csv",
        "budget",
        "국비+구비 1,500 ≠ 예산액 2,000",
        ("2행 ‘예산액’ 열", "재원별 합계 1,500천원과 예산액 2,000천원이 다릅니다"),
        lambda: utf8(csv_lines(BUDGET_HEADER, "2020,,청년 일자리,500,0,1000,0,2000")),
    ),
    Case(
        "total_only_for_split_line.csv",
        "budget",
        "시비·구비로 나뉜 기존 사업에 예산액만 새 값으로",
        (
            "2행 ‘예산액’ 열",
            "예산이 여러 재원(시비, 구비)으로 나뉘어 있어",
        ),
        lambda: utf8(csv_lines("회계연도,사업명,예산액", "2020,대외교류 활성화,120000")),
    ),
    Case(
        "year_out_of_range.csv",
        "budget",
        "회계연도 1999",
        ("2행 ‘회계연도’ 열 값 ‘1999’", "회계연도는 2000부터 2100 사이의 연도여야 합니다"),
        lambda: utf8(csv_lines("회계연도,사업명,예산액", "1999,청년 일자리,1000")),
    ),
    Case(
        "nonexistent_date.csv",
        "budget",
        "집행 기준일 2020-02-30",
        ("2행 ‘집행 기준일’ 열 값 ‘2020-02-30’", "없는 날짜입니다"),
        lambda: utf8(
            csv_lines(
                "회계연도,사업명,구비,집행 기준일,구비 집행액",
                "2020,청년 일자리,1000,2020-02-30,500",
            )
        ),
    ),
    Case(
        "execution_without_date.csv",
        "budget",
        "집행액이 있는데 기준일 열도, 화면의 기준일도 없음",
        ("2행 ‘집행 기준일’ 열", "집행액의 기준일이 없습니다"),
        lambda: utf8(csv_lines("회계연도,사업명,구비,구비 집행액", "2020,청년 일자리,1000,500")),
    ),
    Case(
        "execution_over_budget.csv",
        "budget",
        "구비 집행액 2,000천원 > 구비 예산 1,000천원",
        ("2행 ‘구비 집행액’ 열", "구비 집행액 2,000천원이 구비 예산 1,000천원보다 많습니다"),
        lambda: utf8(
            csv_lines(
                "회계연도,사업명,구비,집행 기준일,구비 집행액",
                "2020,청년 일자리,1000,2020-10-31,2000",
            )
        ),
    ),
    Case(
        "execution_outside_year.csv",
        "budget",
        "2020년 사업의 집행 기준일이 2021-03-31",
        ("2행 ‘집행 기준일’ 열 값 ‘2021-03-31’", "집행 기준일은 2020년 안의 날짜여야 합니다"),
        lambda: utf8(
            csv_lines(
                "회계연도,사업명,구비,집행 기준일,구비 집행액",
                "2020,청년 일자리,1000,2021-03-31,500",
            )
        ),
    ),
    Case(
        "expected_below_executed.csv",
        "budget",
        "연말 집행 예정액 100 < 집행액 500",
        ("2행 ‘연말 집행 예정액’ 열", "이미 집행한 500천원보다 적을 수 없습니다"),
        lambda: utf8(
            csv_lines(
                "회계연도,사업명,구비,집행 기준일,구비 집행액,연말 집행 예정액",
                "2020,청년 일자리,1000,2020-10-31,500,100",
            )
        ),
    ),
    Case(
        "other_department.csv",
        "budget",
        "부서 열이 ‘미래교육과’",
        ("2행 ‘부서’ 열 값 ‘미래교육과’", "다른 부서의 행입니다"),
        lambda: utf8(csv_lines("부서,회계연도,사업명,예산액", "미래교육과,2020,청년 일자리,1000")),
    ),
    Case(
        "formula_department.csv",
        "budget",
        "부서 열에 ‘=1+1’",
        ("2행 ‘부서’ 열 값 ‘=1+1’", "수식은 읽지 않습니다"),
        lambda: utf8(csv_lines("부서,회계연도,사업명,예산액", "=1+1,2020,청년 일자리,1000")),
    ),
    Case(
        "one_bad_among_many.csv",
        "budget",
        "올바른 행 59개 사이에 예산액 ‘사십이’ 한 행",
        ("43행 ‘예산액’ 열 값 ‘사십이’", "금액으로 읽을 수 없습니다"),
        one_bad_among_many,
    ),
    # Staffing
    Case(
        "staffing_unknown_series.csv",
        "staffing",
        "직렬 ‘기능직’",
        ("2행 ‘직렬’ 열 값 ‘기능직’", "알 수 없는 직렬입니다"),
        lambda: utf8(csv_lines(STAFFING_HEADER, "2020-10-31,기능직,6급,1,1")),
    ),
    Case(
        "staffing_unknown_grade.csv",
        "staffing",
        "직급 ‘11급’(1급으로 읽으면 안 됨)",
        ("2행 ‘직급’ 열 값 ‘11급’", "1~9급으로 적어 주세요"),
        lambda: utf8(csv_lines(STAFFING_HEADER, "2020-10-31,일반직,11급,1,1")),
    ),
    Case(
        "staffing_headcount_over_999.csv",
        "staffing",
        "정원 1000",
        ("2행 ‘정원’ 열 값 ‘1000’", "0부터 999까지의 정수여야 합니다"),
        lambda: utf8(csv_lines(STAFFING_HEADER, "2020-10-31,일반직,6급,1000,1")),
    ),
    Case(
        "staffing_negative_headcount.csv",
        "staffing",
        "현원 -1",
        ("2행 ‘현원’ 열 값 ‘-1’", "0부터 999까지의 정수여야 합니다"),
        lambda: utf8(csv_lines(STAFFING_HEADER, "2020-10-31,일반직,6급,1,-1")),
    ),
    Case(
        "staffing_text_headcount.csv",
        "staffing",
        "현원 ‘다섯’(CP949)",
        ("2행 ‘현원’ 열 값 ‘다섯’", "정수로 적어야 합니다"),
        lambda: cp949(csv_lines(STAFFING_HEADER, "2020-10-31,일반직,6급,5,다섯")),
    ),
    Case(
        "staffing_duplicate_cell.csv",
        "staffing",
        "같은 기준일·직렬·직급이 두 행",
        ("3행 ‘직급’ 열", "같은 기준일의 같은 직렬·직급이 2행에도 있습니다"),
        lambda: utf8(
            csv_lines(STAFFING_HEADER, "2020-10-31,일반직,6급,3,4", "2020-10-31,일반,6,3,3")
        ),
    ),
    Case(
        "staffing_nonexistent_date.csv",
        "staffing",
        "기준일 2020-13-01",
        ("2행 ‘기준일’ 열 값 ‘2020-13-01’", "없는 날짜입니다"),
        lambda: utf8(csv_lines(STAFFING_HEADER, "2020-13-01,일반직,6급,1,1")),
    ),
    Case(
        "staffing_missing_date.csv",
        "staffing",
        "기준일 열도, 화면의 기준일도 없음",
        ("2행 ‘기준일’ 열", "기준일이 없습니다"),
        lambda: utf8(csv_lines("직렬,직급,정원,현원", "일반직,6급,1,1")),
    ),
    Case(
        "staffing_no_count_columns.csv",
        "staffing",
        "정원·현원 열이 없음",
        ("‘정원’이나 ‘현원’ 열이 있어야 합니다",),
        lambda: utf8(csv_lines("기준일,직렬,직급,비고", "2020-10-31,일반직,6급,")),
    ),
    Case(
        "staffing_other_department.xlsx",
        "staffing",
        "부서 열이 ‘사회적경제과’",
        ("2행 ‘부서’ 열 값 ‘사회적경제과’", "다른 부서의 행입니다"),
        lambda: xlsx(
            [
                ["부서", "기준일", "직렬", "직급", "정원", "현원"],
                ["사회적경제과", datetime.date(2020, 10, 31), "일반직", "6급", 1, 1],
            ],
            title="인력",
        ),
    ),
    Case(
        "staffing_formula.xlsx",
        "staffing",
        "현원 셀에 수식",
        ("‘인력’ 시트 E2 셀에 수식(=D2-1)이 있습니다",),
        lambda: xlsx(
            [
                ["기준일", "직렬", "직급", "정원", "현원"],
                ["2020-10-31", "일반직", "6급", 3, "=D2-1"],
            ],
            title="인력",
        ),
    ),
    # Teams
    Case(
        "team_established_after_abolished.csv",
        "team",
        "신설일 2020-05-01이 폐지일 2020-03-01보다 뒤",
        ("2행 ‘폐지일’ 열 값 ‘2020-03-01’", "폐지일은 신설일보다 뒤여야 합니다"),
        lambda: utf8(csv_lines(TEAM_HEADER, "기획팀,기획,1,2020-05-01,2020-03-01")),
    ),
    Case(
        "team_long_name.csv",
        "team",
        "팀 이름 51자",
        ("2행 ‘팀 이름’ 열", "50자까지 쓸 수 있습니다(지금 51자)"),
        lambda: utf8(csv_lines(TEAM_HEADER, f"{'팀' * 51},기획,1,,")),
    ),
    Case(
        "team_long_duties.csv",
        "team",
        "업무분장 2,600자",
        ("2행 ‘업무분장’ 열의 글자가 너무 깁니다(2,600자)",),
        lambda: utf8(csv_lines(TEAM_HEADER, f"기획팀,{LONG_CELL},1,,")),
    ),
    Case(
        "team_duplicate.csv",
        "team",
        "같은 팀이 두 행",
        ("3행 ‘팀 이름’ 열 값 ‘기획팀’", "같은 팀이 2행에도 있습니다"),
        lambda: utf8(csv_lines(TEAM_HEADER, "기획팀,기획,1,,", "기획팀,예산,2,,")),
    ),
    Case(
        "team_empty_name.csv",
        "team",
        "팀 이름이 빈 행",
        ("2행 ‘팀 이름’ 열", "비어 있습니다"),
        lambda: utf8(csv_lines(TEAM_HEADER, ",기획 업무,1,,")),
    ),
    Case(
        "team_formula_name.csv",
        "team",
        "팀 이름 ‘=1+1’",
        ("2행 ‘팀 이름’ 열 값 ‘=1+1’", "수식은 읽지 않습니다"),
        lambda: utf8(csv_lines(TEAM_HEADER, "=1+1,기획,1,,")),
    ),
    Case(
        "team_text_order.csv",
        "team",
        "순서 ‘첫째’",
        ("2행 ‘순서’ 열 값 ‘첫째’", "정수로 적어야 합니다"),
        lambda: utf8(csv_lines(TEAM_HEADER, "기획팀,기획,첫째,,")),
    ),
    Case(
        "team_nonexistent_date.csv",
        "team",
        "신설일 2021-02-29",
        ("2행 ‘신설일’ 열 값 ‘2021-02-29’", "없는 날짜입니다"),
        lambda: utf8(csv_lines(TEAM_HEADER, "기획팀,기획,1,2021-02-29,")),
    ),
    Case(
        "team_other_department.csv",
        "team",
        "부서 열이 ‘미래교육과’",
        ("2행 ‘부서’ 열 값 ‘미래교육과’", "다른 부서의 행입니다"),
        lambda: utf8(csv_lines("부서,팀 이름,업무분장", "미래교육과,기획팀,기획")),
    ),
]


def readme() -> str:
    lines = [
        "# Bad import files",
        "",
        "Made by `make_corpus.py` (deterministic; run it again after changing a case) and used by",
        "`tests/test_import_corpus.py`: each file is uploaded through the admin by an officer of",
        "비전협력과 (2020 seed), with 회계연도 2020 and no 기준일 on the form. Every one must be refused",
        "with HTTP 200, a Korean message containing the fragments below, and the database unchanged.",
        "Files marked *(made at test time)* are too big to commit.",
        "",
        "| file | import | what is wrong | message fragments expected |",
        "| --- | --- | --- | --- |",
    ]
    for case in CASES:
        name = f"`{case.file}`" + ("" if case.committed else " *(made at test time)*")
        fragments = "; ".join(f"«{fragment}»" for fragment in case.expect).replace("|", r"\|")
        lines.append(f"| {name} | {case.kind} | {case.wrong} | {fragments} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    for case in CASES:
        if case.committed:
            (HERE / case.file).write_bytes(case.build())
    (HERE / "README.md").write_text(readme(), encoding="utf-8")
    print(f"{sum(case.committed for case in CASES)} files written, {len(CASES)} cases")


if __name__ == "__main__":
    main()
