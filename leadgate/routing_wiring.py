"""Routing's running parts for `leadgate run`: relay, SLA timer, notifiers and their consumers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web

from channels.email.mailer import SmtpMailer
from channels.messengers.telegram.customers import CustomerBots
from leadgate.bootstrap import Core
from leadgate.settings import Settings
from leadgate.silence_wiring import silence_watch
from leadgate.supervisor import Loop
from leads.errors import ConfigError
from routing.deadlines import DeadlineDesk
from routing.inbox import AmqpConsumer, Inbox, InProcessPublisher, manager_ids
from routing.notifiers import AllNotifiers, Notifier
from routing.notifiers.email import EmailNotifier, EmailNotifierSettings
from routing.relay import OutboxRelay, Publisher
from routing.sla import run_sla_timer

if TYPE_CHECKING:  # aiogram and aio-pika are imported only when configured
    from channels.messengers.telegram.adapter import TelegramBotChannel
    from routing.notifiers.telegram import ManagerBot


@dataclass
class RoutingServices:
    """What the server starts for routing."""

    relay: OutboxRelay
    publish: Callable[[str, dict[str, Any], str], Awaitable[None]]
    loops: list[Loop] = field(default_factory=list)
    routes: list[web.AbstractRouteDef] = field(default_factory=list)
    manager_bot: ManagerBot | None = None


def build_routing(settings: Settings, core: Core,
                  customer_bots: Mapping[str, TelegramBotChannel]) -> RoutingServices:
    """The relay (AMQP or in-process), the SLA timer and the configured notifiers."""
    notify = settings.section("notify")
    notifiers: list[Notifier] = []
    manager_bot = None
    try:
        if "telegram" in notify:
            from routing.notifiers.telegram import ManagerBot, ManagerBotSettings

            manager_bot = ManagerBot(ManagerBotSettings.from_toml(notify["telegram"]),
                                     core.engine, core.desk, settings.public_url,
                                     CustomerBots(customer_bots),
                                     report=_reporter(core, ManagerBot.name))
            notifiers.append(manager_bot)
        if "email" in notify:
            email = EmailNotifierSettings.from_toml(notify["email"])
            notifiers.append(EmailNotifier(email, SmtpMailer(email), settings.public_url))
    except ValueError as err:
        raise ConfigError(str(err)) from err
    all_notifiers = AllNotifiers(notifiers)
    inbox = Inbox(core.engine, all_notifiers)
    publisher: Publisher = InProcessPublisher(inbox)
    queue_type = "classic"
    if settings.amqp_url:
        from routing.amqp import AmqpPublisher, queue_type_of  # aio-pika only in broker mode

        try:
            queue_type = queue_type_of(settings.section("amqp"))
        except ValueError as err:
            raise ConfigError(str(err)) from err
        publisher = AmqpPublisher(settings.amqp_url, lambda: manager_ids(core.engine),
                                  queue_type)
    relay = OutboxRelay(core.engine, publisher, core.outbox, report=_reporter(core, "outbox"))
    core.metrics.read("leadgate_outbox_published", "Outbox messages the relay published.",
                      lambda: relay.published)
    core.metrics.read("leadgate_notifier_failures", "Notifications that failed, by notifier.",
                      lambda: dict(all_notifiers.failures), label="notifier")
    services = RoutingServices(relay, core.publish, manager_bot=manager_bot)
    services.loops.append(Loop("outbox", relay.run))
    deadlines = DeadlineDesk(core.engine, timedelta(minutes=settings.callback_grace_minutes),
                             core.outbox)
    services.loops.append(Loop("sla", lambda: run_sla_timer(
        core.desk, core.routing.sla_tick_seconds, deadlines, _reporter(core, "sla"))))
    if settings.amqp_url and notifiers:
        consumer = AmqpConsumer(settings.amqp_url, core.engine, inbox,
                                report=_reporter(core, "notifiers"), queue_type=queue_type)
        services.loops.append(Loop("notifiers", consumer.run))
    watching = silence_watch(settings, core, _reporter(core, "silence"))
    if watching is not None:
        services.loops.append(Loop("silence", watching))
    if manager_bot is not None:
        if manager_bot.settings.mode == "polling":
            services.loops.append(Loop(manager_bot.name, manager_bot.run))
        else:
            services.routes.append(web.post(manager_bot.path, manager_bot.webhook))
    for loop in services.loops:
        core.health.declare_loop(loop.name)
    return services


def _reporter(core: Core, name: str) -> Callable[[str, str], None]:
    """How a routing loop reports its state on /healthz."""
    return lambda state, detail: core.health.report(name, state, detail)
