"""Documents in the client file. Reports received from third parties go in the confidential section:
only the owner and the person who added one may read it, and every attempt to read it is recorded."""
from typing import IO

from sqlalchemy import Select, or_, select
from werkzeug.datastructures import FileStorage

from dispatch.auth.models import Role, User
from dispatch.auth.permissions import STAFF
from dispatch.core.errors import InvalidInput, NotFound
from dispatch.core.files import open_stored_file, store_upload, stored_file_size
from dispatch.core.tx import transaction, transactional
from dispatch.customers.models import ClientDocument, DocumentRead
from dispatch.customers.service import get_customer
from dispatch.extensions import db


@transactional
def add_document(customer_id: int, title: str, upload: FileStorage | None, actor: User,
                 is_confidential: bool = False, received_from: str | None = None) -> ClientDocument:
    customer = get_customer(customer_id)
    if upload is None or not upload.filename:
        raise InvalidInput.on_field("file", "Choose the file to add.")
    stored_path, content_type = store_upload(upload, "file", f"client-files/{customer.id}")
    document = ClientDocument(
        customer_id=customer.id,
        title=title.strip(),
        received_from=received_from,
        is_confidential=is_confidential,
        stored_path=stored_path,
        content_type=content_type,
        size_bytes=stored_file_size(stored_path),
        added_by_id=actor.id,
    )
    db.session.add(document)
    db.session.flush()
    return document


def may_read(actor: User, document: ClientDocument) -> bool:
    if document.added_by_id == actor.id:
        return True
    if document.is_confidential:
        return actor.has_role(Role.OWNER)
    return actor.has_role(*STAFF)


def open_document(document_id: int, actor: User) -> tuple[ClientDocument, IO[bytes]]:
    """The document and its file, for someone allowed to read it. The attempt is recorded either
    way, and committed before a refusal: to anyone else the document does not exist."""
    with transaction():
        document = db.session.get(ClientDocument, document_id)
        if document is None:
            raise NotFound("No such document.")
        is_allowed = may_read(actor, document)
        db.session.add(DocumentRead(document_id=document.id, reader_id=actor.id, was_allowed=is_allowed))
    if not is_allowed:
        raise NotFound("No such document.")
    return document, open_stored_file(document.stored_path)


def documents_for(customer_id: int, actor: User) -> list[ClientDocument]:
    return list(db.session.scalars(documents_query(customer_id, actor)))


def documents_query(customer_id: int, actor: User) -> Select:
    """The customer's documents this person may read, latest first: confidential ones only for the owner and their adder."""
    query = select(ClientDocument).where(ClientDocument.customer_id == customer_id)
    if not actor.has_role(Role.OWNER):
        query = query.where(or_(ClientDocument.is_confidential.is_(False), ClientDocument.added_by_id == actor.id))
    return query.order_by(ClientDocument.added_at.desc(), ClientDocument.id.desc())


def document_reads_query(document_id: int) -> Select:
    """Who opened or tried to open a document, newest first: the owner's audit trail, a row per attempt."""
    if db.session.get(ClientDocument, document_id) is None:
        raise NotFound("No such document.")
    return select(DocumentRead).where(DocumentRead.document_id == document_id).order_by(DocumentRead.id.desc())
