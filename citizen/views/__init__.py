"""The citizen end's pages, one module per area. Each view parses a form, calls one service,
then renders or redirects."""

from citizen.views import applications as applications  # noqa: F401  (online applications, drafts, files)
from citizen.views import cases as cases  # noqa: F401  (a resident's cases, requests and inbox)
from citizen.views import catalogue, code, family, home  # noqa: F401  (routes register themselves on bp)
