"""The composition root: settings, bootstrap, supervisor, CLI and the HTTP app.

`bootstrap.open_core` builds the store, intake and routing's desks once, in dependency order,
wiring the one outbox signal into every writer; the `*_wiring` modules add what the
configuration enables (one line per channel, the relay and notifiers); `server` runs it all
under the `supervisor`. Nothing here holds SQL or decides about a lead or a channel.
"""
