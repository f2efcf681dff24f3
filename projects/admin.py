"""Admin for project cards: the card's own page with its blocks, and the card list."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from org import access
from org.admin_scope import ScopedAdmin, ScopedInlinePermissions, checked_id, is_id
from projects.carry import checklist
from projects.forms import BlockInlineForm, CardAdminForm
from projects.models import Block, Card
from reports.models import EDITABLE_STATUSES, DepartmentReport, ReportSection

RETURN_TO_REPORT = "report"


class BlockInline(ScopedInlinePermissions, admin.StackedInline):
    """The card's □ blocks in order; ▲▼ buttons (admin_portal/js/block_order.js) renumber them."""

    model = Block
    form = BlockInlineForm
    extra = 0
    ordering = ["order", "pk"]
    classes = ["block-inline"]


class ReportFilter(admin.SimpleListFilter):
    title = _("부서 보고서")
    parameter_name = "report"

    def lookups(self, request, model_admin):
        reports = access.scope(
            request.user, DepartmentReport.objects.select_related("session", "department")
        )
        return [
            (report.pk, f"제{report.session.number}회 {report.department.name}")
            for report in reports
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(section__report_id=checked_id(self))
        return queryset


class SectionFilter(admin.SimpleListFilter):
    """Sections of the chosen report (of every report when none is chosen)."""

    title = _("보고 단원")
    parameter_name = "section"

    def lookups(self, request, model_admin):
        sections = access.scope(
            request.user,
            ReportSection.objects.select_related("report__session", "report__department"),
        )
        report = request.GET.get(ReportFilter.parameter_name)
        if report and is_id(report):
            return [(section.pk, section.title) for section in sections.filter(report_id=report)]
        return [
            (
                section.pk,
                f"제{section.report.session.number}회 {section.report.department.name} — {section.title}",
            )
            for section in sections
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(section_id=checked_id(self))
        return queryset


@admin.register(Card)
class CardAdmin(ScopedAdmin):
    form = CardAdminForm
    inlines = [BlockInline]
    list_display = ["title", "number", "section", "report_display", "team_name", "budget_kind"]
    list_display_links = ["title"]
    list_filter = [ReportFilter, SectionFilter, "budget_kind"]
    list_select_related = [
        "section__report__session",
        "section__report__department",
        "team__department",
    ]
    search_fields = ["title"]
    ordering = [
        "-section__report__session__number",
        "section__report__department__order",
        "section__order",
        "order",
        "number",
    ]
    autocomplete_fields = ["predecessor"]
    fieldsets = [
        (None, {"fields": ["section", ("number", "order"), "title", "team", "purpose"]}),
        (
            _("예산 블록"),
            {
                "fields": [
                    ("budget_kind", "budget_heading"),
                    "budget_line",
                    ("required_national", "required_city", "required_district", "required_other"),
                ]
            },
        ),
        (_("전체 붙여넣기"), {"fields": ["paste_all", "paste_replace"], "classes": ["paste-all"]}),
        (_("이전 보고와 연결"), {"fields": ["predecessor"], "classes": ["collapse"]}),
    ]

    readonly_fields = ["checklist_display"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            fieldsets = [fs for fs in fieldsets if "paste_all" not in fs[1]["fields"]]
        if obj is None or obj.predecessor_id is None:
            return fieldsets
        checklist = (
            _("지난 보고의 향후계획 — 이번 주요 추진실적 점검표"),
            {"fields": ["checklist_display"], "classes": ["card-checklist"]},
        )
        return [fieldsets[0], checklist, *fieldsets[1:]]

    @admin.display(description=_("지난 보고에서 계획한 일"))
    def checklist_display(self, card: Card) -> str:
        items = checklist(card)
        if not items:
            return gettext("지난 보고에 향후계획이 없습니다.")
        previous = card.predecessor.section.report.session
        return format_html(
            '<p class="checklist-source">{}</p><ul class="checklist">{}</ul>',
            gettext(
                "제%(number)s회 보고의 향후계획입니다. 이번 주요 추진실적에 빠진 것이 없는지 확인하세요."
            )
            % {"number": previous.number},
            format_html_join("", "<li>{}</li>", ((item,) for item in items)),
        )

    class Media:
        css = {"all": ["admin_portal/css/admin_pages.css", "admin_portal/css/card_admin.css"]}
        js = ["admin_portal/js/block_order.js"]

    @admin.display(description=_("부서 보고서"), ordering="section__report")
    def report_display(self, card: Card) -> str:
        report = card.section.report
        return f"제{report.session.number}회 {report.department.name}"

    @admin.display(description=_("담당 팀"), ordering="team__name")
    def team_name(self, card: Card) -> str:
        return card.team.name if card.team else "-"

    def get_deleted_objects(self, objs, request):
        """A card that a card of a submitted or published report continues (이전 보고의 같은
        사업) is kept: deleting it would change that frozen card."""
        deletable, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        frozen = (
            Card.objects.filter(predecessor__in=list(objs))
            .exclude(section__report__status__in=EDITABLE_STATUSES)
            .select_related("section__report__session", "section__report__department")
        )
        protected = [
            *protected,
            *(
                gettext("%(card)s (%(report)s, 이 카드를 이어받은 카드)")
                % {"card": card, "report": card.section.report}
                for card in frozen
            ),
        ]
        return deletable, counts, perms_needed, protected

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.pop("return", None)
        return initial

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        created = form.save_pasted_blocks(form.instance)
        if created:
            messages.info(
                request,
                gettext("붙여 넣은 글로 블록 %(count)s개를 만들었습니다.") % {"count": created},
            )

    def _back_to_report(self, request, card: Card):
        if request.GET.get("return") != RETURN_TO_REPORT:
            return None
        if "_continue" in request.POST or "_addanother" in request.POST:
            return None
        url = reverse("admin:reports_departmentreport_change", args=[card.section.report_id])
        return HttpResponseRedirect(f"{url}#card-{card.pk}")

    def response_change(self, request, obj):
        return self._back_to_report(request, obj) or super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        return self._back_to_report(request, obj) or super().response_add(
            request, obj, post_url_continue
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and (reason := access.frozen_reason(obj)):
            context["frozen_reason"] = reason
        if obj is not None and obj.section_id:
            report = obj.section.report
            url = reverse("admin:reports_departmentreport_change", args=[report.pk])
            context["report_editor_link"] = format_html(
                '<a href="{}#card-{}">{}</a>', url, obj.pk, gettext("← 보고서 편집 화면으로")
            )
        return super().render_change_form(request, context, add, change, form_url, obj)
