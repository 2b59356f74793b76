"""The UI's Eval page: ``embedrag eval retrieval`` on a BEIR-layout folder the server can read,
run as a background job (``/v1/eval/jobs``) whose progress and result the page polls.

The folder is a path on the server's machine: like every route, this one needs the API key
when one is set. The collection built for the corpus is cached as the CLI caches it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field, StrictInt, StrictStr

from embedrag.errors import InputError
from embedrag.eval import MODES, RunSpec, evaluate_retrieval, evaluate_run, load_beir
from embedrag.eval.beir import find_file
from embedrag.search.modes import Mode
from embedrag.server.errors import ApiError
from embedrag.server.routes._deps import blocking, get_state
from embedrag.server.routes._jobs import Job, Report
from embedrag.server.routes._ui_state import UiState, ui_state
from embedrag.server.state import ServerState

__all__ = ["CURVE", "router"]

router = APIRouter(tags=["ui"])

CURVE = (1, 2, 3, 5, 10, 20, 50, 100)
"""The k of the recall@k chart."""


class EvalRequest(BaseModel):
    folder: StrictStr = Field(min_length=1, max_length=4096, description="A BEIR folder on the server.")
    modes: list[Mode] = Field(default_factory=lambda: cast(list[Mode], list(MODES)), min_length=1)
    split: StrictStr = Field(default="test", pattern=r"^[A-Za-z0-9_-]{1,32}$")
    max_queries: StrictInt | None = Field(default=None, ge=1, le=100_000)
    model: str | None = Field(default=None, description="A served model (default: the first).")


class JobOut(BaseModel):
    id: str
    kind: str
    params: dict[str, Any]
    status: str = Field(description="queued, running, done or failed.")
    stage: str = Field(description="index (building the collection) or the run being scored.")
    done: int
    total: int
    result: dict[str, Any] | None = Field(description="The report, and a recall@k curve per run.")
    error: str | None
    created: float
    finished: float | None


class JobList(BaseModel):
    object: str = "list"
    data: list[JobOut]


def _check_folder(folder: Path, split: str) -> None:
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder on the server")
    for name in ("corpus.jsonl", "queries.jsonl"):
        find_file(folder, name)
    find_file(folder / "qrels", f"{split}.tsv")


def _work(folder: Path, body: EvalRequest, model: str) -> Any:
    def run(report: Report) -> dict[str, Any]:
        specs = [RunSpec(mode) for mode in body.modes]
        found = evaluate_retrieval(
            folder, specs, split=body.split, model=model, max_queries=body.max_queries, progress=report
        )
        qrels = load_beir(folder, split=body.split).qrels
        kept = {q: qrels[q] for q in next(iter(found.runs.values()))}
        measures = [f"recall@{k}" for k in CURVE]
        curves = {label: evaluate_run(run, kept, measures) for label, run in found.runs.items()}
        return {**found.as_dict(), "curve": {"k": list(CURVE), "recall": curves}}

    return run


@router.post("/v1/eval/jobs", response_model=JobOut, status_code=202, summary="Start a retrieval evaluation (UI)")
async def start(body: EvalRequest, state: ServerState = Depends(get_state), ui: UiState = Depends(ui_state)) -> JobOut:
    folder = Path(body.folder).expanduser()
    await blocking(_check_folder, folder, body.split)
    served = await state.model(body.model)
    job = ui.jobs.submit("eval", body.model_dump() | {"model": served.name}, _work(folder, body, served.name))
    return JobOut(**job.as_dict())


@router.get("/v1/eval/jobs", response_model=JobList, summary="Evaluation jobs, newest first (UI)")
async def jobs(ui: UiState = Depends(ui_state)) -> JobList:
    return JobList(data=[JobOut(**job.as_dict()) for job in ui.jobs.all()])


def _job(ui: UiState, job_id: str) -> Job:
    job = ui.jobs.get(job_id)
    if job is None:
        raise ApiError(404, f"no job {job_id!r}", type="not_found_error", code="job_not_found")
    return job


@router.get("/v1/eval/jobs/{job_id}", response_model=JobOut, summary="One evaluation job (UI)")
async def job(job_id: str, ui: UiState = Depends(ui_state)) -> JobOut:
    return JobOut(**_job(ui, job_id).as_dict())
