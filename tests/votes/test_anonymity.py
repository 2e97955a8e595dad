"""Nothing filed points back at a voter: no member column or value in ballot rows, no time, and neither
ids nor physical order follow the voters' order (docs/anonymity.md, "Votes")."""
from __future__ import annotations

import hashlib
import logging

from sqlalchemy import inspect, text

from server.votes.jobs import close_due_votes
from tests.suggestions.test_anonymity import dump
from tests.suggestions.test_batches import MAX_CORRELATION, physical_orders, rank_correlation, xmins

from .helpers import seed, tokens

API = "/api/v1"
MEMBERS = 80
BALLOT_TABLES = ("vote_ballots", "vote_ballot_choices", "vote_held_ballots")


def test_ballots_cannot_be_matched_to_the_voters(app, committing_db, caplog):
    caplog.set_level(logging.DEBUG)
    vote_id, (a, b, c), members = seed(app, committing_db, MEMBERS, prefix="ANON")
    toks = tokens(app, members)
    client = app.test_client()
    receipts = []
    for i, m in enumerate(members):  # one after another: the voters' rows are in this order
        r = client.post(f"{API}/votes/{vote_id}/ballots", json={"choices": [[a], [b], [a, c]][i % 3]},
                        headers={"Authorization": f"Bearer {toks[m]}"})
        assert r.status_code == 201, r.get_json()
        receipts.append(r.get_json()["receipt"])

    with committing_db.engine.connect() as conn:
        # Held: sealed, nothing readable but the vote id.
        assert conn.execute(text("SELECT count(*) FROM vote_held_ballots")).scalar() == MEMBERS
        assert conn.execute(text("SELECT count(*) FROM vote_ballots")).scalar() == 0
    staff = committing_db.session.execute(text("SELECT id FROM members WHERE employee_no = 'ANONS0001'")).scalar()
    committing_db.session.close()
    client.post(f"{API}/votes/{vote_id}/close", headers={"Authorization": f"Bearer {tokens(app, [staff])[staff]}"})
    with app.app_context():
        assert close_due_votes() == []  # closed already: nothing filed twice

    tables = dump(committing_db.session)
    committing_db.session.close()
    people = committing_db.session.execute(text("SELECT id, name, employee_no, phone FROM members")).all()
    committing_db.session.close()
    with committing_db.engine.connect() as conn:
        names = {t: [c["name"] for c in inspect(conn).get_columns(t)] for t in BALLOT_TABLES}
    known_refs = {"vote_id": {str(vote_id)}, "candidate_id": {str(a), str(b), str(c)}}
    for table in BALLOT_TABLES:
        for row in tables[table]:
            cells = dict(zip(names[table], row, strict=True))
            for column, allowed in known_refs.items():  # the only numbers: the vote and its candidates
                assert cells.pop(column, next(iter(allowed))) in allowed, (table, row)
            for member_id, name, employee_no, phone in people:
                assert str(member_id) not in cells.values(), (table, row)  # no other cell is a member id
                for cell in cells.values():
                    assert name not in cell and employee_no not in cell and (not phone or phone not in cell)
    every_cell = "\n".join("\t".join(r) for rows in tables.values() for r in rows)
    for receipt in receipts:  # only hashes are kept
        assert receipt not in every_cell and receipt.replace("-", "") not in every_cell
        assert receipt not in caplog.text
    assert not tables["vote_held_ballots"]

    with committing_db.engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("vote_ballots")} | \
            {c["name"] for c in inspect(conn).get_columns("vote_ballot_choices")}
        assert columns == {"id", "vote_id", "receipt_hash", "ballot_id", "candidate_id"}  # no member, no time
        who = {hashlib.sha256(r.encode()).hexdigest(): i for i, r in enumerate(receipts)}
        by_id = dict(conn.execute(text("SELECT id, receipt_hash FROM vote_ballots")).all())
        for name, ids in physical_orders(conn, "vote_ballots").items():
            assert len(ids) == MEMBERS
            rho = rank_correlation([who[by_id[i]] for i in ids])
            assert abs(rho) < MAX_CORRELATION, (name, rho)
        if conn.dialect.name == "postgresql":
            # One transaction wrote them all, after every voter's row.
            assert len(xmins(conn, "vote_ballots")) == 1
            assert max(xmins(conn, "vote_voters")) < min(xmins(conn, "vote_ballots"))
