"""IP addresses and networks: the client's address, ranges (CIDR) matched for bans and
lists, and the block one client counts as for limits.

The socket's peer is the client, unless the peer is one of ``REJOINDER_TRUSTED_PROXIES``:
then the rightmost address in ``X-Forwarded-For`` that is not itself a trusted proxy is.
A forwarded header from anyone else is ignored, so a client cannot choose its own address
(and with it dodge flood limits, bans or login throttling).
"""

import ipaddress
from functools import lru_cache


def parse_network(text):
    """``203.0.113.7`` or ``203.0.113.0/24`` as a network, or None if it is neither."""
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=16)
def _networks(entries):
    return tuple(network for network in map(parse_network, entries) if network is not None)


def in_networks(address, entries):
    """Whether ``address`` (text) falls in any of ``entries`` (addresses or CIDR ranges)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip.version == net.version and ip in net for net in _networks(tuple(entries)))


def address_bucket(address):
    """What one client counts as for per-address limits.

    An IPv4 address is itself; an IPv6 address counts as its /64, the block one customer
    is given, which they can otherwise cycle through to dodge every limit; an IPv4-mapped
    IPv6 address is its IPv4 address.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_address(peer, forwarded_for, trusted):
    """The client's address given the socket's ``peer`` and the X-Forwarded-For header."""
    if not trusted or not forwarded_for or not in_networks(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    # Each proxy appends the address it saw: walk back from the nearest hop until one is
    # not a proxy we trust. Anything further left was written by the client.
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer
        if not in_networks(hop, trusted):
            return hop
    return hops[0] if hops else peer
