"""HTTP for requests (诉求): raising, the queues, one request and its steps, the liaisons' grids, the read log.

A request the caller may not see is ``404 not_found`` whatever it is (access.py). Staff reading a
confidential or hardship request are logged in the same request (``request_confidential_reads``).
"""
from __future__ import annotations

from flask import g, request

from ..core.api import PageQuery, api
from ..core.timeutil import utcnow
from . import access, bp, handling, liaison_grids, queries, raising
from .presenters import confidential_reads_out, list_out, request_out
from .schemas import (
    AssignIn,
    ConfidentialReadPage,
    ConfidentialReadQuery,
    ConfirmIn,
    GridListOut,
    LiaisonGridsIn,
    LiaisonGridsOut,
    MessageIn,
    ReopenIn,
    RequestIn,
    RequestOut,
    RequestPage,
    RequestQuery,
    ResolveIn,
)

HANDLERS = ["liaison", "staff"]


def _viewer() -> access.Viewer:
    return access.Viewer(g.member)


def _answer(req, viewer: access.Viewer) -> RequestOut:
    return request_out(req, viewer, utcnow())


@bp.post("/requests")
@api(roles=["member"], body=RequestIn, out=RequestOut, status=201,
     errors=["invalid_attachment", "forbidden", "not_found"])
def raise_request(body: RequestIn):
    """Raise a request (member); a liaison may raise one for a member of a grid they serve (on_behalf_of)."""
    viewer = _viewer()
    return _answer(raising.raise_request(viewer, body), viewer)


@bp.get("/requests")
@api(roles=HANDLERS, query=RequestQuery, out=RequestPage)
def request_queue(query: RequestQuery):
    """The queue (liaisons: their grids' requests they may see; staff: all), overdue first, then by the
    first response's due time. No content: open a request for it."""
    viewer = _viewer()
    rows, total = queries.queue(viewer, utcnow(), status=query.status, category=query.category, grid=query.grid,
                                overdue=query.overdue, member_id=query.member_id, page=query.page,
                                per_page=query.per_page)
    return RequestPage(items=list_out(rows, staff=viewer.staff), page=query.page, per_page=query.per_page,
                       total=total)


@bp.get("/me/requests")
@api(roles=["member"], query=PageQuery, out=RequestPage)
def my_requests(query: PageQuery):
    """The member's own requests, newest first."""
    rows, total = queries.mine(g.member.id, utcnow(), query.page, query.per_page)
    return RequestPage(items=list_out(rows, staff=False), page=query.page, per_page=query.per_page, total=total)


@bp.get("/requests/<int:request_id>")
@api(roles=["member"], out=RequestOut, errors=["not_found"], transaction="write")
def get_request(request_id: int):
    """One request with its timeline (internal notes for handlers only). Writes: staff reading a
    confidential or hardship request are logged."""
    viewer = _viewer()
    req = access.get_visible(viewer, request_id)
    now = utcnow()
    if access.is_sensitive(req) and viewer.staff and req.member_id != viewer.id:
        queries.log_read(viewer.id, req.id, f"{request.method} {request.url_rule.rule}", now)
    return request_out(req, viewer, now)


@bp.post("/requests/<int:request_id>/accept")
@api(roles=HANDLERS, out=RequestOut, errors=["not_found", "invalid_transition"])
def accept_request(request_id: int):
    """Accept (a liaison of the grid, or staff); the first response, and the acceptor the assignee if none."""
    viewer = _viewer()
    return _answer(handling.accept(viewer, access.get_visible(viewer, request_id)), viewer)


@bp.post("/requests/<int:request_id>/messages")
@api(roles=["member"], body=MessageIn, out=RequestOut, status=201, errors=["not_found", "invalid_transition"])
def post_message(request_id: int, body: MessageIn):
    """A message in the timeline (its member, or a handler); internal notes for handlers only."""
    viewer = _viewer()
    req = handling.post_message(viewer, access.get_visible(viewer, request_id), body.body, body.internal)
    return _answer(req, viewer)


@bp.post("/requests/<int:request_id>/assign")
@api(roles=["staff"], body=AssignIn, out=RequestOut,
     errors=["not_found", "invalid_transition", "invalid_assignee"])
def assign_request(request_id: int, body: AssignIn):
    """Assign to staff, or to a liaison of the request's grid when liaisons may see it (staff)."""
    viewer = _viewer()
    return _answer(handling.assign(viewer, access.get_visible(viewer, request_id), body.assignee_id), viewer)


@bp.post("/requests/<int:request_id>/resolve")
@api(roles=HANDLERS, body=ResolveIn, out=RequestOut, errors=["not_found", "invalid_transition"])
def resolve_request(request_id: int, body: ResolveIn):
    """Resolve with the answer to the member (its assignee, a liaison of the grid, or staff)."""
    viewer = _viewer()
    return _answer(handling.resolve(viewer, access.get_visible(viewer, request_id), body.resolution), viewer)


@bp.post("/requests/<int:request_id>/confirm")
@api(roles=["member"], body=ConfirmIn, out=RequestOut, errors=["not_found", "invalid_transition"])
def confirm_request(request_id: int, body: ConfirmIn):
    """Confirm the resolution with a satisfaction score (its member): closed."""
    viewer = _viewer()
    return _answer(handling.confirm(viewer, access.get_visible(viewer, request_id), body.satisfaction), viewer)


@bp.post("/requests/<int:request_id>/reopen")
@api(roles=["member"], body=ReopenIn, out=RequestOut, errors=["not_found", "invalid_transition"])
def reopen_request(request_id: int, body: ReopenIn):
    """Reopen within 15 days of the resolution (its member); the resolution clock starts again."""
    viewer = _viewer()
    return _answer(handling.reopen(viewer, access.get_visible(viewer, request_id), body.reason), viewer)


@bp.get("/requests/confidential-reads")
@api(roles=["admin"], query=ConfidentialReadQuery, out=ConfidentialReadPage)
def confidential_reads(query: ConfidentialReadQuery):
    """Who read which confidential or hardship request, when and through which route, newest first (admin)."""
    rows, total = queries.confidential_reads(query.request_id, query.viewer_id, query.page, query.per_page)
    return ConfidentialReadPage(items=confidential_reads_out(rows), page=query.page, per_page=query.per_page,
                                total=total)


@bp.get("/grids")
@api(roles=["staff"], out=GridListOut)
def list_grids():
    """Every grid with its members' count and the liaisons serving it (staff): the console's choice of grids."""
    return liaison_grids.grid_list()


@bp.get("/members/<int:member_id>/liaison-grids")
@api(roles=["staff"], out=LiaisonGridsOut, errors=["not_found"])
def get_liaison_grids(member_id: int):
    """The grids a liaison serves: their roster row's grid and those an admin added (staff)."""
    return liaison_grids.grids_of(member_id)


@bp.put("/members/<int:member_id>/liaison-grids")
@api(roles=["admin"], body=LiaisonGridsIn, out=LiaisonGridsOut, errors=["not_found", "not_a_liaison"])
def put_liaison_grids(member_id: int, body: LiaisonGridsIn):
    """Set the grids a liaison serves besides their roster row's grid (admin)."""
    return liaison_grids.set_grids(g.member.id, member_id, body.grid_ids)
