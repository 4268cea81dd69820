"""Where a call's recording is: a file under `[asterisk] recordings_dir`, or a recordings server."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote


@dataclass(frozen=True, slots=True)
class Recordings:
    """The recordings Leadgate may hand out: files under `directory`, or `url_template` links.

    `url_template` takes `{name}` (the file name) and `{path}` (the path Asterisk wrote).
    """

    directory: Path | None = None
    url_template: str | None = None

    @classmethod
    def from_toml(cls, section: dict[str, object]) -> Recordings:
        """From `[asterisk] recordings_dir` / `recordings_url`; ValueError names a bad key."""
        directory, template = section.get("recordings_dir"), section.get("recordings_url")
        for key, value in (("recordings_dir", directory), ("recordings_url", template)):
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise ValueError(f"[asterisk] {key} must be a non-empty string")
        if isinstance(template, str) and "{name}" not in template and "{path}" not in template:
            raise ValueError("[asterisk] recordings_url must contain {name} or {path}")
        return cls(Path(directory) if isinstance(directory, str) else None,
                   template if isinstance(template, str) else None)  # fmt: skip

    def url(self, recording: str) -> str | None:
        """The recordings server's link to this recording, if one is configured."""
        if self.url_template is None:
            return None
        name = PurePosixPath(recording).name
        return self.url_template.format(name=quote(name), path=quote(recording))

    def file(self, recording: str) -> Path | None:
        """The recording's file, only if it lies under `directory` and exists."""
        if self.directory is None or not recording:
            return None
        root = self.directory.resolve()
        written = Path(recording)
        # Asterisk may have another mount point for the same folder: fall back to the name.
        for candidate in (written if written.is_absolute() else root / written,
                          root / written.name):  # fmt: skip
            resolved = candidate.resolve()
            if resolved.is_relative_to(root) and resolved.is_file():
                return resolved
        return None
