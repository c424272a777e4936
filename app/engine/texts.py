"""Customer-facing texts: `templates/<file>.yaml` maps keys to sandboxed Jinja2 templates.

A template id is `<file stem>.<key>`. Templates see the values collected in the conversation
(`{{ plate }}`) and the content variables (`{{ vars.sms_number }}`, see `skills/_vars.yaml`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jinja2 import DictLoader, TemplateSyntaxError, meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.engine.errors import ContentError, Problem


@dataclass(frozen=True)
class TemplateBook:
    """All templates, compiled once at start-up."""

    sources: Mapping[str, str]
    origins: Mapping[str, str]  # template id → file it came from
    variables: Mapping[str, str]
    _env: ImmutableSandboxedEnvironment

    def __contains__(self, template_id: object) -> bool:
        return template_id in self.sources

    def render(self, template_id: str, values: Mapping[str, Any]) -> str:
        template = self._env.get_template(template_id)
        return template.render(dict(values), vars=self.variables).strip()

    def render_inline(self, source: str, values: Mapping[str, Any]) -> str:
        """A short inline template (a button's URL or phone number), e.g. `{{ vars.center_url }}`."""
        if "{" not in source:
            return source
        return self._env.from_string(source).render(dict(values), vars=self.variables).strip()

    def undeclared(self, template_id: str) -> set[str]:
        """Names a template reads besides `vars` — used to check that facts exist."""
        ast = self._env.parse(self.sources[template_id])
        return meta.find_undeclared_variables(ast) - {"vars"}


def load_templates(directory: Path, variables: Mapping[str, str]) -> TemplateBook:
    sources: dict[str, str] = {}
    origins: dict[str, str] = {}
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            problems.append(Problem(str(path), None, f"not valid YAML: {exc}"))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(str(path), None, "must map template keys to texts"))
            continue
        for key, text in data.items():
            if not isinstance(text, str) or not text.strip():
                problems.append(Problem(str(path), str(key), "template text must be a non-empty string"))
                continue
            template_id = f"{path.stem}.{key}"
            sources[template_id] = text
            origins[template_id] = str(path)

    env = ImmutableSandboxedEnvironment(
        loader=DictLoader(sources), autoescape=False, trim_blocks=True, lstrip_blocks=True
    )
    for template_id, source in sources.items():
        try:
            env.parse(source)
        except TemplateSyntaxError as exc:
            problems.append(
                Problem(origins[template_id], template_id, f"template syntax error: {exc.message}")
            )
    if problems:
        raise ContentError(problems)
    return TemplateBook(sources, origins, dict(variables), env)
