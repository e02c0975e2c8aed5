"""Accuracy as an ``evaluate`` metric module that needs no Hub (offline path of chapters 2, 3, 5).

Same name, inputs and output as the Hub's ``evaluate.load("accuracy")``:
``compute(predictions=[...], references=[...]) -> {"accuracy": float}``.
"""

import datasets
import evaluate
from sklearn.metrics import accuracy_score


class Accuracy(evaluate.Metric):
    def _info(self):
        return evaluate.MetricInfo(
            description="Fraction of predictions equal to the references.",
            citation="",
            inputs_description="predictions, references: lists of integer labels",
            features=datasets.Features(
                {"predictions": datasets.Value("int32"), "references": datasets.Value("int32")}
            ),
        )

    def _compute(self, predictions, references, normalize=True, sample_weight=None):
        score = accuracy_score(references, predictions, normalize=normalize, sample_weight=sample_weight)
        return {"accuracy": float(score)}
