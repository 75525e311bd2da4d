"""EXTRACT + NORMALISE + STORE: Scrapy adapters over the pure code in `pipelines.extraction`."""
