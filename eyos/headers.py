"""Response headers the site sets: the Permissions-Policy of every page (eyos.middleware) and
`Referrer-Policy: no-referrer` for URLs that carry a secret."""

from functools import wraps

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


def no_referrer(view):
    """For URLs that carry a secret (signed links from emails, invitation links, personal feeds):
    `Referrer-Policy: no-referrer`, so the URL never travels in a Referer header. Such URLs do not
    show forms themselves: they put the secret in the session and redirect to a page without it
    (see `stash_secret`), because a page under `no-referrer` posts its forms with `Origin: null`,
    which CSRF protection rightly refuses."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapper
