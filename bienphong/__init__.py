"""`bienphong`: the command line, the top layer over `crawler`, `pipelines` and `archive`.

`cli.py` holds the commands, each a few lines over the library; `options.py` the option
groups they share; `errors.py` how a domain error becomes one line and an exit status;
`display.py` how each command prints what the library found; `saved_page.py` how `extract`
reads a page saved from the site.
"""
