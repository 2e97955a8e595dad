"""Who sees a case's details and who acts on it. Details: the case's handlers and the chair (the secretary
role); everyone else is told 404 not_found, as for a case that does not exist. Handlers are staff or the chair."""
from __future__ import annotations

from sqlalchemy import and_, exists, false, or_, select

from ..core.errors import AppError
from ..core.extensions import db
from .models import CareCase, CareHandler, CareStage

CHAIR = "secretary"
HANDLER_ROLES = ("staff", "secretary")


def not_found() -> AppError:
    return AppError("not_found", "帮扶个案不存在")


def is_chair(member) -> bool:
    return member.has_any_role([CHAIR])


def may_handle(member) -> bool:
    """May be a case's handler: staff or the chair (an admin alone is not)."""
    return member.has_any_role(HANDLER_ROLES)


def get_case(case_id: int, lock: bool = False) -> CareCase:
    stmt = select(CareCase).where(CareCase.id == case_id)
    if lock:
        stmt = stmt.with_for_update()
    case = db.session.scalars(stmt.execution_options(populate_existing=True)).first()
    if case is None:
        raise not_found()
    return case


def is_handler(member_id: int, case_id: int) -> bool:
    return db.session.scalar(select(exists().where(CareHandler.case_id == case_id,
                                                   CareHandler.member_id == member_id))) or False


def for_details(member, case_id: int) -> tuple[CareCase, bool]:
    """The case and whether ``member`` handles it, for a handler or the chair; 404 for anyone else."""
    case = get_case(case_id)
    handler = is_handler(member.id, case.id)
    if not (handler or is_chair(member)):
        raise not_found()
    return case, handler


def for_handler(member, case_id: int) -> CareCase:
    """Work only a handler does (the assessment, documents): 404 for outsiders, 403 for a chair who is not one."""
    case, handler = for_details(member, case_id)
    if not handler:
        raise AppError("forbidden", "只有本个案的经办人可以进行此操作")
    return case


def listed(member):
    """SQL: the cases in ``member``'s list: the chair all; staff the ones they handle and unassigned new ones."""
    if is_chair(member):
        return None
    mine = CareCase.id.in_(select(CareHandler.case_id).where(CareHandler.member_id == member.id))
    if not may_handle(member):
        return or_(mine, false())
    return or_(mine, and_(CareCase.stage == CareStage.opened, CareCase.handler_count == 0))
