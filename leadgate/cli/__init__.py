"""The `leadgate` command: `command.main` parses and dispatches; one module per admin command.

Every command that reads or writes the store gets it from `bootstrap`, as the server does.
"""

from leadgate.cli.command import main

__all__ = ["main"]
