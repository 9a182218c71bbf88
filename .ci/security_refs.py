"""SECURITY.md names the test that proves each control as `file::test` (a file of
stack/tests/e2e/, or a module of a crate's src/): every one named must exist, so the threat model
never points at a test that was renamed or deleted."""

import pathlib
import re
import sys


def main():
    root = pathlib.Path(__file__).resolve().parent.parent
    text = (root / "SECURITY.md").read_text(encoding="utf-8")
    sources = {p: p.read_text(encoding="utf-8") for p in root.glob("*/src/**/*.rs")}
    missing = []
    for module, name, prefix in re.findall(r"`([a-z_]+)::([a-z_]+)(…)?`", text):
        e2e = root / "stack/tests/e2e" / f"{module}.rs"
        candidates = [e2e.read_text(encoding="utf-8")] if e2e.exists() else [
            src for path, src in sources.items() if path.stem == module]
        pattern = re.escape(name) if prefix else r"\b" + re.escape(name) + r"\b"
        if not any(re.search(pattern, src) for src in candidates):
            missing.append(f"{module}::{name}")
    for m in missing:
        print(f"SECURITY.md names a test that does not exist: {m}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
