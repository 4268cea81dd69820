"""Every error Leadgate raises on purpose, and what each one means for whoever catches it.

LeadgateError
├── InvalidEvent            the input can never become a lead as sent: answer 4xx, drop it
│   ├── EventRefused        the database refused the event's data for good: 4xx, never retried
│   └── ReplyRefused        no reply can reach the customer now; `code` says why (4xx)
├── Refused                 an HTTP edge refuses the request as sent: answer `status` with `code`
│   └── Malformed           the request cannot even be read (400 `malformed`)
├── StoreUnavailable        the database did not take the write: retry later (503, 451, keep mail)
├── ConfigError             the configuration cannot be used as written: say where, do not start
├── LeadNotFound            no lead has this id (404)
├── LeadConflict            the lead's state does not allow the action; the message says why (409)
├── MergeRefused            two cards cannot be merged, or a merge undone, as asked; says why (409)
├── BadPeriod               a report's from/to cannot be read as a date range (400, exit 2)
├── DatabaseBusy            another process already runs on this SQLite database: do not start
├── CannotStart             something outside the service stops it starting (a port in use)
├── LockLost                this process lost a singleton's lock: stop its work, take it again later
├── CrmError                a CRM export call did not succeed: the exporter postpones the lead
│   ├── RateLimited         the CRM said "too many requests": wait `retry_after` seconds
│   ├── CrmUnavailable      unreachable, a timeout or a 5xx: try again later
│   └── CrmRefused          the CRM refused the request as sent: give up after the last attempt
└── ChannelError            a channel adapter could not run
    ├── ChannelUnavailable  transient (network, server down): the supervisor retries with backoff
    │   └── PermissionDenied the PBX refused an action this AMI user may not run: say which
    └── ChannelMisconfigured wrong credentials or settings: stop, report on /healthz, do not retry
"""


class LeadgateError(Exception):
    """Base of every deliberate Leadgate error."""


class InvalidEvent(LeadgateError):
    """The event cannot become a lead as it is; `code` is the public error code."""

    def __init__(self, detail: str, code: str = "no_usable_contact") -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


class Refused(LeadgateError):
    """The request is refused as sent; `status` (4xx or 503) and `code` are the public answer."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


class Malformed(Refused):
    """The request is not in the format it claims: 400 `malformed` with the reason."""

    def __init__(self, detail: str) -> None:
        super().__init__(400, "malformed", detail)


class EventRefused(InvalidEvent):
    """The database will never take this event as it is (a data error, not an outage)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail, code="refused_by_store")


class ReplyRefused(InvalidEvent):
    """No reply can be sent: `code` is `unreachable`, `reply_window_closed` or `refused`."""


class StoreUnavailable(LeadgateError):
    """The store could not commit the event; nothing was written, the caller may retry."""


class ConfigError(LeadgateError, ValueError):
    """The configuration cannot be used as written; the message says where and why."""


class LeadNotFound(LeadgateError, LookupError):
    """No lead has this id."""


class LeadConflict(LeadgateError, ValueError):
    """The lead is not in a state that allows this (the message says why)."""


class ChannelError(LeadgateError):
    """A channel adapter could not run."""


class ChannelUnavailable(ChannelError):
    """Transient failure: retry with backoff."""


class PermissionDenied(ChannelUnavailable):
    """Asterisk refused an action this AMI user has no write permission for."""

    def __init__(self, action: str) -> None:
        super().__init__(f"AMI {action}: permission denied")
        self.action = action


class ChannelMisconfigured(ChannelError):
    """Permanent until the configuration changes: report and stop retrying."""


class MergeRefused(LeadgateError):
    """The merge or its undo cannot be done as asked (merged already, built on); says why."""


class BadPeriod(LeadgateError, ValueError):
    """The from/to parameters cannot be read as a date range (the message says why)."""


class DatabaseBusy(LeadgateError):
    """Another Leadgate process already runs on this SQLite database."""


class CannotStart(LeadgateError):
    """The service cannot start for a reason outside it (a port in use); the message says which."""


class LockLost(LeadgateError):
    """This process no longer holds the singleton (its lock connection ended)."""


class CrmError(LeadgateError):
    """A CRM call did not succeed."""


class RateLimited(CrmError):
    """The CRM's documented "too many requests" answer: wait `retry_after` seconds."""

    def __init__(self, detail: str, retry_after: float) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class CrmUnavailable(CrmError):
    """Unreachable, a timeout or a 5xx: try again later."""


class CrmRefused(CrmError):
    """The CRM refused the request as sent (4xx, an error in the answer)."""
