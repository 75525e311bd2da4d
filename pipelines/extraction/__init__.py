"""Pure extraction: (html, url, fetched_at) → article record. No Scrapy import here."""
