"""What the phone adds to a work order on site: the customer's sign-off and photos of the job.

Filed with the work order in its one transaction, so the invoice emailed after
commit already carries the signature.
"""
from dataclasses import dataclass, field
from typing import IO

from werkzeug.datastructures import FileStorage

from dispatch.auth.models import User
from dispatch.core.errors import InvalidInput, NotFound
from dispatch.core.files import IMAGES, open_stored_file, store_upload
from dispatch.core.time import utcnow
from dispatch.core.tx import transactional
from dispatch.workorders.models import JobPhoto, WorkOrder
from dispatch.workorders.service import file_work_order, get_work_order

# More than a phone's worth of a job would be a gallery, not evidence; the phone sends them resized.
MOST_PHOTOS = 12


@dataclass
class OnSite:
    signed_by: str = ""
    signature: FileStorage | None = None
    photos: list[FileStorage] = field(default_factory=list)

    def check(self) -> None:
        """Refuse a half sign-off or too many photos before anything is filed."""
        if self.signature and not self.signed_by:
            raise InvalidInput.on_field("signed_by", "Type the customer's name under their signature.")
        if self.signed_by and not self.signature:
            raise InvalidInput.on_field("signature", "Ask the customer to sign above their name.")
        if len(self.photos) > MOST_PHOTOS:
            raise InvalidInput.on_field("photos", f"Send at most {MOST_PHOTOS} photos with a work order.")


@transactional
def file_work_order_on_site(filed: dict, on_site: OnSite, actor: User) -> WorkOrder:
    on_site.check()
    work_order = file_work_order(filed, actor)
    folder = f"work-orders/{work_order.id}"
    if on_site.signature:
        work_order.signature_path, _type = store_upload(on_site.signature, "signature", folder, accepted=("image/png",))
        work_order.signed_by, work_order.signed_at = on_site.signed_by, utcnow()
    for photo in on_site.photos:
        path, content_type = store_upload(photo, "photos", folder, accepted=IMAGES)
        work_order.photos.append(JobPhoto(path=path, content_type=content_type))
    return work_order


def photo_of(work_order_id: int, photo_id: int, actor: User) -> JobPhoto:
    work_order = get_work_order(work_order_id, actor)
    photo = next((photo for photo in work_order.photos if photo.id == photo_id), None)
    if photo is None:
        raise NotFound("No such photo.")
    return photo


def signature_of(work_order_id: int, actor: User) -> IO[bytes]:
    work_order = get_work_order(work_order_id, actor)
    if work_order.signature_path is None:
        raise NotFound("This work order was not signed.")
    return open_stored_file(work_order.signature_path)
