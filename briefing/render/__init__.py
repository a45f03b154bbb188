"""The render stage: stories -> the pages of the site (HTML, feeds, sitemap), as bytes.

pages.py         which pages the site has and what each shows (paths, contexts)
templates.py     Jinja2 (autoescaping on), interface strings, rendering a page
fingerprints.py  a hash of everything a page shows, to keep unchanged pages
urls.py          the URL scheme: base path, canonical URLs, fingerprinted assets
dates.py         dates in each language, and RFC 3339 for feeds
"""
