"""The one way a domain takes uploads for its object, and the registry of who may fetch them."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import update

from ..core.errors import AppError
from ..core.extensions import db
from .models import Upload
from .pdfs import PDF_TYPE

# kind -> may(member, attached_id) -> bool; each domain registers its rule at import time.
_readers: dict[str, Callable[[object, int], bool]] = {}


def register_reader(kind: str, may_read: Callable[[object, int], bool]) -> None:
    _readers[kind] = may_read


def may_read(member, upload: Upload) -> bool:
    if upload.attached_kind is None:
        return upload.owner_id == member.id
    rule = _readers.get(upload.attached_kind)
    return bool(rule and rule(member, upload.attached_id))


def attach(upload_ids: Sequence[str], *, owner_id: int, kind: str, attached_id: int, limit: int,
           pdf: bool = False) -> list[str]:
    """Attach the owner's unattached uploads, in the given order, in one statement per upload position.

    Refuses (``invalid_attachment``) ids that are unknown, someone else's, already attached or repeated, and
    more than ``limit``; nothing is attached then. A PDF is taken only where the domain says ``pdf=True``
    (invoices of fund entries); elsewhere it is refused like an unknown id.
    """
    ids = list(upload_ids)
    if len(ids) > limit:
        raise AppError("invalid_attachment", f"最多 {limit} 张图片")
    if len(set(ids)) != len(ids):
        raise AppError("invalid_attachment", "图片重复")
    if not ids:
        return []
    # One UPDATE takes them all only if every one is still free; the count tells.
    where = [Upload.id.in_(ids), Upload.owner_id == owner_id, Upload.attached_kind.is_(None)]
    if not pdf:
        where.append(Upload.content_type != PDF_TYPE)
    taken = db.session.execute(
        update(Upload)
        .where(*where)
        .values(attached_kind=kind, attached_id=attached_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != len(ids):
        raise AppError("invalid_attachment", "图片不存在、已被使用或不属于您")
    for position, upload_id in enumerate(ids):
        db.session.execute(update(Upload).where(Upload.id == upload_id).values(position=position)
                           .execution_options(synchronize_session=False))
    return ids
