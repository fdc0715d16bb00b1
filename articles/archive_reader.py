"""Reading a JSON archive as a stream, never whole.

An archive of 100,000 articles is several hundred megabytes: decoded at once
it would take gigabytes. `ArchiveReader` reads it with ijson's C parser
instead, a record at a time. `survey()` reads the file through once to learn
its shape (an object, which parts, how many articles) and to find malformed
JSON anywhere in it before anything is checked or written; it keeps the
small parts (authors, key words, images), which the checks of the articles
need whatever their order in the file. `articles()` then reads the file
again and hands out the article records one by one.
"""

from dataclasses import dataclass, field

import ijson

# The parts of an archive, each a list; the articles are the large one.
PARTS = ("authors", "keywords", "images", "articles")
SMALL_PARTS = ("authors", "keywords", "images")
# Nesting deeper than any archive needs (a section sits at depth 5) is refused.
MAX_DEPTH = 64

_STARTS = {"start_map", "start_array"}
_ENDS = {"end_map", "end_array"}
# The events that begin a record: a container, or a single value.
_RECORD_STARTS = _STARTS | {"string", "number", "boolean", "null"}


class UnreadableArchive(Exception):
    """The file is not JSON, or not an archive at all; the message says why."""


@dataclass
class Survey:
    """What one reading of the whole file found."""

    problems: list = field(default_factory=list)  # of the top level, one line each
    lists: set = field(default_factory=set)  # the parts that are lists
    small: dict = field(default_factory=lambda: {name: [] for name in SMALL_PARTS})
    articles: int = 0  # how many records the articles list holds


class ArchiveReader:
    """An archive file; `open_file()` opens it anew (in binary) for each reading."""

    def __init__(self, open_file):
        self.open_file = open_file
        self.survey_result = None

    def _events(self):
        with self.open_file() as stream:
            try:
                yield from ijson.parse(stream, use_float=True)
            except ijson.JSONError as error:
                raise UnreadableArchive(f"not valid JSON: {_reason(error)}") from None

    def survey(self):
        """Read the whole file once: its shape, the small parts, the number of
        articles. Raises UnreadableArchive for what is no archive at all."""
        found = Survey()
        seen, depth, first = set(), 0, None
        part, awaiting = None, False  # the top-level part being read; its value next
        records = None  # the prefix of that part's records, once it is known to be a list
        builder = None  # a record of a small part being built
        for prefix, event, value in self._events():
            if event in _STARTS:
                depth += 1
                if depth > MAX_DEPTH:
                    raise UnreadableArchive("not valid JSON: nested too deeply")
            elif event in _ENDS:
                depth -= 1
            if first is None:
                first = event
            elif first != "start_map":
                continue  # Read on only to report malformed JSON before the shape.
            elif builder is not None:
                builder.event(event, value)
                if depth == 2:  # The record is complete.
                    found.small[part].append(builder.value)
                    builder = None
            elif depth == 1 and event == "map_key":
                part, awaiting, records = value, True, None
                if value in seen:
                    found.problems.append(f"top level: {value}: appears twice")
                elif value not in PARTS:
                    found.problems.append(f"top level: {value}: is not a part of this format")
                seen.add(value)
            elif awaiting:
                awaiting = False
                if part in PARTS and event == "start_array":
                    found.lists.add(part)
                    records = f"{part}.item"
                elif part in PARTS and event != "null":
                    found.problems.append(f"top level: {part}: must be a list")
            elif prefix == records and event in _RECORD_STARTS:
                if part == "articles":
                    found.articles += 1
                    continue
                builder = ijson.ObjectBuilder()
                builder.event(event, value)
                if depth == 2:  # A record that is a single value.
                    found.small[part].append(builder.value)
                    builder = None
        if first is None:
            raise UnreadableArchive("not valid JSON: the file is empty")
        if first != "start_map":
            raise UnreadableArchive("the file must hold a JSON object with authors and articles")
        self.survey_result = found
        return found

    def articles(self):
        """The article records, one at a time (after `survey()`)."""
        if "articles" not in self.survey_result.lists:
            return
        with self.open_file() as stream:
            try:
                # Numbers as floats, as `json` reads them: a number where text
                # belongs is refused by the checks, which need not know Decimal.
                yield from ijson.items(stream, "articles.item", use_float=True)
            except ijson.JSONError as error:
                raise UnreadableArchive(f"not valid JSON: {_reason(error)}") from None


def _reason(error):
    """ijson's message on one line: what is wrong and the text around it."""
    message = error.args[0] if error.args else str(error)
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    lines = [line.strip() for line in str(message).splitlines()]
    reason, near = lines[0], lines[1] if len(lines) > 1 else ""
    return f"{reason} (near: {near})" if near else reason
