"""Transfer Studio's PySide6 desktop interface: a thin layer over the Qt-free :mod:`engine`."""
