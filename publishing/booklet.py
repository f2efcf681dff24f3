"""Session booklets assembled from per-department parts.

A department's pages (its cover, 보고 순서 and body, numbered from 1) depend only on its own
document, so each is rendered once, on its own, and kept as a *part* under the hash of that
document and of everything that shapes the print (templates, print CSS, fonts, WeasyPrint's
version). Within a part, the body is laid out a unit at a time (일반현황, each section), each
unit cached by its own content and first page, and so is its cover and 보고 순서 (by
everything but the sections' cards), so an edited card lays out one section again.
A booklet is then cheap to put together from cached parts:

- the session's cover and contents and each bureau's cover (the *frame*) are laid out once
  per build, with the booklet page on which every department starts;
- the parts' pages are copied in behind them with pikepdf, their bookmarks nested under
  bureau → department → section;
- every page gets its booklet number ("책자 17") from a cached overlay page;
- the parts' font subsets are replaced by one subset per font holding the union of the glyphs
  every part uses, so a font is embedded once, not once per part.

Files are written under a temporary name and renamed into place, so a reader (or another
worker) only ever sees whole files. Nothing here touches the database.

Parts (and the booklets publishing/tasks.py writes) are shared with every worker and web server
through STORAGES["booklets"] (core/filestore.py); PDF_BUILD_ROOT is the working folder
where they are made and read — by default the storage itself, so nothing is copied. The
smaller caches (section units, frames, number overlays) stay in the working folder.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import hashlib
import io
import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import weasyprint
from django.conf import settings

from core import filestore
from core.filestore import write_atomic
from core.fingerprint import files_digest
from publishing import pdf
from publishing.assembly import SessionOutline
from publishing.document import ReportDocument, plain
from publishing.versions import canonical_json

logger = logging.getLogger(__name__)

# Bump when the way parts are rendered changes in a way the hashed inputs below do not show.
PART_FORMAT = 1
NUMBERS_PER_CHUNK = 50


# Keys -----------------------------------------------------------------------------------------


def _print_inputs() -> Iterator[Path]:
    base = Path(settings.BASE_DIR)
    yield from sorted((base / "templates" / "reports" / "print").glob("*.html"))
    yield from sorted((base / "templates" / "reports" / "partials").glob("*.html"))
    for name in ("print.css", "report.css", "fonts-print.css"):
        yield base / "static" / "css" / name


@functools.cache
def render_salt() -> str:
    """What, besides a department's document, decides how its pages look."""
    # Fonts by name and size: hashing 17 MB at every start is not needed.
    label = f"part {PART_FORMAT} weasyprint {weasyprint.__version__}"
    return files_digest(label, _print_inputs(), sized=_font_files())


def _font_files() -> list[Path]:
    return sorted((Path(settings.BASE_DIR) / "static" / "fonts").glob("*.ttf"))


def part_key(document: ReportDocument) -> str:
    """The content hash a department's part is cached under."""
    content = canonical_json(document.to_dict())
    return hashlib.sha256(f"{render_salt()}\n{content}".encode()).hexdigest()


def booklet_key(outline: SessionOutline, keys: Iterable[str]) -> str:
    """The content hash of a whole booklet: its outline and its parts, in order."""
    outline_json = json.dumps(dataclasses.asdict(outline), default=str, sort_keys=True)
    joined = "\n".join([render_salt(), outline_json, *keys])
    return hashlib.sha256(joined.encode()).hexdigest()


# Files ----------------------------------------------------------------------------------------


def root() -> Path:
    return Path(settings.PDF_BUILD_ROOT)


def part_name(key: str) -> str:
    """A part's name in the booklets storage."""
    return f"parts/{key}.pdf"


def part_path(key: str) -> Path:
    return root() / part_name(key)


def booklet_name(name: str) -> str:
    return f"booklets/{name}.pdf"


def booklet_path(name: str) -> Path:
    return root() / booklet_name(name)


def has_part(key: str) -> bool:
    """Whether the part is made, here or by any worker sharing the storage."""
    return filestore.shared(part_path(key), part_name(key))


def local_part(key: str) -> Path:
    """The part's file in the working folder (fetched from the storage if made elsewhere)."""
    return filestore.fetch(part_path(key), part_name(key))


# Parts ----------------------------------------------------------------------------------------


def render_part(document: ReportDocument) -> str:
    """Render a department's pages into the part cache (unless already there); its key.

    The body is laid out a unit at a time — 일반현황, then each section, each starting on a
    new page — and each unit is cached under its own content and first page number, so that
    an edited card lays out only its section again (and the ones after it, if its page count
    changed); the cover and 보고 순서 then get the units' true page numbers. Laying out a
    unit at a time also keeps a worker's memory to one section's boxes.
    """
    key = part_key(document)
    if has_part(key):
        return key
    if part_path(key).exists():  # made here before, but the storage did not take it then
        filestore.share(part_path(key), part_name(key))
        return key
    chunks, page_of, first_page = [], {}, 1
    for section in [None, *document.sections]:
        path, anchors, length = _chunk(document, section, first_page)
        chunks.append(path)
        page_of.update({anchor: first_page + page - 1 for anchor, page in anchors.items()})
        first_page += length
    front, links = _front(document, page_of)
    write_atomic(part_path(key), _join_part(front, chunks, links))
    filestore.share(part_path(key), part_name(key))
    return key


def _front(document: ReportDocument, page_of: dict) -> tuple[Path, list]:
    """The department's cover and 보고 순서 (cached): its PDF and its links to the body as
    (front page index, body page, rectangle). It shows the department and its section titles
    with their pages, so an edited card whose section keeps its length reuses it; it is keyed
    by everything in the document but the sections (whose titles are in the contents)."""
    unit = {k: v for k, v in document.to_dict().items() if k != "sections"}
    content = canonical_json({**unit, "page_of": page_of})
    key = hashlib.sha256(f"{render_salt()}\nfront\n{content}".encode()).hexdigest()

    def lay_out():
        renderer = pdf.Renderer()
        context = {"doc": document, "page_of": page_of}
        front = renderer.render("reports/print/department_front.html", context)
        links = []  # 보고 순서 → sections: WeasyPrint cannot resolve them across files; pikepdf can
        for index, page in enumerate(front.pages):
            links += [
                (index, page_of.get(target), box)
                for kind, target, box, _b in page.links
                if kind == "internal"
            ]
            page.links[:] = [link for link in page.links if link[0] != "internal"]
        title = f"{document.session.title} {document.department}"
        return renderer.write(front.pages, title=title), {"links": links}

    path, layout = _cached("fronts", key, lay_out)
    return path, layout["links"]


def _chunk(document: ReportDocument, section, first_page: int):
    """One unit of a department's body (cached): its PDF, its anchors' pages within it and
    its length."""
    if section is None:  # 일반현황: everything but the sections and the contents
        unit = {k: v for k, v in document.to_dict().items() if k not in ("sections", "contents")}
    else:  # a section shows only itself (the print page's title names the department)
        unit = {
            "session": plain(document.session),
            "anchor": document.anchor,
            "department": document.department,
            "section": plain(section),
        }
    content = canonical_json({**unit, "first_page": first_page})
    key = hashlib.sha256(f"{render_salt()}\nchunk\n{content}".encode()).hexdigest()

    def lay_out():
        renderer = pdf.Renderer()
        context = {"doc": document, "section": section, "first_page": first_page}
        laid_out = renderer.render("reports/print/department_chunk.html", context)
        content = renderer.write(laid_out.pages, title=document.department)
        return content, {"anchors": pdf.anchor_pages(laid_out), "pages": len(laid_out.pages)}

    path, layout = _cached("chunks", key, lay_out)
    return path, layout["anchors"], layout["pages"]


def _cached(folder: str, key: str, make) -> tuple[Path, dict]:
    """A PDF and what its layout told (JSON) kept under `key`; `make()` gives both when
    missing. The JSON is written last, so its presence means both are whole."""
    path, layout = root() / folder / f"{key}.pdf", root() / folder / f"{key}.json"
    try:
        saved = json.loads(layout.read_text())
        if path.exists():
            return path, saved
    except (OSError, ValueError):
        pass
    content, saved = make()
    # A laid-out document is a web of cycles (boxes, pages, styles) that only the cyclic
    # collector frees: free it now, so a worker holds one unit's layout at a time.
    gc.collect()
    write_atomic(path, content)
    write_atomic(layout, json.dumps(saved).encode())
    return path, saved


def _join_part(front: Path, chunks: list[Path], links: list) -> bytes:
    """Front and body units as one PDF, bookmarked department → section → card, with the
    front's links (front page index, body page, rectangle in CSS px) pointing into the body."""
    out = pikepdf.new()
    sources = [pikepdf.open(path) for path in [front, *chunks]]
    try:
        items: list[pikepdf.OutlineItem] = []
        for source in sources:
            offset = len(out.pages)
            out.add_pages_from(source)
            with source.open_outline() as outline:
                items += _copy_outline(outline.root, source, offset)
        department, *sections = items
        department.children.extend(sections)
        with out.open_outline() as outline:
            outline.root.append(department)
        front_length = len(sources[0].pages)
        for index, body_page, (x1, y1, x2, y2) in links:
            if body_page is None:
                continue
            page = out.pages[index]
            height = float(page.mediabox[3])
            annotation = pikepdf.Dictionary(
                Type=pikepdf.Name.Annot,
                Subtype=pikepdf.Name.Link,
                Rect=[x1 * 0.75, height - y2 * 0.75, x2 * 0.75, height - y1 * 0.75],
                Border=[0, 0, 0],
                Dest=[out.pages[front_length + body_page - 1].obj, pikepdf.Name.Fit],
            )
            if "/Annots" not in page.obj:
                page.obj.Annots = pikepdf.Array()
            page.obj.Annots.append(out.make_indirect(annotation))
        buffer = io.BytesIO()
        out.save(buffer)
        return buffer.getvalue()
    finally:
        for source in sources:
            source.close()


@dataclass
class PartRef:
    department_id: int
    key: str
    document: ReportDocument | None = None  # None: the part is cached and only its key known


def parts_of(outline: SessionOutline, documents: list[ReportDocument]) -> list[PartRef]:
    """The booklet's departments in order, each with its document and part key."""
    by_anchor = {document.anchor: document for document in documents}
    parts = []
    for department in departments_in_booklet(outline):
        document = by_anchor.get(f"d{department.department_id}")
        if document is not None:
            parts.append(PartRef(department.department_id, part_key(document), document))
    return parts


def departments_in_booklet(outline: SessionOutline) -> list:
    """The outline's departments that have a report, in booklet order."""
    return [d for b in outline.bureaus for d in b.departments if d.report_id]


# Booklet numbers ------------------------------------------------------------------------------


def numbers_chunk(chunk: int) -> Path:
    """Overlay pages showing booklet numbers chunk×50+1 … chunk×50+50 (cached): blank pages
    with the booklet's own page-number CSS (pdf.BOOKLET_PAGE_CSS)."""
    path = _numbers_path(chunk)
    if not path.exists():
        renderer = pdf.Renderer()
        context = {"pages": range(NUMBERS_PER_CHUNK)}
        numbers = renderer.render(
            "reports/print/booklet_numbers.html",
            context,
            booklet_page=chunk * NUMBERS_PER_CHUNK + 1,
        )
        write_atomic(path, renderer.write(numbers.pages, title="책자 쪽 번호"))
    return path


def numbers_to_warm(departments: int, pages_per_department: int = 25) -> list[int]:
    """The number-overlay chunks a booklet of so many departments probably needs and the
    cache lacks: rendered while departments are, so the assembly finds them ready."""
    pages = 10 + departments * pages_per_department
    chunks = range((pages + NUMBERS_PER_CHUNK - 1) // NUMBERS_PER_CHUNK)
    return [chunk for chunk in chunks if not _numbers_path(chunk).exists()]


def _numbers_path(chunk: int) -> Path:
    return root() / "numbers" / f"{render_salt()[:16]}-{chunk}.pdf"


# Fonts ----------------------------------------------------------------------------------------

FONT_PROBE_HTML = "".join(
    f"<p style=\"font-family: '{family}'; font-weight: {weight}\">가A1</p>"
    for family in ("Report Myeongjo", "Report Gothic")
    for weight in (400, 700)
)


@functools.cache
def _print_fonts() -> dict[str, object]:
    """WeasyPrint's own font objects for the print fonts, by the PDF name it gives them.

    Their HarfBuzz faces are the whole fonts, so they can be subset again to any glyph set,
    with the same options (glyph ids kept) WeasyPrint used for every part.
    """
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    if not (harfbuzz_subset and harfbuzz.hb_version_atleast(4, 1, 0)):
        return {}  # fontTools would subset the already-subset file: keep the parts' fonts
    html = f'<html><head><link rel="stylesheet" href="/static/css/fonts-print.css"></head><body>{FONT_PROBE_HTML}</body></html>'
    document = weasyprint.HTML(
        string=html, base_url=settings.PDF_BASE_URL, url_fetcher=pdf.StaticOnlyFetcher()
    ).render()
    document.write_pdf()  # fills document.fonts
    return {font.name.decode(): font for font in document.fonts.values()}


def _font_slots(resources, seen: set) -> Iterator[tuple]:
    """(font resource dictionary, resource name, Type0 font) for every Type0 font reachable
    from a resource dictionary, form XObjects included."""
    if resources is None:
        return
    if resources.is_indirect:
        if resources.objgen in seen:
            return
        seen.add(resources.objgen)
    fonts = resources.get("/Font")
    if fonts is not None:
        for name, font in fonts.items():
            if font.get("/Subtype") == "/Type0":
                yield fonts, name, font
    for xobject in (resources.get("/XObject") or {}).values():
        if xobject.get("/Subtype") == "/Form":
            yield from _font_slots(xobject.get("/Resources"), seen)


def _widths(array) -> dict[int, object]:
    """Glyph id → width from a CIDFont's /W array (both of its forms)."""
    widths, index, items = {}, 0, list(array)
    while index < len(items):
        first = int(items[index])
        if isinstance(items[index + 1], pikepdf.Array):
            widths.update({first + i: w for i, w in enumerate(items[index + 1])})
            index += 2
        else:
            widths.update(dict.fromkeys(range(first, int(items[index + 1]) + 1), items[index + 2]))
            index += 3
    return widths


TO_UNICODE_ENTRY = re.compile(rb"<([0-9a-fA-F]{4})> <([0-9a-fA-F]+)>")
TO_UNICODE_HEAD = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <ffff>
endcodespacerange
"""
TO_UNICODE_TAIL = b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"


def share_fonts(out: pikepdf.Pdf) -> int:
    """One font per print font for the whole booklet, instead of one per part: the glyphs of
    all parts subset once from the font file (glyph ids are kept, so every part's text stays
    valid), with the union of their widths and Unicode maps. Returns how many were shared."""
    fonts = _print_fonts()
    slots: dict[str, list] = {}
    seen: set = set()
    for page in out.pages:
        for container, resource, font in _font_slots(page.obj.get("/Resources"), seen):
            descriptor = font.DescendantFonts[0].FontDescriptor
            name = str(descriptor.FontName)
            # A font with glyphs missing has its own encoding: it stays as its part made it.
            if name in fonts and "/FontFile2" in descriptor and font.Encoding == "/Identity-H":
                slots.setdefault(name, []).append((container, resource, font))
    for name, group in slots.items():
        widths, unicode = {}, {}
        for font in {font.objgen: font for _c, _r, font in group}.values():
            widths.update(_widths(font.DescendantFonts[0].get("/W", pikepdf.Array())))
            unicode.update(TO_UNICODE_ENTRY.findall(font.ToUnicode.read_bytes()))
        print_font = fonts[name]
        print_font.subset(dict.fromkeys(sorted({*widths, 0}), ""), False)
        shared = _merged_font(out, group[0][2], print_font.file_content, widths, unicode)
        for container, resource, _font in group:
            container[resource] = shared
    return len(slots)


def _merged_font(out, model, file: bytes, widths: dict, unicode: dict) -> pikepdf.Dictionary:
    """A Type0 font like `model` with the given font file, widths and Unicode map."""
    cid_model = model.DescendantFonts[0]
    descriptor = pikepdf.Dictionary(dict(cid_model.FontDescriptor.items()))
    descriptor.FontFile2 = out.make_stream(file, Length1=len(file))
    box = list(descriptor.FontBBox)
    descriptor.FontBBox = [box[0], box[1], max([box[2], *widths.values()]), box[3]]
    runs, previous = pikepdf.Array(), None
    for glyph in sorted(widths):
        if glyph - 1 != previous:
            runs.append(glyph)
            runs.append(pikepdf.Array())
        runs[-1].append(widths[glyph])
        previous = glyph
    cid_font = pikepdf.Dictionary(dict(cid_model.items()))
    cid_font.W = runs
    cid_font.FontDescriptor = out.make_indirect(descriptor)
    entries = sorted(unicode.items())
    cmap = [TO_UNICODE_HEAD]
    for start in range(0, len(entries), 100):
        batch = entries[start : start + 100]
        cmap.append(b"%d beginbfchar\n" % len(batch))
        cmap += [b"<%s> <%s>\n" % (glyph, text) for glyph, text in batch]
        cmap.append(b"endbfchar\n")
    cmap.append(TO_UNICODE_TAIL)
    font = pikepdf.Dictionary(dict(model.items()))
    font.DescendantFonts = [out.make_indirect(cid_font)]
    font.ToUnicode = out.make_stream(b"".join(cmap))
    return out.make_indirect(font)


# Assembly -------------------------------------------------------------------------------------


@dataclass
class Assembled:
    content_path: Path
    pages: int
    start_of: dict[int, int]  # department id → booklet page of its cover


def _cached_frame(outline: SessionOutline, part_pages: dict[int, int]) -> tuple[Path, list, int]:
    """The frame for this outline and these part lengths, laid out once and kept: editing a
    card that does not change its department's page count reuses it."""
    lengths = json.dumps(sorted(part_pages.items()))
    key = booklet_key(outline, [lengths])

    def lay_out():
        content, covers, front_length = _frame(outline, part_pages)
        return content, {"covers": covers, "front_length": front_length}

    path, layout = _cached("frames", key, lay_out)
    return path, layout["covers"], layout["front_length"]


def _frame(outline: SessionOutline, part_pages: dict[int, int]) -> tuple[bytes, list, int]:
    """The session's cover and contents, then each named bureau's cover, laid out as one
    document: its PDF, each bureau's cover pages as [first index, count] ([-1, 0]: no cover)
    and the length of the session's cover and contents.

    The contents give each department's booklet page, which depends on the contents' own
    length (and on the bureau covers' lengths, one page unless a bureau lists very many
    departments): these are guessed — what the session's last booklet had, else three pages
    and one — and laid out again with what the layout gave until the guess holds.
    """
    renderer = pdf.Renderer()
    hint = root() / "frames" / f"session-{outline.session.number}.txt"
    try:
        front_length = int(hint.read_text())
    except (OSError, ValueError):
        front_length = 3
    cover_lengths = [1 if bureau.name else 0 for bureau in outline.bureaus]
    for _attempt in range(4):
        starts = _department_starts(outline, part_pages, front_length, cover_lengths)
        document = renderer.render(
            "reports/print/booklet_frame.html", {"outline": outline, "start_of": starts}
        )
        anchors = pdf.anchor_pages(document)
        firsts = [anchors.get(f"bureau-{i}", 0) - 1 for i in range(len(outline.bureaus))]
        boundaries = sorted([f for f in firsts if f >= 0] + [len(document.pages)])
        laid_out = boundaries[0]
        lengths = [
            boundaries[boundaries.index(first) + 1] - first if first >= 0 else 0 for first in firsts
        ]
        if (laid_out, lengths) == (front_length, cover_lengths):
            frame = renderer.write(document.pages, title=outline.session.title)
            write_atomic(hint, str(front_length).encode())
            covers = [[first, length] for first, length in zip(firsts, lengths, strict=True)]
            return frame, covers, front_length
        front_length, cover_lengths = laid_out, lengths
    raise RuntimeError("책자 차례의 쪽수가 조판 중에 달라졌습니다.")


def _department_starts(outline, part_pages: dict[int, int], front_length: int, covers: list):
    """Each department's first booklet page, after the session's cover and contents and its
    bureau's cover."""
    starts, page = {}, front_length + 1
    for bureau, cover_length in zip(outline.bureaus, covers, strict=True):
        page += cover_length
        for department in bureau.departments:
            if department.department_id in part_pages:
                starts[department.department_id] = page
                page += part_pages[department.department_id]
    return starts


def _copy_outline(items, source: pikepdf.Pdf, offset: int) -> list[pikepdf.OutlineItem]:
    copied = []
    for item in items:
        destination = item.destination
        page = source.pages.index(pikepdf.Page(destination[0])) if destination else 0
        new = pikepdf.OutlineItem(item.title, offset + page)
        new.children.extend(_copy_outline(item.children, source, offset))
        copied.append(new)
    return copied


def assemble(outline: SessionOutline, parts: list[PartRef], destination: Path) -> Assembled:
    """Put the booklet together from cached parts and write it to `destination`."""
    sources = {part.key: pikepdf.open(local_part(part.key)) for part in parts}
    try:
        part_pages = {p.department_id: len(sources[p.key].pages) for p in parts}
        frame_path, cover_starts, front_length = _cached_frame(outline, part_pages)
        frame = pikepdf.open(frame_path)
        sources["frame"] = frame
        out = pikepdf.new()
        out.add_pages_from(frame, range(front_length))
        start_of: dict[int, int] = {}
        outline_root: list[pikepdf.OutlineItem] = []
        for parts_of_bureau, bureau, cover_start in _by_bureau(outline, parts, cover_starts):
            parent = outline_root
            first, length = cover_start
            if length:
                item = pikepdf.OutlineItem(bureau.name, len(out.pages))
                out.add_pages_from(frame, range(first, first + length))
                outline_root.append(item)
                parent = item.children
            for part in parts_of_bureau:
                source = sources[part.key]
                offset = len(out.pages)
                start_of[part.department_id] = offset + 1
                out.add_pages_from(source)
                with source.open_outline() as part_outline:
                    copied = _copy_outline(part_outline.root, source, offset)
                parent.extend(copied)
        _number_pages(out, sources)
        share_fonts(out)
        with out.open_outline() as booklet_outline:
            booklet_outline.root.extend(outline_root)
        out.Root.PageMode = pikepdf.Name.UseOutlines
        out.Root.Lang = pikepdf.String("ko")
        out.docinfo["/Title"] = pikepdf.String(f"{outline.session.title} 주요업무 보고")
        out.docinfo["/Producer"] = pikepdf.String(f"WeasyPrint {weasyprint.__version__}, pikepdf")
        buffer = io.BytesIO()
        out.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate)
        write_atomic(destination, buffer.getvalue())
        return Assembled(destination, len(out.pages), start_of)
    finally:
        for source in sources.values():
            source.close()


def _by_bureau(outline, parts, cover_starts):
    by_department = {part.department_id: part for part in parts}
    for bureau, cover_start in zip(outline.bureaus, cover_starts, strict=True):
        members = [
            by_department[d.department_id]
            for d in bureau.departments
            if d.department_id in by_department
        ]
        yield members, bureau, cover_start


def _number_pages(out: pikepdf.Pdf, sources: dict) -> None:
    """Stamp "책자 N" on every page from the cached overlay chunks."""
    for index, page in enumerate(out.pages):
        chunk, position = divmod(index, NUMBERS_PER_CHUNK)
        key = f"numbers-{chunk}"
        if key not in sources:
            sources[key] = pikepdf.open(numbers_chunk(chunk))
        page.add_overlay(sources[key].pages[position])


def build(outline: SessionOutline, documents: list[ReportDocument], destination: Path) -> Assembled:
    """The whole booklet in this process: missing parts one after another, then the assembly
    (the workers do the same spread over processes; tests and `manage.py bench` use this)."""
    parts = parts_of(outline, documents)
    for part in parts:
        render_part(part.document)
    return assemble(outline, parts, destination)
