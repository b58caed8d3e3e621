"""Test certificates made on the spot: a CA, server and client certificates, and bad ones.

``make_certs(directory)`` writes PEM files and returns their paths:

* ``ca``: the test CA's certificate (``tlsCAFile`` for clients, ``--tlsCAFile`` for mongod)
* ``other_ca``: an unrelated CA (a client trusting only it refuses the server)
* ``server``: certificate + key for 127.0.0.1 only (IP SAN, no DNS name: a client that
  dials "localhost" sees a hostname mismatch), signed by ``ca``
* ``expired_server``: like ``server``, but its validity ended yesterday
* ``client``: a client certificate + key signed by ``ca``
* ``client_encrypted``: the same client certificate with its key encrypted with
  ``client_key_password``

EC P-256 keys keep generation fast. Nothing here is secret beyond the test run.
This module must not import pytest.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import types

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CLIENT_KEY_PASSWORD = "k3y-passw0rd-for-the-client-cert"


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Motor tests"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _ca(common_name: str, now: datetime.datetime):
    key = _key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _leaf(ca_key, ca_cert, common_name, usage, not_before, not_after, ip=None):
    key = _key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    if ip is not None:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]),
            critical=False,
        )
    return key, builder.sign(ca_key, hashes.SHA256())


def _pem_cert(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _pem_key(key, password: str | None = None) -> bytes:
    encryption = (
        serialization.BestAvailableEncryption(password.encode())
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, encryption
    )


def _write(directory: str, name: str, data: bytes) -> str:
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o600)
    return path


def make_certs(directory: str) -> types.SimpleNamespace:
    """Write the test PKI into ``directory``; return a namespace of file paths."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key, ca_cert = _ca("Motor test CA", now)
    _, other_ca_cert = _ca("Some other CA", now)
    valid = (now - datetime.timedelta(days=1), now + datetime.timedelta(days=30))
    expired = (now - datetime.timedelta(days=30), now - datetime.timedelta(days=1))
    server_key, server_cert = _leaf(
        ca_key,
        ca_cert,
        "motor-test-server",
        ExtendedKeyUsageOID.SERVER_AUTH,
        *valid,
        ip="127.0.0.1",
    )
    old_key, old_cert = _leaf(
        ca_key,
        ca_cert,
        "motor-expired-server",
        ExtendedKeyUsageOID.SERVER_AUTH,
        *expired,
        ip="127.0.0.1",
    )
    client_key, client_cert = _leaf(
        ca_key, ca_cert, "motor-test-client", ExtendedKeyUsageOID.CLIENT_AUTH, *valid
    )
    return types.SimpleNamespace(
        directory=directory,
        ca=_write(directory, "ca.pem", _pem_cert(ca_cert)),
        other_ca=_write(directory, "other-ca.pem", _pem_cert(other_ca_cert)),
        server=_write(directory, "server.pem", _pem_cert(server_cert) + _pem_key(server_key)),
        expired_server=_write(
            directory, "expired-server.pem", _pem_cert(old_cert) + _pem_key(old_key)
        ),
        client=_write(directory, "client.pem", _pem_cert(client_cert) + _pem_key(client_key)),
        client_encrypted=_write(
            directory,
            "client-encrypted.pem",
            _pem_cert(client_cert) + _pem_key(client_key, CLIENT_KEY_PASSWORD),
        ),
        client_key_password=CLIENT_KEY_PASSWORD,
    )
