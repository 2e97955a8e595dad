"""Vote rules: drafting, publishing, casting a ballot, the close that files the held ballots, results,
turnout and the paper count. Services never commit.

Casting: the vote row is read FOR SHARE and the time is checked under that lock, in the transaction that
inserts the voter's row and the sealed held ballot. The close takes the row FOR UPDATE, so it waits for
every ballot already past its check and no ballot passes its check after the close: the close is exact
(a ballot is counted exactly when its check saw ``now < closes_at`` on an open vote).
"""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, bindparam, delete, exists, func, insert, select, text, update

from ..core import audiences as audiences_
from ..core import sealed
from ..core.errors import AppError, invalid_request
from ..core.extensions import db, get_or_raise
from ..core.timeutil import SHANGHAI, UTCDateTime, utcnow
from ..members.models import Department, Member, MemberTag
from ..suggestions.receipts import new_receipt
from ..uploads.attach import attach, register_reader
from ..uploads.models import Upload
from .models import (
    Vote,
    VoteAudience,
    VoteBallot,
    VoteBallotChoice,
    VoteCandidate,
    VoteHeldBallot,
    VotePaperCount,
    VoteStatus,
    VoteVoter,
)

log = logging.getLogger(__name__)
UPLOAD_KIND = "vote_candidate"
SEAL_PURPOSE = "votes/held-ballot"
MIN_GROUP = 5
OTHER_GROUP = "其他（不足5人的部门合并）"


def not_found() -> AppError:
    return AppError("not_found", "投票不存在")


def receipt_hash(receipt: str) -> str:
    """sha256 (hex) of the receipt exactly as shown to the voter (``XXXX-XXXX-XXXX-XXXX``)."""
    return hashlib.sha256(receipt.encode()).hexdigest()


def shown_status(vote: Vote, now: datetime | None = None) -> VoteStatus:
    now = now or utcnow()
    if vote.status == VoteStatus.open:
        if now < vote.opens_at:
            return VoteStatus.scheduled
        if now >= vote.closes_at:
            return VoteStatus.closed
    return VoteStatus(vote.status)


def get_vote(vote_id: int, lock: bool = False) -> Vote:
    return get_or_raise(Vote, vote_id, not_found, lock=lock)


# --- audience ---------------------------------------------------------------------------------------

def audience_filter(member: Member):
    return audiences_.admits(VoteAudience, VoteAudience.vote_id, Vote.id, *audiences_.member_values(member))


def is_eligible(member: Member, vote_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Vote.id == vote_id, audience_filter(member)))))


def may_see(member: Member, vote: Vote) -> bool:
    """Staff see every vote; a member a published one of their audience."""
    return member.is_staff or (vote.status != VoteStatus.draft and is_eligible(member, vote.id))


def _may_read_photo(member, candidate_id: int) -> bool:
    vote_id = db.session.scalar(select(VoteCandidate.vote_id).where(VoteCandidate.id == candidate_id))
    return vote_id is not None and may_see(member, get_vote(vote_id))


register_reader(UPLOAD_KIND, _may_read_photo)


def _set_audience(vote: Vote, audience: dict | None) -> None:
    audience = audience or {}
    rows = audiences_.resolve_rows({k: v for k, v in audience.items() if k != "all"})
    db.session.execute(delete(VoteAudience).where(VoteAudience.vote_id == vote.id))
    if rows:
        db.session.execute(insert(VoteAudience), [{"vote_id": vote.id, "kind": k, "ref_id": r} for k, r in rows])
    vote.audience_all = not rows


def _set_candidates(vote: Vote, candidates: list[dict], staff_id: int) -> None:
    old = db.session.scalars(select(VoteCandidate.id).where(VoteCandidate.vote_id == vote.id)).all()
    if old:
        # Photos of replaced candidates are released to their owner, who may attach them again below.
        db.session.execute(update(Upload).where(Upload.attached_kind == UPLOAD_KIND, Upload.attached_id.in_(old))
                           .values(attached_kind=None, attached_id=None)
                           .execution_options(synchronize_session=False))
        db.session.execute(delete(VoteCandidate).where(VoteCandidate.vote_id == vote.id))
    rows = [VoteCandidate(vote_id=vote.id, name=c["name"], description=c.get("description") or "",
                          photo_id=c.get("photo"), position=i) for i, c in enumerate(candidates)]
    db.session.add_all(rows)
    db.session.flush()
    for row in rows:
        if row.photo_id:
            attach([row.photo_id], owner_id=staff_id, kind=UPLOAD_KIND, attached_id=row.id, limit=1)


# --- drafting and publishing ------------------------------------------------------------------------

def create_vote(staff_id: int, *, title: str, description: str, audience: dict | None, opens_at: datetime,
                closes_at: datetime, max_choices: int, candidates: list[dict]) -> Vote:
    """A draft vote with its candidates. Raises 400 invalid_request (unknown audience names),
    400 invalid_attachment (a photo id that is not the caller's free upload)."""
    vote = Vote(title=title, description=description, opens_at=opens_at, closes_at=closes_at,
                max_choices=max_choices, status=VoteStatus.draft, created_by=staff_id, created_at=utcnow())
    db.session.add(vote)
    db.session.flush()
    _set_audience(vote, audience)
    _set_candidates(vote, candidates, staff_id)
    return vote


def update_vote(vote_id: int, staff_id: int, changes: dict[str, Any]) -> Vote:
    """Change a draft (409 invalid_transition once published)."""
    vote = get_vote(vote_id, lock=True)
    if vote.status != VoteStatus.draft:
        raise AppError("invalid_transition", "投票已发布，不能再修改")
    audience = changes.pop("audience", None)
    candidates = changes.pop("candidates", None)
    for field in ("title", "description", "opens_at", "closes_at", "max_choices"):
        if changes.get(field) is not None:
            setattr(vote, field, changes[field])
    n_candidates = len(candidates) if candidates is not None else db.session.scalar(
        select(func.count()).select_from(VoteCandidate).where(VoteCandidate.vote_id == vote.id))
    bad = {}
    if vote.closes_at <= vote.opens_at:
        bad["closes_at"] = "截止时间必须晚于开始时间"
    if vote.max_choices > n_candidates:
        bad["max_choices"] = "最多可选人数不能超过候选人数"
    if bad:
        raise invalid_request(bad)
    if audience is not None:
        _set_audience(vote, audience)
    if candidates is not None:
        _set_candidates(vote, candidates, staff_id)
    db.session.flush()
    return vote


def _tell_audience(vote: Vote, title: str, body: str, send_at: datetime | None = None) -> None:
    from ..notices import services as notices
    from ..notices.models import NoticeSource

    audience = audiences_.copy_of(VoteAudience, VoteAudience.vote_id, vote.id)
    if notices.tell(audience, title=title, body=body, send_at=send_at, page=f"pages/votes/detail?id={vote.id}",
                    source=NoticeSource.vote) is None:
        log.info("vote %s: nobody in its audience to tell", vote.id)


def publish_vote(vote_id: int, *, notify: bool = True) -> Vote:
    """Draft → open (shown as scheduled until opens_at); its audience is told when it opens.
    Raises 409 invalid_transition (not a draft), 400 invalid_request (closes_at already past)."""
    vote = get_vote(vote_id, lock=True)
    if vote.status != VoteStatus.draft:
        raise AppError("invalid_transition", "投票已发布")
    now = utcnow()
    if vote.closes_at <= now:
        raise invalid_request({"closes_at": "截止时间已过，请先修改截止时间"})
    vote.status = VoteStatus.open
    vote.published_at = now
    closes = vote.closes_at.astimezone(SHANGHAI).strftime("%m月%d日 %H:%M")
    if notify:
        _tell_audience(vote, f"投票：{vote.title}", f"“{vote.title}”投票已开始，截止 {closes}，请在小程序中投票。",
                       send_at=vote.opens_at if vote.opens_at > now else None)
    db.session.flush()
    return vote


# --- casting ----------------------------------------------------------------------------------------

# The hot path's statements as SQL text: a rush runs them hundreds of times a second, and building and
# compiling the equivalent expressions cost more Python time than the database spends on them.
# The vote row FOR SHARE (the close's FOR UPDATE waits for it), the member's roster row (it confirms the
# member for @api(deferred_member=True)) and how many of the choices are the vote's candidates.
_READ = ("SELECT v.status, v.opens_at, v.closes_at, v.max_choices, v.audience_all,"
         " (SELECT count(*) FROM vote_candidates c WHERE c.vote_id = v.id AND c.id IN :ids) AS known,"
         " m.is_active, m.token_version, m.department_id, m.grid_id"
         " FROM votes v LEFT JOIN members m ON m.id = :member_id WHERE v.id = :vote_id")
_READ_COLUMNS = {"opens_at": UTCDateTime(), "closes_at": UTCDateTime(), "audience_all": Boolean(),
                 "is_active": Boolean()}
_READ_PG = text(_READ + " FOR SHARE OF v").bindparams(bindparam("ids", expanding=True)).columns(**_READ_COLUMNS)
_READ_SQLITE = text(_READ).bindparams(bindparam("ids", expanding=True)).columns(**_READ_COLUMNS)
_CAST_PG = text(
    "WITH voter AS (INSERT INTO vote_voters (vote_id, member_id, voted_on) VALUES (:vote_id, :member_id, :day)"
    " ON CONFLICT DO NOTHING RETURNING vote_id)"
    " INSERT INTO vote_held_ballots (id, vote_id, sealed) SELECT :id, vote_id, :sealed FROM voter RETURNING id")
_VOTER_SQLITE = text("INSERT INTO vote_voters (vote_id, member_id, voted_on) VALUES (:vote_id, :member_id, :day)"
                     " ON CONFLICT DO NOTHING RETURNING vote_id")


def cast_ballot(member_id: int, vote_id: int, choices: list[int]) -> str:
    """Record that the member voted and hold their ballot sealed; returns the receipt (shown once).

    The hot path of a vote: one statement reads the vote (FOR SHARE) with the member's roster row, which
    confirms the member for @api(deferred_member=True). Raises 401 (left the roster, token revoked), 404
    (no such vote, or a draft), 403 not_eligible, 409 vote_closed (not open now: the time is read under
    the vote row's share lock, see the module's note), 400 invalid_request (choices), 409 already_voted
    (also when another request of the member's won the race)."""
    from ..members.auth import load_member, member_confirmed

    wanted = sorted(set(choices))
    postgres = db.session.get_bind().dialect.name == "postgresql"
    row = db.session.execute(_READ_PG if postgres else _READ_SQLITE,
                             {"vote_id": vote_id, "member_id": member_id, "ids": wanted}).one_or_none()
    if row is None:
        load_member(member_id)
        raise not_found()
    status, opens_at, closes_at, max_choices, audience_all, n_known, active, token_version, dept, grid = row
    member_confirmed(active, token_version)
    if status == VoteStatus.draft:
        raise not_found()
    if not audience_all and not db.session.scalar(select(exists().where(Vote.id == vote_id, audiences_.admits(
            VoteAudience, VoteAudience.vote_id, Vote.id, dept or -1, grid or -1,
            select(MemberTag.tag_id).where(MemberTag.member_id == member_id))))):
        raise AppError("not_eligible", "您不在本次投票的范围内")
    now = utcnow()
    if status != VoteStatus.open or not (opens_at <= now < closes_at):
        raise AppError("vote_closed", details={"opens_at": opens_at.isoformat(), "closes_at": closes_at.isoformat()})
    if len(wanted) != len(choices):
        raise invalid_request({"choices": "候选人重复"})
    if len(choices) > max_choices:
        raise invalid_request({"choices": f"最多选择 {max_choices} 人"})
    if n_known != len(wanted):
        raise invalid_request({"choices": "候选人不存在"})
    receipt = new_receipt()
    row_id = sealed.new_id()
    payload = {"choices": wanted, "receipt_hash": receipt_hash(receipt)}
    values = {"vote_id": vote_id, "member_id": member_id, "day": now.astimezone(SHANGHAI).date(), "id": row_id,
              "sealed": sealed.seal(SEAL_PURPOSE, payload, row_id)}
    # The primary key (vote, member) is the one-ballot rule. ON CONFLICT DO NOTHING instead of a savepoint
    # around a plain INSERT: the same outcome (PostgreSQL waits for a concurrent insert of the same key to
    # commit or roll back, then inserts or skips) without the savepoint's round trips. On PostgreSQL the
    # held ballot is written by the same statement, only when the voter's row was.
    if postgres:
        taken = db.session.execute(_CAST_PG, values).scalar()
    else:
        taken = db.session.execute(_VOTER_SQLITE, {**values, "day": values["day"].isoformat()}).scalar()
        if taken is not None:
            db.session.execute(insert(VoteHeldBallot).values(id=row_id, vote_id=vote_id, sealed=values["sealed"]))
    if taken is None:
        raise AppError("already_voted")
    return receipt


# --- the close --------------------------------------------------------------------------------------

def close_vote(vote_id: int, *, early: bool = False, notify: bool = True) -> tuple[Vote, int]:
    """Close the vote (at or after closes_at, or ``early`` by staff) and file its held ballots in one
    shuffled batch; tells the audience the results are out. A closed vote is left as it is (a second
    close, a second scheduler). Returns the vote and how many ballots were filed.
    Raises 409 invalid_transition (a draft; not yet due and not early)."""
    vote = get_vote(vote_id, lock=True)  # waits for every ballot past its check (they hold the row FOR SHARE)
    if vote.status == VoteStatus.closed:
        return vote, 0
    now = utcnow()
    if vote.status == VoteStatus.draft or (not early and now < vote.closes_at):
        why = "投票尚未发布" if vote.status == VoteStatus.draft else "投票尚未到截止时间"
        raise AppError("invalid_transition", why)
    vote.status = VoteStatus.closed
    vote.closed_at = now if early and now < vote.closes_at else vote.closes_at
    filed = file_held(vote.id)
    if notify:
        _tell_audience(vote, f"投票结果：{vote.title}",
                       f"“{vote.title}”投票已结束，结果已公布，可在小程序中查看并核对回执。")
    db.session.flush()
    return vote, filed


def file_held(vote_id: int) -> int:
    """The vote's held ballots as filed ballots, written in a random order, the held rows deleted in the
    same transaction. A held row no key opens is kept (and logged without its content)."""
    sealed.secure_delete_on()
    rows = db.session.execute(select(VoteHeldBallot.id, VoteHeldBallot.sealed)
                              .where(VoteHeldBallot.vote_id == vote_id)).all()
    opened = []
    for row_id, blob in rows:
        payload = sealed.unseal(SEAL_PURPOSE, blob, row_id)
        if payload is None:
            log.warning("a held ballot of vote %s cannot be opened with the current keys; it is kept", vote_id)
            continue
        opened.append((row_id, payload))
    if not opened:
        return 0
    db.session.execute(delete(VoteHeldBallot).where(VoteHeldBallot.id.in_([i for i, _ in opened]))
                       .execution_options(synchronize_session=False))
    # New ids, not the held ones: the held row's id sat next to the voter's row while it waited.
    ballots = [{"id": sealed.new_id(), "vote_id": vote_id, "receipt_hash": p["receipt_hash"], "choices": p["choices"]}
               for _, p in sealed.shuffled(opened)]
    db.session.execute(insert(VoteBallot), [{k: b[k] for k in ("id", "vote_id", "receipt_hash")} for b in ballots])
    choices = [{"ballot_id": b["id"], "candidate_id": c} for b in ballots for c in b["choices"]]
    if choices:
        db.session.execute(insert(VoteBallotChoice), choices)
    return len(ballots)


def due_votes(now: datetime | None = None) -> list[int]:
    return list(db.session.scalars(select(Vote.id).where(Vote.status == VoteStatus.open,
                                                         Vote.closes_at <= (now or utcnow()))))


def closed_for_results(vote_id: int) -> Vote:
    """The vote, closed and filed (closing it now when closes_at has passed and the scheduler has not
    come yet). Raises 404, 403 forbidden (results are read after the close only)."""
    vote = get_vote(vote_id)
    if vote.status == VoteStatus.open and utcnow() >= vote.closes_at:
        vote, _ = close_vote(vote_id)
    if vote.status != VoteStatus.closed:
        raise AppError("forbidden", "投票结束后才能查看结果")
    return vote


# --- results, turnout, paper ------------------------------------------------------------------------

def candidates_of(vote_ids: list[int]) -> dict[int, list[VoteCandidate]]:
    out: dict[int, list[VoteCandidate]] = {i: [] for i in vote_ids}
    if vote_ids:
        for c in db.session.scalars(select(VoteCandidate).where(VoteCandidate.vote_id.in_(vote_ids))
                                    .order_by(VoteCandidate.vote_id, VoteCandidate.position)):
            out[c.vote_id].append(c)
    return out


def results(vote: Vote) -> dict:
    candidates = candidates_of([vote.id])[vote.id]
    counts = dict(db.session.execute(
        select(VoteBallotChoice.candidate_id, func.count())
        .join(VoteBallot, VoteBallot.id == VoteBallotChoice.ballot_id)
        .where(VoteBallot.vote_id == vote.id).group_by(VoteBallotChoice.candidate_id)).all())
    receipts = sorted(db.session.scalars(select(VoteBallot.receipt_hash).where(VoteBallot.vote_id == vote.id)))
    voters = db.session.scalar(select(func.count()).select_from(VoteVoter).where(VoteVoter.vote_id == vote.id))
    paper = paper_view(vote, candidates)
    confirmed = paper if paper and paper["status"] == "confirmed" else None
    electronic = [{"id": c.id, "name": c.name, "votes": counts.get(c.id, 0)} for c in candidates]
    paper_votes = {p["id"]: p["votes"] for p in (confirmed["candidates"] if confirmed else [])}
    return {
        "vote_id": vote.id, "candidates": electronic, "ballots": len(receipts), "voters": voters,
        "receipts": receipts, "paper": confirmed, "closed_at": vote.closed_at,
        "total": {"ballots": len(receipts) + (confirmed["ballots"] if confirmed else 0),
                  "candidates": [{"id": c["id"], "name": c["name"], "votes": c["votes"] + paper_votes.get(c["id"], 0)}
                                 for c in electronic]},
    }


def turnout(vote: Vote) -> dict:
    """Eligible (active members in the audience) and voted, per department; a department with fewer
    than 5 eligible members is merged into one group, so no small group's turnout names its people."""
    in_audience = audiences_.admits(VoteAudience, VoteAudience.vote_id, vote.id, *audiences_.member_columns())
    voted = exists().where(VoteVoter.vote_id == vote.id, VoteVoter.member_id == Member.id)
    rows = db.session.execute(
        select(Department.name, func.count(), func.count().filter(voted))
        .select_from(Member).outerjoin(Department, Department.id == Member.department_id)
        .where(Member.is_active.is_(True), in_audience).group_by(Department.name).order_by(Department.name)).all()
    groups, other = [], [0, 0]
    for name, eligible, n_voted in rows:
        if eligible < MIN_GROUP or name is None:
            other[0] += eligible
            other[1] += n_voted
        else:
            groups.append({"department": name, "eligible": eligible, "voted": n_voted})
    if other[0]:
        groups.append({"department": OTHER_GROUP, "eligible": other[0], "voted": other[1]})
    eligible = sum(g["eligible"] for g in groups)
    n_voted = sum(g["voted"] for g in groups)
    return {"vote_id": vote.id, "status": shown_status(vote), "eligible": eligible, "voted": n_voted,
            "rate": round(n_voted / eligible, 4) if eligible else 0.0, "by_department": groups, "as_of": utcnow()}


def _parse_counts(vote: Vote, ballots: int, counts: dict[str, int]) -> dict[str, int]:
    known = {str(c.id) for c in candidates_of([vote.id])[vote.id]}
    bad = {}
    for key, n in counts.items():
        if key not in known:
            bad[f"counts.{key}"] = "候选人不存在"
        elif n < 0 or n > ballots:
            bad[f"counts.{key}"] = "票数须在 0 与纸质选票数之间"
    if not bad and sum(counts.values()) > ballots * vote.max_choices:
        bad["counts"] = f"总票数超过纸质选票数 × 每票最多可选 {vote.max_choices} 人"
    if bad:
        raise invalid_request(bad)
    return {k: counts.get(k, 0) for k in sorted(known, key=int)}


def enter_paper_counts(vote_id: int, staff_id: int, ballots: int, counts: dict[str, int]) -> VotePaperCount:
    """The first entry of the paper count (after the close). Entering again replaces one's own pending
    entry. Raises 409 vote_not_closed, 409 paper_counts_recorded, 409 paper_counts_pending (another
    staff member's entry awaits confirmation: they confirm, not enter)."""
    vote = get_vote(vote_id, lock=True)
    if vote.status != VoteStatus.closed:
        raise AppError("vote_not_closed")
    counts = _parse_counts(vote, ballots, counts)
    row = db.session.get(VotePaperCount, vote.id)
    if row is not None and row.confirmed_by is not None:
        raise AppError("paper_counts_recorded")
    if row is not None and row.entered_by != staff_id:
        raise AppError("paper_counts_pending")
    if row is None:
        row = VotePaperCount(vote_id=vote.id)
        db.session.add(row)
    row.ballots, row.counts, row.entered_by, row.entered_at = ballots, counts, staff_id, utcnow()
    db.session.flush()
    return row


def confirm_paper_counts(vote_id: int, staff_id: int, ballots: int, counts: dict[str, int]) -> VotePaperCount | None:
    """The second, independent entry by another staff member: equal figures record the count; different
    ones discard the first entry and return None (the route answers 409 paper_counts_mismatch and commits
    the discarding, so both enter again). Raises 409
    vote_not_closed, paper_counts_missing, paper_counts_recorded, paper_same_person."""
    vote = get_vote(vote_id, lock=True)
    if vote.status != VoteStatus.closed:
        raise AppError("vote_not_closed")
    counts = _parse_counts(vote, ballots, counts)
    row = db.session.get(VotePaperCount, vote.id)
    if row is None:
        raise AppError("paper_counts_missing")
    if row.confirmed_by is not None:
        raise AppError("paper_counts_recorded")
    if row.entered_by == staff_id:
        raise AppError("paper_same_person")
    if row.ballots != ballots or dict(row.counts) != counts:
        db.session.delete(row)
        db.session.flush()
        return None
    row.confirmed_by, row.confirmed_at = staff_id, utcnow()
    db.session.flush()
    return row


def paper_view(vote: Vote, candidates: list[VoteCandidate] | None = None, *,
               reveal_pending: bool = False) -> dict | None:
    row = db.session.get(VotePaperCount, vote.id)
    if row is None:
        return None
    candidates = candidates if candidates is not None else candidates_of([vote.id])[vote.id]
    ids = [i for i in (row.entered_by, row.confirmed_by) if i is not None]
    names = dict(db.session.execute(select(Member.id, Member.name).where(Member.id.in_(ids))).all())
    confirmed = row.confirmed_by is not None
    show = confirmed or reveal_pending
    return {
        "status": "confirmed" if confirmed else "pending",
        "ballots": row.ballots if show else None,
        "candidates": [{"id": c.id, "name": c.name, "votes": int(row.counts.get(str(c.id), 0))} for c in candidates]
        if show else None,
        "entered_by": [names.get(i, "") for i in ids], "entered_at": row.entered_at, "confirmed_at": row.confirmed_at,
    }


# --- lists ------------------------------------------------------------------------------------------

def list_votes(status: VoteStatus | None, page: int, per_page: int) -> tuple[list[Vote], int]:
    stmt = select(Vote)
    now = utcnow()
    if status == VoteStatus.scheduled:
        stmt = stmt.where(Vote.status == VoteStatus.open, Vote.opens_at > now)
    elif status == VoteStatus.open:
        stmt = stmt.where(Vote.status == VoteStatus.open, Vote.opens_at <= now, Vote.closes_at > now)
    elif status == VoteStatus.closed:
        stmt = stmt.where((Vote.status == VoteStatus.closed)
                          | ((Vote.status == VoteStatus.open) & (Vote.closes_at <= now)))
    elif status == VoteStatus.draft:
        stmt = stmt.where(Vote.status == VoteStatus.draft)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(Vote.closes_at.desc(), Vote.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return list(rows), total


def my_open_votes(member: Member, page: int, per_page: int) -> tuple[list[tuple[Vote, int, bool]], int]:
    """Open votes of the member's audience, closing soonest first, with candidates count and whether voted."""
    now = utcnow()
    cond = [Vote.status == VoteStatus.open, Vote.opens_at <= now, Vote.closes_at > now, audience_filter(member)]
    total = db.session.scalar(select(func.count()).select_from(Vote).where(*cond))
    n_candidates = select(func.count()).where(VoteCandidate.vote_id == Vote.id).correlate(Vote).scalar_subquery()
    voted = exists().where(VoteVoter.vote_id == Vote.id, VoteVoter.member_id == member.id)
    rows = db.session.execute(select(Vote, n_candidates, voted).where(*cond).order_by(Vote.closes_at, Vote.id)
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return [tuple(r) for r in rows], total


def voted_in(member_id: int, vote_ids: list[int]) -> set[int]:
    if not vote_ids:
        return set()
    return set(db.session.scalars(select(VoteVoter.vote_id).where(VoteVoter.member_id == member_id,
                                                                  VoteVoter.vote_id.in_(vote_ids))))


def audience_names(vote_ids: list[int]) -> dict[int, dict[str, list[str]]]:
    return audiences_.names(VoteAudience, VoteAudience.vote_id, vote_ids)


def creators(ids: list[int]) -> dict[int, str]:
    ids = [i for i in set(ids) if i is not None]
    if not ids:
        return {}
    return dict(db.session.execute(select(Member.id, Member.name).where(Member.id.in_(ids))).all())


