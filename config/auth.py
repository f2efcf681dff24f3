"""Signing in: the login form, the answer django-axes gives while an account waits, and the
staff API's tokens (org.ApiToken)."""

import datetime

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def idle_minutes() -> int:
    return settings.SESSION_COOKIE_AGE // 60


class LoginView(auth_views.LoginView):
    extra_context = {"idle_minutes": idle_minutes}


def locked_out(request, credentials=None, *args, **kwargs):
    """AXES_LOCKOUT_CALLABLE: too many failed logins — wait, in Korean, with HTTP 429."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` against org.ApiToken: the key's SHA-256 hash is looked up,
    revoked tokens and inactive accounts are refused, and the token's last use is noted (at
    most once a minute, so reading does not take the database's write lock every time)."""

    LAST_USED_EVERY = datetime.timedelta(minutes=1)

    def authenticate_credentials(self, key):
        from org.models import ApiToken

        token = ApiToken.find(key) if len(key) <= 200 else None
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("토큰이 맞지 않거나 폐기되었습니다. 관리자에게 새 토큰을 받으세요.")
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("사용할 수 없는 계정의 토큰입니다."))
        now = timezone.now()
        if token.last_used is None or now - token.last_used > self.LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        return (token.user, token)
