"""HTTPS with a client certificate, as a SEPI gateway requires: the simulator
serves TLS and demands a certificate signed by a test CA (made with openssl);
the HTTP backend shows SEPI_CLIENT_CERT/KEY and checks SEPI_CA_BUNDLE."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from sepi import simulator
from sepi.adapter import get_adapter
from sepi.simulator import SimulatorServer
from sepi.types import SepiConnectionError

from .conftest import SIM_TODAY, registered_pesel

pytestmark = pytest.mark.django_db


OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run([OPENSSL, *args], cwd=cwd, check=True, capture_output=True)


def _signed(name: str, cn: str, extension: str, cwd: Path) -> None:
    (cwd / f"{name}.ext").write_text(extension + "\n")
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out",
             f"{name}.csr", "-subj", f"/CN={cn}", cwd=cwd)  # fmt: skip
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", f"{name}.crt", "-days", "2", "-extfile", f"{name}.ext",
             cwd=cwd)  # fmt: skip


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Path:
    if not Path(OPENSSL).exists():
        pytest.fail("openssl is needed to make the test certificates")
    cwd = tmp_path_factory.mktemp("pki")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
             "ca.crt", "-days", "2", "-subj", "/CN=Test SEPI CA", cwd=cwd)  # fmt: skip
    _signed("server", "127.0.0.1", "subjectAltName=IP:127.0.0.1", cwd)
    _signed("client", "mops-test", "extendedKeyUsage=clientAuth", cwd)
    return cwd


@pytest.fixture
def tls_sim(pki: Path) -> Iterator[SimulatorServer]:
    context = simulator.tls_context(
        str(pki / "server.crt"), str(pki / "server.key"), client_ca=str(pki / "ca.crt")
    )
    server = simulator.start(port=0, tls=context)
    server.state.configure({"today": SIM_TODAY.isoformat()})
    yield server
    simulator.stop(server)


@pytest.fixture
def https(settings, tls_sim: SimulatorServer, pki: Path) -> SimulatorServer:
    settings.SEPI_BACKEND = "http"
    settings.SEPI_BASE_URL = tls_sim.url
    settings.SEPI_CA_BUNDLE = str(pki / "ca.crt")
    settings.SEPI_CLIENT_CERT = str(pki / "client.crt")
    settings.SEPI_CLIENT_KEY = str(pki / "client.key")
    settings.SEPI_RETRIES = 0
    return tls_sim


def _ask(pesel: str):
    return get_adapter().lookup_status(pesel, purpose="benefit_eligibility", requested_by="t")


def test_a_lookup_over_https_with_a_client_certificate(https) -> None:
    assert https.url.startswith("https://")
    pesel = registered_pesel()
    assert _ask(pesel).pesel == pesel
    assert https.state.served == 1


def test_without_the_client_certificate_the_gateway_refuses(settings, https) -> None:
    settings.SEPI_CLIENT_CERT = settings.SEPI_CLIENT_KEY = ""
    with pytest.raises(SepiConnectionError):
        _ask(registered_pesel())
    assert https.state.received == 0


def test_a_server_certificate_from_an_unknown_ca_is_refused(settings, https) -> None:
    settings.SEPI_CA_BUNDLE = ""  # the system CAs do not know our test CA
    with pytest.raises(SepiConnectionError):
        _ask(registered_pesel())
    assert https.state.received == 0
