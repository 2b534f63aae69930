"""Uploaded files kept on disk under FILES_DIR, with limits on size and type."""
import uuid
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

from dispatch.core.errors import InvalidInput

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
    (stored path relative to FILES_DIR, content type)."""
    content = upload.stream.read(LARGEST_FILE + 1)
    if len(content) > LARGEST_FILE:
        raise InvalidInput.on_field(field, "The file is larger than 10 MB.")
    content_type = next((kind for kind, starts in SIGNATURES.items() if content.startswith(starts)), None)
    if content_type not in accepted:
        names = [NAMES[kind] for kind in accepted]
        either = f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]
        raise InvalidInput.on_field(field, f"Upload a {either} file.")
    relative = Path(folder) / f"{uuid.uuid4().hex}{EXTENSIONS[content_type]}"
    target = Path(current_app.config["FILES_DIR"]) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return str(relative), content_type


def stored_file(relative: str) -> Path:
    return Path(current_app.config["FILES_DIR"]) / relative
