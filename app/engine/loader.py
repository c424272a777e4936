"""Load `skills/*.yaml` and `templates/*.yaml` into a validated `Catalog` (or a ContentError)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from app.engine.catalog import Catalog, qualify
from app.engine.errors import ContentError, Problem
from app.engine.model import BotSettings, Flow, Understanding
from app.engine.texts import load_templates
from app.engine.validate import validate_catalog
from app.understanding.training import Example, conflicts, special_examples, train_router

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

BOT_FILE = "_bot.yaml"
UNDERSTANDING_FILE = "_understanding.yaml"
VARS_FILE = "_vars.yaml"


def load_catalog(
    skills_dir: Path, templates_dir: Path, overrides: Mapping[str, str] | None = None
) -> Catalog:
    """Read and check all content; raises ContentError listing every problem with file and node."""
    problems: list[Problem] = []
    bot = _load_model(skills_dir / BOT_FILE, BotSettings, problems)
    understanding = _load_model(skills_dir / UNDERSTANDING_FILE, Understanding, problems)
    variables = _load_vars(skills_dir / VARS_FILE, overrides or {}, problems)
    flows: dict[str, Flow] = {}
    files: dict[str, str] = {}
    for path in sorted(skills_dir.glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        flow = _load_model(path, Flow, problems)
        if flow is None:
            continue
        if flow.flow != path.stem:
            problems.append(Problem(str(path), None, f"flow name {flow.flow!r} must match the file name"))
            continue
        flows[flow.flow] = flow
        files[flow.flow] = str(path)
    try:
        texts = load_templates(templates_dir, variables)
    except ContentError as exc:
        problems += exc.problems
        texts = None
    if problems or bot is None or texts is None or understanding is None:
        raise ContentError(problems or [Problem(str(skills_dir), None, "no content loaded")])
    examples = training_examples(flows, files, understanding, str(skills_dir / UNDERSTANDING_FILE))
    problems = [Problem(str(skills_dir), None, c) for c in conflicts(examples)]
    if problems:
        raise ContentError(problems)
    router = train_router(examples, understanding.thresholds, bot.home, understanding.greetings)
    catalog = Catalog(flows=flows, files=files, bot=bot, texts=texts, router=router)
    problems = validate_catalog(catalog)
    if problems:
        raise ContentError(problems)
    return catalog


def training_examples(
    flows: Mapping[str, Flow], files: Mapping[str, str], understanding: Understanding, source: str
) -> list[Example]:
    examples = [
        Example(text, qualify(name, entry.next), files[name])
        for name, flow in flows.items()
        for entry in flow.entries
        for text in entry.examples
    ]
    return examples + special_examples(understanding.out_of_scope, understanding.handoff_status, source)


def read_understanding(skills_dir: Path) -> Understanding:
    """`_understanding.yaml` on its own (benchmarks, tools); ContentError when it is broken."""
    problems: list[Problem] = []
    understanding = _load_model(skills_dir / UNDERSTANDING_FILE, Understanding, problems)
    if understanding is None:
        raise ContentError(problems)
    return understanding


def _read_yaml(path: Path, problems: list[Problem]) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(Problem(str(path), None, "file is missing"))
    except yaml.YAMLError as exc:
        problems.append(Problem(str(path), None, f"not valid YAML: {exc}"))
    return None


def _load_model(path: Path, model: type[M], problems: list[Problem]) -> M | None:
    data = _read_yaml(path, problems)
    if data is None:
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = [str(p) for p in error["loc"]]
            node = loc[1] if len(loc) > 1 and loc[0] == "nodes" else None
            problems.append(Problem(str(path), node, f"{'.'.join(loc)}: {error['msg']}"))
        return None


def _load_vars(path: Path, overrides: Mapping[str, str], problems: list[Problem]) -> dict[str, str]:
    data = _read_yaml(path, problems) if path.exists() else {}
    if not isinstance(data, dict):
        problems.append(Problem(str(path), None, "must map variable names to values"))
        return {}
    variables = {str(k): str(v) for k, v in data.items()}
    for name, value in overrides.items():
        if name in variables:
            variables[name] = value
        else:
            log.warning("ignoring unknown content variable %s (not in %s)", name, VARS_FILE)
    return variables
