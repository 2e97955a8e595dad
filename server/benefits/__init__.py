"""Benefits and care packs (福利领取, 四季暖心): campaigns with an audience and options in stock, one claim per
member with a signed claim code, redemption (核销) by staff online, offline in batches or through a delegate
(docs/benefits.md)."""
from flask import Blueprint

bp = Blueprint("benefits", __name__)

from . import routes  # noqa: E402,F401
