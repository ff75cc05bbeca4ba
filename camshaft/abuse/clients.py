"""Who is asking: the client's address, behind as many trusted proxies as
settings.CAMSHAFT_TRUSTED_PROXIES says, as a keyed hash for counting."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

from camshaft.accounts.services import client_digest

# One IPv6 host usually holds a whole /64; counting single addresses would
# let it change address for every request.
IPV6_PREFIX = 64


def _address(value: str | None):
    try:
        return ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's address. X-Forwarded-For is read only when proxies are
    trusted: each one appends the address it was reached from, so with N
    trusted proxies the client is the N-th entry from the right; anything
    further left was written by the client and proves nothing."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.CAMSHAFT_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        if len(hops) >= proxies and (address := _address(hops[-proxies])):
            return str(address)
    address = _address(remote)
    return str(address) if address else remote


def client_address(request: HttpRequest) -> str:
    """The address limits and lock-outs count: the IPv4 address, or the
    IPv6 /64 it lies in."""
    ip = client_ip(request)
    address = _address(ip)
    if address is None or address.version == 4:
        return ip
    if address.ipv4_mapped:
        return str(address.ipv4_mapped)
    return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False))


def client_key(request: HttpRequest) -> str:
    """The keyed hash abuse records and counters are kept under."""
    return client_digest(client_address(request))
