"""History in SQLite: trainees, sessions, checks with their clause verdicts, reviewers'
overrides, and pictures only when the user opted in.

Every write is its own transaction, committed at once, so what a user saved survives a
crash or a closed tab. A connection per call keeps it safe from Streamlit's threads.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from posture.grooming.references import KINDS as PICTURE_KINDS
from posture.grooming.references import ReferencePicture
from posture.results import SessionResult, session_result

SCHEMA_VERSION = 1
KINDS = ("self", "group", "review")
VERDICTS = ("pass", "fail", "not_visible")
PROFILES = ("any", "female", "male")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS trainees (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, profile TEXT NOT NULL DEFAULT 'any',
    has_desk INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, title TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS checks (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    trainee_id INTEGER REFERENCES trainees(id) ON DELETE CASCADE,
    label TEXT NOT NULL, scenario TEXT NOT NULL, score REAL, detail TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS verdicts (
    check_id INTEGER NOT NULL REFERENCES checks(id) ON DELETE CASCADE,
    clause TEXT NOT NULL, verdict TEXT NOT NULL, PRIMARY KEY (check_id, clause));
CREATE TABLE IF NOT EXISTS overrides (
    id INTEGER PRIMARY KEY, check_id INTEGER NOT NULL REFERENCES checks(id) ON DELETE CASCADE,
    clause TEXT NOT NULL, verdict TEXT NOT NULL, note TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS pictures (
    check_id INTEGER PRIMARY KEY REFERENCES checks(id) ON DELETE CASCADE, jpeg BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS company_pictures (
    id INTEGER PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, png BLOB NOT NULL, digest TEXT NOT NULL UNIQUE,
    created REAL NOT NULL);
CREATE INDEX IF NOT EXISTS checks_session ON checks(session_id);
CREATE INDEX IF NOT EXISTS checks_trainee ON checks(trainee_id);
"""


class StoreError(ValueError):
    """A request the store refuses (empty or duplicate name, unknown id, bad value)."""


@dataclass(frozen=True)
class Trainee:
    id: int
    name: str
    profile: str
    has_desk: bool


@dataclass(frozen=True)
class Session:
    id: int
    kind: str
    title: str
    created: float


@dataclass(frozen=True)
class ResultRow:
    """One clause of one check, with the latest reviewer override beside the machine's verdict."""

    check_id: int
    trainee: str | None
    label: str
    scenario: str
    clause: str
    verdict: str
    override: str | None
    note: str | None
    created: float
    skipped: bool = False  # a routine step the trainee skipped: its clauses were not judged


@dataclass(frozen=True)
class ProgressPoint:
    session_id: int
    title: str
    created: float
    passed: int
    judged: int

    @property
    def share(self) -> float | None:
        return self.passed / self.judged if self.judged else None


@dataclass(frozen=True)
class StoredPicture:
    """A company badge or uniform picture kept in the history (uploaded by a trainer)."""

    id: int
    created: float
    picture: ReferencePicture


# Each badge picture is matched on every checked frame: a handful is enough for the badge's
# versions (old and new, front-on and at an angle) and keeps the check fast.
MAX_PICTURES_PER_KIND = 6

# How long a write waits for another writer (the other app tab, an outside script) to
# finish before giving up with "database is locked".
BUSY_TIMEOUT_S = 30.0


class Store:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Write-ahead log: someone reading the history (a report script, a backup, the
        # sqlite3 shell with a transaction open) no longer blocks the app's writes. The
        # mode is kept in the file; it cannot change inside a transaction.
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
        try:
            db.execute("PRAGMA journal_mode = WAL")
        finally:
            db.close()
        with self._db() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(f"{self.path}: written by a newer version (schema {version})")
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)
        try:
            db.execute("PRAGMA foreign_keys = ON")
            with db:  # one transaction: committed on success, rolled back on error
                yield db
        finally:
            db.close()

    # Trainees -------------------------------------------------------------------------
    def trainees(self) -> list[Trainee]:
        with self._db() as db:
            rows = db.execute("SELECT id, name, profile, has_desk FROM trainees ORDER BY name").fetchall()
        return [Trainee(i, n, p, bool(d)) for i, n, p, d in rows]

    def trainee(self, trainee_id: int) -> Trainee:
        for t in self.trainees():
            if t.id == trainee_id:
                return t
        raise StoreError(f"no trainee with id {trainee_id}")

    @staticmethod
    def _clean_name(name: str) -> str:
        name = " ".join(name.split())
        if not name:
            raise StoreError("the name is empty")
        if len(name) > 60:
            raise StoreError("the name is longer than 60 characters")
        return name

    def add_trainee(self, name: str, profile: str = "any", has_desk: bool = False) -> int:
        name = self._clean_name(name)
        if profile not in PROFILES:
            raise StoreError(f"unknown profile {profile!r}")
        try:
            with self._db() as db:
                cur = db.execute("INSERT INTO trainees (name, profile, has_desk, created) VALUES (?, ?, ?, ?)",
                                 (name, profile, int(has_desk), time.time()))
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"a trainee called {name!r} already exists") from exc
        return int(cur.lastrowid)

    def update_trainee(self, trainee_id: int, *, name: str | None = None, profile: str | None = None,
                       has_desk: bool | None = None) -> None:
        current = self.trainee(trainee_id)
        name = current.name if name is None else self._clean_name(name)
        profile = current.profile if profile is None else profile
        if profile not in PROFILES:
            raise StoreError(f"unknown profile {profile!r}")
        desk = current.has_desk if has_desk is None else has_desk
        try:
            with self._db() as db:
                db.execute("UPDATE trainees SET name = ?, profile = ?, has_desk = ? WHERE id = ?",
                           (name, profile, int(desk), trainee_id))
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"a trainee called {name!r} already exists") from exc

    def delete_trainee(self, trainee_id: int, keep_in_roster: bool = False) -> int:
        """Delete everything recorded about a trainee (checks, verdicts, overrides,
        pictures), and the trainee too unless ``keep_in_roster``. Returns checks deleted."""
        with self._db() as db:
            n = db.execute("DELETE FROM checks WHERE trainee_id = ?", (trainee_id,)).rowcount
            if not keep_in_roster:
                db.execute("DELETE FROM trainees WHERE id = ?", (trainee_id,))
        return n

    # Sessions and checks --------------------------------------------------------------
    def new_session(self, kind: str, title: str) -> int:
        if kind not in KINDS:
            raise StoreError(f"unknown session kind {kind!r}")
        with self._db() as db:
            cur = db.execute("INSERT INTO sessions (kind, title, created) VALUES (?, ?, ?)",
                             (kind, title.strip() or kind, time.time()))
        return int(cur.lastrowid)

    def sessions(self, kind: str | None = None) -> list[Session]:
        query = "SELECT id, kind, title, created FROM sessions"
        args: tuple[object, ...] = ()
        if kind is not None:
            query, args = query + " WHERE kind = ?", (kind,)
        with self._db() as db:
            rows = db.execute(query + " ORDER BY created DESC, id DESC", args).fetchall()
        return [Session(*r) for r in rows]

    def add_check(self, session_id: int, label: str, scenario: str, verdicts: Iterable[tuple[str, str]], *,
                  trainee_id: int | None = None, score: float | None = None,
                  detail: dict[str, object] | None = None, picture_jpeg: bytes | None = None) -> int:
        """Record one check (a photo or a routine step): its clause verdicts, the numbers in
        ``detail`` (a report's JSON or a step's frame counts) and, only if given because the
        user opted in, the picture."""
        pairs = list(verdicts)
        for clause, verdict in pairs:
            if verdict not in VERDICTS:
                raise StoreError(f"{clause}: unknown verdict {verdict!r}")
        with self._db() as db:
            cur = db.execute(
                "INSERT INTO checks (session_id, trainee_id, label, scenario, score, detail, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (session_id, trainee_id, label, scenario, score,
                 json.dumps(detail or {}, ensure_ascii=False), time.time()))
            check_id = int(cur.lastrowid)
            db.executemany("INSERT INTO verdicts (check_id, clause, verdict) VALUES (?, ?, ?)",
                           [(check_id, c, v) for c, v in pairs])
            if picture_jpeg is not None:
                db.execute("INSERT INTO pictures (check_id, jpeg) VALUES (?, ?)", (check_id, picture_jpeg))
        return check_id

    def add_override(self, check_id: int, clause: str, verdict: str, note: str) -> int:
        """A reviewer's verdict with a note, kept beside the machine's (which never changes)."""
        if verdict not in VERDICTS:
            raise StoreError(f"unknown verdict {verdict!r}")
        with self._db() as db:
            known = db.execute("SELECT 1 FROM verdicts WHERE check_id = ? AND clause = ?",
                               (check_id, clause)).fetchone()
            if known is None:
                raise StoreError(f"check {check_id} has no verdict on {clause}")
            cur = db.execute("INSERT INTO overrides (check_id, clause, verdict, note, created) VALUES (?, ?, ?, ?, ?)",
                             (check_id, clause, verdict, note.strip(), time.time()))
        return int(cur.lastrowid)

    def results(self, session_id: int, latest_only: bool = False) -> list[ResultRow]:
        """Every clause verdict of a session with its latest override, in check order.
        ``latest_only``: of the checks with the same trainee and label (a step done again),
        only the last one counts."""
        latest = ("AND c.id = (SELECT MAX(id) FROM checks WHERE session_id = c.session_id AND label = c.label "
                  "AND trainee_id IS c.trainee_id)") if latest_only else ""
        with self._db() as db:
            rows = db.execute(
                f"""SELECT c.id, t.name, c.label, c.scenario, v.clause, v.verdict, o.verdict, o.note, c.created,
                          COALESCE(json_extract(c.detail, '$.skipped'), 0)
                   FROM checks c JOIN verdicts v ON v.check_id = c.id
                   LEFT JOIN trainees t ON t.id = c.trainee_id
                   LEFT JOIN overrides o ON o.id = (SELECT MAX(id) FROM overrides
                                                    WHERE check_id = c.id AND clause = v.clause)
                   WHERE c.session_id = ? {latest} ORDER BY c.id, v.clause""", (session_id,)).fetchall()
        return [ResultRow(*r[:-1], skipped=bool(r[-1])) for r in rows]

    def detail(self, check_id: int) -> dict[str, object]:
        with self._db() as db:
            row = db.execute("SELECT detail FROM checks WHERE id = ?", (check_id,)).fetchone()
        if row is None:
            raise StoreError(f"no check with id {check_id}")
        return json.loads(row[0])

    def picture(self, check_id: int) -> bytes | None:
        with self._db() as db:
            row = db.execute("SELECT jpeg FROM pictures WHERE check_id = ?", (check_id,)).fetchone()
        return None if row is None else bytes(row[0])

    def session_result(self, session_id: int, trainee_id: int, severities: Mapping[str, str] | None = None,
                       weights: Mapping[str, float] | None = None) -> SessionResult:
        """A trainee's result in a session, as the routine's summary counts it (posture.results):
        the latest try of each step, skipped steps left out, a clause's steps combined."""
        name = self.trainee(trainee_id).name
        return session_result(((r.clause, r.verdict, r.skipped) for r in self.results(session_id, latest_only=True)
                               if r.trainee == name), severities, weights)

    def progress(self, trainee_id: int) -> list[ProgressPoint]:
        """Per session, the trainee's passed and judged clauses: the progress chart."""
        with self._db() as db:
            sessions = db.execute(
                """SELECT s.id, s.title, MIN(c.created) FROM checks c JOIN sessions s ON s.id = c.session_id
                   WHERE c.trainee_id = ? GROUP BY s.id ORDER BY MIN(c.created)""", (trainee_id,)).fetchall()
        points = []
        for sid, title, created in sessions:
            result = self.session_result(sid, trainee_id)
            points.append(ProgressPoint(sid, title, created, result.passed, result.judged))
        return points

    # The company's pictures --------------------------------------------------------------
    def add_company_picture(self, picture: ReferencePicture) -> int:
        """Keep a validated badge or uniform picture (posture.grooming.references.read_picture)."""
        if picture.kind not in PICTURE_KINDS:
            raise StoreError(f"unknown kind of picture {picture.kind!r}")
        try:
            with self._db() as db:
                n = db.execute("SELECT COUNT(*) FROM company_pictures WHERE kind = ?", (picture.kind,)).fetchone()[0]
                if n >= MAX_PICTURES_PER_KIND:
                    raise StoreError(f"already {n} {picture.kind} pictures kept (at most {MAX_PICTURES_PER_KIND}); "
                                     "remove one first")
                cur = db.execute("INSERT INTO company_pictures (kind, name, png, digest, created) "
                                 "VALUES (?, ?, ?, ?, ?)",
                                 (picture.kind, picture.name, picture.png, picture.digest, time.time()))
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"{picture.name}: this picture is already kept") from exc
        return int(cur.lastrowid)

    def company_picture_digests(self) -> tuple[str, ...]:
        """The SHA-256 of each kept picture (cheap: tells whether they changed)."""
        with self._db() as db:
            return tuple(r[0] for r in db.execute("SELECT digest FROM company_pictures ORDER BY id"))

    def company_pictures(self) -> list[StoredPicture]:
        with self._db() as db:
            rows = db.execute("SELECT id, created, kind, name, png, digest FROM company_pictures "
                              "ORDER BY id").fetchall()
        return [StoredPicture(i, c, ReferencePicture(k, n, bytes(png), d)) for i, c, k, n, png, d in rows]

    def delete_company_picture(self, picture_id: int) -> None:
        with self._db() as db:
            if db.execute("DELETE FROM company_pictures WHERE id = ?", (picture_id,)).rowcount == 0:
                raise StoreError(f"no company picture with id {picture_id}")

    def counts(self) -> dict[str, int]:
        """Rows per table (for the privacy notice and the tests)."""
        with self._db() as db:
            return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                    for t in ("trainees", "sessions", "checks", "verdicts", "overrides", "pictures")}
