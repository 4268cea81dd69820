"""The composition root: settings, bootstrap, supervisor, CLI and the HTTP app.

`compose.bootstrap(settings)` builds the service once, in dependency order, one room per
module (the store and its writers, the channels the configuration enables, routing's relay and
notifiers, the integrations, the HTTP app) and returns a `Service` to open with `async with`.
`server` serves it and runs its channels and loops under the `supervisor`, once in the cluster
(`cluster`); `http/` is the app, `cli/` the `leadgate` command. Nothing here holds SQL or
decides about a lead or a channel.
"""
