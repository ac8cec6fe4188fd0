"""OParl sync (issue 16): papers of a council information system -> documents with the
paper's metadata, incremental by ``modified_since``, every failure recorded per object."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from watext import pipeline
from watext.oparl.client import USER_AGENT, OParlClient, OParlError
from watext.oparl.mapping import paper_metadata
from watext.settings import get_settings
from watext.store import Store, open_store
from watext.store.schema import SCHEMA_VERSION

from .oparl_server import OParlServer
from .paths import DATA, ROOT, needs_real_docs

SPEC = DATA / "oparl" / "spec"


def _sync(store: Store, server: OParlServer, tmp_path: Path, **kw: Any) -> pipeline.SyncResult:
    settings = get_settings(db=str(store.url))
    return pipeline.sync_oparl(store, settings, server.url, cache_dir=tmp_path / "cache", retries=2, **kw)


def _docs(store: Store, current_only: bool = False) -> dict[str, dict[str, Any]]:
    return {d["source"]: d for d in store.iter_documents(current_only=current_only)}


@pytest.fixture
def server() -> Any:
    with OParlServer() as srv:
        yield srv


# --- mapping -----------------------------------------------------------------------------


def test_the_spec_paper_maps_to_the_header_keys() -> None:
    paper = json.loads((SPEC / "Paper-01.json").read_text(encoding="utf-8"))
    org = json.loads((SPEC / "Organization-01.json").read_text(encoding="utf-8"))
    meeting = json.loads((SPEC / "Meeting-01.json").read_text(encoding="utf-8"))
    meta = paper_metadata(paper, "https://oparl.example.org/bodies/1", lambda url: org, lambda url: meeting)
    assert meta["vorlage_nr"] == "1234/2014" and meta["vorlagenart"] == "Beantwortung einer Anfrage"
    assert meta["datum"] == "2014-04-04"
    assert meta["federfuehrung"] == "Ausschuss für Haushalt und Finanzen" and meta["urheber"] == org["name"]
    assert meta["beratungsfolge"] == [{"gremium": org["name"], "datum": "2013-01-04", "zustaendigkeit": "Beschlussfassung",
                                       "beschliessend": False, "oeffentlich": None}]  # fmt: skip
    assert meta["oparl"]["paper"] == paper["id"] and meta["oparl"]["modified"] == paper["modified"]
    nothing = paper_metadata(paper, None, lambda url: None, lambda url: None)  # lookups failed
    assert nothing["federfuehrung"] is None and nothing["beratungsfolge"][0]["datum"] is None


# --- client ------------------------------------------------------------------------------


def test_the_client_retries_5xx_and_429_honouring_retry_after() -> None:
    answers = iter([httpx.Response(503), httpx.Response(429, headers={"Retry-After": "7"}),
                    httpx.Response(200, json={"id": "x"})])  # fmt: skip
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return next(answers)

    waits: list[float] = []
    with OParlClient(transport=httpx.MockTransport(handler), sleep=waits.append, backoff=0.5) as client:
        assert client.get_json("http://x.invalid/a") == {"id": "x"}
    assert waits == [0.5, 7.0] and seen[0].headers["User-Agent"] == USER_AGENT


def test_retry_after_as_seconds_or_http_date() -> None:
    from watext.oparl.client import _retry_after

    assert _retry_after("3") == 3.0 and _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert _retry_after("soon") is None and _retry_after(None) is None


def test_the_client_gives_up_with_a_coded_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    waits: list[float] = []
    with OParlClient(transport=httpx.MockTransport(handler), sleep=waits.append, retries=2) as client, \
            pytest.raises(OParlError) as err:  # fmt: skip
        client.get_json("http://x.invalid/a")
    assert err.value.code == "timeout" and waits == [0.5, 1.0]
    with OParlClient(transport=httpx.MockTransport(lambda r: httpx.Response(404)), sleep=waits.append) as client, \
            pytest.raises(OParlError) as err:  # fmt: skip
        client.get_json("http://x.invalid/a")
    assert err.value.code == "http_404" and len(waits) == 2  # a 404 is not retried


# --- sync against the fixture server ---------------------------------------------------------


@needs_real_docs
def test_first_sync_then_only_the_changes(store: Store, server: OParlServer, tmp_path: Path) -> None:
    first = _sync(store, server, tmp_path)
    assert first.errors == [] and first.papers == 6 and first.bodies == 1
    docs = _docs(store)
    base = server.base
    assert len(docs) == 6 and all(d["status"] == "current" for d in docs.values())
    vorlage = docs[f"{base}/files/2.pdf"]["metadata"]
    assert vorlage["vorlage_nr"] == "20-26 / V 02318" and vorlage["vorlagenart"] == "Beschlussvorlage"
    assert vorlage["datum"] == "2023-10-30" and vorlage["federfuehrung"] == "Kommunalreferat"
    assert vorlage["urheber"] == "Kommunalreferat"
    assert vorlage["beratungsfolge"] == [
        {"gremium": "Sozial- und Gesundheitsausschuss", "datum": "2023-11-22", "zustaendigkeit": "Vorberatung",
         "beschliessend": False, "oeffentlich": None},
        {"gremium": "Stadtrat", "datum": "2023-11-30", "zustaendigkeit": "Entscheidung", "beschliessend": True,
         "oeffentlich": None}]  # fmt: skip
    assert vorlage["oparl"]["paper"] == f"{base}/papers/2" and vorlage["oparl"]["body"] == f"{base}/bodies/1"
    assert docs[f"{base}/files/1.pdf"]["city"] == "Erlangen"
    assert docs[f"{base}/files/4.txt"]["metadata"]["vorlage_nr"] == "V/0901/2023"  # an auxiliary file
    scanned = docs[f"{base}/files/5.pdf"]  # the file cannot be read: File.text, and it says so
    assert scanned["metadata"]["text_source"] == "oparl" and scanned["format"] == "text"
    assert "text_source" not in vorlage
    assert (tmp_path / "cache").is_dir()

    server.log.clear()
    server.modify(1, paperType="Beschlussvorlage")
    server.add()
    server.delete(2)
    second = _sync(store, server, tmp_path)
    assert second.errors == [] and (second.papers, second.deleted, second.removed) == (2, 1, 1)
    lists = server.requests("/bodies/1/papers")
    assert len(lists) == 2 and all("modified_since=" in r for r in lists)  # three papers: two pages
    assert server.requests("/files/") == ["/files/7.txt"]  # paper 1's file did not change: not fetched again
    docs = _docs(store)
    assert docs[f"{base}/files/2.pdf"]["status"] == "removed"  # kept, never dropped
    assert docs[f"{base}/files/1.pdf"]["metadata"]["vorlagenart"] == "Beschlussvorlage"
    assert docs[f"{base}/files/7.txt"]["metadata"]["vorlage_nr"] == "V/0950/2023"
    assert sum(d["status"] == "current" for d in docs.values()) == 6

    server.log.clear()  # nothing changed since (papers changed in the second the walk began may come again)
    third = _sync(store, server, tmp_path)
    assert third.errors == [] and third.removed == 0 and all(f["status"] == "unchanged" for f in third.files)
    assert server.requests("/files/") == [] and len(server.requests("/bodies/1/papers")) <= 2
    assert _docs(store) == docs


@needs_real_docs
def test_a_500_in_the_middle_is_retried(store: Store, server: OParlServer, tmp_path: Path) -> None:
    server.fail_once.add("/bodies/1/papers?page=2")
    result = _sync(store, server, tmp_path, max_papers=4)
    assert result.errors == [] and result.papers == 4
    assert len([r for r in server.log if "page=2" in r]) == 2
    assert result.lists[f"{server.base}/bodies/1/papers"] == "incomplete"  # --max-papers: not a full walk
    with open_store(str(store.url)) as again:
        assert again.oparl_list_since(f"{server.base}/bodies/1/papers") is None


@needs_real_docs
def test_a_missing_file_and_bad_objects_are_recorded_and_the_sync_goes_on(store: Store, server: OParlServer,
                                                                          tmp_path: Path) -> None:  # fmt: skip
    server.missing.add("/files/3.pdf")
    server.html.add("/organizations/6")  # Kommunalreferat: an HTML page
    server.broken.add("/meetings/2")  # broken JSON
    result = _sync(store, server, tmp_path)
    codes = {(e["object"].replace(server.base, ""), e["code"]) for e in result.errors}
    assert codes == {("/files/3.pdf", "http_404"), ("/organizations/6", "not_json"), ("/meetings/2", "invalid_json")}
    docs = _docs(store)
    assert len(docs) == 5 and f"{server.base}/files/3.pdf" not in docs  # the rest went on
    assert f"{server.base}/files/4.txt" in docs  # the same paper's other file
    meta = docs[f"{server.base}/files/2.pdf"]["metadata"]
    assert meta["beratungsfolge"][0]["datum"] is None and meta["beratungsfolge"][1]["datum"] == "2023-11-30"
    failures = {f["source"]: f for f in store.iter_failures()}
    assert failures[f"{server.base}/files/3.pdf"]["code"] == "oparl_http_404"


@needs_real_docs
def test_a_wrong_checksum_is_recorded(store: Store, server: OParlServer, tmp_path: Path) -> None:
    server.paper(1)["mainFile"]["sha1Checksum"] = "0" * 40
    result = _sync(store, server, tmp_path)
    assert [(e["code"]) for e in result.errors] == ["checksum"]
    assert f"{server.base}/files/1.pdf" not in _docs(store)


def test_a_next_link_loop_stops_with_an_error(store: Store, server: OParlServer, tmp_path: Path) -> None:
    server.loop = True
    for p in server.papers:  # no files needed for this one
        p.pop("mainFile", None), p.pop("auxiliaryFile", None)
    result = _sync(store, server, tmp_path)
    assert [e["code"] for e in result.errors] == ["loop"] and result.papers == 6
    assert len(server.requests("/bodies/1/papers")) == 3
    assert store.oparl_list_since(f"{server.base}/bodies/1/papers") is None  # not walked to its end


def test_body_filter(store: Store, server: OParlServer, tmp_path: Path) -> None:
    result = _sync(store, server, tmp_path, body="2")
    assert result.bodies == 0 and server.requests("/bodies/1/papers") == []


# --- store --------------------------------------------------------------------------------


def test_schema_1_and_2_databases_get_the_oparl_tables(tmp_path: Path) -> None:
    db = tmp_path / "v1.db"
    shutil.copy(DATA / "store" / "schema_v1.db", db)
    with open_store(f"sqlite:///{db}") as st:
        assert st.counts()["passages"] == 44  # nothing lost
        st.save_oparl_list("http://x/papers", datetime.now(UTC))
        assert st.oparl_list_since("http://x/papers") is not None
    v2 = tmp_path / "v2.db"
    with open_store(f"sqlite:///{v2}"):
        pass
    engine = sa.create_engine(f"sqlite:///{v2}")
    with engine.begin() as conn:  # back to schema 2
        conn.execute(sa.text("DROP TABLE oparl_lists"))
        conn.execute(sa.text("DROP TABLE oparl_papers"))
        conn.execute(sa.text("DELETE FROM schema_version"))
        conn.execute(sa.text("INSERT INTO schema_version (version, applied_at) VALUES (2, '2026-01-01 00:00:00.000000')"))
    engine.dispose()
    for path in (db, v2):
        with open_store(f"sqlite:///{path}") as st:
            st.save_oparl_paper("http://x/papers/1", None, None, {})
            assert st.oparl_paper("http://x/papers/1") == {"body": None, "modified": None, "files": {}, "deleted": False}
        engine = sa.create_engine(f"sqlite:///{path}")
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT max(version) FROM schema_version")).scalar() == SCHEMA_VERSION == 3
        engine.dispose()


@pytest.mark.postgres
def test_a_schema_2_postgres_database_gets_the_oparl_tables(pg_url: str) -> None:
    with open_store(pg_url):
        pass
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE oparl_lists"))
        conn.execute(sa.text("DROP TABLE oparl_papers"))
        conn.execute(sa.text("DELETE FROM schema_version WHERE version = 3"))
    engine.dispose()
    with open_store(pg_url) as st:
        st.save_oparl_paper("http://x/papers/1", None, None, {})
        assert st.oparl_paper("http://x/papers/1") is not None


# --- command line -----------------------------------------------------------------------------


def test_an_unreachable_server_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nobody listens
    proc = subprocess.run([sys.executable, "-m", "watext", "oparl", "sync", f"http://127.0.0.1:{port}/oparl",
                           "--retries", "0", "--db", f"sqlite:///{tmp_path / 'w.db'}"],
                          check=False, capture_output=True, text=True, cwd=ROOT, env={"WATEXT_LANG": "en", "PATH": "/usr/bin"},
                          timeout=120)  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr and "cannot connect" in lines[0], proc.stderr


# --- a watched OParl source (watext.toml) --------------------------------------------------------


def _oparl_config(tmp_path: Path, body: str = "") -> Path:
    cfg = tmp_path / "watext.toml"
    cfg.write_text(f"""
[store]
db = "sqlite:///w.db"

[[sources]]
name = "ratsinfo"
kind = "oparl"
url = "{{url}}"
{body}
interval = "1d"
out = "out"
""", encoding="utf-8")
    return cfg


def test_an_oparl_source_is_validated(tmp_path: Path) -> None:
    from watext.errors import ConfigError
    from watext.sources import load_config

    cfg = _oparl_config(tmp_path)
    cfg.write_text(cfg.read_text().replace("{url}", "ftp://x"), encoding="utf-8")
    with pytest.raises(ConfigError, match="needs url"):
        load_config(cfg)
    cfg.write_text(cfg.read_text().replace("ftp://x", "https://ris.example.de/oparl"), encoding="utf-8")
    src = load_config(cfg).sources[0]
    assert src.url == "https://ris.example.de/oparl" and src.path == tmp_path / "oparl-cache" / "ratsinfo"
    cfg.write_text(cfg.read_text().replace('kind = "oparl"', 'kind = "folder"\npath = "in"'), encoding="utf-8")
    with pytest.raises(ConfigError, match="for kind 'oparl' only"):
        load_config(cfg)


@needs_real_docs
def test_reprocessing_an_oparl_source_syncs_and_reports(server: OParlServer, tmp_path: Path) -> None:
    from watext.sources import load_config

    cfg_path = _oparl_config(tmp_path)
    cfg_path.write_text(cfg_path.read_text().replace("{url}", server.url), encoding="utf-8")
    cfg = load_config(cfg_path)
    with open_store(cfg.db) as st:
        first = pipeline.reprocess(st, get_settings(db=cfg.db), cfg.sources[0])
        assert first["summary"]["documents_new"] == 6 and first["summary"]["documents_failed"] == 0
        assert (tmp_path / "oparl-cache" / "ratsinfo").is_dir() and (tmp_path / "out").is_dir()
        server.delete(2)
        second = pipeline.reprocess(st, get_settings(db=cfg.db), cfg.sources[0])
    assert second["summary"]["documents_removed"] == 1 and second["summary"]["documents_new"] == 0
    assert [d["source"] for d in second["documents"]["removed"]] == [f"{server.base}/files/2.pdf"]


@needs_real_docs
def test_the_command_syncs_since_a_date_and_exits_3_on_recorded_errors(server: OParlServer, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from watext.cli import main

    db = f"sqlite:///{tmp_path / 'w.db'}"
    args = ["oparl", "sync", server.url, "--db", db, "--cache", str(tmp_path / "c"), "--no-flow", "--json"]
    ok = CliRunner().invoke(main, [*args, "--since", "2023-11-01"], env={"WATEXT_LANG": "en"})
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout.strip().splitlines()[-1])["papers"] == 2  # papers 1 and 3 changed since
    server.missing.add("/files/6.txt")
    bad = CliRunner().invoke(main, [*args, "--max-papers", "5"], env={"WATEXT_LANG": "en"})
    assert bad.exit_code == 3
    assert f"OParl: {server.base}/files/6.txt: HTTP 404 Not Found" in bad.stderr
