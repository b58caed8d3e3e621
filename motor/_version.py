"""Motor's version."""

version_tuple = (4, 0, 0)
version = "4.0.0"
