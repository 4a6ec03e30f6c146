#!/usr/bin/env python3
"""Convert free-text pinpoints to the structured `cite` syntax.

    cite rok_act "Art. 9(1) item 4, deleted on 2020-12-08"
 -> cite rok_act art 9(1) item 4 "deleted on 2020-12-08"

    cite hrw_2002 "South Korean Policy l.39 ('serious criminals')"
 -> cite hrw_2002 section "South Korean Policy" line 39 "'serious criminals'"

Usage:
    scripts/convert-pinpoints.py [--check] [--verbose] PATH...

Each PATH is a `.policy` file or a directory searched for `.policy` files
(Markdown files named explicitly are converted too). Files are rewritten in
place; `--check` only reports the files that would change (exit status 1 if
any), `--verbose` prints every conversion and every string left alone.

A pinpoint is converted only when it *starts* with a structure the syntax has
(`Art.`/`Arts.`, `para.`/`paras`/`¶`, `§section`, `Title l.N`, `fn N`,
`l.N`); the rest of each part becomes its remark. A pinpoint that does not
(`Gong 2009 sang, 298`, `ExCom, September 2004`, `GC 31 para 12`) stays a
quoted reference; a final parenthesised remark is split off it
(`"Ch. IV.9 (China)"` -> `"Ch. IV.9" "China"`). Only `cite NAME "…"` is touched,
so running the script again, on converted or unconverted files, changes
nothing that it has already converted (the script is idempotent).
Run `refuge fmt` and `refuge check` afterwards.
"""

import argparse
import pathlib
import re
import sys

# `cite NAME "string"`: the only form rewritten.
# Not when a second string follows: that is a reference and its remark, done.
CITE = re.compile(r'(\bcite\s+)([A-Za-z_][A-Za-z0-9_]*)(\s+)"((?:[^"\\\n]|\\.)*)"(?!\s*")')

ARTNO = r"(?:\d+[A-Za-z]*|[IVXLCDM]+)"
PARANO = r"(?:\d+[A-Za-z]*|[a-z]+)"

# An article: `Art. 9(1) item 5`, `Art. 33(1)-(2)`, `Arts. 7-9`, `Art. VIII(2)`.
ARTICLE = re.compile(
    r"Arts?\.\s*(?P<art>" + ARTNO + r")"
    r"(?:-(?P<art_to>" + ARTNO + r")(?![(\w])"
    r"|\((?P<para>" + PARANO + r")\)(?:-\((?P<para_to>" + PARANO + r")\))?)?"
    r"(?:\s+item\s+(?P<item>\d+[a-z]?))?"
    r"(?![\w])"
)
# A further article after `Arts. 2(1) and` or `Art. 12(2),`: `3`, `12(3)`.
BARE_ARTICLE = re.compile(
    r"(?P<art>\d+[A-Z]?)(?:\((?P<para>" + PARANO + r")\))?"
    r"(?:\s+item\s+(?P<item>\d+[a-z]?))?(?![\w.])"
)
PARAGRAPH = re.compile(r"(?:paras?\.?\s*|¶\s*)(?P<para>\d+)(?:-(?P<para_to>\d+))?(?![\w])")
SECTION_NUMBERED = re.compile(r"§\s*(?P<section>\d+(?:\.\d+)*)(?![\w.])")
# `§Chinese Policy l.22`, `South Korean Policy l.39`, `Table l.1803`: a titled
# section is recognised only with its lines.
SECTION_TITLED = re.compile(r"§?(?P<section>[A-Z][A-Za-z' ]*?[A-Za-z])(?=\s+l\.\d)")
FOOTNOTE = re.compile(r"fn\s*(?P<footnote>\d+)(?![\w])")
ITEM = re.compile(r"\s+item\s+(?P<item>\d+[a-z]?)(?![\w])")
LINES = re.compile(r"\s*l\.\s*(?P<line>\d+)(?:-(?P<line_to>\d+))?(?![\w])")

# Where a new part may start, after `; `, `, ` or ` and `.
STARTS_PART = re.compile(r"(?:Arts?\.|§|¶|paras?\b|fn\s*\d|l\.\d|\d)")


def split_top(text):
    """Splits at `; `, `, ` and ` and ` outside parentheses and quotes when a
    locator could follow; returns [(separator, segment)]."""
    out = []
    depth = 0
    start = 0
    sep = ""
    i = 0
    while i < len(text):
        c = text[i]
        if c in "([":
            depth += 1
        elif c in ")]":
            depth = max(0, depth - 1)
        elif depth == 0:
            for s in ("; ", ", ", " and "):
                at = i + len(s)
                if text.startswith(s, i) and (
                    STARTS_PART.match(text, at) or (s == "; " and SECTION_TITLED.match(text, at))
                ):
                    out.append((sep, text[start:i]))
                    sep = s
                    start = i + len(s)
                    i = start - 1
                    break
        i += 1
    out.append((sep, text[start:]))
    return out


def remark_of(rest):
    """The remark in what follows the locators: without a leading `,`/`:`
    and without the parentheses around it."""
    rest = rest.strip()
    rest = re.sub(r"^[,:;]\s*", "", rest)
    if rest.startswith("("):
        depth = 0
        for i, c in enumerate(rest):
            depth += c == "("
            depth -= c == ")"
            if depth == 0:
                inner, after = rest[1:i], rest[i + 1 :]
                after = after.strip()
                if not after:
                    rest = inner
                elif after[0] in ",:":
                    rest = inner + after
                else:
                    rest = inner + " " + after
                break
    return rest.strip() or None


def parse_segment(seg, previous):
    """One part: (locators dict, remark) or None when `seg` starts with no
    locator. `previous` is the part before (for `Arts. 2(1) and 3`)."""
    loc = {}
    pos = 0
    m = ARTICLE.match(seg)
    if not m and previous and "art" in previous[0]:
        m = BARE_ARTICLE.match(seg)
    if m:
        g = m.groupdict()
        loc["art"] = g["art"]
        if g.get("art_to"):
            loc["art_to"] = g["art_to"]
        if g.get("para"):
            loc["para"] = g["para"]
        if g.get("para_to"):
            loc["para_to"] = g["para_to"]
        if g.get("item"):
            loc["item"] = g["item"]
        pos = m.end()
    else:
        m = SECTION_NUMBERED.match(seg) or SECTION_TITLED.match(seg)
        if m:
            loc["section"] = m.group("section")
            pos = m.end()
            it = ITEM.match(seg, pos)
            if it:
                loc["item"] = it.group("item")
                pos = it.end()
        else:
            m = PARAGRAPH.match(seg) or FOOTNOTE.match(seg)
            if m:
                loc.update({k: v for k, v in m.groupdict().items() if v})
                pos = m.end()
        ln = LINES.match(seg, pos) if (m or pos == 0) else None
        if ln and (m or ln.start() == 0):
            loc["line"] = ln.group("line")
            if ln.group("line_to"):
                loc["line_to"] = ln.group("line_to")
            pos = ln.end()
        if not loc:
            return None
    rest = seg[pos:]
    if rest and not re.match(r"[\s,:;]", rest):
        return None  # `Art. 9x`: the locator did not end where it should
    return loc, remark_of(rest)


def quote(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(parts):
    out = []
    for loc, remark in parts:
        words = []
        if "section" in loc:
            words.append("section " + quote(loc["section"]))
        if "art" in loc:
            a = "art " + loc["art"]
            if "art_to" in loc:
                a += ".." + loc["art_to"]
            if "para" in loc:
                a += "(" + loc["para"] + (".." + loc["para_to"] if "para_to" in loc else "") + ")"
            words.append(a)
        elif "para" in loc:
            words.append("para " + loc["para"] + (".." + loc["para_to"] if "para_to" in loc else ""))
        if "item" in loc:
            words.append("item " + loc["item"])
        if "footnote" in loc:
            words.append("footnote " + loc["footnote"])
        if "line" in loc:
            words.append("line " + loc["line"] + (".." + loc["line_to"] if "line_to" in loc else ""))
        if remark:
            words.append(quote(remark))
        out.append(" ".join(words))
    return ", ".join(out)


def unescape(body):
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


def reference_and_remark(text):
    """`Ch. IV.9 (China)` -> `"Ch. IV.9" "China"`: a reference keeps its
    final parenthesised remark apart; None when there is none."""
    if not text.endswith(")"):
        return None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        depth += text[i] == ")"
        depth -= text[i] == "("
        if depth == 0:
            head, remark = text[:i].rstrip(), text[i + 1 : -1].strip()
            if head and remark and text[i - 1 : i] == " ":
                return quote(head) + " " + quote(remark)
            return None
    return None


def convert_pinpoint(text):
    """The structured syntax for a free-text pinpoint, or None to keep it."""
    parts = []
    for sep, seg in split_top(text):
        parsed = parse_segment(seg, parts[-1] if parts else None)
        if parsed is None:
            if not parts:
                return reference_and_remark(text)
            loc, remark = parts[-1]
            extra = seg.strip()
            parts[-1] = (loc, (remark + sep + extra) if remark else remark_of(extra))
            continue
        parts.append(parsed)
    return render(parts)


def convert_text(text, verbose=False, name=""):
    def one(m):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if "#" in text[line_start : m.start()]:
            return m.group(0)  # in a comment
        pinpoint = unescape(m.group(4))
        new = convert_pinpoint(pinpoint)
        if new is None:
            if verbose:
                print(f"{name}: kept {quote(pinpoint)}")
            return m.group(0)
        if verbose:
            print(f"{name}: {quote(pinpoint)} -> {new}")
        return m.group(1) + m.group(2) + m.group(3) + new

    return CITE.sub(one, text)


def files(paths):
    for p in paths:
        p = pathlib.Path(p)
        if p.is_dir():
            yield from sorted(p.rglob("*.policy"))
        else:
            yield p


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--check", action="store_true", help="report, do not write")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    changed = 0
    for path in files(args.paths):
        old = path.read_text(encoding="utf-8")
        new = convert_text(old, args.verbose, str(path))
        if new != old:
            changed += 1
            if args.check:
                print(f"would convert {path}")
            else:
                path.write_text(new, encoding="utf-8")
                print(f"converted {path}")
    if args.check and changed:
        sys.exit(1)


if __name__ == "__main__":
    main()
