"""Sign-in pages: the login form and the answer django-axes gives while an account waits."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import render


def idle_minutes() -> int:
    return settings.SESSION_COOKIE_AGE // 60


class LoginView(auth_views.LoginView):
    extra_context = {"idle_minutes": idle_minutes}


def locked_out(request, credentials=None, *args, **kwargs):
    """AXES_LOCKOUT_CALLABLE: too many failed logins — wait, in Korean, with HTTP 429."""
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
