"""Dashboard and API hardening (issue 12, item 23): security headers on every response, the Host
header checked against the server's names (DNS rebinding), and LIKE wildcards in a profile name
lookup taken literally. Stores are built here from hand-made works."""

from __future__ import annotations

import warnings

import pytest

from collabatlas.analyses.profile import find_institution
from collabatlas.counting.rules import CountingError
from collabatlas.views.commands.serve import allowed_hosts
from collabatlas.views.web import create_app
from collabatlas.views.web.app import host_allowed
from tests.conftest import institution, work

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient


def named(iid: str, country: str, name: str) -> dict:
    inst = institution(iid, country)
    inst["display_name"] = name
    return inst


@pytest.fixture
def atlas(atlas_of):
    a, b, c = (named("I1", "US", "Alpha University"), named("I2", "GB", "Beta Institute"),
               named("I3", "FR", "Gamma 100% Lab"))
    return atlas_of([work("W1", [[a], [b]]), work("W2", [[a], [c]], year=2021), work("W3", [[b]], year=2019)])


def client(atlas, host: str = "127.0.0.1:8000", **kwargs) -> TestClient:
    return TestClient(create_app(atlas, **kwargs), base_url=f"http://{host}")


HEADERS = {"x-content-type-options": "nosniff", "x-frame-options": "DENY"}


@pytest.mark.parametrize("path", ["/", "/country", "/api/scores?level=country", "/assets/dashboard.js",
                                  "/assets/nothing.js", "/api/partners/ZZ", "/api/scores?level=planet",
                                  "/openapi.json"])
def test_every_response_carries_the_security_headers(atlas, path):
    response = client(atlas).get(path)
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (path, response.status_code, name)
    csp = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";")[0]  # no inline script can run


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io", "localhost.evil.example"])
def test_a_foreign_host_header_is_refused(atlas, host):
    response = client(atlas, host).get("/api/scores?level=country")
    assert response.status_code == 400 and "Host" in response.json()["detail"]
    assert response.headers.get("x-frame-options") == "DENY"


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "localhost", "[::1]:8000", "10.1.2.3:80",
                                  "LOCALHOST:8000"])
def test_addresses_and_localhost_are_accepted(atlas, host):
    assert client(atlas, host).get("/api/scores?level=country").status_code == 200


def test_public_bind_names_are_configurable(atlas):
    assert client(atlas, "atlas.example.org", allowed_hosts=["atlas.example.org"]).get("/").status_code == 200
    assert client(atlas, "other.example.org", allowed_hosts=["atlas.example.org"]).get("/").status_code == 400
    assert client(atlas, "anything.example", allowed_hosts=["*"]).get("/").status_code == 200


def test_serve_allows_its_own_host_name_and_the_allow_host_names():
    assert set(allowed_hosts("127.0.0.1", [])) == {"localhost"}
    assert set(allowed_hosts("0.0.0.0", ["atlas.example.org"])) == {"localhost", "atlas.example.org"}
    assert set(allowed_hosts("myhost.lan", [])) == {"localhost", "myhost.lan"}
    assert not host_allowed("evil.example", allowed_hosts("0.0.0.0", []))
    assert not host_allowed(None, ["localhost"]) and not host_allowed("", ["localhost"])


def test_like_wildcards_in_a_profile_name_are_literal(atlas):
    assert find_institution(atlas, "100%") == "I3"
    assert find_institution(atlas, "%") == "I3"  # the only name holding a "%", not every institution
    with pytest.raises(CountingError, match="no institution matches"):
        find_institution(atlas, "_")
    with pytest.raises(CountingError, match="no institution matches"):
        find_institution(atlas, "Alpha%University")
    assert find_institution(atlas, "alpha univ") == "I1"


def test_profile_route_takes_a_percent_literally(atlas):
    c = client(atlas)
    assert c.get("/api/profile/_").status_code == 404
    assert c.get("/api/profile/%25").json()["institution_id"] == "I3"
