"""Every write to events goes through one function here. Each one checks permission through
coordinators.permissions, applies one transition of the lifecycle under a row lock, writes the
Wagtail audit log, and enqueues its notification mail after commit.

Lifecycle: draft → submitted → published · submitted → changes_requested → submitted ·
submitted → rejected (with reason) · published → cancelled. Coordinators may create events
straight into published for their countries.

The package is split by area, and re-exports every public name (callers write
`services.event_submit`): lifecycle (events), organisations, registrations (with personal feeds)
and privacy (account deletion, retention)."""

from .lifecycle import (  # noqa: F401
    ALLOWED, ORGANISER_EDITABLE, SCHEDULE_FIELDS, EDITABLE_FIELDS, InvalidTransition, ACTION_VERBS, allows, organiser_may_edit,
    event_create, event_update, ADDRESS_FIELDS, PIN_FIELDS, event_geocoded, event_submit,
    events_submitted_notify, MODERATION_FOLLOWERS, NOTIFICATION_OF, SPOT_CHECK_ACTIONS, event_approve,
    event_request_changes, event_reject, event_spot_check, event_reject_and_block, event_cancel,
)
from .organisations import (  # noqa: F401
    INVITE_SALT, INVITE_MAX_AGE, InvalidInvitation, organisation_create, organisation_invite_token,
    organisation_from_invite, organisation_join, organisation_renew_invite,
)
from .registrations import (  # noqa: F401
    TOKEN_SALT, TOKEN_MAX_AGE, RegistrationClosed, AlreadyRegistered, InvalidToken,
    places_taken, registration_closed_reason, registration_token, registration_from_token,
    registration_create, registration_remind_existing, registration_confirm, registration_cancel,
    registrations_due_for_reminder, reminders_send, personal_feed_token, personal_feed_renew,
)
from .privacy import (  # noqa: F401
    account_delete, registrations_retention, RETENTION_TASK, schedule_retention,
)
