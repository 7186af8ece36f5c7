"""The portal as `make bench` serves it: the application of wsgi.py, with the token endpoint's
rate limits raised, so that a load generator on one loopback address measures the endpoint and
not its 429 answer. The limiter itself still runs on every request, as in production."""

from portal import create_app

app = create_app(
    {
        "OIDC_TOKEN_RATE_LIMIT_PER_CLIENT": "1000000 per minute",
        "OIDC_TOKEN_RATE_LIMIT_PER_ADDRESS": "1000000 per minute",
    }
)
