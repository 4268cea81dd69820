"""The domain core, pure: the event, normalization, intake and what it needs from the outside.

`model` (ContactEvent, IntakeResult, Sink), `normalize` and `clean` (what people type),
`intake` and `batch_intake` (an event becomes a touch on one customer's lead), `ports` (the
UnitOfWork and LeadRouter protocols intake runs on), `statuses` (a lead's life, defined once)
and `errors` (every deliberate error, with its tree). No I/O library is imported here.
"""
