"""SEARCH + EXPORT + CLI over the SQLite archive. No Scrapy import here."""

__version__ = "0.1.0"
