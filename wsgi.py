"""Entry point that `flask` (with no --app) and WSGI servers discover in the project root."""
from webui import create_app  # noqa: F401  (Flask's CLI finds and calls the factory)
