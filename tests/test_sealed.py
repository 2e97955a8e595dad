"""core.sealed: what is sealed opens only for its purpose and its row, also after a key rotation."""
from server.core import sealed


def test_sealed_payload_opens_for_its_purpose_and_row_only(app):
    with app.app_context():
        row = sealed.new_id()
        box = sealed.seal("surveys/held", {"answers": [1, 2]}, row)
        assert b"answers" not in box
        assert sealed.unseal("surveys/held", box, row) == {"answers": [1, 2]}
        assert sealed.unseal("votes/held", box, row) is None
        assert sealed.unseal("surveys/held", box, sealed.new_id()) is None


def test_a_rotated_key_still_opens_what_the_previous_one_sealed(app):
    with app.app_context():
        row = sealed.new_id()
        old = app.config.get("RECEIPT_SECRET_KEY"), app.config.get("RECEIPT_SECRET_KEY_PREVIOUS")
        try:
            app.config["RECEIPT_SECRET_KEY"] = "first-key-" + "a" * 32
            app.config["RECEIPT_SECRET_KEY_PREVIOUS"] = []
            box = sealed.seal("votes/held", {"c": [3]}, row)
            app.config["RECEIPT_SECRET_KEY"] = "second-key-" + "b" * 32
            app.config["RECEIPT_SECRET_KEY_PREVIOUS"] = ["first-key-" + "a" * 32]
            assert sealed.unseal("votes/held", box, row) == {"c": [3]}
            app.config["RECEIPT_SECRET_KEY_PREVIOUS"] = []
            assert sealed.unseal("votes/held", box, row) is None
        finally:
            app.config["RECEIPT_SECRET_KEY"], app.config["RECEIPT_SECRET_KEY_PREVIOUS"] = old


def test_shuffled_keeps_every_row_once(app):
    rows = list(range(200))
    out = sealed.shuffled(rows)
    assert sorted(out) == rows and out != rows
