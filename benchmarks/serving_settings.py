"""The platform's settings, with the serving benchmark's URLs: the project's own, plus one
trivial endpoint that goes through the same middleware (sessions, CSRF, authentication,
two-factor, CSP, axes…) and answers a constant body: the floor a Django answer cannot beat."""

from solidarity.config.settings import *  # noqa: F403  # every setting, one of them changed

ROOT_URLCONF = "benchmarks.serving_urls"
