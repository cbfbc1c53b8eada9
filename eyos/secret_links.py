"""Secret links (signed links from emails, invitation links): the view behind such a URL keeps
its secret in the session and redirects to a page without it (see eyos.headers.no_referrer)."""

SECRETS_SESSION_KEY = "eyos_secret_links"


def stash_secret(request, kind, secret):
    """Keep a link's secret in the session, for the token-free page the link redirects to."""
    request.session[SECRETS_SESSION_KEY] = {**request.session.get(SECRETS_SESSION_KEY, {}), kind: secret}


def stashed_secret(request, kind):
    """The secret kept for `kind`, or "". It stays until the session ends (the token expires on
    its own), so submitting the page twice answers as the link would."""
    return request.session.get(SECRETS_SESSION_KEY, {}).get(kind, "")
