"""Understanding what customers type: an intent classifier trained at start-up from the content's
examples, the routing decision built on it, and value extraction for `ask` nodes (pure, no I/O)."""

from app.understanding.classifier import IntentClassifier, Ranked
from app.understanding.router import Clarify, Decision, OutOfScope, Route, Router, Thresholds

__all__ = [
    "Clarify",
    "Decision",
    "IntentClassifier",
    "OutOfScope",
    "Ranked",
    "Route",
    "Router",
    "Thresholds",
]
