"""Whether serving the app would expose the corpus to other machines.

The app binds to ``RAG_HOST``; anything but a loopback address lets others read
the articles and use the model, so it needs a password or an explicit yes.
"""

from __future__ import annotations

from rag.config import Settings


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    import ipaddress

    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False  # a host name or 0.0.0.0-like wildcard: reachable from elsewhere


def check_exposure(settings: Settings) -> None:
    """Refuse to serve the corpus to the network without a password, unless told to."""
    from rag.errors import ConfigError

    if is_loopback(settings.host) or settings.auth or settings.allow_open:
        return
    raise ConfigError(
        f"RAG_HOST={settings.host} makes the app reachable from other machines, and RAG_AUTH "
        "is not set, so anyone there could read the articles and use the model. Set "
        "RAG_AUTH=user:password, or RAG_HOST=127.0.0.1, or RAG_ALLOW_OPEN=1 if an open "
        "server is really meant."
    )
