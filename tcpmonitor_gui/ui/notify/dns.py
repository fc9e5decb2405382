"""One notice for a resolver that stopped answering, not one per connection by name.

When every monitored profile that names its host (not an IP address) is down with
``dns_error`` at once, and they name at least ``DNS_MIN`` different hosts (one name removed
from its zone fails however many profiles use it), the fault is the name service, not those
targets: "DNS is not answering" is told once, naming them (and saying that connections by
address still work, when some do); their drops and recoveries are then not told one by one,
and "DNS answers again" ends it once fewer than half of them remain down. A name the resolver
answered has no address (``NO_SUCH_NAME``: off the VPN, its zone's names are not found) is
an answer, not a silence: such drops are told as themselves.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QObject

from ...core.events import NO_SUCH_NAME, Cause
from ...core.profile import Profile
from .computer import HOSTS_KEPT, Policy, host_key
from .notice import Change, Notice, Transition
from .wording import join_names

#: Fewer different names failing together is not evidence about the resolver.
DNS_MIN = 2


def named(profile: Profile) -> bool:
    """Whether ``profile``'s host is a name to resolve (not an IP address)."""
    return _is_name(profile.host)


@functools.lru_cache(maxsize=HOSTS_KEPT)
def _is_name(host: str) -> bool:
    # The resolver's module brings asyncio, which the window's first frame does without.
    from ...core.resolver import is_address  # noqa: PLC0415

    return not is_address(host)


class DnsNotices(QObject):
    def __init__(self, policy: Policy, parent: QObject) -> None:
        super().__init__(parent)
        self._policy = policy
        #: While the resolver is out: the named profiles it took down.
        self.out: set[str] | None = None

    def take(self, changes: list[Change]) -> list[Notice]:
        """Enter or leave "DNS is out"; removes from ``changes`` what its notices cover."""
        policy = self._policy
        monitored = policy.monitored()
        by_name = [p for p in monitored if named(p)]
        dns_down = [
            p
            for p in by_name
            if (e := policy.down.get(p.id)) is not None
            and e.cause is Cause.DNS_ERROR
            and NO_SUCH_NAME not in e.detail  # the resolver answered that
        ]
        if self.out is None:
            names = {host_key(p) for p in by_name}
            if len(names) < DNS_MIN or len(dns_down) < len(by_name):
                return []
            self.out = {p.id for p in dns_down}
            covered = self.out
            notices = self._out_notice(dns_down, monitored)
        else:
            self.out.update(p.id for p in dns_down)
            covered = set(self.out)
            if len(dns_down) * 2 >= len(self.out):
                notices = []
            else:
                notices = self._back_notice([p for p in by_name if p.id in self.out], dns_down)
                self.out = None
        changes[:] = [c for c in changes if c.event.profile_id not in covered]
        return notices

    def _out_notice(self, down: list[Profile], monitored: list[Profile]) -> list[Notice]:
        policy = self._policy
        now = policy.now()
        for p in down:
            policy.told(p, Transition.DOWN, now)
        if not policy.settings.notify_on_down:
            return []
        body = self.tr(
            "{n} connections cannot resolve their names: {names}.", "", len(down)
        ).format(n=len(down), names=join_names([p.name for p in down], 8))
        by_address = [p for p in monitored if not named(p)]
        if any(p.id not in policy.down for p in by_address):
            body += " " + self.tr("Connections by address work.")
        return [policy.notice(self.tr("DNS is not answering"), body, True, down)]

    def _back_notice(self, was: list[Profile], still: list[Profile]) -> list[Notice]:
        policy = self._policy
        now = policy.now()
        back = [p for p in was if p not in still]
        for p in back:
            policy.told(p, Transition.UP, now)
        if not policy.settings.notify_on_up:
            return []
        body = self.tr("{n} connections by name are back up.", "", len(back)).format(n=len(back))
        if still:
            names = join_names([p.name for p in still], 8)
            body += " " + self.tr("Still down: {names}.").format(names=names)
        return [policy.notice(self.tr("DNS answers again"), body, False, back)]
