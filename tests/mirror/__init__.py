"""An offline bienphong.com.vn: a real HTTP server on loopback that serves the site model of
`shared/site-model.md`, and the truth of every article it serves."""

from .faults import Faults
from .server import Answer, Hit, Mirror
from .site import Article, Site

__all__ = ["Answer", "Article", "Faults", "Hit", "Mirror", "Site"]
