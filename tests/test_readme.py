"""The README's snippets run, and CI runs exactly the README's install and test commands."""
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def blocks(language: str) -> list[str]:
    """Code blocks fenced with ```<language> (an empty language: plain fences)."""
    found, current, inside = [], [], None
    for line in README.splitlines():
        if line.startswith("```"):
            if inside is None:
                inside, current = line[3:].strip(), []
            else:
                if inside == language:
                    found.append("\n".join(current) + "\n")
                inside = None
        elif inside is not None:
            current.append(line)
    return found


def test_python_snippets_run(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    snippets = blocks("python")
    assert snippets
    for code in snippets:
        exec(compile(code, "README.md", "exec"), {})
    assert "NC_005816.1_1" in capsys.readouterr().out


def test_ci_runs_the_readme_commands():
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [b.strip() for b in blocks("") if "pip install" in b or "python -m pytest" in b]
    install = next(c for c in commands if c.startswith("pip install"))
    test = next(c for c in commands if "python -m pytest" in c)
    assert install in ci.splitlines()
    for line in test.splitlines():  # every line of the README's test block, in CI as written
        assert line in ci.splitlines(), line
