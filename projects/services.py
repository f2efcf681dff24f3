"""Rules on project cards that every caller (admin, staff screens, API) asks, and the save of
one card with its blocks (card_save) for callers that are not the card's admin page."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from budget.models import FUNDING_FIELDS, BudgetLine
from core import gaejosik
from core.conflicts import Child, revisions_check
from org.changes import (
    Saved,
    add_error,
    changed_fields,
    check,
    field_values,
    history_message,
    plan_children,
    put,
    raise_errors,
)
from org.models import Team
from projects.models import Block, Card
from reports.models import EDITABLE_STATUSES, ReportSection


def delete_blockers(cards: Iterable[Card]) -> list[str]:
    """The cards of submitted or published reports that continue one of `cards` (이전 보고의
    같은 사업): deleting the card would change that frozen card, so it is kept."""
    frozen = (
        Card.objects.filter(predecessor__in=list(cards))
        .exclude(section__report__status__in=EDITABLE_STATUSES)
        .select_related("section__report__session", "section__report__department")
        .order_by("pk")
    )
    return [
        _("%(card)s (%(report)s, 이 카드를 이어받은 카드)")
        % {"card": card, "report": card.section.report}
        for card in frozen
    ]


def delete_card(card: Card) -> None:
    """Delete a card unless a frozen card continues it (ValidationError saying which)."""
    with transaction.atomic():
        blockers = delete_blockers([card])
        if blockers:
            raise ValidationError(
                _("‘%(object)s’을(를) 쓰는 자료가 있어 지울 수 없습니다: %(names)s")
                % {"object": card, "names": ", ".join(sorted(blockers)[:5])}
            )
        card.delete()


# The card's own page and the staff API: one card with its blocks ------------------------------

CARD_FIELDS = (
    "section",
    "number",
    "title",
    "team",
    "order",
    "purpose",
    "budget_kind",
    "budget_heading",
    "budget_line",
    *(f"required_{name}" for name in FUNDING_FIELDS),
    "predecessor",
)
BLOCK_FIELDS = ("heading", "as_of", "content", "order")
# What the card's page saves with the card, for the message of an edit conflict.
CARD_CHILDREN = (
    Child(Block, "card_id", lambda block: _("블록 ‘%(heading)s’") % {"heading": block.heading}),
)


def number_clash(card: Card) -> str | None:
    """Why the card cannot take its number in its section (another card has it), or None."""
    if not (card.section_id and card.number):
        return None
    clash = (
        Card.objects.filter(section_id=card.section_id, number=card.number)
        .exclude(pk=card.pk)
        .first()
    )
    if clash is None:
        return None
    return _("이 단원에는 %(number)s번 카드 ‘%(title)s’가 이미 있습니다. 다른 번호를 쓰세요.") % {
        "number": card.number,
        "title": clash.title,
    }


@dataclass
class PastedBlock:
    heading: str
    content: list


@dataclass
class Pasted:
    """A whole card pasted from HWP: the purpose (text before the first □) and its blocks."""

    purpose: str | None = None
    blocks: list[PastedBlock] = field(default_factory=list)


def paste_parse(text: str) -> Pasted:
    """Cut the pasted text at its □ headings (core.gaejosik.split_blocks). Raises
    ValidationError naming every block and line that cannot be read."""
    if not text.strip():
        return Pasted()
    if len(text) > gaejosik.MAX_TEXT_CHARS:
        raise ValidationError(
            _("한 번에 붙여 넣을 수 있는 글은 %(max)s자까지입니다(지금 %(count)s자).")
            % {"max": f"{gaejosik.MAX_TEXT_CHARS:,}", "count": f"{len(text):,}"}
        )
    parts = gaejosik.split_blocks(text)
    if not any(heading for heading, _body in parts):
        raise ValidationError(
            _(
                "□ 제목이 있는 줄이 없습니다. 카드 전체를 붙여 넣을 때는 □ 사업개요처럼 "
                "블록마다 □ 제목을 붙이세요. 한 블록의 내용만 고치려면 아래 블록 칸에 넣으세요."
            )
        )
    pasted, errors = Pasted(), []
    heading_limit = Block._meta.get_field("heading").max_length
    for number, (heading, body) in enumerate(parts):
        if number == 0 and heading == "":
            pasted.purpose = body.strip()
            continue
        where = _("%(n)s번째 □ 블록 ‘%(heading)s’") % {
            "n": len(pasted.blocks) + len(errors) + 1,
            "heading": heading,
        }
        if not heading:
            errors.append(_("%(where)s: □ 뒤에 제목이 없습니다.") % {"where": where})
            continue
        if len(heading) > heading_limit:
            errors.append(
                _("%(where)s: 제목은 %(max)s자를 넘을 수 없습니다.")
                % {"where": where, "max": heading_limit}
            )
            continue
        try:
            content = gaejosik.parse(body)
        except gaejosik.GaejosikError as error:
            errors.append(f"{where}: {error}")
            continue
        pasted.blocks.append(PastedBlock(heading, content))
    if errors:
        raise ValidationError(errors)
    return pasted


def paste_purpose_problem(kept_purpose: str, pasted: Pasted, *, replace: bool) -> str | None:
    """A pasted purpose may replace a different purpose only when the blocks are replaced."""
    kept = (kept_purpose or "").strip()
    if pasted.purpose is None or not kept or kept == pasted.purpose or replace:
        return None
    return _(
        "붙여 넣은 글의 첫 □ 앞 문단이 지금의 추진 목적과 다릅니다. 추진 목적까지 "
        "바꾸려면 ‘기존 블록을 모두 지우고 …’에 표시하고, 아니면 그 문단을 빼고 붙여 넣으세요."
    )


def paste_write(card: Card, pasted: Pasted, *, replace: bool) -> int:
    """Create the pasted blocks after (or instead of) the card's blocks; returns how many."""
    if not pasted.blocks:
        return 0
    if replace:
        card.blocks.all().delete()
        start = 0
    else:
        start = max(card.blocks.values_list("order", flat=True), default=0)
    Block.objects.bulk_create(
        Block(card=card, heading=block.heading, content=block.content, order=start + offset)
        for offset, block in enumerate(pasted.blocks, start=1)
    )
    return len(pasted.blocks)


def _card_choices(card: Card | None) -> dict:
    """The choices of the card's page: its report's sections, teams and budget lines."""
    if card is None or not card.section_id:
        return {}
    report = card.section.report
    return {
        "section": ReportSection.objects.filter(report=report),
        "team": Team.objects.filter(department_id=report.department_id),
        "budget_line": BudgetLine.objects.for_year(report.department_id, report.session.year),
    }


def card_save(
    user,
    card: Card | None,
    changes: Mapping,
    *,
    revision: int | None = None,
    blocks: Sequence[Mapping] | None = None,
    paste: str = "",
    paste_replace: bool = False,
) -> Saved:
    """Add (`card` None) or change a card as `user`, with its blocks when `blocks` is given
    (rows with an id are changed, rows without one added, rows left out deleted) and the
    blocks of a whole card pasted from HWP. A change claims the `revision` the caller read
    (EditConflict otherwise). All or nothing: ValidationError by field, nothing saved."""
    with transaction.atomic():
        if card is not None:
            revisions_check(Card, {card.pk: revision}, children=CARD_CHILDREN)
        target = copy.copy(card) if card is not None else Card()
        before = changes_base(target)
        errors = put(user, target, changes, choices=_card_choices(card))
        pasted = _paste_onto(target, paste, replace=paste_replace, errors=errors)
        if "number" not in errors and "section" not in errors and (clash := number_clash(target)):
            add_error(errors, "number", clash)
        check(user, target, errors)
        plan = plan_children(
            user, target, key="blocks", model=Block, fk="card", rows=blocks, fields=BLOCK_FIELDS
        )
        raise_errors(errors, plan.errors)
        changed = changed_fields(before, target)
        if card is not None and (changed or pasted.blocks or plan.writes_anything):
            target.revision = revision + 1
        target.save()
        plan.write(target)
        paste_write(target, pasted, replace=paste_replace)
    return Saved(target, history_message(target, added=card is None, changed=changed, plan=plan))


def _paste_onto(target: Card, text: str, *, replace: bool, errors) -> Pasted:
    """The pasted card read (its purpose put on the card), or its problems under paste_all."""
    try:
        pasted = paste_parse(text or "")
    except ValidationError as error:
        add_error(errors, "paste_all", error.messages)
        return Pasted()
    if problem := paste_purpose_problem(target.purpose, pasted, replace=replace):
        add_error(errors, "paste_all", problem)
        return Pasted()
    if pasted.purpose is not None:
        target.purpose = pasted.purpose
    return pasted


def changes_base(card: Card) -> dict:
    return field_values(card, CARD_FIELDS)
