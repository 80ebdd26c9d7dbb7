import errno
import socket

import pytest

from govcrawl.netguard import NonLoopbackConnection, is_loopback


def test_a_connection_to_a_public_address_fails_before_any_packet_leaves():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(NonLoopbackConnection):
            sock.connect(("93.184.216.34", 80))
    finally:
        sock.close()


def test_private_range_addresses_are_refused_too():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(NonLoopbackConnection):
            sock.connect(("10.0.0.1", 80))
    finally:
        sock.close()


def test_connect_ex_refuses_with_an_errno_as_twisted_expects():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    try:
        assert sock.connect_ex(("10.0.0.1", 80)) == errno.ENETUNREACH
    finally:
        sock.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.12", "localhost", "::1"])
def test_loopback_hosts_are_allowed(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["192.168.1.1", "www.ybq.gov.cn", "8.8.8.8", ""])
def test_everything_else_is_not_loopback(host):
    assert not is_loopback(host)
