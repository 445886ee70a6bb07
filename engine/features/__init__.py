"""Feature vectors computed once by a frozen backbone and cached on disk."""
