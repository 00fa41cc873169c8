"""Harvests reach public addresses only: each connection's address is checked, then pinned.

The host name of every connection a harvest opens is resolved by this module,
each address is checked, and the socket is connected to an address that passed
the check, the very one that was checked. A name that resolves elsewhere a
moment later (DNS rebinding) therefore cannot slip a private address in, and a
redirect, which opens a new connection, is checked the same way. TLS still
verifies the certificate against the host name and sends it as SNI, and the
``Host`` header is unchanged: only the address is pinned.

Refused unless an allowed network contains them: loopback, private (RFC 1918,
unique local), shared (100.64/10), link-local (cloud metadata at 169.254.169.254),
multicast, reserved and unspecified addresses, and IPv4 ones hidden in IPv6
(``::ffff:127.0.0.1``). Allowed networks come from ``FEDCAT_ALLOWED_NETWORKS``
through :class:`NetworkPolicy`; tests add loopback for the whole process with
:func:`trusted_networks`, which production code never calls.
"""

from __future__ import annotations

import ipaddress
import socket
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ClassVar, Iterable, Iterator, Union

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from harvesters.errors import FetchError

__all__ = [
    "AddressRefused",
    "GuardedAdapter",
    "LOOPBACK_NETWORKS",
    "NetworkPolicy",
    "is_public",
    "parse_networks",
    "trusted_networks",
]

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

#: What tests and the demo allow: their simulators listen on 127.0.0.1.
LOOPBACK_NETWORKS = ("127.0.0.0/8", "::1/128")

# Networks trusted by every policy of this process; only tests change it (see trusted_networks).
_process_networks: tuple[IPNetwork, ...] = ()


class AddressRefused(FetchError):
    """A harvest was about to connect to an address it may not reach."""


def parse_networks(texts: Iterable[str]) -> tuple[IPNetwork, ...]:
    """CIDR blocks (``10.0.0.0/8``, ``::1/128``, or a bare address) as networks; ValueError names a bad one."""
    networks = []
    for text in texts:
        try:
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            raise ValueError(f"{text.strip()!r} is not an IP network (write it as 10.0.0.0/8 or ::1/128)") from None
    return tuple(networks)


@contextmanager
def trusted_networks(texts: Iterable[str], *, replace: bool = False) -> Iterator[None]:
    """Allow more networks to every harvest of this process for a while (test suites and local benches).

    :param replace: allow only these for the while (tests of the production default pass none).
    """
    global _process_networks
    previous = _process_networks
    _process_networks = parse_networks(texts) if replace else previous + parse_networks(texts)
    try:
        yield
    finally:
        _process_networks = previous


def is_public(address: IPAddress) -> bool:
    """True for an address on the public Internet (none of the special-purpose ranges)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public(address.ipv4_mapped)
        embedded = address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None and not is_public(embedded):
            return False
    special = (
        address.is_private,
        address.is_loopback,
        address.is_link_local,
        address.is_multicast,
        address.is_reserved,
        address.is_unspecified,
    )
    return address.is_global and not any(special)


@dataclass(frozen=True)
class NetworkPolicy:
    """Which addresses a harvest may connect to: public ones, plus ``allowed`` networks."""

    allowed: tuple[IPNetwork, ...] = ()

    @classmethod
    def from_texts(cls, texts: Iterable[str]) -> NetworkPolicy:
        """A policy allowing the given CIDR blocks besides public addresses."""
        return cls(parse_networks(texts))

    def permits(self, address: IPAddress) -> bool:
        """True when a harvest may connect to ``address``."""
        if is_public(address):
            return True
        return any(address in network for network in (*self.allowed, *_process_networks))

    def vetted(self, host: str, port: int) -> list[tuple[int, str]]:
        """``(family, address)`` of each permitted address ``host`` resolves to.

        :raises socket.gaierror: when the name does not resolve.
        :raises AddressRefused: when it resolves only to refused addresses.
        """
        found = socket.getaddrinfo(host, port, urllib3_connection.allowed_gai_family(), socket.SOCK_STREAM)
        addresses = list(dict.fromkeys((family, sockaddr[0]) for family, _, _, _, sockaddr in found))
        allowed = [(family, text) for family, text in addresses if self.permits(_address(text))]
        if not allowed:
            shown = ", ".join(text for _, text in addresses)
            raise AddressRefused(
                f"refused to connect to {host} ({shown}): a private, loopback, link-local or reserved address;"
                " allow its network with FEDCAT_ALLOWED_NETWORKS if this portal is really there"
            )
        return allowed


def _address(text: str) -> IPAddress:
    # getaddrinfo writes scoped IPv6 addresses as fe80::1%eth0
    return ipaddress.ip_address(text.split("%", 1)[0])


class _GuardedConnectionMixin:
    """Resolves, checks and connects to a checked address (urllib3 calls ``_new_conn`` for each new socket)."""

    policy: ClassVar[NetworkPolicy] = NetworkPolicy()

    def _new_conn(self) -> socket.socket:
        try:
            addresses = self.policy.vetted(self.host, self.port)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        error: OSError | None = None
        for _, address in addresses:
            try:
                return urllib3_connection.create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except socket.timeout as exc:
                raise ConnectTimeoutError(self, f"Connection to {self.host} timed out.") from exc
            except OSError as exc:
                error = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {error}") from error


class GuardedAdapter(HTTPAdapter):
    """A requests adapter whose connections go only where ``policy`` permits (mount it for http and https)."""

    def __init__(self, policy: NetworkPolicy, **kwargs) -> None:
        self.policy = policy
        super().__init__(**kwargs)

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs) -> None:
        """The usual pool manager, building guarded connections."""
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = _guarded_pools(self.policy)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        """Never through a proxy: it would resolve and connect out of reach of the check."""
        raise AddressRefused(f"refused to use the proxy {proxy}: harvests connect directly")


def _guarded_pools(policy: NetworkPolicy) -> dict[str, type]:
    """Connection pool classes for http and https whose connections check addresses against ``policy``."""
    plain = type("GuardedHTTPConnection", (_GuardedConnectionMixin, HTTPConnection), {"policy": policy})
    secure = type("GuardedHTTPSConnection", (_GuardedConnectionMixin, HTTPSConnection), {"policy": policy})
    return {
        "http": type("GuardedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": plain}),
        "https": type("GuardedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": secure}),
    }
