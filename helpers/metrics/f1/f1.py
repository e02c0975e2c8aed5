"""F1 as an ``evaluate`` metric module that needs no Hub (offline path of chapters 2, 3, 5).

Same name, inputs and output as the Hub's ``evaluate.load("f1")``:
``compute(predictions, references, average="binary", pos_label=1) -> {"f1": float}``.
"""

import datasets
import evaluate
from sklearn.metrics import f1_score


class F1(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description="Harmonic mean of precision and recall.",
            citation="",
            inputs_description="predictions, references: lists of integer labels",
            features=datasets.Features(
                {"predictions": datasets.Value("int32"), "references": datasets.Value("int32")}
            ),
        )

    def _compute(self, predictions, references, labels=None, pos_label=1, average="binary",
                 sample_weight=None):
        score = f1_score(references, predictions, labels=labels, pos_label=pos_label,
                         average=average, sample_weight=sample_weight)
        # A single number for binary/micro/macro averages, one per class when average=None.
        return {"f1": score.tolist() if hasattr(score, "tolist") and getattr(score, "ndim", 0) else float(score)}
