"""Opening a connection cooperatively: name resolution, TCP connect and TLS handshake.

A green twin of PyMongo's ``_configured_socket_interface`` (pool_shared.py): same
options, same errors, same TLS session cache and hostname checks, but every wait
suspends the calling bridge greenlet instead of the thread.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import ssl
import time
from typing import Any

from pymongo import _csot
from pymongo.errors import _CertificateError  # type: ignore[attr-defined]

from motor.bridge.compat import (
    SSLErrors,
    _get_ssl_session,
    _get_timeout_details,
    _has_sni,
    _raise_connection_failure,
    _set_keepalive_times,
    socket_interface,
)
from motor.bridge.greenlets import BridgeGreenlet, await_future, wait_fd
from motor.bridge.socket import GreenSocket

_IN_PROGRESS = {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN, errno.EALREADY}


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _resolve(child: BridgeGreenlet, host: str, port: int) -> list[Any]:
    # Same family rule as PyMongo: IPv4 only for "localhost" (PYTHON-356).
    family = socket.AF_INET
    if socket.has_ipv6 and host != "localhost":
        family = socket.AF_UNSPEC
    if _is_ip_literal(host):
        # Numeric: getaddrinfo answers without any lookup.
        return socket.getaddrinfo(host, port, family, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST)
    return await_future(child.hub.getaddrinfo(host, port, family=family, type=socket.SOCK_STREAM))


def _connect_timeout(options: Any) -> float | None:
    timeout = _csot.remaining()
    if timeout is None:
        return options.connect_timeout
    if timeout <= 0:
        raise TimeoutError("timed out")
    return timeout


def _tcp_connect(child: BridgeGreenlet, address: tuple[str, int], options: Any) -> socket.socket:
    host, port = address
    error: OSError | None = None
    for af, socktype, proto, _, sockaddr in _resolve(child, host, port):
        sock = socket.socket(af, socktype, proto)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, True)
            _set_keepalive_times(sock)
            timeout = _connect_timeout(options)
            sock.setblocking(False)
            code = sock.connect_ex(sockaddr)
            if code in _IN_PROGRESS:
                if not wait_fd(child, sock.fileno(), True, timeout):
                    raise TimeoutError("timed out")
                code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if code:
                raise OSError(code, os.strerror(code))
            return sock
        except OSError as exc:
            error = exc
            sock.close()
        except BaseException:
            sock.close()
            raise
    raise error if error is not None else OSError("getaddrinfo failed")


def _interface(green: GreenSocket) -> Any:
    # PyMongo annotates a socket.socket or its _sslConn. A GreenSocket stands in for either:
    # it has the methods PyMongo calls, and passes any other to the socket it wraps.
    return socket_interface(green)


def green_socket_interface(
    child: BridgeGreenlet,
    address: tuple[str, int],
    options: Any,
    ssl_session_cache: list[Any] | None = None,
) -> Any:
    """Connect (and TLS-handshake) to ``address``; return PyMongo's interface over a GreenSocket
    (``compat.socket_interface``: the GreenSocket itself before PyMongo 4.12)."""
    started = time.monotonic()
    sock = _tcp_connect(child, address, options)
    context = options._ssl_context
    if context is None:
        return _interface(GreenSocket(sock, options.socket_timeout))

    host = address[0]
    session = ssl_session_cache[0] if ssl_session_cache is not None else None
    timeout = _connect_timeout(options)
    if timeout is not None:
        timeout = max(timeout - (time.monotonic() - started), 0.001)
    tls = None
    try:
        tls = context.wrap_socket(
            sock,
            server_hostname=host if _has_sni(True) else None,
            session=session,
            do_handshake_on_connect=False,
        )
        green = GreenSocket(tls, timeout)
        green.do_handshake()
    except BaseException as exc:
        # wrap_socket detached ``sock``: the TLS socket, once made, owns the fd.
        (tls if tls is not None else sock).close()
        if isinstance(exc, _CertificateError) or not isinstance(exc, (OSError, *SSLErrors)):
            raise
        _raise_connection_failure(
            address, exc, "SSL handshake failed: ", timeout_details=_get_timeout_details(options)
        )
    if (
        context.verify_mode
        and not context.check_hostname
        and not options.tls_allow_invalid_hostnames
    ):
        try:
            ssl.match_hostname(tls.getpeercert(), hostname=host)  # type: ignore[attr-defined]
        except _CertificateError:
            tls.close()
            raise
    if ssl_session_cache is not None:
        new_session = _get_ssl_session(tls)
        if new_session is not None:
            ssl_session_cache[0] = new_session
    green.settimeout(options.socket_timeout)
    return _interface(green)
