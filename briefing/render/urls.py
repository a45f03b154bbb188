"""The site's URL scheme: internal links under base_url's path, assets by fingerprint."""

from __future__ import annotations

from dataclasses import dataclass, field

from briefing.config import SiteConfig


@dataclass(frozen=True)
class Urls:
    config: SiteConfig
    assets: dict[str, str] = field(default_factory=dict)  # static file -> fingerprinted path

    def url(self, path: str) -> str:
        """A site path ("zh/articles/x/") as a link: the base path in front."""
        return self.config.base_path + path.lstrip("/")

    def absolute(self, path: str) -> str:
        """A site path as a full URL on the hosted site (canonical links, feeds, sitemap)."""
        return self.config.absolute(self.url(path))

    def asset(self, name: str) -> str:
        """The link to a static file under its fingerprinted name."""
        return self.url(self.assets.get(name, f"assets/{name}"))
