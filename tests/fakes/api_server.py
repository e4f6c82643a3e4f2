"""What the fake platform APIs (VK, Odnoklassniki, MAX) share: an aiohttp server on
127.0.0.1 (port chosen by the OS), a log of the requests, a latency, a rate limit and
injected errors.

Each fake answers its platform's errors in the platform's own format; the base only
decides *that* a request is over the rate limit (a sliding one-second window of accepted
requests, like the platforms' "requests per second") or meets an injected error.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self

from aiohttp import web


@dataclass
class ApiCall:
    """One request as the fake saw it: the method, its parameters, when it arrived."""

    method: str
    params: dict[str, str]
    at: float
    #: Arrived while the last second already held `rate_limit` accepted requests.
    over_limit: bool = False
    error: Any = None


@dataclass
class _Fault:
    error: Any
    remaining: int


@dataclass
class FakeApiServer:
    """Base of the fakes; subclasses add their routes in `routes`."""

    #: Where the API's methods are, below the server's address (VK: "/method").
    API_PATH: ClassVar[str] = ""

    #: Seconds every request takes (slept inside the handler, so requests overlap).
    latency: float = 0.0
    #: Requests a second the fake accepts (sliding one-second window); None: no limit.
    rate_limit: float | None = None
    requests: list[ApiCall] = field(default_factory=list)
    _arrivals: deque[float] = field(default_factory=deque)
    _faults: list[_Fault] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _port: int | None = None

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("the fake is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        """What the bot's *_API_URL setting is for this fake."""
        return self.base_url + self.API_PATH

    async def start(self) -> None:
        app = web.Application()
        self.routes(app)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    def inject(self, error: Any, times: int = 1) -> None:
        """Answer the next `times` requests with `error` (the fake's own error value)."""
        self._faults.append(_Fault(error, times))

    def calls(self, method: str | None = None) -> list[ApiCall]:
        return [call for call in self.requests if method is None or call.method == method]

    def refused(self, error: Any) -> int:
        """How many requests were answered with `error`."""
        return sum(1 for call in self.requests if call.error == error)

    async def arrive(self, method: str, params: dict[str, str]) -> ApiCall:
        """Log a request and count it against the rate limit, then sleep the latency."""
        call = ApiCall(method, params, time.monotonic())
        call.over_limit = self._over_rate_limit(call.at)
        self.requests.append(call)
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        return call

    def _over_rate_limit(self, at: float) -> bool:
        if self.rate_limit is None:
            return False
        while self._arrivals and at - self._arrivals[0] >= 1.0:
            self._arrivals.popleft()
        if len(self._arrivals) >= self.rate_limit:
            return True
        self._arrivals.append(at)
        return False

    def take_fault(self) -> Any:
        """The injected error for this request, or None."""
        for fault in self._faults:
            if fault.remaining > 0:
                fault.remaining -= 1
                return fault.error
        return None

    @staticmethod
    async def params(request: web.Request) -> dict[str, str]:
        """Query string and urlencoded form fields together, as the platforms read them."""
        params = dict(request.query)
        if request.body_exists and request.content_type == "application/x-www-form-urlencoded":
            params.update({key: str(value) for key, value in (await request.post()).items()})
        return params
