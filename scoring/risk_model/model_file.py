"""The model file: skops (never pickle), the training record inside, checked by its sha256.

``save_model`` writes one skops file holding the fitted estimator and the record as JSON text,
and returns the file's sha256; the caller keeps that digest apart from the file (in the
database).  ``load_model`` reads the bytes once, refuses them unless their sha256 is the one
expected, and then lets skops build only the types listed in ``TRUSTED_TYPES``: a file that asks
for anything else is refused, whatever its digest.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import skops.io as sio

from scoring.risk_model.fit import NextWaveModel, TrainingRecord

FORMAT = 1
# Every type a saved model is built from, beyond the primitives skops trusts by itself.
TRUSTED_TYPES = (
    "numpy.dtype",
    "numpy.ndarray",
    "sklearn._loss.link.Interval",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn.frozen._frozen.FrozenEstimator",
    "sklearn.impute._base.SimpleImputer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.preprocessing._label.LabelEncoder",
)


class ModelFileError(Exception):
    """The model file is missing, altered, or asks for a type that is not trusted."""


def save_model(model: NextWaveModel, path: Path) -> str:
    """Write ``model`` to ``path``; return the sha256 hex digest of the written file."""
    data = sio.dumps(
        {"format": FORMAT, "estimator": model.estimator_, "record": model.record.to_json()}
    )
    Path(path).write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def load_model(path: Path, expected_digest: str) -> NextWaveModel:
    """Load a model saved by :func:`save_model` if its sha256 is ``expected_digest``."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ModelFileError(f"cannot read the model file: {exc.strerror or exc}") from None
    digest = hashlib.sha256(data).hexdigest()
    if not hmac.compare_digest(digest, expected_digest.lower()):
        raise ModelFileError("the model file's sha256 does not match the recorded digest")
    try:
        untrusted = sio.get_untrusted_types(data=data)
    except Exception as exc:  # a damaged archive: skops raises what zipfile or json raise
        raise ModelFileError(f"the model file cannot be read: {exc}") from None
    refused = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if refused:
        raise ModelFileError(f"the model file asks for untrusted types: {', '.join(refused)}")
    content = sio.loads(data, trusted=list(untrusted))
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise ModelFileError("the file is not a next-wave model of a known format")
    return NextWaveModel(content["estimator"], TrainingRecord.from_json(content["record"]))
