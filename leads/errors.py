"""Every error Leadgate raises on purpose, and what each one means for whoever catches it.

LeadgateError
├── InvalidEvent            the input can never become a lead as sent: answer 4xx, drop it
├── StoreUnavailable        the database did not take the write: retry later (503, 451, keep mail)
└── ChannelError            a channel adapter could not run
    ├── ChannelUnavailable  transient (network, server down): the supervisor retries with backoff
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


class StoreUnavailable(LeadgateError):
    """The store could not commit the event; nothing was written, the caller may retry."""


class ChannelError(LeadgateError):
    """A channel adapter could not run."""


class ChannelUnavailable(ChannelError):
    """Transient failure: retry with backoff."""


class ChannelMisconfigured(ChannelError):
    """Permanent until the configuration changes: report and stop retrying."""
