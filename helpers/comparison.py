"""Chapter 5's presentation: the measured rows turned into tables, plots and sentences for people.

Nothing here measures or decides anything: the chapter measures (``helpers.yardstick``), tests
(``helpers.results.paired_test``) and rates (its printed rules); these functions only lay the results out.

- ``comparison_row``, ``row_summary``: one approach's measurements as the comparison's row, and its line;
- ``hosted_api_labels``: what the API rows say about the model that answered (a stand-in or not);
- ``earlier_results_table``: what Chapters 1-3 recorded, beside this chapter's numbers;
- ``models_used``: the models behind the rows, stand-ins named;
- ``approach_colors``, ``plot_accuracy_against_cost_and_latency``, ``plot_learning_curve``: the plots;
- ``seed_spread_sentence``, ``intervals_apart``, ``gain_in_words``, ``labels_needed``: the curve in words;
- ``bands_in_words``: a rating's band limits as a sentence;
- ``matched_in_words``, ``when_to_use_column``, ``syllabus_row``: the regenerated syllabus table's words;
- ``approach_guide``: the "which approach when" advice, with this run's numbers in it;
- ``comparison_header``: the lines that open ``results/chapter05/comparison.md`` (where, when, on what).
"""

from __future__ import annotations

import numpy as np

from helpers.yardstick import money

NO_TRAINING = ["hosted API, zero-shot", "hosted API, few-shot", "pre-trained model, off the shelf"]
SHORT_NAMES = {"TF-IDF + logistic regression": "TF-IDF", "own GPT, pre-trained + fine-tuned": "own GPT",
               "transformer, no pre-training": "no pre-training"}


def comparison_row(model, result, *, api_truth, labels, train_seconds, train_cost_usd, cost_for_workload_usd,
                   parameters, trained_parameters, size_mb, lines, setup, pretrain_seconds=None,
                   one_at_a_time=False, stand_in="", note="") -> dict:
    """One approach's row of the comparison (Chapter 5's ``add_row``): ``measure``'s result and what the
    chapter knows about the approach, in the columns every table and plot reads. ``api_truth``: the first
    reviews, which the API rows answered; every row is also scored on them, like for like."""
    k = len(api_truth)
    return dict(
        model=model, labels=labels, accuracy=result["accuracy"], low=result["interval"][0],
        high=result["interval"][1], n=result["n"],
        accuracy_on_api_subset=float(np.mean([p == t for p, t in zip(result["predicted"][:k], api_truth)])),
        latency_ms=result["latency_ms"], throughput=result["throughput"], one_at_a_time=one_at_a_time,
        pretrain_seconds=pretrain_seconds, train_seconds=train_seconds, parameters=parameters,
        trained_parameters=trained_parameters, size_mb=size_mb, train_cost_usd=train_cost_usd,
        cost_for_workload_usd=cost_for_workload_usd, code_lines=lines, setup=list(setup),
        stand_in=stand_in, note=note, predicted=list(result["predicted"]))  # per review, for the paired tests


def row_summary(approach: str, row: dict) -> str:
    """The line Chapter 5 prints when a row is added: accuracy and interval, speed, setup, code."""
    return (f"{approach}: accuracy {row['accuracy']:.3f} ({row['low']:.3f}-{row['high']:.3f}) on {row['n']:,} reviews; "
            f"{row['latency_ms']:.1f} ms per review alone, {row['throughput']:,.0f} reviews/s "
            f"{'one at a time' if row['one_at_a_time'] else 'batched'}; setup: {', '.join(row['setup']) or 'none'}; "
            f"{row['code_lines']} lines of code")


def hosted_api_labels(kind: str, model: str, where: str, price_model: str, openai_model: str,
                      local_model: str) -> dict:
    """What the API rows say about who answered (``kind``: "openai", "custom" or "local", as
    ``helpers.llm_api.connect`` says): ``model``, ``stand_in`` ("" for the real API) and ``note``."""
    local_name = local_model.split("/")[-1]
    return {"model": {"openai": openai_model, "custom": f"{model} at {where} (OPENAI_BASE_URL)",
                      "local": f"{local_name} (local stand-in for {openai_model})"}[kind],
            "stand_in": f"a {local_name} on this machine, not {openai_model}" if kind == "local" else "",
            "note": {"local": "stand-in: accuracy and latency are SmolLM2-135M's on this CPU; ",
                     "custom": f"custom endpoint: money priced at {price_model}'s rates, its own prices unknown; ",
                     "openai": ""}[kind]
            + "reviews/s: one request at a time (concurrent requests go faster, up to the rate limit)"}


def earlier_results_table(records: list[dict], rows: dict, profile: str):
    """Chapters 1-3's recorded sentiment results in ``profile``, each beside this chapter's accuracy for
    the same approach (None when it has no such row); None when there are no such records."""
    import pandas as pd

    earlier = [r for r in records if r["chapter"] in ("01", "02", "03") and r["profile"] == profile
               and r["task"] == "binary sentiment, movie reviews"]
    if not earlier:
        return None
    return pd.DataFrame([{"chapter": r["chapter"], "approach": r["approach"], "accuracy then": r["accuracy"],
                          "on n": r["n_examples"], "accuracy here": rows.get(r["approach"], {}).get("accuracy"),
                          "on n here": rows.get(r["approach"], {}).get("n"), "recorded": r["recorded_at"][:16]}
                         for r in earlier])


def models_used(rows: dict) -> str:
    """The model behind each row, with its note, and a line under each stand-in saying so."""
    lines = ["models actually used:"]
    for approach, row in rows.items():
        lines.append(f"  {approach:34s} {row['model']}" + (f"  [{row['note']}]" if row["note"] else ""))
        if row["stand_in"]:
            lines.append(f"  {'':34s} STAND-IN: {row['stand_in']}; its numbers are not the real model's")
    return "\n".join(lines)


def approach_colors(rows) -> dict:
    """A colour per approach, the same in every plot of the chapter (matplotlib's tab10, in row order)."""
    import matplotlib.pyplot as plt

    return dict(zip(rows, plt.cm.tab10.colors))


def plot_accuracy_against_cost_and_latency(rows: dict, predictions: int, majority_rate: float, title: str):
    """Chapter 5, section 10: accuracy (with its 95% interval) against the money for ``predictions``
    reviews, and against one review's latency, both on log axes. A shape per approach; a point that
    would sit on an earlier one is nudged right by a factor 1.35 per point it would hide (small on a log
    axis); a stand-in's point is hollow. Returns the figure."""
    import matplotlib.pyplot as plt

    colors, markers = approach_colors(rows), dict(zip(rows, "osD^vP*Xh"))
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
    for ax, column, label in [(axes[0], "cost_for_workload_usd", f"$ to classify {predictions:,} reviews (log)"),
                              (axes[1], "latency_ms", "ms to answer one review (log)")]:
        drawn = []  # (x, accuracy) of the points already on this axis
        for approach, row in rows.items():
            x = max(row[column], 1e-4)  # a free approach still needs a place on a log axis
            hides = sum(abs(np.log10(x / dx)) < 0.1 and abs(row["accuracy"] - da) < 0.06 for dx, da in drawn)
            drawn.append((x, row["accuracy"]))
            x *= 1.35 ** hides
            hollow = bool(row["stand_in"])
            ax.errorbar(x, row["accuracy"], yerr=[[row["accuracy"] - row["low"]], [row["high"] - row["accuracy"]]],
                        fmt=markers[approach], ms=8, capsize=4, color=colors[approach],
                        mfc="none" if hollow else colors[approach],
                        label=approach + (" (STAND-IN, hollow)" if hollow else ""))
        ax.axhline(majority_rate, color="k", ls=":", lw=1, label="majority label")
        ax.set_xscale("log")
        ax.set_xlabel(label)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("test accuracy")
    axes[1].legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)  # outside: it would hide points
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_learning_curve(curve: dict, rows: dict, sizes, majority_rate: float):
    """Chapter 5, section 11: ``curve`` (approach -> n -> ``over_seeds``'s point) as mean accuracy with its
    shaded 95% interval, each seed's accuracy as a dot (a little apart per approach, so none hides), and
    the approaches that need no labels (``NO_TRAINING``) as dashed lines. x ticks: the measured ``sizes``."""
    import matplotlib.pyplot as plt

    colors = approach_colors(rows)
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for offset, (name, by_n) in enumerate(curve.items()):
        ns = sorted(by_n)
        ax.plot(ns, [by_n[n]["accuracy"] for n in ns], "o-", color=colors[name],
                label=name + (" (STAND-IN)" if rows[name]["stand_in"] else ""))
        ax.fill_between(ns, [by_n[n]["interval"][0] for n in ns], [by_n[n]["interval"][1] for n in ns],
                        color=colors[name], alpha=0.15)
        for n in ns:
            if len(by_n[n]["seeds"]) > 1:
                x = n * 1.04 ** (offset - (len(curve) - 1) / 2)
                ax.scatter([x] * len(by_n[n]["seeds"]), by_n[n]["seeds"], s=14, color=colors[name], alpha=0.6, zorder=3)
    for name in NO_TRAINING:
        ax.axhline(rows[name]["accuracy"], color=colors[name], ls="--", lw=1.2,
                   label=f"{name} (no training{', STAND-IN' if rows[name]['stand_in'] else ''})")
    ax.axhline(majority_rate, color="k", ls=":", lw=1, label="majority label")
    ax.set_xscale("log")
    ax.set_xticks(list(sizes), [f"{n:,}" for n in sizes])  # the measured sizes, not powers of ten
    ax.minorticks_off()
    ax.set_xlabel("labelled training examples (log)")
    ax.set_ylabel("test accuracy")
    ax.set_title("accuracy against labelled data (shaded: 95% test-set intervals; dots: each seed)")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1))
    ax.grid(alpha=0.3)
    return fig


def seed_spread_sentence(n: int, seeds: int, spread: dict, interval_width: float) -> str:
    """How far the seed moved each approach at ``n`` labels (``spread``: approach -> highest minus lowest
    seed's accuracy), against the width of one run's 95% test-set interval at the widest spread."""
    widest = max(spread, key=spread.get)
    wider = spread[widest] > interval_width
    return (f"{n:,} labels, mean of {seeds} seeds; the seed moved "
            + ", ".join(f"{name} by {gap:.3f}" for name, gap in spread.items())
            + f". The most, {spread[widest]:.3f} ({widest}), is " + ("wider than" if wider else "within")
            + f" one run's 95% test-set interval ({interval_width:.3f} wide): "
            + ("the seed alone moves a point more than one run's interval allows for, so read single-seed points "
               "with care" if wider else "at this size the seed moves a point less than one run's interval "
               "already allows for"))


def intervals_apart(a: dict, b: dict) -> bool:
    """Whether two measured points' 95% intervals do not overlap."""
    return a["interval"][0] > b["interval"][1] or b["interval"][0] > a["interval"][1]


def gain_in_words(a: dict, b: dict) -> str:
    """a's accuracy minus b's, with "no difference shown" when their intervals overlap (Chapter 3's rule)."""
    return f"{a['accuracy'] - b['accuracy']:+.3f}" + ("" if intervals_apart(a, b) else
                                                       " (intervals overlap: no difference shown)")


def labels_needed(name: str, reach, largest: int) -> str:
    """'TF-IDF needs ~1,234' (``labels_to_reach``'s answer), or 'needs more than <largest>' when the
    measured curve never got there."""
    return f"{SHORT_NAMES.get(name, name)} needs " + (f"more than {largest:,}" if reach is None else f"~{reach:,.0f}")


def bands_in_words(limits, unit: str = "{:g}") -> str:
    """A rating's bands in words, not as Python: "High up to 2.5, Medium up to 3.5, ..., else Very Low"."""
    return ", ".join(f"{label} up to {unit.format(limit)}" for limit, label in limits[:-1]) + f", else {limits[-1][1]}"


def matched_in_words(row: dict, reach, ft_ns) -> str:
    """When the fine-tuned learning curve (measured at ``ft_ns`` labels) reaches ``row``'s accuracy, in
    words (``reach``: ``labels_to_reach``'s answer); no claim is drawn from a stand-in's row."""
    if row["stand_in"]:
        return f"this run's row is a stand-in ({row['stand_in']}), so no comparison is drawn from it"
    if reach is None:
        return f"fine-tuning did not match it within {max(ft_ns):,} labels"
    if reach == ft_ns[0]:
        return f"fine-tuning beats it already with {ft_ns[0]:,} labels, the fewest measured"
    return f"fine-tuning matches it from ~{reach:,.0f} labels"


def when_to_use_column(rows: dict, *, matched: dict, ft_first: tuple, tfidf_needs, tfidf_largest: int,
                       own_vs_none: str) -> dict:
    """The syllabus's "When to Use" column, per family, from this run's rows and learning curve:
    ``matched`` (approach -> ``matched_in_words``), ``ft_first`` (fine-tuning's fewest labels and its
    accuracy there), ``tfidf_needs`` (labels TF-IDF needs for that accuracy; None: more than
    ``tfidf_largest``), ``own_vs_none`` (the paired test's verdict on pre-training)."""
    shelf, own, none, ft = (rows[k] for k in ["pre-trained model, off the shelf", "own GPT, pre-trained + fine-tuned",
                                              "transformer, no pre-training", "fine-tuned (full)"])
    n, accuracy = ft_first
    return {
        "OpenAI API": f"no labelled data, quick results; {matched['hosted API, few-shot']}",
        "Pre-Trained Model": "a published model fits your task"
                             + ("" if shelf["stand_in"] else f" ({shelf['accuracy']:.3f} with none of your labels)")
                             + f"; {matched['pre-trained model, off the shelf']}",
        "Fine-Tuning": f"you have labels: {accuracy:.3f} from {n:,} of them, where TF-IDF needs "
                       + (f"~{tfidf_needs:,.0f}" if tfidf_needs else f"more than {tfidf_largest:,}"),
        "Building from Scratch": f"research, custom architectures, text no published model knows; here "
                                 f"{own['pretrain_seconds']:,.0f} s of your own pre-training gave {own['accuracy']:.3f} "
                                 f"against {none['accuracy']:.3f} without it ({own_vs_none}), and {ft['accuracy']:.3f} "
                                 f"fine-tuning a published model, from the same {own['labels']:,} labels",
    }


def syllabus_row(family: str, measured: dict, judged: tuple, when: str, claimed: tuple, row: dict) -> dict:
    """One row of the regenerated syllabus table: each measured column's label (``measured``: column ->
    (label, the number behind it)), the judged flexibility (``judged``: label, reason), "When to Use",
    the numbers behind the labels, what the syllabus said, and the row's accuracy."""
    flexibility, reason = judged
    return {"Approach": family, **{c: label for c, (label, _) in measured.items()},
            "Flexibility": f"{flexibility} (judgement: {reason})", "When to Use": when,
            "why (measured)": "; ".join(f"{c}: {why}" for c, (_, why) in measured.items()),
            "syllabus said": " / ".join(claimed),
            "accuracy": f"{row['accuracy']:.3f}" + (" (a stand-in's)" if row["stand_in"] else "")}


def approach_guide(rows: dict, *, predictions: int, price_model: str, device: str, pretrained_words: int,
                   own_vs_none: str, api_matched: str) -> list[tuple[str, str]]:
    """Chapter 5, section 13: (situation, advice) pairs, each with this run's numbers; advice that would
    rest on a stand-in's number says so. ``own_vs_none``: the paired test's verdict on pre-training;
    ``api_matched``: when fine-tuning matches the hosted model, in words."""
    api, shelf, ft, lora, floor, own, none = (rows[k] for k in [
        "hosted API, few-shot", "pre-trained model, off the shelf", "fine-tuned (full)", "fine-tuned (LoRA)",
        "TF-IDF + logistic regression", "own GPT, pre-trained + fine-tuned", "transformer, no pre-training"])
    api_said = (f"this run's API row is a stand-in ({api['stand_in']}): measure the real one before deciding"
                if api["stand_in"] else f"few-shot: {api['accuracy']:.3f} here")
    shelf_said = (f"the off-the-shelf row here is a stand-in ({shelf['stand_in']}): try the real one on your data"
                  if shelf["stand_in"] else f"{shelf['accuracy']:.3f} here with none of your labels")
    return [
        ("You have no labelled data and need an answer today",
         f"call an API ({api_said}; {money(api['cost_for_workload_usd'])} per {predictions:,} reviews at "
         f"{price_model}'s prices, {api['code_lines']} lines) or, if a published model fits your labels, run it "
         f"locally ({shelf_said})"),
        ("A published model already does your task",
         f"run it locally: no labels, no fees, {shelf['latency_ms']:.0f} ms per review on this {device}"
         + (" (the stand-in's speed)" if shelf["stand_in"] else "") + ", and nobody can change or retire it under you"),
        ("You have labelled data, or can label some",
         f"fine-tune a pre-trained model: here {ft['accuracy']:.3f}" + (" (a stand-in's)" if ft["stand_in"] else "")
         + f" with {ft['labels']:,} labels after {ft['train_seconds']:.0f} s of training, LoRA {lora['accuracy']:.3f} "
         f"training {lora['trained_parameters'] / lora['parameters']:.1%} of the weights; against a hosted model's "
         f"few-shot answers: {api_matched}"),
        ("You need it tiny, fast, and explainable, and have thousands of labels",
         f"try TF-IDF first: {floor['accuracy']:.3f}, {floor['throughput']:,.0f} reviews/s, {floor['size_mb']:.1f} MB; "
         "it is the baseline every other row must beat"),
        ("You are doing research, or your text is not text any published model knows",
         f"pre-train your own: here {own['accuracy']:.3f} after {own['pretrain_seconds']:,.0f} s of pre-training "
         f"on {pretrained_words:,} words, against {none['accuracy']:.3f} with no pre-training ({own_vs_none}) and "
         f"{ft['accuracy']:.3f} from a published model fine-tuned on the same labels; {own['code_lines']} lines of "
         "code; matching a published model takes its pre-training compute (days of GPUs), not minutes"),
        ("Cost per prediction dominates (millions of reviews)",
         f"own the model: {predictions:,} reviews cost {money(api['cost_for_workload_usd'])} through the API "
         f"(priced at {price_model}'s rates) vs {money(ft['cost_for_workload_usd'])} on this machine for the "
         "fine-tuned model"),
    ]


def comparison_header(*, day: str, profile: str, hub: str, machine: str, versions: dict, data_label: str,
                      api_reviews: int, price_model: str, price_in: float, price_out: float,
                      dollars_per_hour: float, device: str, rows: dict) -> list[str]:
    """The lines that open comparison.md: when, how and on what it was measured, the prices, the stand-ins."""
    stand_ins = "; ".join(f"{name}: {row['stand_in']}" for name, row in rows.items() if row["stand_in"]) or "none"
    return [
        f"Measured on {day} by `notebooks/05_comparing_approaches.ipynb`, profile `{profile}`, hub {hub}, on "
        f"{machine}; torch {versions.get('torch')}, transformers {versions.get('transformers')}.",
        "",
        f"Task: sentiment of {data_label}; API rows on its first {api_reviews} reviews, one request at a time. "
        f"Money: {price_model} at ${price_in:g}/${price_out:g} per million input/output tokens (genai-prices); "
        f"local compute at ${dollars_per_hour:.2f} per hour of {device}. Stand-ins: {stand_ins}.",
    ]
