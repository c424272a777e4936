"""`advance(catalog, session, event) -> Outcome`: one customer turn, pure (no I/O, no clock, no Flask).

Order of handling (python-telegram-bot style: global fallbacks first, then the state's handler):
1. a saved node that no longer exists → short notice, main menu;
2. global commands (처음으로, 이전, 상담직원 연결), from clientExtra or the utterance;
3. no conversation in progress → the answer to a clarifying question, else what the customer wrote is
   understood (`app.understanding`): a guide's entry, one clarifying question, or an honest answer that
   this is not something the bot can help with;
4. a tap on a question the customer has already left (double tap, Kakao retry) → the current question
   again, never taken as the answer to it;
5. the current node's handler (choice / ask / end), re-prompting on answers it cannot use; a message
   that is clearly about another problem switches to that problem instead.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date
from typing import Any

from app.engine.catalog import Catalog, flow_of, qualify
from app.engine.matching import best_match, normalize, ordinal
from app.engine.model import (
    AskNode,
    BranchNode,
    Case,
    Choice,
    ChoiceNode,
    CloseNode,
    EndNode,
    HandoffNode,
    MessageNode,
    Node,
)
from app.engine.prompts import Prompter
from app.engine.reply import CsatAnswer, Event, HandoffRequest, Outcome, Reply
from app.engine.session import MAX_HISTORY, Session, Step
from app.engine.validators import VALIDATORS, Rejected
from app.understanding.router import Clarify, Decision, HandoffStatus, Route

MAX_AUTO_STEPS = 25
RETRY_LIMIT = 3

HOME, BACK, AGENT = "home", "back", "agent"
AFTER_HANDOFF = "after_handoff"  # handoff reason: a message the bot cannot answer, after a handoff


class EngineError(RuntimeError):
    """The content led the engine somewhere it cannot go (validation should have prevented it)."""


MAX_UTTERANCE = 1000  # Kakao's own text limit; anything longer is cut before it is matched


def advance(catalog: Catalog, session: Session | None, event: Event) -> Outcome:
    if len(event.utterance) > MAX_UTTERANCE:
        event = replace(event, utterance=event.utterance[:MAX_UTTERANCE])
    elif (word := catalog.bot.spelled.get(normalize(event.utterance))) is not None:
        event = replace(event, utterance=word)  # "넹" is matched as 네 (`same_as` in _bot.yaml)
    return _Turn(catalog, session, event).run()


def enter(
    catalog: Catalog, ref: str, values: dict[str, str] | None = None, context: dict[str, Any] | None = None
) -> Outcome:
    """Show node `ref` as if the customer had just arrived there (previews and content checks)."""
    turn = _Turn(catalog, Session(values=dict(values or {})), Event("", {}, dict(context or {})))
    turn.go(ref)
    return turn.outcome()


def ask_which(catalog: Catalog, first: str, second: str) -> Outcome:
    """The clarifying question offering two entries (content checks render it with the longest labels)."""
    turn = _Turn(catalog, None, Event("", {}, {}))
    turn.clarify(first, second)
    return turn.outcome()


def command_of(catalog: Catalog, event: Event) -> tuple[str | None, bool]:
    """The global command of a turn, and whether it was only found inside a sentence
    ("상담원 연결해 주세요" contains 상담원) rather than tapped or said as such."""
    extra = event.extra
    if extra.get("cmd") in (HOME, BACK, AGENT):
        return str(extra["cmd"]), False
    bot = catalog.bot
    said = normalize(event.utterance)
    if not said:
        return None, False
    commands = ((HOME, bot.home_command), (BACK, bot.back_command), (AGENT, bot.agent_command))
    for key, command in commands:
        if said in command.said:
            return key, False
    for key, command in commands:
        if any(w in said for w in command.inside):
            return key, True
    return None, False


def may_hand_off(catalog: Catalog, event: Event) -> bool:
    """Before the customer's state is read: this message asks for an agent (상담직원 연결 tapped or
    said), so the turn is likely to hand off — the session store reads what a handoff needs with the
    lock (`Catalog.near_handoff` says the same from where the customer is)."""
    return command_of(catalog, event)[0] == AGENT


class _Turn:
    def __init__(self, catalog: Catalog, session: Session | None, event: Event) -> None:
        self.catalog = catalog
        self.event = event
        self.fresh = session is None
        saved = session or Session()
        self.node: str | None = saved.node
        self.origin = saved.origin
        self.history = list(saved.history)
        self.values = dict(saved.values)
        self.arrival_values = dict(saved.arrival_values)
        self.retries = saved.retries
        self.turns = saved.turns + 1
        self.was_offered = saved.offered
        self.offered: tuple[str, ...] = ()
        self.handoff_at = saved.handoff_at
        # the guide of the handoff made in this conversation (its lines go there, not through it again)
        self.handed_flow = saved.origin if saved.handoff_at else None
        self.say = Prompter(catalog, {**event.context, "handoff_at": saved.handoff_at})
        self.handoff: HandoffRequest | None = None
        self.restarted = False
        self.understood: list[str] = []
        self.path: list[str] = []  # every node entered this turn (for the CS team's events)
        self.csat_about = saved.csat  # the guide the satisfaction question just asked about
        self.csat_asked: str | None = None
        self.csat: CsatAnswer | None = None

    # -- the turn -------------------------------------------------------------------------------

    def run(self) -> Outcome:
        if self.node is not None and self.node not in self.catalog:
            self.restart("common.restart_notice")
            return self.outcome()
        if self.node is None and self.answers_csat():
            return self.outcome()
        command, loose = self.command()
        if self.handoff_at and (command is None or loose) and self.asks_about_handoff():
            self.understood.append("handoff_status")
            self.go(self.catalog.bot.handoff_status)
        elif command == HOME:
            self.start_over()
            self.go(self.catalog.bot.home)
        elif command == BACK:
            self.back()
        elif command == AGENT:
            gave_up = self.retries >= RETRY_LIMIT  # typed 상담직원 after 3 failed answers counts too
            reason = self.event.extra.get("reason") or ("retry_limit" if gave_up else "customer_request")
            self.go(self.agent_target(), reason=str(reason))
        elif self.node is None:
            self.begin()
        else:
            self.answer()
        return self.outcome()

    def outcome(self) -> Outcome:
        session = Session(
            node=self.node,
            origin=self.origin,
            history=tuple(self.history[-MAX_HISTORY:]),
            values=self.values,
            arrival_values=self.arrival_values,
            retries=self.retries,
            turns=self.turns,
            offered=self.offered,
            handoff_at=self.handoff_at,
            csat=self.csat_asked,
        )
        reply = Reply(tuple(self.say.messages), self.say.quick_replies)
        return Outcome(
            session=session,
            reply=reply,
            handoff=self.handoff,
            restarted=self.restarted,
            understood=tuple(self.understood),
            path=tuple(self.path),
            csat=self.csat,
        )

    def restart(self, notice: str) -> None:
        self.restarted = True
        self.say.text(notice, {})
        self.start_over()
        self.go(self.catalog.bot.home)

    def start_over(self) -> None:
        self.node, self.origin, self.history, self.values, self.retries = None, None, [], {}, 0
        self.arrival_values = {}

    def command(self) -> tuple[str | None, bool]:
        return command_of(self.catalog, self.event)

    def asks_about_handoff(self) -> bool:
        """After a handoff, "언제 연결돼요?" / "상담원 아직이에요?" asks about it (even though it names
        상담원); only the command tapped or said as such asks for another handoff. A tapped button
        (its extra names a question) answers that question: never a question about the wait."""
        if self.event.extra.get("node") or not normalize(self.event.utterance):
            return False
        decision = self.catalog.router.decide(self.event.utterance, after_handoff=True)
        return isinstance(decision, HandoffStatus)

    def agent_target(self) -> str:
        """Where 상담직원 연결 goes: the current question's `agent`, else its flow's, else the bot's
        (so a guide can hand off with its own category and agent notes from any of its questions)."""
        if self.node is not None:
            node = self.catalog.node(self.node)
            if getattr(node, "agent", None):
                return qualify(flow_of(self.node), node.agent)  # type: ignore[union-attr]
        flow = self.catalog.flows.get(flow_of(self.node) if self.node else self.origin or "")
        if flow is not None and flow.agent:
            return qualify(flow.flow, flow.agent)
        return self.catalog.bot.agent

    def begin(self) -> None:
        """No conversation in progress: the customer is at the main menu without having seen it."""
        home = self.catalog.bot.home
        tapped = self.event.extra.get("node")
        if tapped and (self.fresh or tapped != home):
            self.restart("common.expired_notice")  # a tap on a bubble from a conversation that is over
            return
        if (target := self.clarified()) is not None:
            self.understood.append("clarified")
            self.start_over()
            self.go(target)
            return
        menu = self.catalog.node(home)
        assert isinstance(menu, ChoiceNode)
        self.start_over()
        self.node = home  # as if at the menu: a menu choice then leaves it in the history for 이전
        self.answer_choice(menu, fallback=False, by_place=False)  # the menu is not on screen yet
        if self.node == home and not self.say.messages:  # nothing said: show the menu itself
            self.node = None
            self.go(home)

    def clarified(self) -> str | None:
        """The entry the customer picked from a clarifying question (tapped, or its label typed)."""
        if not self.was_offered:
            return None
        tapped = self.event.extra.get("clarify")
        if tapped in self.was_offered:
            return str(tapped)
        labels = [(target, [self.catalog.entry_label(target)]) for target in self.was_offered]
        return best_match(self.event.utterance, labels)

    def answers_csat(self) -> bool:
        """The answer to the satisfaction question: thanks, nothing else changes. A tap carries its
        guide and score; a typed label counts right after the question. A tap on an older question
        (double tap) is thanked for but not counted again."""
        csat = self.catalog.bot.csat
        if csat is None:
            return False
        extra, score, flow = self.event.extra, None, None
        if "csat" in extra:
            score, flow = extra.get("csat"), extra.get("flow")
        elif self.csat_about:
            said = _plain(self.event.utterance)
            score = next((c.score for c in csat.choices if said and said == _plain(c.label)), None)
            flow = self.csat_about
        if score not in {c.score for c in csat.choices} or flow not in self.catalog.flows:
            return False
        if self.fresh or self.csat_about == flow:
            self.csat = CsatAnswer(flow=str(flow), score=int(score))  # type: ignore[arg-type]
        self.say.text(csat.thanks, {})
        self.say.quick_home()
        return True

    def back(self) -> None:
        if not self.history:
            self.start_over()
            self.go(self.catalog.bot.home)
            return
        step = self.history.pop()
        self.node, self.values = None, dict(step.values)  # re-ask: forget what was answered since
        self.go(step.node)

    # -- answers at the current node -------------------------------------------------------------

    def answer(self) -> None:
        assert self.node is not None
        node = self.catalog.node(self.node)
        tapped = self.event.extra.get("node")
        if tapped and tapped != self.node:  # a tap on a question already answered: ask this one again
            self.repeat(node)
        elif isinstance(node, ChoiceNode):
            self.answer_choice(node)
        elif isinstance(node, AskNode):
            self.answer_ask(node)
        elif isinstance(node, EndNode):
            self.answer_end(node)
        else:  # only interactive nodes are ever saved as current; treat anything else as a new start
            self.begin()

    def answer_choice(self, node: ChoiceNode, fallback: bool = True, by_place: bool = True) -> None:
        """The node's choice; on the main menu (and the out-of-scope answer, which offers the menu's
        choices) an exact label first, then what the classifier understands of the message: a menu
        alias inside a sentence is no evidence ("주차장 어디예요" is not a parking-charge problem).
        `by_place`: the customer has these choices on screen, so "2번" / "두 번째요" picks the second."""
        at_menu = self.node in (self.catalog.bot.home, self.catalog.bot.out_of_scope)
        place = ordinal(self.event.utterance) if by_place and not self.event.extra else None
        if place is not None and 1 <= place <= len(node.choices):
            choice: Choice | None = node.choices[place - 1]
        else:
            choice = self.picked(node.choices, exact=at_menu)
        if choice is not None:
            self.choose(choice)
        elif at_menu and normalize(self.event.utterance):
            self.understand()
        elif not at_menu and (target := self.other_problem()) is not None:
            self.switch_to(target)
        elif fallback:
            self.retry(node.retry or "common.choice_retry", None)

    def understand(self) -> None:
        """A free-text message at the menu: a guide's entry, a clarifying question, or an honest answer."""
        bot = self.catalog.bot
        decision = self.catalog.router.decide(self.event.utterance)
        if self.about_the_handoff(decision):
            self.add_to_handoff()  # the problem already handed off, told again: more for the agent
        elif isinstance(decision, Route):
            if decision.target == bot.home:  # a greeting: the menu itself
                self.node = None
            self.switch_to(decision.target)
        elif isinstance(decision, Clarify):
            self.understood.append("clarify")
            self.clarify(decision.first, decision.second)
        elif isinstance(decision, HandoffStatus):
            self.understood.append("handoff_status")
            self.start_over()
            self.go(bot.handoff_status)
        elif self.handoff_at:  # already handed to an agent: what the bot cannot answer goes there too
            self.add_to_handoff()
        else:
            self.understood.append("out_of_scope")
            self.start_over()
            self.go(bot.out_of_scope)

    def about_the_handoff(self, decision: Decision) -> bool:
        """The message is about the guide this conversation was handed off from (any of its entries)."""
        if not self.handed_flow:
            return False
        if isinstance(decision, Route):
            targets = [decision.target]
        elif isinstance(decision, Clarify):
            targets = [decision.first, decision.second]
        else:
            return False
        return all(flow_of(target) == self.handed_flow for target in targets)

    def add_to_handoff(self) -> None:
        """After a handoff: the message joins it for the agent (`after_handoff` in _bot.yaml)."""
        self.understood.append("after_handoff")
        self.start_over()
        self.origin = self.handed_flow  # still that guide's handoff (its category; the next line too)
        self.go(self.catalog.bot.after_handoff or self.catalog.bot.agent, reason=AFTER_HANDOFF)

    def clarify(self, first: str, second: str) -> None:
        """One short question offering both problems; the answer is taken on the next turn."""
        self.start_over()
        self.offered = (first, second)
        self.say.text(self.catalog.bot.clarify, {})
        self.say.offer([(self.catalog.entry_label(t), t) for t in self.offered])

    def other_problem(self, within_flow: bool = True, expecting_value: bool = False) -> str | None:
        """Mid-flow: the entry of another problem the message is clearly about — not one the customer
        has already been through, and (`within_flow=False`, a question whose answer is a description of
        the problem) not one of this guide's own."""
        if not normalize(self.event.utterance) or ordinal(self.event.utterance) is not None:
            return None  # "5번" is a button the customer counted to, never a new problem
        route = self.catalog.router.switch(self.event.utterance, expecting_value)
        if route is None or route.target == self.node or route.target in {s.node for s in self.history}:
            return None
        if not within_flow and flow_of(route.target) == flow_of(self.node or ""):
            return None
        self.understood.append("topic_switch")
        return route.target

    def choose(self, choice: Choice) -> None:
        self.values.update(choice.set)
        self.go(qualify(flow_of(self.node or ""), choice.next))

    def answer_ask(self, node: AskNode) -> None:
        """A shortcut choice; else the value found in the message — unless the message is clearly about
        another problem (a sentence typed instead of a lot name is not saved as the lot name)."""
        here = self.node or ""
        choice = self.picked(node.choices)
        if choice is not None:
            self.choose(choice)
            return
        validator = VALIDATORS[node.validator]
        if not validator.structured and normalize(self.event.utterance) in self.catalog.acknowledgements:
            self.retry(node.hint, None)  # "네" to "충전소 이름을 알려 주세요": asked again, not the name
            return
        try:
            value = validator.check(self.event.utterance, _today(self.event.context))
        except Rejected as rejected:
            value, reason = None, rejected.reason
        # A value found in the sentence is the answer; otherwise a clear problem statement switches
        # (only to another guide's where the node says its answers read like this guide's problems).
        within_flow = value is None or node.switch == "any"
        if (value is None or not validator.structured) and (
            target := self.other_problem(within_flow=within_flow, expecting_value=True)
        ) is not None:
            self.switch_to(target)
        elif value is None:
            self.retry(node.hint, reason)
        else:
            self.values[node.save] = value
            self.go(qualify(flow_of(here), node.next))

    def answer_end(self, node: EndNode) -> None:
        here = self.node or ""
        said = self.event.extra.get("choice") if self.event.extra.get("node") == here else None
        if said not in ("yes", "no"):
            said = self.yes_or_no()
        if said == "yes":
            self.go(qualify(flow_of(here), node.on_yes or self.catalog.bot.resolved))
        elif said == "no":
            self.go(qualify(flow_of(here), node.on_no))
        elif (target := self.other_problem()) is not None:
            self.switch_to(target)
        else:
            self.retry("common.resolved_question", None)

    def yes_or_no(self) -> str | None:
        """A negation ("안 됐어요", "아직이요") means 아니요 even when a yes-word is in the sentence too."""
        yes, no = self.catalog.bot.answer_yes, self.catalog.bot.answer_no
        said = normalize(self.event.utterance)
        if said in yes.said:
            return "yes"
        if any(w in said for w in no.inside):
            return "no"
        return best_match(
            self.event.utterance, [("yes", [yes.label, *yes.aliases]), ("no", [no.label, *no.aliases])]
        )

    def picked(self, choices: tuple[Choice, ...], exact: bool = False) -> Choice | None:
        extra = self.event.extra
        if extra.get("node") == self.node:
            for choice in choices:
                if choice.label == extra.get("choice"):
                    return choice
        return best_match(
            self.event.utterance, [(c, [c.label, *c.aliases]) for c in choices], exact_only=exact
        )

    def switch_to(self, target: str) -> None:
        if flow_of(target) != flow_of(self.node or ""):
            self.start_over()
        self.go(target)

    def repeat(self, node: Node) -> None:
        """The current question again after a stale tap; not counted as a failed answer."""
        assert self.node is not None
        self.understood.append("stale_tap")
        self.say.text("common.stale_tap", self.values)
        self.say.question(node, self.values)
        self.say.quick_for(self.node, node, bool(self.history))

    def retry(self, template_id: str, reason: str | None) -> None:
        assert self.node is not None
        self.retries += 1
        if reason:
            self.say.plain(reason)
        self.say.text(template_id, self.values)
        limit = self.retries >= RETRY_LIMIT
        if limit:
            self.say.text("common.retry_limit", self.values)
        self.say.quick_for(self.node, self.catalog.node(self.node), bool(self.history), retry_limit=limit)

    # -- moving -----------------------------------------------------------------------------------

    def go(self, ref: str, reason: str | None = None) -> None:
        """Enter `ref`, following automatic steps (message, branch) until the customer must act."""
        for _ in range(MAX_AUTO_STEPS):
            node = self.catalog.node(ref)
            self.path.append(ref)
            self.say.node(node, self.values)
            if isinstance(node, MessageNode):
                ref = qualify(flow_of(ref), node.next)
            elif isinstance(node, BranchNode):
                ref = qualify(flow_of(ref), _branch(node.cases, node.otherwise, self.values))
            elif isinstance(node, HandoffNode):
                self.hand_off(ref, node, reason)
                return
            elif isinstance(node, CloseNode):
                self.say.quick_home()
                if node.csat and self.catalog.bot.csat is not None:
                    self.csat_asked = self.origin or flow_of(ref)
                    self.say.csat(self.csat_asked)
                self.finish()
                return
            else:
                self.arrive(ref)
                self.say.quick_for(ref, node, bool(self.history))
                return
        raise EngineError(f"more than {MAX_AUTO_STEPS} automatic steps from {ref}")

    def arrive(self, ref: str) -> None:
        if self.node is not None and self.node != ref:
            self.history.append(Step(node=self.node, values=self.arrival_values))
        self.node, self.retries, self.arrival_values = ref, 0, dict(self.values)
        if self.catalog.flows[flow_of(ref)].category:
            self.origin = flow_of(ref)

    def finish(self) -> None:
        """The conversation is over; keep history and values so that 이전 can still go back."""
        if self.node is not None:
            self.history.append(Step(node=self.node, values=self.arrival_values))
        self.node, self.retries = None, 0

    def hand_off(self, ref: str, node: HandoffNode, reason: str | None) -> None:
        self.handoff_at = str(self.event.context.get("now_label") or "방금")
        self._hand_off(ref, node, reason)

    def _hand_off(self, ref: str, node: HandoffNode, reason: str | None) -> None:
        """The handoff names the customer's topic: the handoff node's own flow if it has a category
        (e.g. a guide's escalation), else the flow they were in (e.g. 상담직원 연결 from the main flow)."""
        flows = self.catalog.flows
        topic = flow_of(ref) if flows[flow_of(ref)].category else self.origin
        category = node.category or (flows[topic].category if topic in flows else None)
        self.handoff = self.say.handoff(
            ref,
            node,
            flow=topic,
            values=self.values,
            category=category or self.catalog.bot.default_category,
            reason=reason or node.reason,
            path=(*(step.node for step in self.history), *([self.node] if self.node else []), ref),
        )
        self.finish()


def _plain(text: str) -> str:
    """Normalised text without symbols (emoji): "😀 만족해요" and "만족해요" are the same answer."""
    return "".join(ch for ch in normalize(text) if not unicodedata.category(ch).startswith("S"))


def _today(context: dict[str, Any]) -> date | None:
    """The customer's date, from the web layer (relative dates such as 어제 are resolved with it)."""
    try:
        return date.fromisoformat(str(context["today"]))
    except (KeyError, ValueError):
        return None


def _branch(cases: tuple[Case, ...], otherwise: str, values: dict[str, str]) -> str:
    for case in cases:
        if all(_fits(values.get(key), want) for key, want in case.when.items()):
            return case.next
    return otherwise


def _fits(value: str | None, want: str | tuple[str, ...]) -> bool:
    return value is not None and (value in want if isinstance(want, tuple) else value == want)
