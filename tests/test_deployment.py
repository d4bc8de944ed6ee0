"""The production shape: docker-compose.yml, deploy/nginx.conf and the Dockerfile.

These read the files as text and YAML; no database, Docker engine or network is needed.
The operations guide (docs/operations.md) describes what they check.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
# nginx.conf includes the upstreams from this path; compose mounts the file that
# COMPOSE_PROFILES picks (deploy/upstreams-<profile>.conf) there.
UPSTREAMS_INCLUDE = "include /etc/nginx/bruggen-upstreams.conf;"
DOCKERFILE = ROOT / "Dockerfile"

LONG_RUNNING = ("postgres", "redis", "web", "ws", "worker", "beat", "nginx")
APP_SERVICES = ("web", "ws", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


def nginx_text(profile: str) -> str:
    """deploy/nginx.conf as nginx reads it under COMPOSE_PROFILES=profile, comments out."""
    text = NGINX_CONF.read_text(encoding="utf-8")
    assert text.count(UPSTREAMS_INCLUDE) == 1
    upstreams = (ROOT / "deploy" / f"upstreams-{profile}.conf").read_text(encoding="utf-8")
    return re.sub(r"#[^\n]*", "", text.replace(UPSTREAMS_INCLUDE, upstreams))


@pytest.fixture(scope="module")
def nginx_conf() -> str:
    return nginx_text("default")


def command(service: dict) -> list[str]:
    value = service.get("command", [])
    return shlex.split(value) if isinstance(value, str) else [str(part) for part in value]


def option(args: list[str], name: str) -> str | None:
    """The value of `--name value` or `--name=value` in a command line."""
    for index, arg in enumerate(args):
        if arg == name and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def block(text: str, header: str) -> str:
    """The body of the first `header { ... }` block in an nginx config, nested braces included."""
    match = re.search(re.escape(header) + r"\s*\{", text)
    assert match, f"no `{header} {{` block in {NGINX_CONF.name}"
    depth, start = 1, match.end()
    for index in range(start, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return text[start:index]
    raise AssertionError(f"unbalanced braces after `{header}`")


def directives(body: str, name: str) -> list[str]:
    """The arguments of each `name ...;` directive in a block body, as strings."""
    return [m.group(1).strip() for m in re.finditer(rf"(?m)^\s*{name}\s+([^;]*);", body)]


def proxied_targets(conf: str, location_body: str) -> set[str]:
    """`host:port` addresses a location's proxy_pass reaches, directly or via an upstream."""
    passes = directives(location_body, "proxy_pass")
    assert len(passes) == 1, f"expected one proxy_pass, found {passes}"
    target = re.sub(r"^https?://", "", passes[0]).rstrip("/")
    upstream = re.search(rf"upstream\s+{re.escape(target)}\s*\{{", conf)
    if upstream is None:
        return {target}
    servers = directives(block(conf, f"upstream {target}"), "server")
    return {server.split()[0] for server in servers}


def healthy_dependencies(service: dict) -> set[str]:
    depends_on = service.get("depends_on", {})
    assert isinstance(depends_on, dict), "depends_on must be a mapping with conditions"
    return {
        name
        for name, spec in depends_on.items()
        if (spec or {}).get("condition") == "service_healthy"
    }


def test_all_services_exist(services: dict) -> None:
    assert set(LONG_RUNNING) <= set(services)


def test_web_runs_gunicorn_with_the_wsgi_app(services: dict) -> None:
    args = command(services["web"])
    assert args[0] == "gunicorn"
    assert "config.wsgi:application" in args
    assert option(args, "--bind") == "0.0.0.0:8000"


def test_ws_runs_uvicorn_with_the_asgi_app_without_lifespan(services: dict) -> None:
    args = command(services["ws"])
    assert args[0] == "uvicorn"
    assert "config.asgi:application" in args
    assert option(args, "--lifespan") == "off"
    assert option(args, "--port") == "8001"
    assert "--proxy-headers" in args
    # Measured in benchmarks/messaging_load.py: compression of small frames costs the p99.
    assert option(args, "--ws-per-message-deflate") == "false"


def _make_run_line() -> list[str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    target = re.search(r"(?ms)^run:.*?(?=^\S)", makefile + "\nend:")
    assert target, "no run target in the Makefile"
    lines = [line.strip() for line in target.group(0).splitlines() if "uvicorn" in line]
    assert len(lines) == 1, lines
    return shlex.split(lines[0])


def test_ws_and_make_run_refuse_frames_larger_than_the_consumer_accepts(services: dict) -> None:
    # Without --ws-max-size Uvicorn buffers frames of up to 16 MB before the consumer can
    # refuse them; the flag must carry the consumer's own figure, in both places.
    from messaging.consumers import MAX_FRAME_BYTES

    assert option(command(services["ws"]), "--ws-max-size") == str(MAX_FRAME_BYTES)
    assert option(_make_run_line(), "--ws-max-size") == str(MAX_FRAME_BYTES)


def test_worker_and_beat_run_celery(services: dict) -> None:
    assert command(services["worker"])[:4] == ["celery", "-A", "config", "worker"]
    beat = command(services["beat"])
    assert beat[:4] == ["celery", "-A", "config", "beat"]
    assert option(beat, "--schedule") == "/app/var/celerybeat-schedule"


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_every_long_running_service_has_a_healthcheck(services: dict, name: str) -> None:
    healthcheck = services[name].get("healthcheck")
    assert healthcheck, f"{name} has no healthcheck"
    assert not healthcheck.get("disable")
    assert healthcheck.get("test"), f"{name}'s healthcheck has no test"


@pytest.mark.parametrize(("name", "port"), [("web", "8000"), ("ws", "8001")])
def test_http_healthchecks_ask_the_liveness_endpoint(services: dict, name: str, port: str) -> None:
    """Liveness, not readiness: a container check must not fail because Redis is away."""
    test = [str(part) for part in services[name]["healthcheck"]["test"]]
    assert test[:3] == ["CMD", "python", "-c"]
    assert '"http://127.0.0.1:%s/api/v1/health/live" % sys.argv[1]' in test[3]
    assert test[4] == port


def test_worker_healthcheck_pings_its_own_node(services: dict) -> None:
    test = " ".join(services["worker"]["healthcheck"]["test"])
    assert "celery -A config inspect ping -d celery@$$HOSTNAME" in test


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_postgres_and_redis(services: dict, name: str) -> None:
    assert {"postgres", "redis"} <= healthy_dependencies(services[name])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_start_after_migrations(services: dict, name: str) -> None:
    migrate = services[name]["depends_on"]["migrate"]
    assert migrate["condition"] == "service_completed_successfully"


def test_migrate_is_a_one_shot_service(services: dict) -> None:
    migrate = services["migrate"]
    assert command(migrate) == ["python", "manage.py", "migrate", "--noinput"]
    assert str(migrate.get("restart")) == "no"
    assert {"postgres", "redis"} <= healthy_dependencies(migrate)


@pytest.mark.parametrize("name", (*APP_SERVICES, "migrate"))
def test_app_services_use_production_settings(services: dict, name: str) -> None:
    environment = services[name]["environment"]
    assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert "@postgres:5432/" in environment["DATABASE_URL"]
    assert environment["REDIS_URL"].startswith("redis://redis:6379/")
    assert environment["DJANGO_MEDIA_ROOT"] == "/app/var/media"
    assert "?" in environment["DJANGO_SECRET_KEY"], "the secret key must have no default"


def test_nginx_publishes_port_80_and_mounts_its_config(services: dict) -> None:
    nginx = services["nginx"]
    published = set()
    for port in nginx["ports"]:
        if isinstance(port, dict):
            published.add(str(port.get("published")))
        else:
            published.add(str(port).split(":")[-2] if ":" in str(port) else str(port))
    assert "80" in published
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in nginx["volumes"]
    assert healthy_dependencies(nginx) >= {"web", "ws"}


def test_named_volumes_exist_and_are_mounted(compose: dict, services: dict) -> None:
    assert {"pgdata", "media"} <= set(compose["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    for name in ("web", "ws", "worker"):
        assert "media:/app/var/media" in services[name]["volumes"], name


def test_nginx_routes_websockets_to_ws(nginx_conf: str, services: dict) -> None:
    ws_port = option(command(services["ws"]), "--port")
    location = block(nginx_conf, "location /ws/")
    assert proxied_targets(nginx_conf, location) == {f"ws:{ws_port}"}
    headers = directives(location, "proxy_set_header")
    assert "Upgrade $http_upgrade" in headers
    assert any(re.fullmatch(r'Connection\s+("?upgrade"?|\$connection_upgrade)', h) for h in headers)
    assert directives(location, "proxy_http_version") == ["1.1"]
    read_timeout = directives(location, "proxy_read_timeout")
    assert read_timeout, "idle sockets would be cut after nginx's default 60 s"
    assert read_timeout[0] not in {"60", "60s", "1m"}


def test_nginx_routes_everything_else_to_web(nginx_conf: str, services: dict) -> None:
    web_port = option(command(services["web"]), "--bind").rsplit(":", 1)[1]
    location = block(nginx_conf, "location /")
    assert proxied_targets(nginx_conf, location) == {f"web:{web_port}"}


@pytest.mark.parametrize("path", ["/ws/", "/"])
def test_nginx_forwards_client_headers(nginx_conf: str, path: str) -> None:
    headers = {
        h.split()[0] for h in directives(block(nginx_conf, f"location {path}"), "proxy_set_header")
    }
    assert {"Host", "X-Forwarded-For", "X-Forwarded-Proto"} <= headers


def test_nginx_allows_10_mb_attachments_and_answers_its_healthcheck(nginx_conf: str) -> None:
    assert directives(nginx_conf, "client_max_body_size") == ["12m"]
    health = block(nginx_conf, "location = /nginx-health")
    assert directives(health, "return")[0].startswith("200")


def dockerfile_stages() -> list[tuple[str, str, str]]:
    """(base image, stage name, instructions) per stage, line continuations joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text(encoding="utf-8"))
    parts = re.split(r"(?im)^FROM\s+", text)[1:]
    stages = []
    for part in parts:
        first, _, rest = part.partition("\n")
        words = first.split()
        name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else ""
        stages.append((words[0], name, rest))
    return stages


def test_dockerfile_builds_assets_in_a_node_stage_and_copies_them() -> None:
    stages = dockerfile_stages()
    node = [(name, body) for image, name, body in stages if image.startswith("node:20")]
    assert node, "no node:20 stage"
    node_name, node_body = node[0]
    assert re.search(r"(?m)^RUN\s+npm ci\b", node_body)
    image, _, app_body = stages[-1]
    assert image == "python:3.11-slim-bookworm"
    assert re.search(
        rf"(?m)^COPY\s+--from={re.escape(node_name)}\s+\S*node_modules\s+/app/node_modules",
        app_body,
    )


def test_dockerfile_prepares_the_app_and_drops_root() -> None:
    _, _, app_body = dockerfile_stages()[-1]
    assert "compilemessages" in app_body
    assert "collectstatic --noinput" in app_body
    assert re.search(r"(?m)^USER\s+bruggen\s*$", app_body)
    assert re.search(r"(?m)^EXPOSE\s+8000\s*$", app_body)
    assert re.search(r'(?m)^CMD\s+\["gunicorn"', app_body)


def test_dockerignore_keeps_local_state_out_of_the_image() -> None:
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".venv", "node_modules", "var", "staticfiles", ".git", ".env"} <= ignored


def test_docker_compose_accepts_the_file() -> None:
    executable = shutil.which("docker-compose")
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("docker-compose is not installed: apt-get install -y docker-compose")
        pytest.skip("docker-compose is not installed")
    result = subprocess.run(
        [executable, "-f", str(COMPOSE_FILE), "config"],
        cwd=ROOT,
        env={**os.environ, "POSTGRES_PASSWORD": "compose-check", "DJANGO_SECRET_KEY": "check"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# The scale profile: two web and two ws processes behind nginx (docs/scaling.md) ---------

SCALED = {"web2": "web", "ws2": "ws"}


@pytest.mark.parametrize(("copy", "original"), SCALED.items())
def test_scale_profile_runs_a_second_copy_of_web_and_ws(
    services: dict, copy: str, original: str
) -> None:
    assert services[copy]["profiles"] == ["scale"]
    for key in ("command", "environment", "healthcheck", "depends_on", "volumes", "expose"):
        assert services[copy][key] == services[original][key], key


def test_default_services_belong_to_no_profile(services: dict) -> None:
    assert [name for name, s in services.items() if "profiles" in s] == sorted(SCALED)


def test_nginx_mounts_the_upstreams_that_compose_profiles_picks(services: dict) -> None:
    mount = (
        "./deploy/upstreams-${COMPOSE_PROFILES:-default}.conf:/etc/nginx/bruggen-upstreams.conf:ro"
    )
    assert mount in services["nginx"]["volumes"]
    profiles = {p for s in services.values() for p in s.get("profiles", [])}
    for profile in {"default", *profiles}:
        assert (ROOT / "deploy" / f"upstreams-{profile}.conf").is_file(), profile


def test_scaled_nginx_balances_sockets_over_both_ws_processes(services: dict) -> None:
    conf = nginx_text("scale")
    port = option(command(services["ws"]), "--port")
    location = block(conf, "location /ws/")
    assert proxied_targets(conf, location) == {f"ws:{port}", f"ws2:{port}"}
    # Sockets are long-lived: new ones go to the process with the fewest.
    assert "least_conn" in block(conf, "upstream bruggen_ws")
    assert "Upgrade $http_upgrade" in directives(location, "proxy_set_header")


def test_scaled_nginx_balances_pages_over_both_web_processes(services: dict) -> None:
    conf = nginx_text("scale")
    port = option(command(services["web"]), "--bind").rsplit(":", 1)[1]
    assert proxied_targets(conf, block(conf, "location /")) == {f"web:{port}", f"web2:{port}"}


def test_both_upstream_files_name_the_same_upstreams() -> None:
    names = {
        profile: re.findall(r"upstream\s+(\w+)", nginx_text(profile))
        for profile in ("default", "scale")
    }
    assert names["default"] == names["scale"] == ["bruggen_web", "bruggen_ws"]


def _compose_config(profiles: str) -> str:
    executable = shutil.which("docker-compose")
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("docker-compose is not installed: apt-get install -y docker-compose")
        pytest.skip("docker-compose is not installed")
    env = {**os.environ, "POSTGRES_PASSWORD": "compose-check", "DJANGO_SECRET_KEY": "check"}
    env.pop("COMPOSE_PROFILES", None)
    if profiles:
        env["COMPOSE_PROFILES"] = profiles
    result = subprocess.run(
        [executable, "-f", str(COMPOSE_FILE), "config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("profiles", ["", "scale"])
def test_docker_compose_mounts_the_upstreams_of_the_profile(profiles: str) -> None:
    resolved = yaml.safe_load(_compose_config(profiles))
    upstreams = f"upstreams-{profiles or 'default'}.conf:/etc/nginx/bruggen-upstreams.conf"
    assert any(upstreams in str(volume) for volume in resolved["services"]["nginx"]["volumes"])
    assert {"web2", "ws2"} <= set(resolved["services"])


@pytest.mark.parametrize("profile", ["default", "scale"])
def test_nginx_accepts_the_config(tmp_path: Path, profile: str) -> None:
    # `nginx -t` resolves upstream host names, which only Docker's DNS knows: point them at
    # the loopback address in a copy. Debian's nginx (apt-get install nginx-light) is enough.
    executable = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if executable is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    upstreams = (ROOT / "deploy" / f"upstreams-{profile}.conf").read_text(encoding="utf-8")
    upstreams = re.sub(r"(?m)^(\s*server\s+)[a-z0-9]+:", r"\g<1>127.0.0.1:", upstreams)
    (tmp_path / "upstreams.conf").write_text(upstreams, encoding="utf-8")
    conf = NGINX_CONF.read_text(encoding="utf-8")
    conf = conf.replace(UPSTREAMS_INCLUDE, f"include {tmp_path / 'upstreams.conf'};")
    conf = conf.replace("pid /var/run/nginx.pid;", f"pid {tmp_path / 'nginx.pid'};")
    (tmp_path / "nginx.conf").write_text(conf, encoding="utf-8")
    result = subprocess.run(
        [executable, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_the_wsgi_app_keeps_what_it_loaded_out_of_full_collections() -> None:
    """config/wsgi.py imports the URL conf and freezes what is loaded: a full garbage
    collection in a worker then walks what requests made, not all of Django (75-118 ms
    stalls before, docs/scaling.md "Full collections"). Run in a process of its own: the
    freeze is for the life of a process."""
    root = Path(__file__).resolve().parent.parent
    code = (
        "import gc, sys, time; import config.wsgi; "
        "frozen = gc.get_freeze_count(); "
        "start = time.perf_counter(); gc.collect(); "
        "print(frozen, len(gc.get_objects()), (time.perf_counter() - start) * 1000)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONPATH": str(root)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    frozen, tracked, _collect_ms = result.stdout.split()
    # Django, the apps and every view module are in the permanent generation; what the
    # collector still tracks is a small fraction of it.
    assert int(frozen) > 50_000
    assert int(tracked) < int(frozen) / 5
    assert (
        "network.views"
        in subprocess.run(
            [sys.executable, "-c", "import sys, config.wsgi; print(' '.join(sys.modules))"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
    )
