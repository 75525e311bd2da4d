"""The commands, grouped by what they do to the archive: `crawl` writes it, `read` reads one
thing of it, `sets` reads sets of articles. `bienphong.cli` puts them under one group."""
