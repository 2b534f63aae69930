"""Uploaded files, with limits on size and type, kept where FILES_URL says: any fsspec URL
(s3://bucket/prefix, gcs://bucket/prefix, memory://…, file:///path) or, by default, disk under FILES_DIR."""
import posixpath
import uuid
from typing import IO

import fsspec
from flask import current_app
from fsspec import AbstractFileSystem
from werkzeug.datastructures import FileStorage

from dispatch.core.errors import InvalidInput
from dispatch.core.tx import after_rollback

# What the content starts with, per accepted type: the browser's claimed type or the name's ending is not trusted.
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}
IMAGES = ("image/jpeg", "image/png")
LARGEST_FILE = 10 * 1024 * 1024


def store_upload(upload: FileStorage, field: str, folder: str, accepted: tuple[str, ...] = tuple(SIGNATURES)) -> tuple[str, str]:
    """Keep an uploaded file of an accepted type (PDF, JPEG or PNG) of at most 10 MB;
    (stored path relative to the file store, content type). Runs inside the caller's transaction:
    if that rolls back, the file is removed again, so no file outlives its record."""
    content = upload.stream.read(LARGEST_FILE + 1)
    if len(content) > LARGEST_FILE:
        raise InvalidInput.on_field(field, "The file is larger than 10 MB.")
    content_type = next((kind for kind, starts in SIGNATURES.items() if content.startswith(starts)), None)
    if content_type not in accepted:
        names = [NAMES[kind] for kind in accepted]
        either = f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]
        raise InvalidInput.on_field(field, f"Upload a {either} file.")
    relative = posixpath.join(folder, f"{uuid.uuid4().hex}{EXTENSIONS[content_type]}")
    filesystem, target = _located(relative)
    # Written before the commit, not after: a committed record must never point at a file that failed to write.
    filesystem.makedirs(posixpath.dirname(target), exist_ok=True)
    filesystem.pipe_file(target, content)
    after_rollback(lambda: _remove(filesystem, target))
    return relative, content_type


def open_stored_file(relative: str) -> IO[bytes]:
    """The stored file, opened for reading; FileNotFoundError if it is not there."""
    filesystem, target = _located(relative)
    return filesystem.open(target, "rb")


def stored_file_size(relative: str) -> int:
    filesystem, target = _located(relative)
    return filesystem.size(target)


def _remove(filesystem: AbstractFileSystem, target: str) -> None:
    """Take back a file whose record was rolled back. Runs while the rollback's error is being
    raised: a failure here is logged, never put in that error's place."""
    try:
        filesystem.rm_file(target)
    except OSError:
        current_app.logger.exception("Could not remove %s after a rollback", target)


def _located(relative: str) -> tuple[AbstractFileSystem, str]:
    """The file store (fsspec keeps one instance per URL) and the file's path in it."""
    filesystem, root = fsspec.core.url_to_fs(current_app.config["FILES_URL"] or current_app.config["FILES_DIR"])
    return filesystem, posixpath.join(root, relative)
