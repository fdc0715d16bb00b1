"""Time and memory of `import_articles` on large archives.

Writes archive files of generated articles like archive.py's corpus (two
authors, four sections, eight key words each), 10,000 and 100,000 articles
by default, and imports each into a new, empty database (see archive.py),
with the command in a process of its own so its peak memory is its own.
Prints the file's size, the time taken and the peak resident memory.

    BENCH_DB_NAME=csr_bench_scale python bench/import_archive.py
    python bench/import_archive.py --sizes 10000
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from archive import BODY, HEADINGS, ROOT, TOPICS

AUTHORS = 40
KEYWORDS = 300


def write_archive(path, size):
    """Write the archive record by record, as the importer reads it."""
    with open(path, "w", encoding="utf-8") as out:
        authors = [
            {"name": f"Author {n}", "slug": f"author-{n}", "position": "Researcher"}
            for n in range(AUTHORS)
        ]
        out.write('{"authors": ' + json.dumps(authors) + ', "articles": [\n')
        for n in range(size):
            hours = 3 * n
            day, hour = divmod(hours, 24)
            record = {
                "title": f"Generated analysis number {n} on {TOPICS[n % len(TOPICS)]}",
                "slug": f"generated-analysis-{n}",
                "language": "en",
                "status": "published",
                "published_at": f"{2024 - day // 365:04d}-{1 + day % 365 // 31 % 12:02d}-"
                f"{1 + day % 28:02d}T{hour:02d}:00:00+03:30",
                "authors": [f"author-{(n + k) % AUTHORS}" for k in range(2)],
                "keywords": [f"Key word {(n * 7 + k) % KEYWORDS}" for k in range(8)],
                "sections": [{"heading": heading, "body": BODY} for heading in HEADINGS],
            }
            out.write(("," if n else "") + json.dumps(record, ensure_ascii=False) + "\n")
        out.write("]}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    options = parser.parse_args()
    from django.core.management import call_command
    from django.db import connection

    print(f"{'articles':>9}  {'file MB':>8}  {'seconds':>8}  {'articles/s':>10}  {'peak MB':>8}")
    for size in options.sizes:
        from archive import recreate_database

        connection.close()
        recreate_database()
        call_command("migrate", verbosity=0)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "archive.json"
            write_archive(path, size)
            megabytes = path.stat().st_size / 1e6
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            began = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "manage.py"),
                    "import_articles",
                    "--no-progress",
                    str(path),
                ],
                check=True,
                env=os.environ,
                stdout=subprocess.DEVNULL,
            )
            seconds = time.perf_counter() - began
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        # ru_maxrss is the largest child's so far (KB): meaningful while sizes grow.
        peak_mb = max(peak, before) / 1024
        rate = size / seconds
        print(f"{size:>9,}  {megabytes:>8.0f}  {seconds:>8.1f}  {rate:>10.0f}  {peak_mb:>8.0f}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
