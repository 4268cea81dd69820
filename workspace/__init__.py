"""The managers' web workspace under /app/: login, the live inbox, the lead and customer card.

Server-rendered pages (Jinja2 templates, one stylesheet, a little plain JavaScript; nothing
from outside the package), sessions in the database, CSRF on every POST, live updates by
server-sent events. The composition root builds it with `build_workspace(WorkspaceDeps(...))`
and mounts it at /app/.
"""

from workspace.app import build_workspace
from workspace.deps import WorkspaceDeps
from workspace.sessions import session_principal

__all__ = ["WorkspaceDeps", "build_workspace", "session_principal"]
