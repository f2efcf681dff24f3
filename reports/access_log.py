"""Access records: who viewed or downloaded material that is not public, when, from where."""

import ipaddress

from django.conf import settings

from reports.models import AccessLog


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For behind TRUSTED_PROXY_COUNT proxies."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies and _is_ip(forwarded[-proxies]):
            return forwarded[-proxies]
    remote = request.META.get("REMOTE_ADDR", "")
    return remote if _is_ip(remote) else None


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def log_access(request, obj, action: str) -> AccessLog | None:
    """Record one access by the signed-in account (anonymous readers only see public data)."""
    if not request.user.is_authenticated:
        return None
    return AccessLog.objects.create(
        user=request.user,
        ip_address=client_ip(request),
        action=action,
        target=f"{obj._meta.label_lower}:{obj.pk} {obj}"[:200],
        path=request.get_full_path()[:500],
    )
