"""One settings object for watext, read from ``WATEXT_*`` environment variables.

Read only at the edges (CLI, flows); library functions take what they need as arguments.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["PACKAGED_MODELS", "Settings", "get_settings"]

#: Where a wheel install keeps the shipped model registry (``models/`` is force-included
#: there at build time; see ``pyproject.toml``).
PACKAGED_MODELS = "_models"


def default_models_dir() -> Path:
    """``./models`` when it holds a registry (a checkout, or a user's own), else the
    registry shipped inside the installed package."""
    here = Path("models")
    if here.is_dir() and any(here.iterdir()):
        return here
    packaged = Path(str(resources.files("watext") / PACKAGED_MODELS))
    return packaged if packaged.is_dir() else here


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WATEXT_", extra="ignore")

    db: str = Field(
        "sqlite:///watext.db",
        description="SQLAlchemy database URL (sqlite:///path.db or postgresql+psycopg://...).",
    )
    models_dir: Path = Field(
        default_factory=default_models_dir,
        description="Model registry root (<models_dir>/<name>/<version>, CURRENT). Default: ./models "
                    "when present, else the model shipped with the package.",
    )
    max_file_mb: float = Field(100.0, description="Files larger than this are refused.")
    max_pages: int = Field(2000, description="PDFs with more pages are refused.")
    max_archive_mb: float = Field(
        500.0, description="Maximum total uncompressed size of a DOCX/PPTX/ZIP container."
    )
    max_archive_ratio: float = Field(
        200.0, description="Maximum compression ratio of a container (archive-bomb guard)."
    )
    max_archive_members: int = Field(10_000, description="Maximum entries in a container.")
    ocr: str = Field(
        "auto",
        description="'auto': OCR image-only PDFs with ocrmypdf when installed; 'off': never.",
    )
    ocr_timeout_s: float = Field(300.0, description="Time limit for OCR of one file.")
    file_timeout_s: float = Field(
        600.0, description="Wall-clock limit for reading one file (its worker process is killed after it)."
    )
    file_max_mb: float = Field(
        2048.0, description="Memory a file's worker may use on top of its start-up size (address space)."
    )
    follow_symlinks: bool = Field(
        False, description="Follow symbolic links whose target lies outside the given paths."
    )
    orchestration: str = Field(
        "inprocess", pattern="^(inprocess|prefect)$",
        description="How one-shot commands run: 'inprocess' (default) or 'prefect' (as a flow; --flow/--no-flow "
                    "override it). The service (watext serve) always uses Prefect.",
    )
    flow_fallback: str = Field(
        "inprocess", pattern="^(inprocess|error)$",
        description="When Prefect cannot be reached or its temporary server does not start: 'inprocess' runs "
                    "the same pipeline in this process (one line says so), 'error' stops with one line.",
    )
    retry_backoff_s: float = Field(
        60.0, description="A file of a watched source that failed is tried again after this many seconds, "
                          "doubling with each further failure (at most a day).",
    )
    lang: str = Field(
        "de", pattern="^(de|en)$",
        description="Language of everything a person reads (report, slides, workbook, review page, CLI "
                    "messages): 'de' (default) or 'en'. Label ids in data and files stay as they are.",
    )
    pdf_engine: str = Field(
        "pdfium", pattern="^(pdfium|pdfplumber)$",
        description="How PDFs are read: 'pdfium' (fast, pypdfium2; pdfplumber's table finder only on pages "
                    "with ruling lines) or 'pdfplumber' (the reference, about 40 times slower).",
    )
    chromium: str = Field(
        "", description="The Chromium that prints the dossier PDF (a path or a command name); default "
                        "'chromium' on the PATH.",
    )
    workers: int = Field(
        0, ge=0, le=64,
        description="Files read side by side on this machine by `watext ingest`/`run` (each by its own "
                    "worker process); 0 (default): one per CPU core this process may use, at most 4, and "
                    "never more than files; 1 reads one after the other.",
    )
    worker_start: str = Field(
        "auto", pattern="^(auto|exec)$",
        description="How a file worker starts: 'auto' forks this process when it runs no other thread "
                    "(milliseconds), else starts a fresh Python; 'exec' always starts a fresh Python.",
    )
    dask_address: str = Field(
        "", description="Address of an existing Dask scheduler (tcp://host:8786): files are read there in "
                        "batches and written to the PostgreSQL store by the Dask workers. Empty: not used.",
    )
    max_passage_chars: int = Field(
        1200, description="Paragraphs longer than this are split at sentence boundaries."
    )


def get_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (e.g. CLI flags) winning."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
