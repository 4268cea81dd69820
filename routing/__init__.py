"""Routing: who gets a lead (rules, choice), and how they hear of it (outbox, AMQP, notifiers)."""
