"""The enterprise end's routes, one module per part: home and registration, the company and its
agents, policies, the enterprise code, services, appeals and messages."""

from enterprise import bp
from portal import enterprise_labels


@bp.context_processor
def _vocabularies() -> dict:
    """The enterprise vocabularies (attributes, bands, scopes...) for every enterprise template."""
    return {"enterprise_labels": enterprise_labels}


from enterprise.views import appeals, code, company, home, policies, services  # noqa: E402,F401
