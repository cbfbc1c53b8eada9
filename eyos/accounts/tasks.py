"""allauth's emails (address confirmation, password reset, MFA notices) sent by the task worker
rather than inside the request: a mail server that is down or slow then delays the email (retried
by the worker, eyos/worker.py) instead of turning sign-up or password reset into a 500.

The task's arguments hold the rendered message, confirmation links included, until the task
result is pruned (events.tasks.apply_retention removes finished tasks after
EYOS_TASK_RESULTS_DAYS)."""

from django.core.mail import EmailMultiAlternatives
from django.tasks import task

from events.delivery import send_once


def message_arguments(message):
    """What send_account_email needs to send `message` again, as JSON."""
    html = [content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"]
    body_is_html = getattr(message, "content_subtype", "plain") == "html"
    return {
        "subject": message.subject,
        "body": "" if body_is_html else message.body,
        "html": message.body if body_is_html else (html[0] if html else ""),
        "from_email": message.from_email,
        "to": list(message.to),
        "headers": dict(message.extra_headers),
    }


@task(takes_context=True)
def send_account_email(context, *, subject, body, html, from_email, to, headers):
    message = EmailMultiAlternatives(subject, body or html, from_email, to, headers=headers)
    if body and html:
        message.attach_alternative(html, "text/html")
    elif html:
        message.content_subtype = "html"
    return int(send_once(message, key=f"{context.task_result.id}:account"))
