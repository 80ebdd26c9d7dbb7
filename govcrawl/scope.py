"""Which URLs a site's crawl may touch: only hosts inside the registry row's allowed domains."""
from __future__ import annotations

from urllib.parse import urlsplit


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def in_domains(url: str, domains: tuple[str, ...] | list[str]) -> bool:
    """True when the URL is http(s) and its host is a domain or a subdomain of one (ports ignored)."""
    if not url.lower().startswith(("http://", "https://")):
        return False
    host = host_of(url)
    return any(host == d or host.endswith("." + d) for d in (d.lower().rstrip(".") for d in domains))
