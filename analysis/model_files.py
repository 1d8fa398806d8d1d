"""Model files under the instance folder (``instance/models/<sha256>.skops``) and their registry.

A file is written with skops (never pickle) and registered with the SHA-256 of its bytes. It is
loaded only through ``open_model``, which checks that digest first: a file that differs (edited,
swapped, truncated) is refused with a clear error and an audit entry, and nothing predicts.
"""

from __future__ import annotations

import dataclasses
import math
import os
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.model_models import RiskModel
from db import utcnow
from privacy.audit.record import record
from scoring.risk_model import ModelFileError, NextWaveModel, load_model, save_model

MODELS_DIR = "models"


class ModelRefused(Exception):
    """The registered model file cannot be trusted (its digest differs, or it is missing)."""


def models_dir(instance_path: Path) -> Path:
    """Where the model files live: a folder of the instance folder, readable by the service only."""
    folder = instance_path / MODELS_DIR
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def register_model(
    session: Session, model: NextWaveModel, instance_path: Path, trained_by: str
) -> RiskModel:
    """Write ``model`` as ``<digest>.skops`` and register it with its training record."""
    folder = models_dir(instance_path)
    partial = folder / f".training-{os.getpid()}.skops"
    digest = save_model(model, partial)
    name = f"{digest}.skops"
    partial.replace(folder / name)
    found = session.scalars(select(RiskModel).where(RiskModel.digest == digest)).one_or_none()
    if found is not None:
        return found  # the same bytes again: one registration
    row = RiskModel(
        file_name=name,
        digest=digest,
        trained_at=utcnow(),
        trained_by=trained_by,
        record=plain_json(training_record(model)),
    )
    session.add(row)
    session.flush()
    return row


def training_record(model: NextWaveModel) -> dict[str, Any]:
    """What the model learned from and how it did, as stored with it."""
    found = model.record
    if dataclasses.is_dataclass(found) and not isinstance(found, type):
        return dataclasses.asdict(found)
    return dict(vars(found))


def current_model(session: Session) -> RiskModel | None:
    """The latest registered model, or None when none was trained."""
    stmt = select(RiskModel).order_by(RiskModel.trained_at.desc(), RiskModel.id.desc()).limit(1)
    return session.scalars(stmt).first()


def open_model(
    session: Session, row: RiskModel, instance_path: Path, actor: str = "system"
) -> NextWaveModel:
    """The registered model, loaded only when its file's digest is the registered one; a
    refusal is audited (in the caller's transaction) and raised as ModelRefused."""
    path = instance_path / MODELS_DIR / row.file_name
    try:
        return load_model(path, row.digest)
    except (ModelFileError, FileNotFoundError) as error:
        record(
            session,
            actor,
            "model.load_refused",
            outcome="denied",
            object_type="risk_model",
            object_id=row.id,
        )
        raise ModelRefused(
            f"模型文件 {row.file_name} 与登记的摘要不符或缺失，拒绝加载 / the model file does not"
            f" match its registered SHA-256 digest or is missing: refused ({error})"
        ) from None


def plain_json(value: Any) -> Any:
    """``value`` with numpy scalars and arrays made plain, and NaN or infinity as None (JSON
    has neither, and PostgreSQL refuses them)."""
    if isinstance(value, dict):
        return {str(k): plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain_json(v) for v in value]
    if hasattr(value, "tolist"):
        return plain_json(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
