"""SQL Server support for mighub."""

__version__ = "0.1.0"
