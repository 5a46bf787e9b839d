"""Reading an nginx configuration as nested directives, for the tests of deploy/*.conf."""

import re

TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|[{};]|[^\s{};]+')


def tokens(text):
    # Comments go, except on location lines, whose regexes may hold a "#".
    lines = (line if line.strip().startswith("location") else line.split("#", 1)[0] for line in text.splitlines())
    text = "\n".join(lines)
    return [t[1:-1] if t[0] in "\"'" else t for t in TOKEN.findall(text)]


def blocks(items, start=0):
    """[(directive words, children or None)] of an nginx config, recursively."""
    out, words, index = [], [], start
    while index < len(items):
        item = items[index]
        if item == ";":
            out.append((words, None))
            words = []
        elif item == "{":
            children, index = blocks(items, index + 1)
            out.append((words, children))
            words = []
        elif item == "}":
            return out, index
        else:
            words.append(item)
        index += 1
    return out, index
