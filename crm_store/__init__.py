"""The store: tables, Core statements, the unit of work, group commit and migrations.

`uow.SqlUnitOfWork` is every write transaction: it holds the intake store, the routing store
(with the outbox), the staff, hygiene and workspace stores on one connection, rolled back unless
committed.
`intake_writer.IntakeWriter` is the channels' sink in the running service: it prepares each
event and commits it in groups (`group_commit`), running `leads.intake` inside. Read modules
(`cards`, `calls`, the report queries) take a connection; table modules are for the store only.
"""
