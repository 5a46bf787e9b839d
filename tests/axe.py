"""axe-core (npm, pinned in package.json) run inside the Chromium pages the browser tests drive."""

import os
from pathlib import Path

from tests.conftest import need

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => [n.target.join(' '), n.failureSummary]),
  }));
}"""


def axe_required():
    need(AXE.exists(), "node_modules/axe-core is missing: run `npm ci` (make test does)")


def axe_violations(page):
    """WCAG 2.1 A and AA violations on the page as it is now (open shadow roots included).

    The page's context needs bypass_csp=True where the page forbids scripts (the /w/ iframe page)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE.read_text())
    return page.evaluate(RUN, WCAG_AA)


def axe_report(name, violations):
    """One line per failing node, for an assertion message a reader can act on."""
    lines = [f"{name}: {v['id']} ({v['impact']}) {v['help']}: {target} {summary!r}" for v in violations
             for target, summary in v["nodes"]]
    return os.linesep.join(lines)
