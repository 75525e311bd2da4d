"""DISCOVER + FETCH: the only package that knows Scrapy internals."""
