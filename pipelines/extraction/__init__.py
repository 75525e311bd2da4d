"""Pure extraction: (html, url, fetched_at) → article record. No Scrapy import here."""

from .record import EXTRACTOR_VERSION, Extraction, explain, extract, stated_address

__all__ = ["EXTRACTOR_VERSION", "Extraction", "explain", "extract", "stated_address"]
