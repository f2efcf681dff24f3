"""개조식 (gaejosik) bullet text ⇄ nested structure.

Staff paste report text with □ ○ - · ※ markers into one textarea per block. `parse` turns a
block body into plain, JSON-serialisable dicts and lists, `to_text` writes them back as
canonical text, and `split_blocks` cuts a whole pasted card at its □ headings.
The rules are specified in docs/gaejosik.md. Standard library only: no Django here.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["GaejosikError", "clamp", "depth", "normalize", "parse", "split_blocks", "to_text"]

Node = dict[str, Any]

MAX_TEXT_CHARS = 50_000
MAX_LINE_CHARS = 1_000
MAX_TABLE_COLUMNS = 20
# Real reports nest 4-5 levels (□ > ○ > - > · > ※); deeper text is refused at input and,
# if stored anyway, shown at this level (`clamp`).
MAX_DEPTH = 8

MESSAGE_HEADING_IN_BODY = "블록 본문에는 □ 제목을 쓸 수 없습니다. □마다 블록을 나누어 입력하세요."
MESSAGE_TOO_MANY_COLUMNS = "표는 20열까지 입력할 수 있습니다(현재 {count}열)."
MESSAGE_LINE_TOO_LONG = "한 줄은 1,000자를 넘을 수 없습니다."
MESSAGE_UNCLOSED_QUOTE = '표의 따옴표(")가 닫히지 않았습니다.'
MESSAGE_TEXT_TOO_LONG = "본문은 50,000자를 넘을 수 없습니다."
MESSAGE_TOO_DEEP = (
    "개조식은 {max}단계까지만 들여 쓸 수 있습니다(이 줄은 {depth}단계). "
    "들여쓰기를 줄이거나 항목을 나누세요."
)

HEADING = "□"
RANKS = {"○": 1, "-": 2, "·": 3, "※": 9}

_VARIANTS = {
    "○": "○ㅇ◦◯⚪❍",
    "-": "-―–—ㅡ－",
    "·": "·⋅∙ㆍ・•⦁․",
    "※": "※",
    HEADING: "□■◻❑ㅁ",
}
_CANONICAL = {glyph: marker for marker, glyphs in _VARIANTS.items() for glyph in glyphs}
_JAMO_GLYPHS = frozenset("ㅇㅡㅁ")

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_YEAR_APOSTROPHE = re.compile(r"[’‘`´](?=\d{2}\s*(?:\.|년))")
_INDENT_WITHOUT_TABS = re.compile(r"^[^\S\t]+")


class GaejosikError(ValueError):
    """Invalid 개조식 input; `str(err)` is a Korean message for the user."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"{line}번째 줄: {message}")
        self.line = line
        self.message = message


def parse(text: str) -> list[Node]:
    """Parse a block body into a list of item, table and text nodes."""
    if sum(len(line.lstrip()) for line in text.splitlines()) > MAX_TEXT_CHARS:
        raise GaejosikError(1, MESSAGE_TEXT_TOO_LONG)
    return _Parser(_split_lines(text)).run()


def to_text(nodes: list[Node]) -> str:
    """Write nodes as canonical 개조식 text (the inverse of `parse`)."""
    lines: list[str | None] = []
    _render(nodes, lines)
    while lines and lines[-1] is None:
        lines.pop()
    return "\n".join("" if line is None else line for line in lines)


def normalize(text: str) -> str:
    """Return the canonical form of a block body."""
    return to_text(parse(text))


def depth(nodes: list[Node]) -> int:
    """How many levels of items `nodes` nest (0 for no items), counted without recursion."""
    deepest = 0
    pending = [(node, 1) for node in _node_list(nodes)]
    while pending:
        node, level = pending.pop()
        if node.get("type") == "item":
            deepest = max(deepest, level)
            pending.extend((child, level + 1) for child in _node_list(node.get("children")))
    return deepest


def clamp(nodes: list[Node], max_depth: int = MAX_DEPTH) -> list[Node]:
    """A copy of `nodes` nesting at most `max_depth` levels, for display.

    Items below the last level are shown at it, in reading order, so nothing is lost;
    content that went through `parse` is returned unchanged (as a copy). Malformed entries
    (not a node) are dropped. Iterative: any depth of stored content is safe to show.
    """
    root: list[Node] = []
    # (nodes to copy, where the copies go, their level)
    pending: list[tuple[list[Node], list[Node], int]] = [(_node_list(nodes), root, 1)]
    while pending:
        source, target, level = pending.pop()
        for index, node in enumerate(source):
            if node.get("type") != "item":
                target.append(dict(node))
                continue
            children = _node_list(node.get("children"))
            copy = {**node, "children": []}
            target.append(copy)
            if level < max_depth:
                if children:
                    # Copy the rest of this level after the children, keeping the order.
                    pending.append((source[index + 1 :], target, level))
                    pending.append((children, copy["children"], level + 1))
                    break
            else:
                target.extend(_lifted(children))
    return root


def _lifted(nodes: list[Node]) -> list[Node]:
    """All descendants of `nodes` as one flat list in reading order, without children."""
    flat: list[Node] = []
    pending = list(reversed(_node_list(nodes)))
    while pending:
        node = pending.pop()
        if node.get("type") == "item":
            flat.append({**node, "children": []})
            pending.extend(reversed(_node_list(node.get("children"))))
        else:
            flat.append(dict(node))
    return flat


def _node_list(value: Any) -> list[Node]:
    """The nodes of a stored list, skipping anything that is not a node."""
    if not isinstance(value, list):
        return []
    return [node for node in value if isinstance(node, dict)]


def split_blocks(text: str) -> list[tuple[str, str]]:
    """Cut a whole card at its □ lines into (heading, body) pairs.

    Text before the first □ comes back with heading "" when it is not blank.
    """
    blocks: list[tuple[str, str]] = []
    heading: str | None = None
    body: list[str] = []
    for line in _LINE_BREAK.split(text):
        marker = _split_marker(line.lstrip())
        if marker is None or marker[0] != HEADING:
            body.append(line)
            continue
        _close_block(blocks, heading, body)
        heading = marker[1].strip()
        body = []
    _close_block(blocks, heading, body)
    return blocks


def _close_block(blocks: list[tuple[str, str]], heading: str | None, body: list[str]) -> None:
    """Append a finished block; a blank preamble (heading None) is dropped."""
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    if heading is None and not body:
        return
    blocks.append((heading or "", "\n".join(body)))


def _split_lines(text: str) -> list[str]:
    """Split on any line break and fix abbreviated-year apostrophes (’20. → '20.)."""
    return [_YEAR_APOSTROPHE.sub("'", line) for line in _LINE_BREAK.split(text)]


def _split_marker(line: str) -> tuple[str, str] | None:
    """Return (canonical marker, rest of line) if `line` (left-stripped) starts with a marker."""
    if not line:
        return None
    glyph, rest = line[0], line[1:]
    marker = _CANONICAL.get(glyph)
    if marker is None:
        return None
    if glyph in _JAMO_GLYPHS and not rest[:1].isspace():
        return None
    if marker == "-" and rest[:1].isdecimal():
        return None
    return marker, rest


def _starts_with_marker_and_space(line: str) -> bool:
    """True if `line` (left-stripped) is a marker followed by whitespace."""
    return len(line) > 1 and line[0] in _CANONICAL and line[1].isspace()


def _check_length(line: str, number: int) -> None:
    # Indentation does not count: saving re-indents lines, and must not push them over.
    if len(line.lstrip()) > MAX_LINE_CHARS:
        raise GaejosikError(number, MESSAGE_LINE_TOO_LONG)


@dataclass
class _OpenItem:
    """An item on the nesting stack, with what decides its place."""

    node: Node
    rank: int
    indent: int

    def is_parent_of(self, rank: int, indent: int) -> bool:
        return self.rank < rank or (self.rank == rank and self.indent < indent)


class _RowFeed:
    """Hands physical lines to csv.reader and remembers how far it read."""

    def __init__(self, lines: list[str], start: int) -> None:
        self.lines = lines
        self.start = start
        self.next_index = start
        self.ran_out = False

    def __iter__(self) -> _RowFeed:
        return self

    def __next__(self) -> str:
        if self.next_index >= len(self.lines):
            self.ran_out = True
            raise StopIteration
        line = self.lines[self.next_index]
        _check_length(line, self.next_index + 1)
        if self.next_index == self.start:
            line = _INDENT_WITHOUT_TABS.sub("", line)
        self.next_index += 1
        return line + "\n"


class _Parser:
    """Line-by-line state machine for `parse`."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.root: list[Node] = []
        self.stack: list[_OpenItem] = []
        self.table: Node | None = None
        self.text_node: Node | None = None

    def run(self) -> list[Node]:
        index = 0
        while index < len(self.lines):
            index = self._read_line(index)
        return self.root

    def _read_line(self, index: int) -> int:
        """Handle the line at `index`; return the index of the next unread line."""
        line = self.lines[index]
        _check_length(line, index + 1)
        if not line.strip():
            self.table = None
            return index + 1
        content = line.lstrip()
        if "\t" in line and (self.table is not None or not _starts_with_marker_and_space(content)):
            return self._read_table_row(index)
        self.table = None
        marker = _split_marker(content)
        if marker is None:
            self._add_plain_line(content.strip())
        elif marker[0] == HEADING:
            raise GaejosikError(index + 1, MESSAGE_HEADING_IN_BODY)
        else:
            indent = len(line) - len(content)
            self._add_item(marker[0], marker[1], indent, index + 1)
        return index + 1

    def _container(self) -> list[Node]:
        return self.stack[-1].node["children"] if self.stack else self.root

    def _add_item(self, marker: str, rest: str, indent: int, number: int) -> None:
        rank = RANKS[marker]
        while self.stack and not self.stack[-1].is_parent_of(rank, indent):
            self.stack.pop()
        if len(self.stack) >= MAX_DEPTH:
            message = MESSAGE_TOO_DEEP.format(max=MAX_DEPTH, depth=len(self.stack) + 1)
            raise GaejosikError(number, message)
        text = rest.replace("\t", " ").strip()
        node: Node = {"type": "item", "marker": marker, "text": text, "children": []}
        self._container().append(node)
        self.stack.append(_OpenItem(node, rank, indent))
        self.text_node = None

    def _add_plain_line(self, text: str) -> None:
        if self.stack:
            self.stack[-1].node["text"] += "\n" + text
        elif self.text_node is not None:
            self.text_node["text"] += "\n" + text
        else:
            self.text_node = {"type": "text", "text": text}
            self.root.append(self.text_node)

    def _read_table_row(self, index: int) -> int:
        feed = _RowFeed(self.lines, index)
        reader = csv.reader(feed, delimiter="\t", quotechar='"')
        cells = [cell.strip() for cell in next(reader)]
        if feed.ran_out:
            raise GaejosikError(index + 1, MESSAGE_UNCLOSED_QUOTE)
        if len(cells) > MAX_TABLE_COLUMNS:
            message = MESSAGE_TOO_MANY_COLUMNS.format(count=len(cells))
            raise GaejosikError(index + 1, message)
        if self.table is None:
            self.table = _new_table(cells)
            self._container().append(self.table)
            self.text_node = None
        _append_row(self.table, cells)
        return feed.next_index


def _new_table(first_row: list[str]) -> Node:
    first_cell = "".join(first_row[0].split())
    header_cols = 1 if first_cell in ("구분", "") else 0
    return {"type": "table", "rows": [], "header_rows": 1, "header_cols": header_cols}


def _append_row(table: Node, cells: list[str]) -> None:
    """Add a row and pad every row with "" to the widest one."""
    rows: list[list[str]] = table["rows"]
    rows.append(cells)
    width = max(len(row) for row in rows)
    for row in rows:
        row.extend([""] * (width - len(row)))


def _render(nodes: list[Node], out: list[str | None]) -> None:
    """Append the lines for `nodes`; None marks a blank line after a table. Iterative, so
    stored content of any depth writes back as text."""
    pending: list[tuple[Node, int]] = [(node, 0) for node in reversed(nodes)]
    while pending:
        node, depth = pending.pop()
        indent = " " * depth
        kind = node["type"]
        if kind == "item":
            first, *more = node["text"].split("\n")
            out.append(f"{indent}{node['marker']} {first}")
            out.extend(f"{indent}  {line}" for line in more)
            pending.extend((child, depth + 1) for child in reversed(node["children"]))
        elif kind == "table":
            for row in node["rows"]:
                out.append(indent + _table_line(row))
            out.append(None)
        elif kind == "text":
            out.extend(node["text"].split("\n"))
        else:
            raise ValueError(f"unknown node type: {kind!r}")


def _table_line(row: list[str]) -> str:
    """A row as tab-separated cells. A row that would read as an item (its first filled cell
    "·" followed by the tab) gets that cell quoted, so it parses back as a table row."""
    cells = [_quote_cell(cell) for cell in row]
    line = "\t".join(cells)
    if _starts_with_marker_and_space(line.lstrip()):
        first = next(i for i, cell in enumerate(cells) if cell)
        cells[first] = '"' + row[first].replace('"', '""') + '"'
        line = "\t".join(cells)
    return line


def _quote_cell(cell: str) -> str:
    """Quote a cell csv-style only when it holds a tab, newline or double quote."""
    if "\t" in cell or "\n" in cell or '"' in cell:
        return '"' + cell.replace('"', '""') + '"'
    return cell
