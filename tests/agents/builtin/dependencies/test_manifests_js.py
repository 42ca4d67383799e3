"""npm's manifests: package.json's tables and specifiers and package-lock.json v1 and v3, with
what a change adds, what it skips and why, the exact line of each entry, and 50,000 packages."""

from __future__ import annotations

import json
from textwrap import dedent

import pytest

from baton.agents.builtin.dependencies.manifests import changed_entries
from tests.agents.builtin.dependencies.support import Entry, Skipped, entries, problem, skips

GIT = "a git URL, not a registry version"
URL = "a URL, not a registry version"
LOCAL = "a local path, not a registry version"
WORKSPACE = "a workspace package, not a registry version"

PACKAGE_JSON = dedent("""\
    {
      "name": "shop-frontend",
      "version": "1.4.0",
      "private": true,
      "scripts": {
        "build": "vite build",
        "test": "jest"
      },
      "dependencies": {
        "@babel/runtime": "^7.22.5",
        "lodash": "4.17.20",
        "react": "~18.2.0",
        "left-pad": "=1.3.0",
        "string-width-cjs": "npm:string-width@^4.2.0",
        "ui-kit": "file:../ui-kit",
        "analytics": "github:example/analytics#v2.1.0",
        "charts": "example/charts#main",
        "tarball": "https://example.com/pkg/tarball-1.0.0.tgz",
        "shared": "workspace:^"
      },
      "devDependencies": {
        "jest": "^29.7.0",
        "typescript": "5.4.2"
      },
      "peerDependencies": {
        "react": ">=17"
      }
    }
""")

PACKAGE_LOCK_V3 = dedent("""\
    {
      "name": "shop-frontend",
      "version": "1.4.0",
      "lockfileVersion": 3,
      "requires": true,
      "packages": {
        "": {
          "name": "shop-frontend",
          "version": "1.4.0",
          "dependencies": {
            "@babel/runtime": "^7.22.5",
            "lodash": "4.17.20"
          }
        },
        "node_modules/@babel/runtime": {
          "version": "7.22.5",
          "resolved": "https://registry.npmjs.org/@babel/runtime/-/runtime-7.22.5.tgz",
          "integrity": "sha512-aaaa",
          "dependencies": {
            "regenerator-runtime": "^0.13.11"
          },
          "engines": {
            "node": ">=6.9.0"
          }
        },
        "node_modules/lodash": {
          "version": "4.17.20",
          "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz",
          "integrity": "sha512-bbbb"
        },
        "node_modules/jest/node_modules/@types/node": {
          "version": "20.11.5",
          "dev": true
        },
        "node_modules/string-width-cjs": {
          "name": "string-width",
          "version": "4.2.3"
        },
        "node_modules/my-fork": {
          "version": "1.0.0",
          "resolved": "git+ssh://git@github.com/example/my-fork.git#0a1b2c3d"
        },
        "node_modules/ui-kit": {
          "resolved": "packages/ui-kit",
          "link": true
        },
        "packages/ui-kit": {
          "version": "0.1.0"
        }
      }
    }
""")

PACKAGE_LOCK_V1 = dedent("""\
    {
      "name": "legacy-app",
      "version": "2.0.0",
      "lockfileVersion": 1,
      "requires": true,
      "dependencies": {
        "express": {
          "version": "4.17.1",
          "resolved": "https://registry.npmjs.org/express/-/express-4.17.1.tgz",
          "requires": {
            "debug": "2.6.9",
            "qs": "6.7.0"
          },
          "dependencies": {
            "debug": {
              "version": "2.6.9",
              "resolved": "https://registry.npmjs.org/debug/-/debug-2.6.9.tgz"
            }
          }
        },
        "debug": {
          "version": "4.3.4"
        },
        "qs": {
          "version": "6.7.0"
        },
        "string-width-cjs": {
          "version": "npm:string-width@4.2.3"
        },
        "my-fork": {
          "version": "github:example/my-fork#0a1b2c3d",
          "from": "github:example/my-fork"
        }
      }
    }
""")


@pytest.mark.parametrize(
    ("path", "head", "base", "expected"),
    [
        pytest.param(
            "package.json",
            PACKAGE_JSON,
            None,
            [
                ("@babel/runtime", None, "^7.22.5", 10, None),
                ("lodash", "4.17.20", "4.17.20", 11, None),
                ("react", None, "~18.2.0", 12, None),
                ("left-pad", "1.3.0", "=1.3.0", 13, None),
                ("string-width", None, "npm:string-width@^4.2.0", 14, None),
                ("jest", None, "^29.7.0", 22, None),
                ("typescript", "5.4.2", "5.4.2", 23, None),
                ("react", None, ">=17", 26, None),
            ],
            id="package-json-new",
        ),
        pytest.param(
            "package.json",
            PACKAGE_JSON.replace('"lodash": "4.17.20"', '"lodash": "4.17.21"'),
            PACKAGE_JSON,
            [("lodash", "4.17.21", "4.17.21", 11, "4.17.20")],
            id="package-json-bump",
        ),
        pytest.param(
            "package-lock.json",
            PACKAGE_LOCK_V3,
            None,
            [
                ("@babel/runtime", "7.22.5", "7.22.5", 15, None),
                ("lodash", "4.17.20", "4.17.20", 26, None),
                ("@types/node", "20.11.5", "20.11.5", 31, None),
                ("string-width", "4.2.3", "4.2.3", 35, None),
            ],
            id="package-lock-v3-new",
        ),
        pytest.param(
            "package-lock.json",
            PACKAGE_LOCK_V3.replace("lodash-4.17.20", "lodash-4.17.21").replace(
                '"version": "4.17.20"', '"version": "4.17.21"'
            ),
            PACKAGE_LOCK_V3,
            [("lodash", "4.17.21", "4.17.21", 26, "4.17.20")],
            id="package-lock-v3-bump",
        ),
        pytest.param(
            "package-lock.json",
            PACKAGE_LOCK_V1,
            None,
            [
                ("express", "4.17.1", "4.17.1", 7, None),
                ("debug", "2.6.9", "2.6.9", 15, None),
                ("debug", "4.3.4", "4.3.4", 21, None),
                ("qs", "6.7.0", "6.7.0", 24, None),
                ("string-width", "4.2.3", "npm:string-width@4.2.3", 27, None),
            ],
            id="package-lock-v1-nested",
        ),
    ],
)
def test_js_entries(path: str, head: str, base: str | None, expected: list[Entry]) -> None:
    assert entries(changed_entries(path, head, base)) == expected


@pytest.mark.parametrize(
    ("path", "head", "expected"),
    [
        pytest.param(
            "package.json",
            PACKAGE_JSON,
            [
                ("ui-kit", 15, LOCAL),
                ("analytics", 16, GIT),
                ("charts", 17, GIT),
                ("tarball", 18, URL),
                ("shared", 19, WORKSPACE),
            ],
            id="package-json",
        ),
        pytest.param("package-lock.json", PACKAGE_LOCK_V3, [("my-fork", 39, GIT)], id="lock-v3"),
        pytest.param("package-lock.json", PACKAGE_LOCK_V1, [("my-fork", 30, GIT)], id="lock-v1"),
    ],
)
def test_js_skips(path: str, head: str, expected: list[Skipped]) -> None:
    assert skips(changed_entries(path, head, None)) == expected


@pytest.mark.parametrize(
    ("path", "head", "expected"),
    [
        pytest.param(
            "package-lock.json",
            '{\n  "lockfileVersion": 3,\n  "packages": {} "name": "x"\n}',
            "package-lock.json: not JSON (line 3: Expecting ',' delimiter)",
            id="lock-not-json",
        ),
        pytest.param(
            "package-lock.json",
            '{"lockfileVersion": 9, "packages": {}}',
            "package-lock.json: lockfileVersion 9 is not one baton reads",
            id="lock-version-9",
        ),
        pytest.param(
            "package-lock.json",
            '{"name": "x", "packages": {}}',
            "package-lock.json: no lockfileVersion",
            id="lock-no-version",
        ),
        pytest.param(
            "package.json",
            '{"dependencies": ["lodash"]}',
            "package.json: `dependencies` is not a JSON object",
            id="package-json-wrong-shape",
        ),
        pytest.param(
            "package.json", "[]", "package.json: the top level is not a JSON object", id="array"
        ),
    ],
)
def test_js_problems(path: str, head: str, expected: str) -> None:
    assert problem(path, head) == expected


def test_package_lock_of_a_workspace_leaves_out_links_and_folders() -> None:
    changed = changed_entries("package-lock.json", PACKAGE_LOCK_V3, None)
    names = [e.name for e in changed.entries] + [s.name for s in changed.skipped]
    assert "ui-kit" not in names
    assert "shop-frontend" not in names


def test_fifty_thousand_packages_parse_quickly() -> None:
    packages: dict[str, object] = {"": {"name": "big", "version": "1.0.0"}}
    for index in range(50_000):
        packages[f"node_modules/pkg-{index}"] = {
            "version": f"1.{index % 100}.{index}",
            "resolved": f"https://registry.npmjs.org/pkg-{index}/-/pkg-{index}-1.0.0.tgz",
            "integrity": "sha512-aaaa",
            "dependencies": {"left-pad": "^1.3.0"},
        }
    text = json.dumps({"name": "big", "lockfileVersion": 3, "packages": packages}, indent=2)
    changed = changed_entries("package-lock.json", text, None)
    assert len(changed.entries) == 50_000
    assert (
        changed.entries[-1].line == text.count("\n", 0, text.index('"node_modules/pkg-49999"')) + 1
    )
