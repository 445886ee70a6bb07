"""Qt item models over the current project (``*ListModel`` / ``*TableModel``)."""
