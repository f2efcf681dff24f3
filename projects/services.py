"""Rules on project cards that every caller (admin, staff screens, API) asks."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from projects.models import Card
from reports.models import EDITABLE_STATUSES


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
