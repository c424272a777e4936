"""Customer-facing texts: `templates/<file>.yaml` maps keys to sandboxed Jinja2 templates.

A template id is `<file stem>.<key>`. Templates see the values collected in the conversation
(`{{ plate }}`) and the content variables (`{{ vars.sms_number }}`, see `skills/_vars.yaml`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jinja2 import DictLoader, Template, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from app.engine.errors import ContentError, Problem

_UNSTABLE_FILTERS = frozenset({"random"})  # a different text on each rendering
MAX_INLINE_TEMPLATES = 1024  # inline sources come from the content; the bound only guards memory


@dataclass(frozen=True)
class TemplateBook:
    """All templates, compiled once at start-up; a template whose text cannot vary (no Jinja syntax,
    or reading nothing but the content variables `vars`) is rendered once and kept as its text."""

    sources: Mapping[str, str]
    origins: Mapping[str, str]  # template id → file it came from
    variables: Mapping[str, str]
    _env: ImmutableSandboxedEnvironment
    _compiled: dict[str, Template] = field(default_factory=dict, compare=False, repr=False)
    _constant: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    _inline: dict[str, Template] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for template_id, source in self.sources.items():
            template = self._env.get_template(template_id)
            if "{" in source and not self._fixed(template_id):
                self._compiled[template_id] = template
            else:  # the same text whatever the conversation's values
                self._constant[template_id] = template.render(vars=self.variables).strip()

    def _fixed(self, template_id: str) -> bool:
        """Whether the template reads no name but `vars` (fixed at start-up) and uses no filter whose
        answer changes from one rendering to the next."""
        ast = self._env.parse(self.sources[template_id])
        if meta.find_undeclared_variables(ast) - {"vars"}:
            return False
        return not any(f.name in _UNSTABLE_FILTERS for f in ast.find_all(nodes.Filter))

    def __contains__(self, template_id: object) -> bool:
        return template_id in self.sources

    def render(self, template_id: str, values: Mapping[str, Any]) -> str:
        constant = self._constant.get(template_id)
        if constant is not None:
            return constant
        template = self._compiled.get(template_id) or self._env.get_template(template_id)
        return template.render(values, vars=self.variables).strip()

    def render_inline(self, source: str, values: Mapping[str, Any]) -> str:
        """A short inline template (a button's URL or phone number), e.g. `{{ vars.center_url }}`;
        each distinct source (content, so few) is compiled once."""
        if "{" not in source:
            return source
        template = self._inline.get(source)
        if template is None:
            template = self._env.from_string(source)
            if len(self._inline) < MAX_INLINE_TEMPLATES:
                self._inline[source] = template
        return template.render(values, vars=self.variables).strip()

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
