"""What every API view shares: paging, throttling, errors, caching headers, CSV, the schema.

The API has two halves. The public one (portal/api/public.py, portal/api/org.py) reads published reports
— the stored documents every published page and file is made from — and what a signed-in
reader may preview. The staff one (portal/api/rows.py and the viewsets on it) checks the JSON
with DRF serializers and writes through the apps' services, the same rules and Korean
messages the admin's pages use.

Every error is one shape, `Problem`: {"detail": "…", "errors": [{"field": "…", "message": "…"}]},
`field` naming where (`blocks[1].content`, null for the whole request).
"""

from __future__ import annotations

import csv
import io
import json
import re

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import (
    exceptions,
    pagination,
    parsers,
    renderers,
    serializers,
    status,
    throttling,
)
from rest_framework.request import override_method
from rest_framework.utils.json import strict_constant

from core.tabular import escape_rows

# Published data changes only when a clerk publishes; readers may keep it this long.
PUBLIC_MAX_AGE = 300


# Paging and throttling ----------------------------------------------------------------------


def is_whole(text: str) -> bool:
    """ASCII digits only ("²".isdigit() is true, but int("²") fails)."""
    return re.fullmatch(r"[0-9]+", text) is not None


class Pagination(pagination.PageNumberPagination):
    page_size = settings.API_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE
    page_query_param = "page"
    invalid_page_message = gettext_lazy("{page_number}쪽은 없습니다. 마지막 쪽보다 큰 page입니다.")

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (is_whole(raw) and 1 <= int(raw) <= self.max_page_size):
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        _("page_size는 1부터 %(max)s까지의 정수여야 합니다.")
                        % {"max": self.max_page_size}
                    ]
                }
            )
        return super().get_page_size(request)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, "1")
        if raw in self.last_page_strings:
            return paginator.num_pages
        if not (is_whole(raw) and len(raw) <= 9 and int(raw) >= 1):
            raise exceptions.ValidationError(
                {self.page_query_param: [_("page는 1 이상의 정수여야 합니다.")]}
            )
        return raw

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = "전체 건수"
        response["properties"]["next"]["description"] = "다음 쪽 주소"
        response["properties"]["previous"]["description"] = "이전 쪽 주소"
        return response


class AnonThrottle(throttling.AnonRateThrottle):
    """Anonymous readers: API_ANON_RATE per client address."""

    scope = "anon"

    def get_rate(self):
        return settings.API_ANON_RATE

    def get_ident(self, request):
        from reports.access_log import client_ip  # honours TRUSTED_PROXY_COUNT

        return client_ip(request) or super().get_ident(request)


class StaffThrottle(throttling.UserRateThrottle):
    """Signed-in accounts: a generous API_STAFF_RATE per account (anonymous: AnonThrottle)."""

    scope = "staff"

    def get_rate(self):
        return settings.API_STAFF_RATE

    def get_cache_key(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return None
        return super().get_cache_key(request, view)


# Errors -------------------------------------------------------------------------------------


class ProblemItemSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="문제가 있는 곳(예: blocks[1].content). 요청 전체면 null"
    )
    message = serializers.CharField(help_text="무엇이 왜 잘못되었는지(한국어)")


class ProblemSerializer(serializers.Serializer):
    """Every error response of the API."""

    detail = serializers.CharField(help_text="한 줄 요약(한국어)")
    errors = ProblemItemSerializer(many=True)


# DRF's own words that its Korean catalogue lacks.
UNTRANSLATED = {"No data provided": gettext_lazy("본문에 JSON 객체({…})를 보내야 합니다.")}


def flatten_errors(detail, field: str | None = None) -> list[dict]:
    """DRF's nested error detail as a flat list of (field path, message)."""
    if isinstance(detail, dict):
        items = []
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__", None):
                path = field
            elif isinstance(key, int):
                path = f"{field}[{key}]" if field else f"[{key}]"
            else:
                path = f"{field}.{key}" if field else str(key)
            items += flatten_errors(value, path)
        return items
    if isinstance(detail, list):
        if all(isinstance(item, dict) for item in detail) and detail:
            items = []
            for index, item in enumerate(detail):
                items += flatten_errors(item, f"{field}[{index}]" if field else f"[{index}]")
            return items
        return [item for value in detail for item in flatten_errors(value, field)]
    return [{"field": field, "message": str(UNTRANSLATED.get(str(detail), detail))}]


SUMMARIES = {
    status.HTTP_400_BAD_REQUEST: _("요청에 잘못된 곳이 있어 아무것도 하지 않았습니다."),
    status.HTTP_409_CONFLICT: _("그사이 다른 사람이 고쳐 저장해서 아무것도 저장하지 않았습니다."),
}


def exception_handler(exc, context):
    """DRF's handler, then every error body in the Problem shape, in Korean."""
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("찾는 자료가 없거나 볼 수 없는 자료입니다."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, Rejected):
        errors = exc.items
        detail = SUMMARIES.get(response.status_code, SUMMARIES[status.HTTP_400_BAD_REQUEST])
    elif isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(data)
        detail = SUMMARIES.get(response.status_code, SUMMARIES[status.HTTP_400_BAD_REQUEST])
    else:
        detail = str(data.get("detail", data)) if isinstance(data, dict) else str(data)
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            detail = _("요청이 너무 많습니다. %(seconds)s초 뒤에 다시 시도하세요.") % {
                "seconds": int(exc.wait) + 1
            }
        errors = [{"field": None, "message": detail}]
    response.data = {"detail": detail, "errors": errors}
    return response


class Rejected(exceptions.ValidationError):
    """A write refused with messages already placed (field path, message), e.g. by a form."""

    def __init__(self, items: list[dict] | str):
        if isinstance(items, str):
            items = [{"field": None, "message": items}]
        self.items = items
        super().__init__([item["message"] for item in items])


class Conflict(Rejected):
    """A save refused because the row changed after the client read it (core.conflicts)."""

    status_code = status.HTTP_409_CONFLICT


# CSV ----------------------------------------------------------------------------------------


def flat_row(item: dict, prefix: str = "") -> dict:
    """One CSV row of a serialized item: nested objects as dotted columns, lists as JSON."""
    row = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            row.update(flat_row(value, f"{name}."))
        elif isinstance(value, list):
            row[name] = json.dumps(value, ensure_ascii=False)
        else:
            row[name] = value
    return row


class CSVRenderer(renderers.BaseRenderer):
    """A list page as CSV (UTF-8 with BOM, for Excel); text a spreadsheet would run is escaped
    like every other export (core.tabular.escape_rows). Errors are JSON (see PortalViewMixin)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        items = data.get("results", []) if isinstance(data, dict) else (data or [])
        rows = [flat_row(item) for item in items]
        columns: list[str] = []
        for row in rows:
            columns += [name for name in row if name not in columns]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerows(escape_rows([columns, *([row.get(c) for c in columns] for row in rows)]))
        return ("\ufeff" + out.getvalue()).encode("utf-8")


# Views --------------------------------------------------------------------------------------


class PortalViewMixin:
    """Caching headers, JSON errors and Korean page names for every API view.

    What an anonymous reader gets as JSON or CSV is published data, the same for everyone:
    shared caches may keep it PUBLIC_MAX_AGE seconds (and ConditionalGetMiddleware answers
    If-None-Match with 304). A signed-in reader may see drafts, and the browsable HTML page
    carries a CSRF token: neither is stored anywhere."""

    # Korean page names of the browsable API, by DRF's suffix (set by read_schema/staff_schema).
    titles: dict[str, str] = {}

    def get_view_name(self):
        suffix = getattr(self, "suffix", None)
        return self.titles.get(suffix) or self.titles.get("List") or super().get_view_name()

    def get_renderers(self):
        """CSV only for lists: a single object is JSON (an unknown format is a 404)."""
        renderers_ = super().get_renderers()
        if getattr(self, "action", None) != "list":
            renderers_ = [r for r in renderers_ if not isinstance(r, CSVRenderer)]
        return renderers_

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400 and isinstance(
            getattr(request, "accepted_renderer", None), CSVRenderer
        ):
            request.accepted_renderer = renderers.JSONRenderer()
            request.accepted_media_type = request.accepted_renderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Authorization", "Cookie"])
        html = getattr(request, "accepted_media_type", "").startswith("text/html")
        if request.method not in ("GET", "HEAD") or response.status_code >= 400:
            patch_cache_control(response, no_store=True)
        elif request.user.is_authenticated or html:
            # Drafts, or the browsable page with its CSRF token: kept by nobody.
            patch_cache_control(response, private=True, no_store=True)
        else:
            patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        return response


GAEJOSIK_NODE = {
    "type": "object",
    "description": "개조식 항목(item), 표(table), 글(text) 가운데 하나 (docs/gaejosik.md)",
    "required": ["type"],
    "properties": {
        "type": {"type": "string", "enum": ["item", "table", "text"]},
        "marker": {"type": "string", "description": "○ - · ※ (item)"},
        "text": {"type": "string", "description": "항목이나 글의 내용 (item, text)"},
        "children": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/GaejosikNode"},
            "description": "아래 단계 항목 (item)",
        },
        "rows": {
            "type": "array",
            "items": {"type": "array", "items": {"type": "string"}},
            "description": "표의 줄과 칸 (table)",
        },
        "header_rows": {"type": "integer", "description": "머리글 줄 수 (table)"},
        "header_cols": {"type": "integer", "description": "머리글 칸 수 (table)"},
    },
}


# The browsable page ---------------------------------------------------------------------------


def _writable(value, field):
    """`value` (as read) cut down to what the write serializer `field` accepts."""
    if isinstance(field, serializers.ListSerializer) and isinstance(value, list):
        return [_writable(item, field.child) for item in value]
    if isinstance(field, serializers.Serializer) and isinstance(value, dict):
        return {
            name: _writable(value[name], sub) for name, sub in field.fields.items() if name in value
        }
    return value


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's page for reading the API in a browser. The staff API (portal/api/rows.py) reads with
    one serializer and writes with another that describes a JSON body, not an object: DRF would
    fill its forms by serializing the object with the write serializer (a server error). Here
    the staff pages have no HTML forms (the API reads JSON only) and their raw-data form starts
    from the object as read, cut down to the fields a write accepts."""

    @staticmethod
    def _write_serializer(view):
        return getattr(view, "write_serializer_class", None)

    def get_rendered_html_form(self, data, view, method, request):
        if self._write_serializer(view) is not None and method not in ("DELETE", "OPTIONS"):
            return None
        return super().get_rendered_html_form(data, view, method, request)

    def get_raw_data_form(self, data, view, method, request):
        write_serializer = self._write_serializer(view)
        if write_serializer is None:
            return super().get_raw_data_form(data, view, method, request)
        serializer = getattr(data, "serializer", None)
        instance = None
        if serializer is not None and not getattr(serializer, "many", False):
            instance = getattr(serializer, "instance", None)
        if method in ("PUT", "PATCH") and instance is None:
            return None
        with override_method(view, request, method) as request:
            if not self.show_form_for_method(view, method, request, instance):
                return None
            body = write_serializer()
            initial = _writable(dict(data), body) if instance is not None else dict(body.data)
        content = json.dumps(initial, ensure_ascii=False, indent=4, default=str)
        media_types = [parser.media_type for parser in view.parser_classes]

        class RawBodyForm(forms.Form):
            _content_type = forms.ChoiceField(
                label="Media type",
                choices=[(media_type, media_type) for media_type in media_types],
                initial=media_types[0],
                widget=forms.Select(attrs={"data-override": "content-type"}),
            )
            _content = forms.CharField(
                label="Content",
                widget=forms.Textarea(attrs={"data-override": "content"}),
                initial=content,
                required=False,
            )

        return RawBodyForm()


# Parsing request bodies -----------------------------------------------------------------------

# Real bodies nest a few levels (a card, its blocks, their fields); Python's json recursion would
# fail somewhere past 1,000 levels with a server error.
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]")


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


def too_large_message() -> str:
    megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    return _("보낸 본문이 너무 큽니다. 한 번에 %(mb).1f MB까지 보낼 수 있습니다.") % {
        "mb": megabytes
    }


def json_depth(text: str) -> int:
    """How deep the JSON text nests its arrays and objects (brackets inside strings aside)."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return 0  # cannot be deeper than that: the common case, without a scan
    depth = deepest = 0
    for bracket in _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with limits: at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes (413) and
    MAX_JSON_DEPTH levels of nesting (400), with Korean messages instead of a server error."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(raw) > limit:
            raise PayloadTooLarge(too_large_message())
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as error:
            raise exceptions.ParseError(
                _("본문을 %(encoding)s 글자로 읽을 수 없습니다.") % {"encoding": encoding}
            ) from error
        if json_depth(text) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(
                _("JSON이 너무 깊게 중첩되어 있습니다. %(max)s단계까지 보낼 수 있습니다.")
                % {"max": MAX_JSON_DEPTH}
            )
        try:
            constant = strict_constant if self.strict else None
            return json.loads(text, parse_constant=constant)
        except (ValueError, RecursionError) as error:
            raise exceptions.ParseError(
                _("본문이 올바른 JSON이 아닙니다: %(error)s") % {"error": error}
            ) from error


def problem_response(status_code: int, detail: str) -> HttpResponse:
    """A Problem body outside DRF (Django's own error handlers for /api/ paths)."""
    response = JsonResponse(
        {"detail": detail, "errors": [{"field": None, "message": detail}]},
        status=status_code,
        json_dumps_params={"ensure_ascii": False},
    )
    patch_cache_control(response, no_store=True)
    return response


def bad_request(request, exception=None):
    """handler400: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413; on /api/ every such answer
    is a JSON Problem, elsewhere the portal's page."""
    too_big = isinstance(exception, RequestDataTooBig)
    if request.path.startswith("/api/"):
        if too_big:
            return problem_response(status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, too_large_message())
        return problem_response(status.HTTP_400_BAD_REQUEST, str(SUMMARIES[400]))
    code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE if too_big else status.HTTP_400_BAD_REQUEST
    return render(request, "400.html", {"reason": getattr(exception, "reason", "")}, status=code)
