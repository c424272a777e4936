"""Every HTTP error of the app as JSON `{"error": "…"}` with its status code."""

from __future__ import annotations

from flask import Response, jsonify


def json_error(status: int, message: str) -> tuple[Response, int]:
    return jsonify(error=message), status
