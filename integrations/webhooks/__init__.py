"""Outgoing webhooks: signed JSON POSTs of lead events, retried with backoff from the store."""
