"""Every setting is documented: `.env.example` is generated from Settings, README's table names each one."""

from pathlib import Path

from rag.settings import env_example, env_names

REPO = Path(__file__).resolve().parent.parent


def test_env_example_is_current():
    assert (REPO / ".env.example").read_text() == env_example(), "regenerate: python -c 'from rag.settings ...'"


def test_readme_documents_every_setting():
    readme = (REPO / "README.md").read_text()
    missing = [name for name in env_names() if f"`{name}`" not in readme]
    assert not missing, f"README lacks {missing}"
