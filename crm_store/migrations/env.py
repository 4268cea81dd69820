"""Alembic environment: runs on the connection Leadgate hands it (see crm_store.migrate)."""

from alembic import context

from crm_store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `leadgate db upgrade`, which provides the connection")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
