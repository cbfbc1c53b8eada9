"""The client address rate limits count (events.ratelimit.client_ip): behind EYOS_TRUSTED_PROXIES
load balancers it is the entry the outermost trusted one appended to X-Forwarded-For, never one the
client forged; and allauth's own limits (sign-in, sign-up) find the same address."""

import pytest
from django.test import RequestFactory

from events import ratelimit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("proxies, forwarded, remote, expected", [
    (0, "1.1.1.1", "10.0.0.1", "10.0.0.1"),               # no proxy: the header is the client's, ignored
    (1, "6.6.6.6, 2.2.2.2", "10.0.0.1", "2.2.2.2"),      # the entry our balancer appended, not the forged one
    (2, "6.6.6.6, 3.3.3.3, 10.1.1.1", "10.0.0.1", "3.3.3.3"),
    (1, "", "10.0.0.1", "10.0.0.1"),
])
def test_client_ip_trusts_only_the_configured_proxies(settings, proxies, forwarded, remote, expected):
    settings.EYOS_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert ratelimit.client_ip(request) == expected


def test_allauth_limits_count_the_same_client_as_ours(client, settings):
    """Behind a load balancer allauth must not see every visitor as the balancer: it is given the
    same number of trusted proxies, and then finds the same client address as our limiter."""
    import subprocess
    import sys

    from allauth.core.internal.httpkit import get_client_ip

    from events.ratelimit import client_ip

    configured = subprocess.run(
        [sys.executable, "-c", "from eyos.settings import base; print(base.ALLAUTH_TRUSTED_PROXY_COUNT)"],
        env={**__import__("os").environ, "EYOS_TRUSTED_PROXIES": "2"}, capture_output=True, text=True, check=True)
    assert configured.stdout.strip() == "2"
    settings.EYOS_TRUSTED_PROXIES = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for forwarded in ("203.0.113.7", "198.51.100.1, 203.0.113.8"):
        request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="10.0.0.1")
        assert get_client_ip(request) == client_ip(request) == forwarded.split(", ")[-1]
    # 35 people signing in through one balancer are not one visitor (login: 30 a minute per IP).
    statuses = {client.post("/en/accounts/login/", {"login": f"p{n}@example.org", "password": "x"},
                            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}", REMOTE_ADDR="10.0.0.1").status_code
                for n in range(35)}
    assert 429 not in statuses
