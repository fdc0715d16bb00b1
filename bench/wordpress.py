"""How long `import_wordpress` takes on a large generated export, and its peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/csr_bench_wordpress \
        python bench/wordpress.py --posts 20000 --import-posts 2000

Writes an export of `--posts` posts (about 10 KB of classic content each, so
20,000 posts make about 200 MB, with authors, tags, categories, comments, pages
and attachments) to a temporary folder and reads all of it as the importer's
first pass does (time, peak memory). Then migrates the database DATABASE_URL
names (a database of its own: the import writes into it) and imports an
export of the first `--import-posts` posts twice, each in a child process:
the first run creates everything, the second finds nothing to change.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Generated</title><link>https://blog.example.org</link>
<wp:wxr_version>1.2</wp:wxr_version>
"""
AUTHOR = (
    "<wp:author><wp:author_id>{n}</wp:author_id><wp:author_login><![CDATA[writer{n}]]>"
    "</wp:author_login><wp:author_display_name><![CDATA[Writer Number {n}]]>"
    "</wp:author_display_name></wp:author>\n"
)
PARAGRAPH = (
    "Negotiations over the corridor resumed in the spring, and the delegations "
    "met twice before the summer recess.\nThe agenda, as published, ran to "
    "eleven points, of which three concerned water and two the border posts. "
)


def item(n, post_type="post", status="publish"):
    day = f"20{10 + n % 14:02d}-{1 + n % 12:02d}-{1 + n % 28:02d}"
    body = []
    for part in range(6):
        if part:
            body.append(f"<h2>Part {part} of post {n}</h2>")
        body.append((PARAGRAPH * 4).strip() + "\n\n" + (PARAGRAPH * 3).strip())
        if part == 2:
            body.append('[caption id="x" width="600"]<img src="/x.jpg"> A picture[/caption]')
    comments = "".join(
        f"<wp:comment><wp:comment_id>{n}{c}</wp:comment_id><wp:comment_content><![CDATA["
        "A reader's comment.]]></wp:comment_content></wp:comment>"
        for c in range(2)
    )
    return (
        f"<item><title><![CDATA[Generated post {n}]]></title>"
        f"<link>https://blog.example.org/{day.replace('-', '/')}/post-{n}/</link>"
        f"<dc:creator><![CDATA[writer{n % 25}]]></dc:creator>"
        f"<content:encoded><![CDATA[{chr(10).join(body)}]]></content:encoded>"
        f"<excerpt:encoded><![CDATA[Summary of post {n}.]]></excerpt:encoded>"
        f"<wp:post_id>{n}</wp:post_id><wp:post_date><![CDATA[{day} 10:00:00]]></wp:post_date>"
        f"<wp:post_date_gmt><![CDATA[{day} 06:30:00]]></wp:post_date_gmt>"
        f"<wp:post_name><![CDATA[post-{n}]]></wp:post_name><wp:status><![CDATA[{status}]]>"
        f"</wp:status><wp:post_type><![CDATA[{post_type}]]></wp:post_type>"
        f'<category domain="category" nicename="topic-{n % 40}"><![CDATA[Topic {n % 40}]]>'
        f'</category><category domain="post_tag" nicename="tag-{n % 300}"><![CDATA[Tag {n % 300}]]>'
        f"</category>{comments}</item>\n"
    )


def generate(path, posts):
    with open(path, "w", encoding="utf-8") as out:
        out.write(HEAD)
        for n in range(25):
            out.write(AUTHOR.format(n=n))
        for n in range(posts):
            out.write(item(n))
            if n % 100 == 0:
                out.write(item(posts + n, post_type="page"))
                out.write(item(2 * posts + n, post_type="attachment", status="inherit"))
        out.write("</channel>\n</rss>\n")


def run(command):
    """Run `command`; its duration and the peak resident memory of this child, in MB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss is the largest of all children so far, in KB on Linux.
    return seconds, max(peak, before) / 1024


def create_database(url):
    """Make the database `url` names when it does not exist yet."""
    import psycopg
    import psycopg.sql

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone():
            connection.execute(
                psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name))
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20000)
    parser.add_argument("--import-posts", type=int, default=2000)
    arguments = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a database of its own: the import writes into it.")
    # As in production: DEBUG off (no query log kept).
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault(
        "SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    )
    python = sys.executable
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "export.xml"
        started = time.perf_counter()
        generate(export, arguments.posts)
        size = export.stat().st_size / 1e6
        took = time.perf_counter() - started
        print(f"Generated {arguments.posts} posts, {size:.0f} MB, in {took:.0f} s")
        survey = (
            "import django; django.setup(); from articles.wordpress import survey; "
            f"print(survey({str(export)!r}).posts, 'posts read')"
        )
        environment = (
            "import os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'csr_site.settings'); "
        )
        seconds, peak = run([python, "-c", environment + survey])
        print(f"reading all of it (first pass): {seconds:.0f} s, peak memory {peak:.0f} MB")

        create_database(os.environ["DATABASE_URL"])
        smaller = Path(folder) / "smaller.xml"
        generate(smaller, arguments.import_posts)
        subprocess.run([python, "manage.py", "migrate", "-v0"], check=True, cwd=ROOT)
        subprocess.run([python, "manage.py", "flush", "--noinput"], check=True, cwd=ROOT)
        command = [python, "manage.py", "import_wordpress", str(smaller)]
        size = smaller.stat().st_size / 1e6
        for label in ("first import", "second import (nothing to change)"):
            seconds, peak = run(command)
            print(
                f"{label} of {arguments.import_posts} posts ({size:.0f} MB): {seconds:.0f} s, "
                f"{arguments.import_posts / seconds:.0f} posts/s, peak memory {peak:.0f} MB"
            )


if __name__ == "__main__":
    main()
