"""Steps a person takes in the browser, shared by the browser tests."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from cnopad.domain.access import Actor, Channel, Role

OVERDUE_PATIENT = "demo-adult-pamidronate-overdue"

#: collects (path, text) of every visible text node outside translate="no", in document order
VISIBLE_TEXTS = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (!text) continue;
    const el = node.parentElement;
    if (!el || el.closest('[translate="no"], script, style')) continue;
    if (el.closest("details:not([open])") && !el.closest("summary")) continue;
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    let path = "", cur = el;
    while (cur && cur !== document.body) {
      const index = Array.prototype.indexOf.call(cur.parentElement.children, cur);
      path = "/" + cur.tagName + "[" + index + "]" + path;
      cur = cur.parentElement;
    }
    out.push([path, text]);
  }
  return out;
}"""


def sign_in(page: Page, user: str, password: str) -> None:
    """Sign in through the form, as a person would."""
    page.goto("/login")
    page.get_by_label("Gebruikersnaam").fill(user)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/worklist")


def entry_count(container: Any, patient_id: str) -> int:
    """How many entries the stored record holds (read outside the browser)."""
    with container.unit(Actor("test", Role.ADMIN, Channel.CLI)) as uow:
        return int(uow.records.get(patient_id, purpose="test", audit=False).size())
