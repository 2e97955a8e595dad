"""Member roles: the vocabulary the request wrapper checks (``@api(roles=...)``) and the roster stores."""
from __future__ import annotations

from .vocabulary import Vocabulary


class MemberRole(Vocabulary):
    member = "member", "会员"
    liaison = "liaison", "网格联络员"
    staff = "staff", "工会干事"
    secretary = "secretary", "书记"
    admin = "admin", "系统管理员"
    treasurer = "treasurer", "经费会计"  # enters the fund ledger; not a console role by itself


# Roles that may use the staff console and staff endpoints ("staff" in @api(roles=...) means any of them).
STAFF_ROLES = frozenset({MemberRole.staff, MemberRole.secretary, MemberRole.admin})
