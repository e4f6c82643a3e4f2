"""nginx in front of webhook replicas, for the end-to-end tests: the load balancer of
`deploy/nginx.conf`, on a free port of 127.0.0.1, without TLS.

Its configuration, pid file, temporary files and log live in a folder the test gives;
it runs in the foreground (`daemon off`) as a child of the test, with one worker, so it
hands the posts to the replicas in turn (round robin). Skips the test, saying why, when
nginx is not installed (`make test`'s CI installs nginx-light; see .ci/run).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.e2e.process import EXIT_TIMEOUT, STARTUP_TIMEOUT, free_port

#: Where nginx is looked for besides PATH (Debian installs it in /usr/sbin).
SBIN = "/usr/sbin"

_TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def nginx_binary() -> str | None:
    """The nginx executable, or None when it is not installed."""
    return shutil.which("nginx") or shutil.which("nginx", path=SBIN)


def config(folder: Path, port: int, upstreams: Sequence[int], location: str) -> str:
    """An nginx.conf that listens on 127.0.0.1:`port` and proxies POSTs to `location` to
    the replicas on 127.0.0.1:`upstreams`, as deploy/nginx.conf does: a post a replica
    refused to connect goes to the next one; a post a replica took and never answered
    (killed in the middle) is answered 502, and Telegram posts it again."""
    temp = "\n".join(f"    {name}_temp_path {folder / name};" for name in _TEMP_PATHS)
    servers = "\n".join(
        f"        server 127.0.0.1:{upstream} max_fails=1 fail_timeout=5s;"
        for upstream in upstreams
    )
    # As root, nginx's worker would switch to `nobody`, who cannot enter the test's folder.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}daemon off;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{
    worker_connections 256;
}}
http {{
    access_log off;
{temp}
    upstream bot_replicas {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location = {location} {{
            proxy_pass http://bot_replicas;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_read_timeout 75s;
            proxy_next_upstream error timeout;
        }}
        location / {{
            return 404;
        }}
    }}
}}
"""


def write_config(folder: Path, port: int, upstreams: Sequence[int], location: str) -> Path:
    """`config(...)` written to `folder`/nginx.conf (the folder made if need be)."""
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / "nginx.conf"
    conf.write_text(config(folder, port, upstreams, location), encoding="utf-8")
    return conf


class Nginx:
    """nginx running in `folder`, listening on 127.0.0.1:`port`."""

    def __init__(self, process: asyncio.subprocess.Process, folder: Path, port: int) -> None:
        self.process = process
        self.folder = folder
        self.port = port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    async def start(cls, folder: Path, upstreams: Sequence[int], location: str) -> Nginx:
        """nginx with `config(...)` on a free port, once it accepts connections; skips the
        test when nginx is not installed, fails (with its log) when it does not start
        within STARTUP_TIMEOUT."""
        binary = nginx_binary()
        if binary is None:
            pytest.skip("nginx is not installed (apt-get install nginx-light)")
        port = free_port()
        conf = write_config(folder, port, upstreams, location)
        process = await asyncio.create_subprocess_exec(
            binary,
            "-p",
            str(folder),
            "-c",
            str(conf),
            "-e",
            str(folder / "error.log"),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        nginx = cls(process, folder, port)
        try:
            await nginx._listening()
        except BaseException:
            await nginx.stop()
            raise
        return nginx

    def log(self) -> str:
        path = self.folder / "error.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    async def _listening(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STARTUP_TIMEOUT
        exited = asyncio.ensure_future(self.process.wait())
        try:
            while not exited.done():
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                except OSError:
                    if loop.time() > deadline:
                        pytest.fail(f"nginx not listening within {STARTUP_TIMEOUT} s\n{self.log()}")
                    # The master binds the port moments after it starts: look again soon.
                    await asyncio.wait({exited}, timeout=0.05)
                    continue
                writer.close()
                await writer.wait_closed()
                return
        finally:
            exited.cancel()
        pytest.fail(f"nginx exited with {self.process.returncode}\n{self.log()}")

    async def stop(self) -> None:
        """SIGQUIT (finish the requests in flight, then exit), SIGKILL if it is still
        running after EXIT_TIMEOUT."""
        if self.process.returncode is not None:
            return
        self.process.send_signal(signal.SIGQUIT)
        try:
            async with asyncio.timeout(EXIT_TIMEOUT):
                await self.process.wait()
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
