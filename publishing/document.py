"""The report document: plain data that every renderer (web, PDF, later HWPX and the API) reads.

It is built once by `publishing.assembly` with every query done up front; nothing downstream
touches the database. All values are JSON-friendly (ints, strings, lists, dicts), so a
published version can be stored as JSON and read back into the same shapes.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
from dataclasses import dataclass, field

from core import gaejosik

ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def roman(n: int) -> str:
    return ROMAN[n - 1] if 1 <= n <= len(ROMAN) else str(n)


def circled(n: int) -> str:
    return CIRCLED[n - 1] if 1 <= n <= len(CIRCLED) else f"({n})"


@dataclass
class SessionInfo:
    number: int
    title: str  # 제227회 구의회 제2차 정례회
    period: str  # 2020. 11. 20. ~ 12. 23.
    year: int
    figure_date: str  # 2020. 10. 31.


@dataclass
class Team:
    name: str
    duties: list[str]


@dataclass
class StaffingGroup:
    label: str  # 일반직
    span: int


@dataclass
class StaffingRow:
    label: str  # 정원 / 현원 / 과부족
    total: int
    cells: list[int | None]  # None: nobody in this column on either row


@dataclass
class StaffingTable:
    as_of: str | None  # None: no staffing entered up to the 기준일
    groups: list[StaffingGroup]
    grades: list[str]  # one label per column: 4급 …
    rows: list[StaffingRow]


@dataclass
class BudgetRow:
    name: str
    amount: int
    executed: int | None  # None: no execution entered up to the 기준일
    expected: int | None
    rate: str | None  # "71.4": one decimal, half-up; None without a budget or an execution
    as_of: str | None = None  # the execution's own date when it is not the table's ("6.30.")


@dataclass
class BudgetTable:
    as_of: str  # "10.31."
    show_expected: bool
    total: BudgetRow
    rows: list[BudgetRow]


@dataclass
class Funding:
    """An amount and its split by source, e.g. 115,900 = 시비 20,000 + 구비 95,900."""

    total: int
    parts: list[tuple[str, int]]  # [("시비", 20000), ("구비", 95900)], zero parts left out


@dataclass
class CardBudget:
    kind: str  # execution | requirement | non_budget
    heading: str
    budget: Funding | None = None
    executed: Funding | None = None
    rate: str | None = None


@dataclass
class Block:
    heading: str
    nodes: list[dict]

    def __post_init__(self) -> None:
        # Whatever is stored, the page, PDF and HWPX get at most gaejosik.MAX_DEPTH levels.
        self.nodes = gaejosik.clamp(self.nodes)


@dataclass
class Card:
    anchor: str
    number: int
    marker: str  # ①
    title: str
    team: str
    purpose: str
    blocks: list[Block]
    budget: CardBudget | None
    card_id: int | None = None  # the database card: follows a card that is renumbered or moved


@dataclass
class Section:
    anchor: str
    numeral: str  # Ⅱ
    kind: str
    title: str
    cards: list[Card]


@dataclass
class ContentsEntry:
    numeral: str
    title: str
    anchor: str


@dataclass
class ReportDocument:
    anchor: str  # prefix unique within a session booklet
    session: SessionInfo
    department: str
    bureau: str
    teams: list[Team]
    staffing: StaffingTable
    facilities: list[dict]
    budget: BudgetTable
    sections: list[Section]
    contents: list[ContentsEntry] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.facilities = gaejosik.clamp(self.facilities)

    def to_dict(self) -> dict:
        return plain(self)


_ATOMS = (str, int, float, bool, type(None))


def plain(value):
    """`dataclasses.asdict` for the document's shapes, several times faster: the booklet
    hashes every department's document at each build, and asdict deep-copies every string."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is list or kind is tuple:
        return kind(plain(item) for item in value)
    if kind is dict:
        return {plain(key): plain(item) for key, item in value.items()}
    if dataclasses.is_dataclass(value):
        return {field.name: plain(getattr(value, field.name)) for field in _fields(kind)}
    return copy.deepcopy(value)


@functools.cache
def _fields(kind: type) -> tuple:
    return dataclasses.fields(kind)
