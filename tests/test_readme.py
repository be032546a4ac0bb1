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


def shell_commands() -> list[str]:
    """The ``genoseq``/``genoseq-prodigal`` command lines of the README's plain code blocks,
    without their comments, except those that say they need more than the repository."""
    found = []
    for block in blocks(""):
        for line in block.splitlines():
            command, _, comment = line.partition("  #")
            if not command.startswith(("genoseq ", "genoseq-prodigal ")) or "needs " in comment:
                continue
            if "../shared" in command or "runs/ss" in command or "genome.fna" in command or "proteins.faa" in command:
                continue  # the shared data, or files the reader brings
            found.append(command.strip())
    return found


def test_readme_commands_run_on_a_fresh_clone(tmp_path):
    """Every README command that needs only the repository runs, in order, in a folder that
    holds nothing but the repository's data/ (as a fresh clone)."""
    import shlex
    import shutil
    import subprocess
    import sys

    shutil.copytree(ROOT / "data", tmp_path / "data")
    commands = shell_commands()
    assert any(c.startswith("genoseq ep score data/ep/") for c in commands)
    assert any(c.startswith("genoseq predict-genes data/pPCP1.fna") for c in commands)
    for command in commands:
        args = shlex.split(command)
        module = "genoseq.prodigal_cli" if args[0] == "genoseq-prodigal" else "genoseq"
        result = subprocess.run([sys.executable, "-m", module, *args[1:]], cwd=tmp_path, capture_output=True,
                                timeout=600)
        assert result.returncode == 0, f"{command}\n{result.stderr.decode()[-2000:]}"
