"""Query strings no page can use are refused up front with a Korean 400, never a server error.

- A NUL character anywhere in the path or a query parameter: PostgreSQL cannot hold it in a
  string, so any lookup with one fails in the database.
- On admin pages, the date hierarchy's `…__year`, `…__month`, `…__day` must be small whole
  numbers (Django builds a datetime from them: a 20-digit year is an OverflowError), and a
  date given to a list filter lies between the years 1000 and 8999 (0001-01-01 in Seoul is
  before the earliest UTC datetime).

Other bad filter values are the admin's own business: it shows its "invalid filter" page.
API paths get the API's JSON Problem body.
"""

from __future__ import annotations

import re

from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.api.base import problem_response

DATE_PART = re.compile(r"__(year|month|day)$")
SMALL_NUMBER = re.compile(r"[0-9]{1,4}")
# A date or date-time value (list filters' `…__gte=2020-01-01`): its year, which must leave room
# for the time zone (year 1 in Seoul is before datetime.min in UTC).
DATE_VALUE = re.compile(r"\s*([0-9]{1,4})-[0-9]{1,2}-[0-9]{1,2}")
YEARS = range(1000, 9000)


def refusal(request) -> str | None:
    """Why the request's path or query string cannot be served, or None."""
    if "\x00" in request.path:
        return _("주소에 쓸 수 없는 글자(NUL)가 있습니다.")
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return _("‘%(name)s’ 값에 쓸 수 없는 글자(NUL)가 있습니다.") % {
                "name": key.strip("\x00")
            }
        admin_date = request.path.startswith("/admin/") and DATE_PART.search(key)
        if admin_date and not all(SMALL_NUMBER.fullmatch(value) for value in values):
            return _("‘%(name)s’ 값은 네 자리까지의 숫자여야 합니다.") % {"name": key}
        years = [m.group(1) for value in values if (m := DATE_VALUE.match(value))]
        if request.path.startswith("/admin/") and any(int(y) not in YEARS for y in years):
            return _("‘%(name)s’의 날짜는 1000년부터 8999년 사이여야 합니다.") % {"name": key}
    return None


class QueryGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = refusal(request)
        if reason is None:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return problem_response(400, reason)
        return render(request, "400.html", {"reason": reason}, status=400)
