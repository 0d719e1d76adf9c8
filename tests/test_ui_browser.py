"""The browser chat in a real browser: Debian's Chromium driven by Playwright against the running app.

The app runs in this process on a free port over its own store (the seeds, ingested once for the
module) with the session's embedding model. Set RAG_UPDATE_SCREENSHOT=1 to refresh docs/screenshot.png.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, SEED_PAPERS, copy_seeds, free_port, make_settings
from rag.answer import AnswerEngine
from ui.app import launch

GRADIO_PANDAS_NOISE = [pytest.mark.filterwarnings("ignore:'future.no_silent_downcasting' is deprecated"),
                       pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")]
pytestmark = [pytest.mark.browser, *GRADIO_PANDAS_NOISE]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SLOW = 120_000  # ms: the first answer on a busy two-core machine
XSS_SEED = ("Abstract:<script>alert(1)</script> Quokkanet ranks mongoose papers by counting citations "
            "<img src=x onerror=alert(1)> in a xylophone graph. We evaluate Quokkanet on a new benchmark of "
            "mongoose citation graphs and show that it ranks papers better than PageRank.\n")
# Records, in page time, when the answer being waited for first shows text and when it is final.
WATCH_JS = """
(before) => {
  window.__rag = {t0: performance.now(), first: null, full: null};
  const seen = () => {
    const chat = document.querySelector('#rag-chat');
    if (!chat) return;
    const now = performance.now();
    const answers = chat.querySelectorAll('.rag-answer:not(.rag-streaming)').length;
    const streaming = chat.querySelector('.rag-streaming .rag-text');
    if (window.__rag.first === null && ((streaming && streaming.textContent.length > 1) || answers > before))
      window.__rag.first = now - window.__rag.t0;
    if (window.__rag.full === null && answers > before) window.__rag.full = now - window.__rag.t0;
  };
  new MutationObserver(seen).observe(document.body, {subtree: true, childList: true, characterData: true});
}
"""

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e .[test])")
if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium); Playwright's own "
                "browser download does not work offline", allow_module_level=True)


def say(capsys, line: str) -> None:
    """Print a measured figure into the test output even when output is captured."""
    with capsys.disabled():
        print(f"\n[ui-browser] {line}", flush=True)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, open_index) -> Iterator[str]:
    """The app on a free port over this module's own store (the seeds)."""
    root = tmp_path_factory.mktemp("ui_browser")
    index = open_index(make_settings(root / "data", copy_seeds(root / "seeds")))
    assert index.ingest().papers == SEED_PAPERS
    port = free_port()
    app = launch(index.settings.model_copy(update={"ui_port": port}), AnswerEngine.build(index), block=False)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, app_url):
    """A fresh page of the app; any JavaScript dialog (alert) it opens is recorded and fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.dialogs = []

    def on_dialog(dialog) -> None:
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(app_url, wait_until="domcontentloaded", timeout=SLOW)
    question_box(page).wait_for(timeout=SLOW)
    yield page
    assert page.dialogs == [], f"the page opened dialogs: {page.dialogs}"
    context.close()


def question_box(page):
    return page.locator("#rag-question textarea, #rag-question input").first


def ask(page, question: str) -> tuple[float, float]:
    """Type and submit a question; wait for the final answer; return (first text, full answer) in seconds."""
    before = page.locator("#rag-chat .rag-answer:not(.rag-streaming)").count()
    page.evaluate(WATCH_JS, before)
    box = question_box(page)
    box.fill(question)
    box.press("Enter")
    page.wait_for_function("() => window.__rag.full !== null", timeout=SLOW, polling=50)
    timing = page.evaluate("() => window.__rag")
    return timing["first"] / 1000, timing["full"] / 1000


def test_chat_answers_with_clickable_citations(page, capsys, tmp_path):
    first, full = ask(page, "What is SynWorld?")
    say(capsys, f"first question in the browser: first streamed text {first:.2f} s, full answer {full:.2f} s")
    answer = page.locator("#rag-chat .rag-answer").last
    cite = answer.locator("a.rag-cite").first
    assert cite.inner_text() == "[1]"
    status = page.locator("#rag-status").inner_text()
    assert "backend: extractive" in status and "retrieve" in status and "generate" in status

    cite.click()
    selected = page.locator("#rag-sources .rag-source.rag-selected")
    selected.wait_for(timeout=10_000)
    assert selected.get_attribute("id") == "src-1-1"
    mark = selected.locator("mark")
    assert mark.is_visible() and "SynWorld" in selected.inner_text()
    assert mark.inner_text().strip() in selected.locator(".rag-abstract").inner_text()
    assert page.locator("#rag-sources").get_by_text("Retrieved but not cited").is_visible()
    assert "arXiv:2504.03561" in selected.inner_text()

    page.screenshot(path=str(tmp_path / "answer.png"))
    if os.environ.get("RAG_UPDATE_SCREENSHOT") == "1":
        save_screenshot(tmp_path / "answer.png", REPO / "docs" / "screenshot.png")

    first, full = ask(page, "How is it evaluated?")
    say(capsys, f"follow-up in the browser: first streamed text {first:.2f} s, full answer {full:.2f} s")
    standalone = page.locator("#rag-chat .rag-answer").last.locator(".rag-standalone")
    assert "Searched for: How is SynWorld evaluated?" in standalone.inner_text()
    assert page.locator("#rag-chat .rag-question").count() == 2

    older = page.locator("#rag-chat .rag-answer").first.locator("a.rag-cite").first
    older.click()  # the first answer's source sits in the folded "Earlier" section: it opens and is selected
    selected = page.locator("#rag-sources .rag-source.rag-selected")
    selected.wait_for(timeout=10_000)
    assert selected.get_attribute("id") == "src-1-1" and selected.locator("mark").is_visible()

    markdown = page.locator("#rag-markdown").inner_text()
    assert "References:" in markdown and "[1]" in markdown

    page.locator("#rag-clear").click()
    page.wait_for_function("() => document.querySelectorAll('#rag-chat .rag-answer').length === 0",
                           timeout=30_000)


def test_list_answer_and_a_follow_up_without_a_pronoun(page, tmp_path):
    ask(page, "Which papers use Monte Carlo tree search?")
    answer = page.locator("#rag-chat .rag-answer").last
    items = answer.locator("ul.rag-list li")
    assert items.count() == 3 and all(items.nth(i).locator("b").count() == 1 for i in range(3))
    assert all(items.nth(i).locator("a.rag-cite").count() >= 1 for i in range(3))
    shot(page, tmp_path / "answer-list.png", "answer-list.png")

    ask(page, "Is the code public?")
    answer = page.locator("#rag-chat .rag-answer", has_text="Is the code public?").last
    answer.wait_for(timeout=SLOW)
    assert "PIANIST" in answer.locator(".rag-standalone").inner_text()
    assert "github.com/zjunlp/SynWorld" in answer.inner_text()
    assert "No record of a code link for PIANIST" in answer.inner_text()
    shot(page, tmp_path / "answer-follow-up.png", "answer-follow-up.png")


def test_not_stated_answer_looks_different_from_an_answer(page, tmp_path):
    ask(page, "Which safety benchmarks were used to evaluate SafeSwitch?")
    answer = page.locator("#rag-chat .rag-answer").last
    flagged = answer.locator(".rag-not-stated")
    assert flagged.is_visible() and "does not state" in flagged.inner_text()
    shot(page, tmp_path / "answer-not-stated.png", "answer-not-stated.png")


def test_a_chinese_question_is_answered_and_shown(page, tmp_path):
    ask(page, "LightThinker 是如何压缩推理过程的？")
    answer = page.locator("#rag-chat .rag-answer").last
    assert "以下内容摘自论文摘要（英文）" in answer.inner_text() and answer.locator("a.rag-cite").count() >= 1
    assert "是如何压缩推理过程的" in page.locator("#rag-chat .rag-question").last.inner_text()
    shot(page, tmp_path / "answer-chinese.png", "answer-chinese.png")


def shot(page, path: Path, docs_name: str) -> None:
    """Save a screenshot of the page (and refresh docs/ when RAG_UPDATE_SCREENSHOT=1)."""
    page.screenshot(path=str(path))
    if os.environ.get("RAG_UPDATE_SCREENSHOT") == "1":
        save_screenshot(path, REPO / "docs" / docs_name)


def test_example_question_is_asked_on_click(page):
    page.get_by_text("Which papers have code?", exact=True).first.click()
    page.locator("#rag-chat .rag-answer:not(.rag-streaming) li").first.wait_for(timeout=SLOW)
    assert page.locator("#rag-chat .rag-answer li").count() >= 10
    assert "backend: collection" in page.locator("#rag-status").inner_text()


def test_upload_then_html_in_the_abstract_stays_text(page, tmp_path):
    seed = tmp_path / "quokka.txt"
    seed.write_text(XSS_SEED, encoding="utf-8")
    page.get_by_role("tab", name="Papers").click()
    page.locator("#rag-upload input[type=file]").set_input_files(str(seed))
    page.locator("#rag-upload").get_by_text("quokka.txt").wait_for(timeout=30_000)
    page.locator("#rag-add").click()
    page.locator("#rag-upload-status .rag-ok").wait_for(timeout=SLOW)
    assert "1 new" in page.locator("#rag-upload-status").inner_text()

    page.locator("#rag-filter textarea, #rag-filter input").first.fill("quokkanet")
    page.wait_for_function("() => document.querySelector('#rag-count').innerText.includes('1 of')",
                           timeout=30_000)
    assert "<script>alert(1)</script>" in page.locator("#rag-papers").inner_text()

    page.get_by_role("tab", name="Chat").click()
    ask(page, "What does Quokkanet rank?")
    sources = page.locator("#rag-sources")
    assert "<script>alert(1)</script>" in sources.inner_text()
    assert "<img src=x onerror=alert(1)>" in sources.inner_text()
    injected = page.evaluate("""() => ({
        scripts: document.querySelectorAll('#rag-chat script, #rag-sources script, #rag-papers script').length,
        images: document.querySelectorAll('img[src="x"]').length,
        handlers: [...document.querySelectorAll('#rag-chat *, #rag-sources *, #rag-papers *')]
                  .filter(el => [...el.attributes].some(a => a.name.startsWith('on'))).length})""")
    assert injected == {"scripts": 0, "images": 0, "handlers": 0}


def save_screenshot(source: Path, dest: Path) -> None:
    """Copy the screenshot to docs/, reduced to a 256-colour palette so the repository stays small."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        from PIL import Image
    except ImportError:
        shutil.copyfile(source, dest)
        return
    with Image.open(source) as image:
        image.convert("RGB").quantize(colors=256).save(dest, optimize=True)
