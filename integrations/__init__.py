"""Pushing leads to other systems: outgoing webhooks and CRM connectors (run once per cluster)."""
