"""On-disk translation cache, so an interrupted run resumes and a rerun translates nothing twice.

SQLite gives atomic, durable commits for free: each batch of new translations is committed in
one transaction, so a crash loses at most the batch in flight and never corrupts the file.
Keys hash the backend's ``cache_key`` (engine, model, language pair, decoding settings) with the
source text.
"""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Union


class TranslationCache:
    def __init__(self, cache_dir: Union[str, Path]):
        path = Path(cache_dir)
        path.mkdir(parents=True, exist_ok=True)
        self.path = path / "translations.sqlite"
        self._db = sqlite3.connect(str(self.path))
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS translations (key TEXT PRIMARY KEY, target TEXT NOT NULL)")
        self._db.commit()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(backend: str, text: str) -> str:
        return hashlib.sha256(f"{backend}\x00{text}".encode("utf-8")).hexdigest()

    def get_many(self, keys: Sequence[str]) -> Dict[str, str]:
        found: Dict[str, str] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            rows = self._db.execute(
                f"SELECT key, target FROM translations WHERE key IN ({','.join('?' * len(chunk))})", chunk
            )
            found.update(rows.fetchall())
        return found

    def put_many(self, items: Dict[str, str]) -> None:
        with self._db:  # one transaction: all of the batch or none of it
            self._db.executemany("INSERT OR REPLACE INTO translations (key, target) VALUES (?, ?)", items.items())

    def translate(self, backend: str, texts: Sequence[str], translate: Callable[[List[str]], List[str]]) -> List[str]:
        """Cached translations, calling ``translate`` only for texts never seen with this backend."""
        keys = [self.key(backend, t) for t in texts]
        found = self.get_many(keys)
        todo = list(dict.fromkeys(t for t, k in zip(texts, keys) if k not in found))
        self.hits += len(texts) - len(todo)
        self.misses += len(todo)
        if todo:
            new = dict(zip((self.key(backend, t) for t in todo), translate(todo)))
            self.put_many(new)
            found.update(new)
        return [found[k] for k in keys]

    def close(self) -> None:
        self._db.close()
