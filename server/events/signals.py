"""What the events domain announces, for other domains to subscribe to (notices, reminders)."""
from __future__ import annotations

from blinker import Namespace

signals = Namespace()
# Sent after the waiting list moved up, inside the transaction: (event, member_ids=[...]).
# The notices domain subscribes to tell the members at once.
registration_promoted = signals.signal("registration-promoted")
event_cancelled = signals.signal("event-cancelled")
# Sent when an event is created or its start or reminder times change: reminders follow.
event_scheduled = signals.signal("event-scheduled")
# Sent when an event's time or place changed: (event, before={"starts_at", "ends_at", "location"}).
# The notices domain tells its registrants in the same transaction.
event_moved = signals.signal("event-moved")
