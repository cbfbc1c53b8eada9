"""Public reads of events. Each selector owns its query budget."""


def upcoming_events(*, country=None, limit=3):
    """Published upcoming events for the campaign block. The event model lands with the moderation
    issue; until then there are none, and the block shows its empty state."""
    return []
