"""Tests for core.gaejosik, the 개조식 text ⇄ structure module (spec: docs/gaejosik.md).

The sample texts are cut from the real reports in /work/shared/seeds:
000_df0437a7db0aaab3.txt (2018, ○ and -) and 002_debe3bb921623cdd.txt (2020, - at two indents).
Tables lost their tabs in the text extraction; here they are written as HWP pastes them.
"""

import functools
import re

import pytest
from hypothesis import example, given, reject, settings
from hypothesis import strategies as st

from core.gaejosik import GaejosikError, normalize, parse, split_blocks, to_text

PROPERTY = settings(max_examples=200, deadline=None, database=None)


def item(marker: str, text: str, *children: dict) -> dict:
    return {"type": "item", "marker": marker, "text": text, "children": list(children)}


def table(rows: list[list[str]], header_cols: int = 1) -> dict:
    return {"type": "table", "rows": rows, "header_rows": 1, "header_cols": header_cols}


def text_node(text: str) -> dict:
    return {"type": "text", "text": text}


# 2020 seed, □ 사업개요 of 국내외 도시와의 상호교류 활성화: `-` at two indents.
SEED_2020_OVERVIEW = """\
- 상호결연도시 현황: 총 8개 도시 (국내 5, 국외 3)
 - 국내: 경남 고성군, 전남 영암군, 충남 청양군, 충북 충주시, 광주 남구
 - 국외: 중국 문두구구, 일본 기시와다시, 미국 몬테레이파크시
- 우호도시 현황: 총 1개 도시 (국외 1)
 - 국외: 중국 상해시 황포구 ('19.2.18. 우호협력의향서 체결)"""

# 2018 seed, □ 주요 추진실적 of 민관협치 기반구축: the 운영현황 table under `- 운영현황`.
SEED_2018_OPERATIONS = (
    "○ 다양한 민간주체 구정 참여 과정 운영(1~5월)\n"
    "\n"
    "- 운영현황\n"
    "\n"
    '구 분\t협치분과회의\t분과실무협의회\t민관공론장\t"협치실무\n위원회"\t"영등포구\n협치회의"\n'
    "횟 수\t28\t7\t7\t4\t3\n"
    "참여자(누적)\t393명\t74명\t140명\t32명\t57명\n"
    "\n"
    "- 주요내용: 주민참여를 통한 지역 현안 의제 발굴"
)

# 2020 seed, 인력 table: 16 columns, the second header row starts with two empty cells.
SEED_2020_STAFF = (
    "구 분\t계\t일 반 직\t\t\t\t\t\t관리운영직\t\t\t\t별정직 · 임기제\t\t\t\n"
    "\t\t4급\t5급\t6급\t7급\t8급\t9급\t6급\t7급\t8급\t9급\t6급\t7급\t8급\t9급\n"
    "정 원\t13\t1\t1\t3\t4\t2\t1\t\t\t\t\t1\t\t\t\n"
    "현 원\t12\t1\t1\t4\t2\t2\t1\t\t\t\t\t1\t\t\t\n"
    "과부족\t△ 1\t\t\t1\t△ 2\t\t\t\t\t\t\t\t\t\t"
)

# 2020 seed, the whole 예산현황 block body.
SEED_2020_BUDGET = (
    "(단위: 천원)\n"
    "\n"
    "예산액\t집행액\t집행률(%)\n"
    "115,900 (시 20,000 구비 95,900)\t82,810 (시 20,000 구비 62,810)\t71.4"
)


# --- nesting ---------------------------------------------------------------------------------


def test_a_dash_indented_under_a_dash_becomes_its_child():
    assert parse("- 국내 도시 교류\n - 영암군: 코로나19 극복 마스크 제공") == [
        item("-", "국내 도시 교류", item("-", "영암군: 코로나19 극복 마스크 제공"))
    ]


def test_the_2020_overview_nests_dashes_written_at_two_indents():
    assert parse(SEED_2020_OVERVIEW) == [
        item(
            "-",
            "상호결연도시 현황: 총 8개 도시 (국내 5, 국외 3)",
            item("-", "국내: 경남 고성군, 전남 영암군, 충남 청양군, 충북 충주시, 광주 남구"),
            item("-", "국외: 중국 문두구구, 일본 기시와다시, 미국 몬테레이파크시"),
        ),
        item(
            "-",
            "우호도시 현황: 총 1개 도시 (국외 1)",
            item("-", "국외: 중국 상해시 황포구 ('19.2.18. 우호협력의향서 체결)"),
        ),
    ]


def test_a_dash_back_at_the_outer_indent_closes_the_inner_dashes():
    nodes = parse("- 국내 도시 교류\n - 영암군\n  - 마스크 제공\n- 국외 도시 교류")
    assert [node["text"] for node in nodes] == ["국내 도시 교류", "국외 도시 교류"]
    assert nodes[0]["children"][0]["children"] == [item("-", "마스크 제공")]


def test_a_dash_after_a_circle_nests_regardless_of_indentation():
    assert parse("  ○ 주요 간부 회의 개최\n- 구청장 주재: 정례간부회의") == [
        item("○", "주요 간부 회의 개최", item("-", "구청장 주재: 정례간부회의"))
    ]


def test_a_circle_after_dashes_returns_to_the_top_level():
    nodes = parse("○ 주요 간부 회의 개최\n- 구청장 주재\n  · 정례간부회의\n○ 지시사항 관리")
    assert [node["text"] for node in nodes] == ["주요 간부 회의 개최", "지시사항 관리"]


def test_a_note_attaches_under_the_item_above_it():
    assert parse("○ 공감민원 접수 및 처리\n※ 1천명 이상 공감을 얻은 청원") == [
        item("○", "공감민원 접수 및 처리", item("※", "1천명 이상 공감을 얻은 청원"))
    ]


def test_the_next_item_after_a_note_pops_the_note():
    nodes = parse("○ 공감민원 접수\n※ 1천명 이상\n- 구청장 직접 답변")
    assert nodes == [
        item("○", "공감민원 접수", item("※", "1천명 이상"), item("-", "구청장 직접 답변"))
    ]


def test_tab_and_full_width_space_each_count_as_one_indent():
    nested = parse("- 국내 도시 교류\n - 영암군")
    assert parse("- 국내 도시 교류\n\u3000- 영암군") == nested
    assert parse("- 국내 도시 교류\n\t- 영암군") == nested


# --- markers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("glyph", "canonical"),
    [(glyph, "○") for glyph in "○ㅇ◦◯⚪❍"]
    + [(glyph, "-") for glyph in "-―–—ㅡ－"]
    + [(glyph, "·") for glyph in "·⋅∙ㆍ・•⦁․"]
    + [("※", "※")],
)
def test_every_marker_variant_reads_as_its_canonical_marker(glyph, canonical):
    assert parse(f"{glyph} 사업기간: 2018년~2022년") == [item(canonical, "사업기간: 2018년~2022년")]


def test_a_marker_directly_followed_by_text_is_an_item():
    assert parse("○계획서 최종제출(8월): 서울시 최종심의 중") == [
        item("○", "계획서 최종제출(8월): 서울시 최종심의 중")
    ]


def test_hangul_jamo_without_following_space_is_plain_text():
    assert parse("ㅇㅇ") == [text_node("ㅇㅇ")]
    assert parse("ㅡ항목") == [text_node("ㅡ항목")]


def test_a_dash_directly_followed_by_a_digit_is_a_negative_number_not_a_marker():
    assert parse("○ 전년 대비 증감\n-5% 감소") == [item("○", "전년 대비 증감\n-5% 감소")]


def test_tabs_inside_an_item_line_become_single_spaces():
    assert parse("○ 사업기간:\t2018년~2022년") == [item("○", "사업기간: 2018년~2022년")]


def test_bold_markup_is_kept_verbatim():
    nodes = parse("- 추진절차: **대상선정** → **교섭추진** → 사전교류")
    assert nodes[0]["text"] == "추진절차: **대상선정** → **교섭추진** → 사전교류"


# --- continuation lines and text nodes ---------------------------------------------------------


def test_a_marker_less_line_continues_the_open_item_across_blank_lines():
    body = "○ 지시(훈시)사항 분석·관리: 총 160건(지시 10건/ 훈시 150건)\n\n분기별 평가분석(2회)"
    assert parse(body) == [
        item("○", "지시(훈시)사항 분석·관리: 총 160건(지시 10건/ 훈시 150건)\n분기별 평가분석(2회)")
    ]


def test_an_arrow_line_continues_the_nested_dash_above_it():
    body = (
        "- 국외 도시 상호교류 추진\n"
        " - 추진절차: **대상선정** → 우호교류사업 추진\n"
        "→ 상호결연 의회 동의 → 상호결연 체결"
    )
    child = parse(body)[0]["children"][0]
    assert (
        child["text"]
        == "추진절차: **대상선정** → 우호교류사업 추진\n→ 상호결연 의회 동의 → 상호결연 체결"
    )


def test_marker_less_lines_before_any_item_form_one_text_node():
    body = (
        "ㅇㅇ\n\n구정 주요 업무를 기획·조정하여 구정 목표를 성공적으로 달성하고, 구정의\n\n"
        "장기적이고 지속적인 발전을 위한 컨트롤 타워 역할 수행"
    )
    assert parse(body) == [
        text_node(
            "ㅇㅇ\n구정 주요 업무를 기획·조정하여 구정 목표를 성공적으로 달성하고, 구정의\n"
            "장기적이고 지속적인 발전을 위한 컨트롤 타워 역할 수행"
        )
    ]


def test_every_kind_of_line_break_is_accepted():
    expected = [item("○", "가", item("-", "나")), item("○", "다")]
    assert parse("○ 가\r\n- 나\r○ 다") == expected
    assert parse("○ 가\n\n   \n- 나\n○ 다") == expected


def test_empty_text_parses_to_no_nodes():
    assert parse("") == []
    assert parse("\n \n\t\n") == []


# --- abbreviated years -----------------------------------------------------------------------


def test_curly_apostrophes_in_abbreviated_years_become_straight():
    nodes = parse("○ 계절별 종합대책 추진: 겨울철 (’17.11.15.~’18.3.15.)/\n설날(2.12.~2.19.)")
    assert (
        nodes[0]["text"]
        == "계절별 종합대책 추진: 겨울철 ('17.11.15.~'18.3.15.)/\n설날(2.12.~2.19.)"
    )


@pytest.mark.parametrize("apostrophe", ["’", "‘", "`", "´"])
def test_every_apostrophe_variant_before_a_year_is_straightened(apostrophe):
    assert parse(f"- 사업기간: {apostrophe}20. 11. 20.") == [item("-", "사업기간: '20. 11. 20.")]


def test_a_year_followed_by_spaces_and_nyeon_is_straightened_too():
    assert parse("- ’20 . 상반기, ‘21년 하반기") == [item("-", "'20 . 상반기, '21년 하반기")]


def test_quotation_marks_around_words_are_left_alone():
    line = "- 여의도 봄꽃축제와 함께하는 ‘평화의 꽃을 피우다’ 행사 추진"
    assert parse(line)[0]["text"] == "여의도 봄꽃축제와 함께하는 ‘평화의 꽃을 피우다’ 행사 추진"


# --- tables ----------------------------------------------------------------------------------


def test_the_2018_operations_table_becomes_a_child_of_its_dash():
    assert parse(SEED_2018_OPERATIONS) == [
        item(
            "○",
            "다양한 민간주체 구정 참여 과정 운영(1~5월)",
            item(
                "-",
                "운영현황",
                table(
                    [
                        [
                            "구 분",
                            "협치분과회의",
                            "분과실무협의회",
                            "민관공론장",
                            "협치실무\n위원회",
                            "영등포구\n협치회의",
                        ],
                        ["횟 수", "28", "7", "7", "4", "3"],
                        ["참여자(누적)", "393명", "74명", "140명", "32명", "57명"],
                    ],
                    header_cols=1,
                ),
            ),
            item("-", "주요내용: 주민참여를 통한 지역 현안 의제 발굴"),
        )
    ]


def test_a_budget_table_after_a_unit_line_is_a_root_table_without_header_column():
    assert parse(SEED_2020_BUDGET) == [
        text_node("(단위: 천원)"),
        table(
            [
                ["예산액", "집행액", "집행률(%)"],
                ["115,900 (시 20,000 구비 95,900)", "82,810 (시 20,000 구비 62,810)", "71.4"],
            ],
            header_cols=0,
        ),
    ]


def test_a_row_starting_with_tabs_continues_the_open_table_with_empty_cells():
    (staff,) = parse(SEED_2020_STAFF)
    assert len(staff["rows"]) == 5
    assert staff["rows"][1][:3] == ["", "", "4급"]
    assert {len(row) for row in staff["rows"]} == {16}


def test_a_row_starting_with_a_dash_continues_an_open_table():
    assert parse("구분\t2019\t2020\n-\t-\t3") == [
        table([["구분", "2019", "2020"], ["-", "-", "3"]])
    ]


def test_a_negative_number_can_open_a_table():
    assert parse("-1,200\t증감") == [table([["-1,200", "증감"]], header_cols=0)]


def test_short_rows_are_padded_to_the_widest_row():
    assert parse("계\t3\n구분\t2019\t2020") == [
        table([["계", "3", ""], ["구분", "2019", "2020"]], header_cols=0)
    ]


@pytest.mark.parametrize(
    ("corner", "header_cols"), [("구 분", 1), ("구분", 1), ("", 1), ("연번", 0)]
)
def test_header_cols_depends_on_the_corner_cell(corner, header_cols):
    assert parse(f"{corner}\t횟수\n협치분과회의\t28")[0]["header_cols"] == header_cols


def test_a_blank_line_ends_a_table_and_the_next_rows_start_another():
    nodes = parse("- 운영현황\n구분\t횟수\n\n구분\t인원")
    assert nodes[0]["children"] == [table([["구분", "횟수"]]), table([["구분", "인원"]])]


def test_a_line_without_a_tab_ends_the_open_table():
    nodes = parse("- 운영현황\n구분\t횟수\n- 참여현황\n구분\t인원")
    assert nodes == [
        item("-", "운영현황", table([["구분", "횟수"]])),
        item("-", "참여현황", table([["구분", "인원"]])),
    ]


def test_table_cells_are_stripped():
    assert parse(" 예산액 \t 집행액\u3000\n 55,115\t16,609 ") == [
        table([["예산액", "집행액"], ["55,115", "16,609"]], header_cols=0)
    ]


def test_a_table_does_not_change_which_item_is_open():
    nodes = parse("○ 운영현황\n구분\t횟수\n\n(누적 기준)")
    assert nodes == [item("○", "운영현황\n(누적 기준)", table([["구분", "횟수"]]))]


def test_a_one_column_table_exists_only_when_its_cell_quotes_a_tab():
    assert parse('"가\t나"') == [table([["가\t나"]], header_cols=0)]


# --- errors ----------------------------------------------------------------------------------


def test_a_heading_inside_a_body_is_rejected_with_its_line_number():
    with pytest.raises(GaejosikError) as caught:
        parse("- 사업기간: '20. 1. ~ 12.\n\n□ 주요 추진실적\n- 연구용역 완료")
    assert caught.value.line == 3
    assert str(caught.value) == (
        "3번째 줄: 블록 본문에는 □ 제목을 쓸 수 없습니다. □마다 블록을 나누어 입력하세요."
    )


def test_a_jamo_heading_variant_is_rejected_too():
    with pytest.raises(GaejosikError) as caught:
        parse("○ 사업개요\nㅁ 향후계획")
    assert caught.value.line == 2


def test_a_table_with_21_columns_is_rejected():
    wide_row = "\t".join(str(number) for number in range(21))
    with pytest.raises(GaejosikError) as caught:
        parse(f"○ 현황\n{wide_row}")
    assert str(caught.value) == "2번째 줄: 표는 20열까지 입력할 수 있습니다(현재 21열)."


def test_a_table_with_20_columns_is_accepted():
    row = "\t".join(str(number) for number in range(20))
    assert len(parse(row)[0]["rows"][0]) == 20


def test_a_line_over_1000_characters_is_rejected():
    with pytest.raises(GaejosikError) as caught:
        parse("○ 사업개요\n\n- " + "가" * 999)
    assert str(caught.value) == "3번째 줄: 한 줄은 1,000자를 넘을 수 없습니다."


def test_a_line_of_exactly_1000_characters_is_accepted():
    assert parse("- " + "가" * 998) == [item("-", "가" * 998)]


def test_an_unterminated_quote_is_reported_at_the_row_where_it_opens():
    with pytest.raises(GaejosikError) as caught:
        parse('- 운영현황\n구 분\t"협치실무\n위원회\t4\n횟 수\t28')
    assert str(caught.value) == '2번째 줄: 표의 따옴표(")가 닫히지 않았습니다.'


def test_a_body_over_50000_characters_is_rejected_at_line_1():
    with pytest.raises(GaejosikError) as caught:
        parse("- 국내 도시 교류\n" * 5_001)
    assert str(caught.value) == "1번째 줄: 본문은 50,000자를 넘을 수 없습니다."


def test_gaejosik_error_is_a_value_error_carrying_line_and_message():
    error = GaejosikError(7, "메시지")
    assert isinstance(error, ValueError)
    assert (error.line, error.message, str(error)) == (7, "메시지", "7번째 줄: 메시지")


# --- canonical text --------------------------------------------------------------------------


def test_canonical_text_indents_one_space_per_depth_and_two_for_continuations():
    nodes = [
        item(
            "○",
            "주요 간부 회의 및 지시사항 관리: 총 55회\n(정례간부회의 14회)",
            item("-", "구청장 주재", item("·", "정례간부회의")),
        )
    ]
    assert to_text(nodes) == (
        "○ 주요 간부 회의 및 지시사항 관리: 총 55회\n"
        "  (정례간부회의 14회)\n"
        " - 구청장 주재\n"
        "  · 정례간부회의"
    )


def test_canonical_text_quotes_only_cells_that_need_it_and_separates_tables():
    nodes = [
        item("-", "운영현황", table([["구 분", "협치실무\n위원회", '5"'], ["횟 수", "4", "3"]])),
        item("-", "주요내용"),
    ]
    assert to_text(nodes) == (
        '- 운영현황\n 구 분\t"협치실무\n위원회"\t"5"""\n 횟 수\t4\t3\n\n- 주요내용'
    )


def test_canonical_text_has_no_blank_line_after_a_final_table():
    assert to_text(parse(SEED_2020_BUDGET)) == (
        "(단위: 천원)\n"
        "예산액\t집행액\t집행률(%)\n"
        "115,900 (시 20,000 구비 95,900)\t82,810 (시 20,000 구비 62,810)\t71.4"
    )


def test_normalize_writes_variants_in_canonical_form():
    assert normalize("ㅇ 계획 수립: ’18.7.~10.\r\n\r\n  ㅡ 미래비전 선포\r\n구민의 날") == (
        "○ 계획 수립: '18.7.~10.\n - 미래비전 선포\n   구민의 날"
    )


def test_the_2018_operations_body_round_trips_through_canonical_text():
    nodes = parse(SEED_2018_OPERATIONS)
    assert parse(to_text(nodes)) == nodes


# --- split_blocks ----------------------------------------------------------------------------


def test_split_blocks_cuts_a_pasted_card_at_each_heading():
    card = (
        "여의도 금융개발진흥지구를 육성하여 금융 산업의 경쟁력 강화를 도모하고자 함\n"
        "\n"
        "□ 사업개요\n"
        "\n"
        "- 사업기간: '20. 1. ~ 12.\n"
        "- 사업지역: 여의도 일대\n"
        "\n"
        "■ 향후계획\n"
        "- 서울시 국제금융컨퍼런스 참석: '20. 11월\n"
        "□ 소요예산: 총 85,450천원(구비)\n"
    )
    assert split_blocks(card) == [
        ("", "여의도 금융개발진흥지구를 육성하여 금융 산업의 경쟁력 강화를 도모하고자 함"),
        ("사업개요", "- 사업기간: '20. 1. ~ 12.\n- 사업지역: 여의도 일대"),
        ("향후계획", "- 서울시 국제금융컨퍼런스 참석: '20. 11월"),
        ("소요예산: 총 85,450천원(구비)", ""),
    ]


def test_split_blocks_omits_a_blank_preamble_and_keeps_body_indentation():
    card = "\n□ 사업개요\r\n- 상호결연도시 현황\r\n - 국내: 경남 고성군"
    assert split_blocks(card) == [("사업개요", "- 상호결연도시 현황\n - 국내: 경남 고성군")]


def test_split_blocks_does_not_cut_at_jamo_without_a_space():
    assert split_blocks("ㅁㅁ\n□ 사업개요\n○ 가") == [("", "ㅁㅁ"), ("사업개요", "○ 가")]


# --- properties ------------------------------------------------------------------------------

RANKS = {"○": 1, "-": 2, "·": 3, "※": 9}
VARIANTS = {"○": "○ㅇ◦◯⚪❍", "-": "-―–—ㅡ－", "·": "·⋅∙ㆍ・•⦁․", "※": "※"}
MARKER_GLYPHS = "".join(VARIANTS.values()) + "□■◻❑ㅁ"
JAMO_GLYPHS = "ㅇㅡ"
DASH_GLYPHS = VARIANTS["-"]
HANGUL = "가나다라마바사구분사업계획추진실적예산협치"
WORDS = [
    "사업기간:",
    "'20.",
    "11.",
    "~",
    "여의도",
    "민-관",
    "**대상선정**",
    "→",
    "(구비)",
    "‘평화의 꽃을 피우다’",
    "95,900",
    "-5",
    "분석·관리",
]

hangul_words = st.text(HANGUL + "0123456789", min_size=1, max_size=5)
words = st.one_of(st.sampled_from(WORDS), hangul_words)
first_words = st.one_of(
    st.sampled_from([w for w in WORDS if w[0] not in MARKER_GLYPHS]), hangul_words
)
lines = st.builds(
    lambda first, rest: " ".join([first, *rest]), first_words, st.lists(words, max_size=4)
)
item_texts = st.builds(
    lambda first, more: "\n".join([first, *more]),
    st.one_of(st.just(""), lines),
    st.lists(lines, max_size=2),
)
text_nodes = st.lists(lines, min_size=1, max_size=3).map(lambda texts: text_node("\n".join(texts)))

# Cells never start with a marker glyph, so a row never reads as an item line.
cells = st.one_of(
    st.just(""),
    st.builds(
        lambda first, rest: (first + rest).strip(),
        st.sampled_from(HANGUL + '0123456789("'),
        st.text(HANGUL + '0123456789 ,.%()-·\t\n"', max_size=6),
    ),
)
row_labels = st.one_of(words, st.just("-"))  # the table is already open here
corner_cells = st.sampled_from(["", "구 분", "구분", "연번", "예산액"])
tab_cells = st.builds(lambda left, right: f"{left}\t{right}", hangul_words, hangul_words)
one_column_rows = st.lists(tab_cells.map(lambda cell: [cell]), min_size=1, max_size=5)


@functools.cache
def cell_lists(size: int) -> st.SearchStrategy[list[str]]:
    return st.lists(cells, min_size=size, max_size=size)


@st.composite
def build_table(draw: st.DrawFn) -> dict:
    """Tables parse can produce: each row's first physical line holds a tab, no row is empty."""
    width = draw(st.integers(1, 5))
    if width == 1:
        return table(draw(one_column_rows), header_cols=0)
    header = [draw(corner_cells), *draw(cell_lists(width - 1))]
    if not any(header):
        header[-1] = "계"
    body = [
        [draw(row_labels), *draw(cell_lists(width - 1))] for _ in range(draw(st.integers(0, 4)))
    ]
    header_cols = 1 if header[0].replace(" ", "") in ("구분", "") else 0
    return table([header, *body], header_cols)


tables = build_table()
MAX_DEPTH = 3


@functools.cache
def item_lists(min_rank: int = 1, depth: int = 0) -> st.SearchStrategy[list[dict]]:
    """Sibling items with non-increasing ranks; children rank at least their parent."""
    if depth == MAX_DEPTH:
        return st.just([])
    markers = [marker for marker, rank in RANKS.items() if rank >= min_rank]
    children = {marker: item_lists(RANKS[marker], depth + 1) for marker in markers}
    marker_lists = st.lists(st.sampled_from(markers), max_size=MAX_DEPTH - depth)

    @st.composite
    def build(draw: st.DrawFn) -> list[dict]:
        chosen = draw(marker_lists)
        chosen.sort(key=RANKS.__getitem__, reverse=True)
        nodes = []
        for marker in chosen:
            child_tables = [draw(tables)] if draw(st.integers(0, 4)) == 0 else []
            child_items = draw(children[marker])
            nodes.append(item(marker, draw(item_texts), *child_tables, *child_items))
        return nodes

    return build()


@st.composite
def build_document(draw: st.DrawFn) -> list[dict]:
    """Node lists parse can produce: text and tables (no two texts in a row), then items."""
    preamble = [draw(text_nodes)] if draw(st.booleans()) else []
    for _ in range(draw(st.integers(0, 2))):
        preamble.append(draw(tables))
        if draw(st.booleans()):
            preamble.append(draw(text_nodes))
    return preamble + draw(item_lists())


documents = build_document()

blank_lines = st.lists(st.sampled_from(["", " ", "\u3000", "\t"]), max_size=2)
text_indents = st.sampled_from(["", " ", "\u3000"])
continuation_indents = st.sampled_from(["", "  ", "\u3000\u3000", "    "])
apostrophes = st.sampled_from("'’‘`´")
glyphs = {marker: st.sampled_from(variants) for marker, variants in VARIANTS.items()}
gaps = st.sampled_from([" ", "  ", "\u3000", "\t"])
gaps_or_none = st.sampled_from([" ", "  ", "\u3000", "\t", ""])


@functools.cache
def item_indents(depth: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from([" ", "\t", "\u3000"]), min_size=depth, max_size=depth).map(
        "".join
    )


def marker_gap(draw: st.DrawFn, glyph: str, indent: str, first: str) -> str:
    """Whitespace after a marker; none only where the marker is still recognised."""
    may_touch = (
        first
        and glyph not in JAMO_GLYPHS
        and "\t" not in indent
        and not (glyph in DASH_GLYPHS and first[0].isdecimal())
    )
    return draw(gaps_or_none if may_touch else gaps)


def vary_years(draw: st.DrawFn, line: str) -> str:
    return re.sub(r"'(?=\d{2}\.)", draw(apostrophes), line)


def render_variant(draw: st.DrawFn, nodes: list[dict], depth: int, out: list[str]) -> None:
    """Write nodes with variant markers, indents, gaps, apostrophes and blank lines."""
    for node in nodes:
        if node["type"] == "text":
            for line in node["text"].split("\n"):
                out.append(draw(text_indents) + vary_years(draw, line))
        elif node["type"] == "table":
            for row in node["rows"]:
                out.append(" " * depth + to_text([table([row])]))
            out.append("")
        else:
            out.extend(draw(blank_lines))
            indent = draw(item_indents(depth))
            glyph = draw(glyphs[node["marker"]])
            first, *more = [vary_years(draw, line) for line in node["text"].split("\n")]
            out.append(indent + glyph + marker_gap(draw, glyph, indent, first) + first)
            for line in more:
                out.extend(draw(blank_lines))
                out.append(draw(continuation_indents) + line)
            render_variant(draw, node["children"], depth + 1, out)


@st.composite
def documents_with_variant_text(draw: st.DrawFn) -> tuple[list[dict], str]:
    nodes = draw(documents)
    out: list[str] = []
    render_variant(draw, nodes, 0, out)
    line_break = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return nodes, "\n".join(out).replace("\n", line_break)


@PROPERTY
@given(documents)
def test_parse_inverts_to_text_for_any_parsed_structure(nodes):
    assert parse(to_text(nodes)) == nodes


@PROPERTY
@given(documents)
def test_to_text_inverts_parse_for_any_canonical_text(nodes):
    canonical = to_text(nodes)
    assert to_text(parse(canonical)) == canonical


@PROPERTY
@given(documents_with_variant_text())
def test_variant_text_parses_like_its_canonical_text(nodes_and_variant):
    nodes, variant = nodes_and_variant
    assert parse(variant) == parse(to_text(nodes)) == nodes


@PROPERTY
@given(st.text("○ㅇ◦-–ㅡ·ㆍ※가나1'’.\t \u3000\n\r", max_size=60))
@example("\t·\r\t\t1")  # a table whose written-back first row begins "·\t"
def test_normalize_is_idempotent_on_messy_paste(messy):
    try:
        once = normalize(messy)
    except GaejosikError:
        reject()
    assert normalize(once) == once


def test_a_long_line_saved_once_can_be_saved_again_at_a_deeper_indent():
    nodes = parse("○ 상위\n - " + "가" * 998)

    assert parse(to_text(nodes)) == nodes
