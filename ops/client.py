"""A guest's browser over plain HTTP (urllib only) and the file outbox the worker writes to.

Used by `ops/deploy-check` and by the fault tests (tests/ops/). Only the public interface is used:
pages, forms with their CSRF token, links found in emails.
"""

import email
import email.policy
import html
import http.client
import http.cookiejar
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Subjects of the registration emails (English, the language the guests register in).
KINDS = {
    "Please confirm your registration:": "confirm_request",
    "Your place is confirmed:": "confirmed",
    "You are on the waiting list:": "waitlisted",
    "Your registration is cancelled:": "cancelled",
    "You are already registered:": "already_registered",
    "A place is free for you:": "promoted",
}
TRANSPORT_ERRORS = (OSError, http.client.HTTPException)  # refused, reset, timed out, bad status line


class UnexpectedResponse(AssertionError):
    pass


@dataclass
class Response:
    status: int
    url: str
    headers: dict
    body: bytes
    history: list = field(default_factory=list)

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def header(self, name):
        return self.headers.get(name.lower())

    def csrf_token(self):
        match = CSRF_FIELD.search(self.text)
        if not match:
            raise UnexpectedResponse(f"no CSRF token in {self.url} ({self.status})")
        return html.unescape(match.group(1))

    def form_action(self, contains):
        for action in re.findall(r'<form[^>]*\baction="([^"]*)"', self.text):
            if contains in action:
                return urllib.parse.urljoin(self.url, html.unescape(action))
        raise UnexpectedResponse(f"no form posting to …{contains}… in {self.url}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # redirects are followed by Browser, which records them


class Browser:
    """Cookies (session, CSRF), manual redirects, every status returned rather than raised.
    Transport errors (connection refused or reset, timeout) do raise: the caller decides."""

    def __init__(self, base, *, timeout=15, headers=None):
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.extra_headers = dict(headers or {})
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def url(self, path):
        return path if "://" in path else self.base + path

    def request(self, method, path, *, data=None, headers=None):
        url = self.url(path)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, method=method,
                                         headers={**self.extra_headers, **(headers or {})})
        if body is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with self.opener.open(request, timeout=self.timeout) as reply:
                return Response(reply.status, url, {k.lower(): v for k, v in reply.headers.items()}, reply.read())
        except urllib.error.HTTPError as reply:
            with reply:
                return Response(reply.code, url, {k.lower(): v for k, v in reply.headers.items()}, reply.read())

    def _follow(self, response, follow):
        history = []
        while follow and response.status in (301, 302, 303, 307, 308) and len(history) < 10:
            history.append(response)
            response = self.request("GET", urllib.parse.urljoin(response.url, response.header("location")))
        response.history = history
        return response

    def get(self, path, *, follow=True, headers=None):
        return self._follow(self.request("GET", path, headers=headers), follow)

    def post(self, path, data, *, follow=True):
        return self._follow(self.request("POST", path, data=data), follow)

    def submit(self, page, data, *, action=None, follow=True):
        """POST a form of `page` (the one whose action contains `action`, or the page itself) with
        the page's CSRF token."""
        url = page.form_action(action) if action else page.url
        return self.post(url, {"csrfmiddlewaretoken": page.csrf_token(), **data}, follow=follow)


# --- the guest's journey --------------------------------------------------------------------------

def event_path(uid, language="en"):
    return f"/{language}/events/{uid}/"


def told_to_check_email(response):
    """The registration form's success page (templates/events/registration_check_email.html)."""
    return response.status == 200 and "<h1>Check your email</h1>" in response.text


def register(browser, uid, *, name, email_address, page=None):
    """Open the event page (unless `page` is it), fill in the form as a person does (name, email,
    consent ticked, the hidden honeypot left empty) and send it. Returns (event page, answer)."""
    page = page or browser.get(event_path(uid))
    if page.status != 200:
        return page, page
    answer = browser.submit(page, {"name": name, "email": email_address, "consent": "on", "website": ""},
                            action="/register/")
    return page, answer


def follow_email_link(browser, link):
    """A link from an email: GET keeps the token in the session and redirects to a token-free page
    whose form acts; POST that form with its CSRF token. Returns (page, answer)."""
    page = browser.get(link)
    if page.status != 200 or not page.history:
        raise UnexpectedResponse(f"email link answered {page.status} without redirect ({len(page.history)} hops)")
    if "/registrations/" not in page.url or link.rstrip("/").rsplit("/", 1)[-1] in page.url:
        raise UnexpectedResponse(f"email link redirected to {page.url}, not to a token-free page")
    return page, browser.submit(page, {})


# --- the outbox -----------------------------------------------------------------------------------

SEPARATOR = b"\n" + b"-" * 79 + b"\n"


@dataclass
class Mail:
    to: str
    subject: str
    message_id: str
    body: str
    file: str

    @property
    def kind(self):
        for prefix, kind in KINDS.items():
            if self.subject.startswith(prefix):
                return kind
        return "other"

    def links(self):
        return re.findall(r"https?://\S+", self.body)

    def link(self, contains):
        found = [link for link in self.links() if contains in link]
        if not found:
            raise UnexpectedResponse(f"no link with {contains!r} in the email {self.subject!r} to {self.to}")
        return found[0]


class Outbox:
    """Messages written by django.core.mail.backends.filebased (one file per connection, each
    message followed by a line of 79 dashes). A message still being written is not counted."""

    def __init__(self, path):
        self.path = Path(path)

    def messages(self):
        mails = []
        for file in sorted(self.path.glob("*.log")):
            data = file.read_bytes()
            for chunk in data.split(SEPARATOR)[:-1]:  # the part after the last separator is unfinished
                message = email.message_from_bytes(chunk, policy=email.policy.default)
                part = message.get_body(preferencelist=("plain",))
                mails.append(Mail(to=str(message["To"]), subject=" ".join(str(message["Subject"]).split()),
                                  message_id=str(message["Message-ID"] or ""),
                                  body=part.get_content() if part else "", file=file.name))
        return mails

    def wait_for(self, predicate, *, timeout=60, interval=0.5, describe="an email"):
        deadline = time.monotonic() + timeout
        while True:
            found = [mail for mail in self.messages() if predicate(mail)]
            if found:
                return found
            if time.monotonic() > deadline:
                raise UnexpectedResponse(f"no {describe} in {self.path} after {timeout} s")
            time.sleep(interval)


def unique(mails):
    """One mail per Message-ID: the same message delivered twice is the same mail."""
    seen = {}
    for mail in mails:
        seen.setdefault(mail.message_id or id(mail), mail)
    return list(seen.values())


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url, *, timeout=60, ok=(200,), process=None):
    """Poll `url` until it answers one of `ok`; fail early if `process` (a Popen) exited."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise UnexpectedResponse(f"the process for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:
                if reply.status in ok:
                    return reply.status
                last = reply.status
        except urllib.error.HTTPError as error:
            last = error.code
            if error.code in ok:
                return error.code
        except TRANSPORT_ERRORS as error:
            last = repr(error)
        time.sleep(0.3)
    raise UnexpectedResponse(f"{url} did not answer {ok} within {timeout} s (last: {last})")
