"""The citizen end's pages, one module per area. Each view parses a form, calls one service,
then renders or redirects."""

from citizen.views import catalogue, code, family, home  # noqa: F401  (routes register themselves on bp)
