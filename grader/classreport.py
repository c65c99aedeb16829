"""classreport - the class report of ./grade --html: one self-contained HTML page.

    ./grade --html class.html SUBMISSION_DIR...

The page shows, for a class: a histogram of the graded totals and one per
part; the tests ordered by how many students failed them, each with its most
common failure message; a table of the students, each linking to that
student's own report (the text of Result.report()), which the page holds too.

Self-contained: inline CSS and inline SVG, no script, no resource from
anywhere else, so it can be mailed or archived as one file. Everything that
comes from a submission (its path, its tests' output) is escaped: a student
cannot put markup in the page. A submission that was not graded has no score:
it is counted apart, never drawn as 0 points.
"""

import collections
import html
import math
import re
import statistics

import reports

# At most this many bars in a histogram: bins widen, by round numbers, beyond it.
MAX_BINS = 26
# A failure message longer than this is cut in the tests' table.
MAX_MESSAGE = 160

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;
 margin:0 auto;padding:1em 1.5em 3em;max-width:78em;background:#fff}
h1{font-size:1.6em;margin:.4em 0 .2em}h2{font-size:1.25em;margin:1.6em 0 .5em;
 border-bottom:1px solid #d5d9e0;padding-bottom:.2em}
nav a{margin-right:1em}a{color:#1f5fbf}
.figures{display:flex;flex-wrap:wrap;gap:1em}
figure{margin:0;border:1px solid #d5d9e0;border-radius:6px;padding:.5em .7em;width:480px}
figcaption{font-weight:600;margin-bottom:.2em}
svg text{font:11px system-ui,sans-serif;fill:#333}svg .count{font-weight:600}
svg .axis{font-size:12px;fill:#1d2330}svg .bar{fill:#4a7fd0}
svg .grid{stroke:#e4e7ec}svg .base{stroke:#555}
.apart{background:#fff4d6;border:1px solid #e8c65a;border-radius:6px;padding:.4em .8em;
 display:inline-block}
table{border-collapse:collapse;margin:.3em 0}
th,td{padding:.25em .6em;border-bottom:1px solid #e4e7ec;text-align:left;vertical-align:top}
th{background:#f3f5f8;font-weight:600}td.m{min-width:26em}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
th small{font-weight:400;color:#5a6270}
.share{display:inline-block;width:5em;height:.7em;background:#eceff3;margin-right:.4em}
.share span{display:block;height:100%;background:#d0584a}
.msg{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.88em;overflow-wrap:anywhere}
.muted{color:#5a6270}.ng{color:#9a4d00;font-weight:600}
details{border-bottom:1px solid #e4e7ec}summary{cursor:pointer;padding:.2em 0}
details:target summary{background:#fff4d6}
pre{font-size:.85em;background:#f7f8fa;padding:.6em;overflow-x:auto;white-space:pre-wrap;
 overflow-wrap:anywhere;margin:.2em 0 .6em}
"""


def esc(text):
    """TEXT for HTML: markup escaped, and what HTML should not carry (control
    characters, halves of surrogate pairs) replaced."""
    return html.escape(reports.xml_text(str(text)), quote=True)


def bin_width(top):
    """Points per bar, for whole points from 0 to TOP: 1 while it fits, then a round number."""
    need = (top + 1) / MAX_BINS
    for width in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500):
        if width >= need:
            return width
    return math.ceil(need)


def histogram(values, top, label):
    """An inline SVG bar chart: how many of VALUES (whole points, 0 to TOP) fall in each bin,
    with the count above each bar, points on x and students on y."""
    width = bin_width(top)
    counts = [0] * (top // width + 1)
    for v in values:
        counts[max(0, min(v // width, len(counts) - 1))] += 1
    w, h, left, right, above, below = 480, 215, 46, 10, 18, 44
    plot_w, plot_h = w - left - right, h - above - below
    bar = plot_w / len(counts)
    step = max(1, math.ceil(max(counts) / 4))        # at most 5 lines on the y axis
    y_top = max(step, math.ceil(max(counts) / step) * step)

    def y(n):
        return above + plot_h - plot_h * n / y_top

    out = [f'<svg viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
           f'aria-label="{esc(label)}">']
    for n in range(0, y_top + 1, step):
        out.append(f'<line class="grid" x1="{left}" x2="{w - right}" y1="{y(n):.1f}" '
                   f'y2="{y(n):.1f}"/><text x="{left - 5}" y="{y(n) + 4:.1f}" '
                   f'text-anchor="end">{n}</text>')
    for i, n in enumerate(counts):
        lo, hi = i * width, min(top, i * width + width - 1)
        span = f"{lo}" if lo == hi else f"{lo}\u2013{hi}"
        x = left + i * bar
        if n:
            out.append(f'<rect class="bar" x="{x + 1:.1f}" y="{y(n):.1f}" '
                       f'width="{max(bar - 2, 1):.1f}" height="{y(0) - y(n):.1f}">'
                       f'<title>{span} points: {n} student{"s" if n != 1 else ""}</title></rect>'
                       f'<text class="count" x="{x + bar / 2:.1f}" y="{y(n) - 4:.1f}" '
                       f'text-anchor="middle">{n}</text>')
    # x labels: under each bar while one point is one bar, else at the bins' edges.
    if width == 1:
        every = math.ceil(len(counts) / 26)
        for i in range(0, len(counts), every):
            out.append(f'<text x="{left + (i + .5) * bar:.1f}" y="{y(0) + 14:.1f}" '
                       f'text-anchor="middle">{i}</text>')
        axis = f"points (of {top})"
    else:
        every = math.ceil((len(counts) + 1) / 11)
        for i in range(0, len(counts) + 1, every):
            out.append(f'<line class="base" x1="{left + i * bar:.1f}" x2="{left + i * bar:.1f}" '
                       f'y1="{y(0):.1f}" y2="{y(0) + 4:.1f}"/><text x="{left + i * bar:.1f}" '
                       f'y="{y(0) + 15:.1f}" text-anchor="middle">{i * width}</text>')
        axis = f"points (of {top}), {width} points a bar"
    out.append(f'<line class="base" x1="{left}" x2="{w - right}" y1="{y(0):.1f}" '
               f'y2="{y(0):.1f}"/>'
               f'<text class="axis" x="{left + plot_w / 2:.1f}" y="{h - 8}" '
               f'text-anchor="middle">{axis}</text>'
               f'<text class="axis" transform="translate(13 {above + plot_h / 2:.1f}) '
               f'rotate(-90)" text-anchor="middle">students</text></svg>')
    return "".join(out)


# What differs from one submission to the next for no fault of its own: the
# grader's workspace, its random fixtures (hexadecimal tokens).
_PER_SUBMISSION = re.compile(r"ipc-grade\.[\w.]+|\b[0-9a-f]{16,}\b")


def message(output):
    """What a failing test's OUTPUT says went wrong, as reports.failure_message
    says it, with the values random to each submission shown as '…', so that
    the same failure reads the same for every student. '' when it says nothing."""
    return " ".join(_PER_SUBMISSION.sub("\u2026", reports.failure_message(output)).split())


def failures(graded):
    """A row per test of the rubric, the most failed first (the rubric's order among
    equals): (test, how many failed it, most common message, how many had it)."""
    rows, by_name = [], [{t["name"]: t for t in r.tests} for r in graded]
    for i, test in enumerate(graded[0].tests if graded else []):
        failed = [tests[test["name"]] for tests in by_name
                  if not tests[test["name"]]["passed"]]
        messages = collections.Counter(m for m in (message(t["output"]) for t in failed) if m)
        said, had = messages.most_common(1)[0] if messages else ("", 0)
        rows.append((-len(failed), i, test, len(failed), said, had))
    return [row[2:] for row in sorted(rows, key=lambda row: row[:2])]


def page(results):
    """The class report of RESULTS (reports.Result, in the order graded) as one HTML page."""
    graded = [r for r in results if r.graded]
    ungraded = len(results) - len(graded)
    first = results[0] if results else None
    parts = list(first.parts) if first else []
    out = ["<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
           "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
           f"<title>Class report: {len(results)} submissions</title><style>{STYLE}</style>"
           "</head><body>\n<h1>Class report</h1>"]
    if not results:
        out.append("<p>No submission was graded.</p></body></html>\n")
        return "".join(out)

    lead = f"{len(results)} submission{'s' if len(results) != 1 else ''}: {len(graded)} graded"
    if ungraded:
        lead += f", {ungraded} {reports.NOT_GRADED}"
    if graded:
        totals = [r.score for r in graded]
        lead += (f". Totals of the graded, out of {first.max_score}: mean "
                 f"{statistics.mean(totals):.1f}, median {statistics.median(totals):g}, lowest "
                 f"{min(totals)}, highest {max(totals)}; "
                 f"{sum(r.full_marks for r in graded)} with full marks")
    out.append(f"<p>{lead}.</p>\n<nav><a href=\"#points\">Points</a><a href=\"#tests\">"
               "Tests most failed</a><a href=\"#students\">Students</a>"
               "<a href=\"#reports\">Reports</a></nav>\n")

    out.append("<h2 id=\"points\">Points</h2>\n")
    if ungraded:
        out.append(f"<p class=\"apart\"><span class=\"ng\">{ungraded} submission"
                   f"{'s' if ungraded != 1 else ''} {reports.NOT_GRADED}</span>: no score, so "
                   "in no histogram below (the grading could not run; the students' table and "
                   "their reports say why).</p>\n")
    if graded:
        out.append("<div class=\"figures\">")
        charts = [("Total", [r.score for r in graded], first.max_score)]
        charts += [(first.part_titles[p], [r.parts[p][0] for r in graded], first.parts[p][1])
                   for p in parts]
        for title, values, top in charts:
            out.append(f"<figure><figcaption>{esc(title)}: {len(values)} graded</figcaption>"
                       f"{histogram(values, top, f'{title}: students by points')}</figure>")
        out.append("</div>\n")
    else:
        out.append("<p>No submission was graded: there is nothing to count.</p>\n")

    out.append("<h2 id=\"tests\">Tests, the most failed first</h2>\n")
    if graded:
        out.append(f"<p class=\"muted\">Among the {len(graded)} graded. A message is the "
                   "first line of a failure's output after bats' own (an expected line with its "
                   "actual line; values random to each submission as \u2026).</p>\n"
                   "<table><tr><th>Test</th><th>Part</th><th class=\"n\">Points</th>"
                   "<th class=\"n\">Failed</th><th>Share failing</th>"
                   "<th>Most common message (how many had it)</th></tr>\n")
        for test, failed, said, had in failures(graded):
            share = 100 * failed / len(graded)
            if len(said) > MAX_MESSAGE:
                said = said[:MAX_MESSAGE] + "\u2026"
            shown = (f"<span class=\"msg\">{esc(said)}</span> ({had} of {failed})" if said
                     else "<span class=\"muted\">(no output)</span>" if failed else "")
            title = esc(first.part_titles[test["part"]])
            out.append(f"<tr><td>{esc(test['name'])}</td><td title=\"{title}\">"
                       f"{esc(test['part'])}</td><td class=\"n\">{test['max_score']}</td>"
                       f"<td class=\"n\">{failed}</td><td><span class=\"share\"><span "
                       f"style=\"width:{share:.0f}%\"></span></span>{share:.0f}%</td>"
                       f"<td class=\"m\">{shown}</td></tr>\n")
        out.append("</table>\n")
    else:
        out.append("<p>No submission was graded.</p>\n")

    out.append("<h2 id=\"students\">Students</h2>\n<table><tr><th class=\"n\">#</th>"
               "<th>Submission (its report)</th>")
    for p in parts:
        out.append(f"<th class=\"n\" title=\"{esc(first.part_titles[p])}\">{esc(p)}<br>"
                   f"<small>of {first.parts[p][1]}</small></th>")
    out.append(f"<th class=\"n\">Total<br><small>of {first.max_score}</small></th>"
               "<th>Status</th></tr>\n")
    for i, r in enumerate(results, 1):
        cells = "".join(f"<td class=\"n\">{r.parts[p][0] if r.graded else ''}</td>" for p in parts)
        total, status = ((r.score, "graded") if r.graded else
                         ("", f"<span class=\"ng\">{reports.NOT_GRADED}</span>"))
        out.append(f"<tr><td class=\"n\">{i}</td><td><a href=\"#s{i}\">{esc(r.path)}</a></td>"
                   f"{cells}<td class=\"n\">{total}</td><td>{status}</td></tr>\n")
    out.append("</table>\n")

    out.append("<h2 id=\"reports\">Reports</h2>\n<p class=\"muted\">Each as ./grade printed "
               "it; open one by its line. <a href=\"#students\">Back to the students</a>.</p>\n")
    for i, r in enumerate(results, 1):
        total = f"{r.score}/{r.max_score}" if r.graded else reports.NOT_GRADED
        out.append(f"<details id=\"s{i}\"><summary>{i}. {esc(r.path)}: {total}</summary>"
                   f"<pre>{esc(r.report())}</pre></details>\n")
    out.append("</body></html>\n")
    return "".join(out)
