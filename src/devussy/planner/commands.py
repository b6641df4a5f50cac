"""Verification commands: the names a step's test goes by, and a syntax check for what the plan writes.

``name_forms("book a spot")`` gives the spellings a toolchain's ``test_one`` template needs
(``{kw}`` book_a_spot, ``{Kw}`` BookASpot, ``{kwf}`` bookaspot, ``{kwk}`` book-a-spot).

``command_problems(command)`` parses a command the way a shell would (``shlex``), splits it at
``&&``/``||``/``;``/``|``, and checks that each part starts with a tool this planner uses and, for
tools with sub-commands, a real sub-command (``cargo test``, ``go test``, ``npm test``); it is what
``bench/plan_quality.py`` and the corpus tests use to call a plan's commands valid.
"""

from __future__ import annotations

import re
import shlex

# Tool → the sub-commands it accepts (None: no sub-command, any arguments).
TOOLS: dict[str, frozenset[str] | None] = {
    "pytest": None,
    "python": None,
    "python3": None,
    "ruff": frozenset({"check", "format"}),
    "mypy": None,
    "pip": frozenset({"install", "check"}),
    "npm": frozenset({"test", "run", "ci", "install", "pack", "publish", "start", "exec", "audit"}),
    "npx": None,
    "node": None,
    "cargo": frozenset(
        {
            "test",
            "build",
            "clippy",
            "fmt",
            "run",
            "publish",
            "package",
            "new",
            "check",
            "audit",
            "bench",
            "doc",
        }
    ),
    "go": frozenset({"test", "vet", "build", "run", "mod", "generate"}),
    "gofmt": None,
    "./mvnw": None,
    "mvn": None,
    "./gradlew": None,
    "dotnet": frozenset({"test", "build", "run", "ef", "pack", "publish", "new", "format", "list"}),
    "bundle": frozenset({"exec", "install"}),
    "bin/rails": frozenset(
        {"test", "server", "db:migrate", "zeitwerk:check", "assets:precompile", "generate", "routes"}
    ),
    "rails": frozenset({"new", "test", "server", "generate"}),
    "gem": frozenset({"build", "push"}),
    "php": frozenset({"artisan"}),
    "vendor/bin/phpunit": None,
    "composer": frozenset({"validate", "install", "create-project", "audit", "require"}),
    "mix": frozenset(
        {
            "test",
            "compile",
            "run",
            "phx.server",
            "ecto.migrate",
            "hex.build",
            "format",
            "new",
            "phx.new",
            "release",
        }
    ),
    "ctest": None,
    "cmake": None,
    "flutter": frozenset({"test", "analyze", "build", "run", "create", "pub"}),
    "dart": frozenset({"test", "analyze", "pub", "compile", "run", "format"}),
    "xcodebuild": frozenset({"test", "build", "archive", "-exportArchive"}),
    "swift": frozenset({"test", "build", "package", "run"}),
    "terraform": frozenset({"test", "validate", "plan", "apply", "fmt", "init"}),
    "tflint": None,
    "make": None,
    "godot": None,
    "unity": None,
    "idf.py": frozenset({"build", "flash", "monitor", "set-target", "menuconfig"}),
    "arduino-cli": frozenset({"compile", "upload"}),
    "pio": frozenset({"test", "run"}),
    "kubectl": frozenset({"apply", "get", "wait", "rollout", "kustomize", "diff"}),
    "helm": frozenset({"lint", "template", "install", "upgrade", "test"}),
    "docker": frozenset({"build", "compose", "run"}),
    "git": frozenset({"init", "tag", "diff"}),
    "django-admin": frozenset({"startproject"}),
    "uvicorn": None,
    "flask": None,
    "alembic": frozenset({"upgrade", "revision", "check"}),
    "dbt": frozenset({"build", "test", "run", "compile", "source", "deps"}),
    "airflow": frozenset({"dags", "tasks"}),
    "k6": frozenset({"run"}),
    "curl": None,
    "sha256sum": None,
    "diff": None,
    "web-ext": frozenset({"lint", "build", "run"}),
    "kind": frozenset({"create"}),
    "twine": frozenset({"check", "upload"}),
    "gradle": None,
    "rustup": None,
    "sh": None,
    "bash": None,
    "stripe": frozenset({"trigger", "listen", "fixtures"}),
    "aws": None,
    "gcloud": None,
    "az": None,
    "heroku": frozenset({"run", "releases"}),
    "fly": frozenset({"status", "deploy", "checks"}),
    "firebase": frozenset({"emulators:exec", "deploy"}),
    "supabase": frozenset({"db", "start", "test"}),
    "psql": None,
    "mysql": None,
    "sqlite3": None,
    "ansible-playbook": None,
    "systemctl": frozenset({"is-active", "status"}),
    "ruby": None,
    "rake": None,
    "java": None,
    "kubebuilder": frozenset({"init", "create"}),
    "controller-gen": None,
    "kustomize": frozenset({"build"}),
    "playwright": frozenset({"install", "test"}),
    "scrapy": frozenset({"crawl", "check", "list"}),
}
# `npx <package>` runs these (anything else is flagged as unknown).
NPX_PACKAGES = frozenset(
    {
        "jest",
        "vitest",
        "tsc",
        "playwright",
        "prisma",
        "ng",
        "eslint",
        "@nestjs/cli",
        "create-next-app@latest",
        "nuxi@latest",
        "sv",
        "react-native",
        "@react-native-community/cli",
        "@angular/cli",
        "web-ext",
        "wrangler",
        "cypress",
        "knex",
        "sequelize",
        "typeorm",
        "storybook",
        "shopify",
        "vercel",
        "netlify",
    }
)
_SEPARATORS = frozenset({"&&", "||", ";", "|"})
_ENV_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def name_forms(text: str) -> dict[str, str]:
    """The spellings of a test name: snake, Pascal, flat and kebab case."""
    words = [w for w in re.findall(r"[a-z0-9]+", text.lower()) if w] or ["feature"]
    return {
        "kw": "_".join(words),
        "Kw": "".join(w[:1].upper() + w[1:] for w in words),
        "kwf": "".join(words),
        "kwk": "-".join(words),
    }


def command_problems(command: str) -> list[str]:
    """What makes ``command`` invalid: bad shell quoting, an unknown tool or sub-command."""
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        tokens = list(lexer)
    except ValueError as exc:
        return [f"shell syntax: {exc}"]
    if not tokens:
        return ["empty command"]
    problems: list[str] = []
    part: list[str] = []
    for token in [*tokens, ";"]:
        if token in _SEPARATORS:
            if part:
                problems.extend(_part_problems(part))
            elif token != ";":
                problems.append(f"nothing before {token!r}")
            part = []
        elif re.fullmatch(r"[;&|]+", token):
            problems.append(f"unexpected operator {token!r}")
        else:
            part.append(token)
    return problems


def _part_problems(part: list[str]) -> list[str]:
    while part and _ENV_ASSIGNMENT.match(part[0]):
        part = part[1:]
    if not part:
        return ["only environment assignments"]
    tool, args = part[0], part[1:]
    if tool not in TOOLS:
        return [f"unknown tool {tool!r}"]
    if tool == "npx":
        package = next((a for a in args if not a.startswith("-")), None)
        return [] if package in NPX_PACKAGES else [f"npx runs an unknown package {package!r}"]
    if tool == "python" or tool == "python3":
        if args[:1] == ["-m"] and len(args) < 2:
            return ["python -m needs a module"]
        return []
    allowed = TOOLS[tool]
    if allowed is None:
        return []
    sub = next((a for a in args if not a.startswith("-")), None)
    if sub is None:
        return [f"{tool} needs a sub-command"]
    return [] if sub in allowed else [f"{tool} has no sub-command {sub!r}"]
