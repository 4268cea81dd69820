"""The composition root: settings, bootstrap, supervisor, CLI and the HTTP app.

`bootstrap.bootstrap(settings)` builds the service once, in dependency order: the core (the
store, the intake writer, routing's desks and the one outbox signal every writer rings), then,
through the `*_wiring` modules, what the configuration enables (one line per channel, the relay
and notifiers) and the HTTP app. `server` runs it under the `supervisor`. Nothing here holds
SQL or decides about a lead or a channel.
"""
