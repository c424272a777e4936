"""Turning nodes into what the customer sees: rendered texts, cards and quick replies of one turn."""

from __future__ import annotations

from typing import Any

from app.engine.catalog import Catalog
from app.engine.model import AskNode, ButtonSpec, ChoiceNode, EndNode, HandoffNode, Node, Say
from app.engine.reply import Button, Card, Fact, HandoffRequest, Message, QuickChoice, Text


class Prompter:
    """Collects the messages and quick replies of one turn, in order."""

    def __init__(self, catalog: Catalog, context: dict[str, Any] | None = None) -> None:
        self.catalog = catalog
        self.context = context or {}  # names from the web layer (e.g. `agents`), readable by every template
        self.messages: list[Message] = []
        self.quick_replies: tuple[QuickChoice, ...] = ()

    def plain(self, text: str) -> None:
        self.messages.append(Text(text))

    def text(self, template_id: str, values: dict[str, Any]) -> None:
        self.messages.append(Text(self._text(template_id, values)))

    def _text(self, template_id: str, values: dict[str, Any]) -> str:
        return self.catalog.texts.render(template_id, {**values, **self.context})

    def node(self, node: Node, values: dict[str, str]) -> None:
        for say in getattr(node, "say", ()):
            self.messages.append(self._render(say, values))
        if isinstance(node, EndNode):
            self.text("common.resolved_question", values)

    def quick_for(self, ref: str, node: Node, has_history: bool, retry_limit: bool = False) -> None:
        """The node's own options, then 이전 / 처음으로 / 상담직원 연결 (Kakao allows 10 in all)."""
        bot = self.catalog.bot
        options: list[QuickChoice] = []
        if isinstance(node, ChoiceNode | AskNode):
            options += [QuickChoice(c.label, {"node": ref, "choice": c.label}) for c in node.choices]
        if isinstance(node, EndNode):
            options += [
                QuickChoice(bot.answer_yes.label, {"node": ref, "choice": "yes"}),
                QuickChoice(bot.answer_no.label, {"node": ref, "choice": "no"}),
            ]
        if has_history and ref != bot.home:
            options.append(QuickChoice(bot.back_command.label, {"cmd": "back"}))
        if ref != bot.home:
            options.append(QuickChoice(bot.home_command.label, {"cmd": "home"}))
        agent: dict[str, Any] = {"cmd": "agent", "reason": "retry_limit"} if retry_limit else {"cmd": "agent"}
        options.append(QuickChoice(bot.agent_command.label, agent))
        self.quick_replies = tuple(options)

    def question(self, node: Node, values: dict[str, str]) -> None:
        """Only the question of a node (its last bubble), to ask it again without the explanations."""
        if isinstance(node, EndNode):
            self.text("common.resolved_question", values)
        elif says := getattr(node, "say", ()):
            self.messages.append(self._render(says[-1], values))

    def offer(self, entries: list[tuple[str, str]]) -> None:
        """Quick replies for a clarifying question: one per (label, entry target), then 처음으로 and
        상담직원 연결."""
        bot = self.catalog.bot
        self.quick_replies = (
            *(QuickChoice(label, {"clarify": target}) for label, target in entries),
            QuickChoice(bot.home_command.label, {"cmd": "home"}),
            QuickChoice(bot.agent_command.label, {"cmd": "agent"}),
        )

    def csat(self, flow: str) -> None:
        """The optional satisfaction question: one quick reply per score (`{"csat": score, "flow": …}`)
        and 처음으로 — anything else the customer says is understood as usual."""
        csat = self.catalog.bot.csat
        assert csat is not None
        self.text(csat.question, {})
        self.quick_replies = (
            *(QuickChoice(c.label, {"csat": c.score, "flow": flow}) for c in csat.choices),
            QuickChoice(self.catalog.bot.home_command.label, {"cmd": "home"}),
        )

    def quick_home(self) -> None:
        self.quick_replies = (QuickChoice(self.catalog.bot.home_command.label, {"cmd": "home"}),)

    def handoff(
        self,
        ref: str,
        node: HandoffNode,
        *,
        flow: str | None,
        values: dict[str, str],
        category: str,
        reason: str,
        path: tuple[str, ...],
    ) -> HandoffRequest:
        """Show the 상담직원 연결 card (what is passed on) and build the request for the web layer."""
        specs = {k: self.catalog.fact(k) for k in values}
        facts = tuple(Fact(k, specs[k].label, v, specs[k].customer_visible) for k, v in values.items())
        shown = tuple(
            f for f in facts if f.customer_visible
        )  # the customer's card never repeats hidden facts
        context = {**values, "facts": shown, "category": category, "reason": reason}
        notice = self._text("common.handoff_notice", context)  # e.g. outside business hours
        if notice:
            self.messages.append(Text(notice))
        self.messages.append(
            Card(
                title=self._text("common.handoff_title", context),
                text=self._text("common.handoff_text", context),
                buttons=(Button(self.catalog.bot.agent_command.label, operator=True),),
            )
        )
        self.quick_home()
        return HandoffRequest(
            flow=flow,
            node=ref,
            category=category,
            reason=reason,
            facts=facts,
            agent_notes=tuple(self._text(t, {**context, "facts": facts}) for t in node.agent_notes),
            path=path,
        )

    def _render(self, say: Say, values: dict[str, str]) -> Message:
        if say.text:
            return Text(self._text(say.text, values))
        assert say.card is not None
        card = say.card
        return Card(
            title=self._text(card.title, values) if card.title else None,
            text=self._text(card.text, values) if card.text else None,
            buttons=tuple(self._button(b, values) for b in card.buttons),
        )

    def _button(self, spec: ButtonSpec, values: dict[str, str]) -> Button:
        inline, names = self.catalog.texts.render_inline, {**values, **self.context}
        return Button(
            label=spec.label,
            url=inline(spec.url, names) if spec.url else None,
            phone=inline(spec.phone, names) if spec.phone else None,
            operator=spec.operator,
            message=spec.message,
        )
