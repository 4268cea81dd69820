"""Routing's running parts: the relay, the SLA timer, the notifiers and their consumers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from aiohttp import web

from channels.email.mailer import SmtpMailer
from channels.messengers.telegram.customers import CustomerBots
from leadgate.compose.silence import silence_watch
from leadgate.compose.store import Store
from leadgate.health import Health, LoopReporter
from leadgate.metrics import MetricReading
from leadgate.settings import Settings
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


@dataclass(frozen=True)
class RoutingServices:
    """What the server starts for routing, and the figures it exports on /metrics."""

    relay: OutboxRelay
    loops: list[Loop]
    routes: list[web.AbstractRouteDef]
    readings: list[MetricReading]
    manager_bot: ManagerBot | None = None


def build_routing(settings: Settings, store: Store, health: Health,
                  customer_bots: Mapping[str, TelegramBotChannel]) -> RoutingServices:
    """The relay (AMQP or in-process), the SLA timer and the configured notifiers."""
    report = health.loops.reporter
    notifiers, manager_bot = _notifiers(settings, store, customer_bots, report)
    all_notifiers = AllNotifiers(notifiers)
    inbox = Inbox(store.engine, all_notifiers)
    publisher: Publisher = InProcessPublisher(inbox)
    queue_type = "classic"
    if settings.amqp_url:
        from routing.amqp import AmqpPublisher, queue_type_of  # aio-pika only in broker mode

        try:
            queue_type = queue_type_of(settings.section("amqp"))
        except ValueError as err:
            raise ConfigError(str(err)) from err
        publisher = AmqpPublisher(settings.amqp_url, lambda: manager_ids(store.engine),
                                  queue_type)
    relay = OutboxRelay(store.engine, publisher, store.outbox, report=report("outbox"))
    deadlines = DeadlineDesk(store.engine, timedelta(minutes=settings.callback_grace_minutes),
                             store.outbox)
    loops = [Loop("outbox", relay.run),
             Loop("sla", lambda: run_sla_timer(store.desk, store.routing.sla_tick_seconds,
                                               deadlines, report("sla")))]
    if settings.amqp_url and notifiers:
        consumer = AmqpConsumer(settings.amqp_url, store.engine, inbox,
                                report=report("notifiers"), queue_type=queue_type)
        loops.append(Loop("notifiers", consumer.run))
    watching = silence_watch(settings, store, health, report("silence"))
    if watching is not None:
        loops.append(Loop("silence", watching))
    routes: list[web.AbstractRouteDef] = []
    if manager_bot is not None:
        if manager_bot.settings.mode == "polling":
            loops.append(Loop(manager_bot.name, manager_bot.run))
        else:
            routes.append(web.post(manager_bot.path, manager_bot.webhook))
    readings = [
        MetricReading("leadgate_outbox_published", "Outbox messages the relay published.",
                      lambda: relay.published),
        MetricReading("leadgate_notifier_failures", "Notifications that failed, by notifier.",
                      lambda: dict(all_notifiers.failures), label="notifier"),
    ]
    return RoutingServices(relay, loops, routes, readings, manager_bot)


def _notifiers(settings: Settings, store: Store, customer_bots: Mapping[str, TelegramBotChannel],
               report: LoopReporter) -> tuple[list[Notifier], ManagerBot | None]:
    """The `[notify]` notifiers, the managers' Telegram bot among them when configured."""
    notify = settings.section("notify")
    notifiers: list[Notifier] = []
    manager_bot = None
    try:
        if "telegram" in notify:
            from routing.notifiers.telegram import ManagerBot, ManagerBotSettings

            manager_bot = ManagerBot(ManagerBotSettings.from_toml(notify["telegram"]),
                                     store.engine, store.desk, settings.public_url,
                                     CustomerBots(customer_bots), report=report(ManagerBot.name))
            notifiers.append(manager_bot)
        if "email" in notify:
            email = EmailNotifierSettings.from_toml(notify["email"])
            notifiers.append(EmailNotifier(email, SmtpMailer(email), settings.public_url))
    except ValueError as err:
        raise ConfigError(str(err)) from err
    return notifiers, manager_bot
