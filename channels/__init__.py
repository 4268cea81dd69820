"""Channel adapters, one folder each: settings, adapter (I/O) and a pure `parse.py`.

A channel only translates native input into a `ContactEvent` and hands it to its sink. Shared
by all: `base` (the contract), `webhook` (the HTTP edge: bounded body, refusals, 422/503) and
`acknowledgement` (the one auto-reply per lead). Folders never import each other.
"""
