"""A fast, approximate check of one language's intent examples, without Rasa.

    .venv/bin/python scripts/quick_intent_check.py data/sv/nlu.yml [--with data/nlu.yml]

Trains a logistic regression on TF-IDF word 1-2 and character 2-5 n-grams
(close to Ally's LinearIntentClassifier, without its regex features and
who-is-at-risk model) in 5-fold stratified cross-validation and prints
macro-F1, each intent's recall and the most common confusions. It takes
seconds, so a data writer can iterate; `make evaluate` gives the real figures.
`--with` adds other files to every training fold (they are never tested).
"""

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]+\)|\{[^}]+\})")


def examples(path: Path):
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for block in data.get("nlu") or []:
        if "intent" not in block:
            continue
        for line in (block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                yield ANNOTATION.sub(r"\1", line[2:]).strip(), block["intent"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--with", dest="extra", type=Path, nargs="*", default=[])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()

    import numpy as np
    import scipy.sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    pairs = list(examples(args.file))
    extra = [p for f in args.extra for p in examples(f)]
    texts = np.array([t for t, _ in pairs], dtype=object)
    labels = np.array([i for _, i in pairs])
    counts = Counter(labels)
    print(f"{args.file}: {len(pairs)} examples, {len(counts)} intents")
    for intent, n in sorted(counts.items(), key=lambda kv: kv[1]):
        if n < args.folds:
            print(f"  {intent}: only {n} examples, cannot cross-validate", file=sys.stderr)
            return 2
    predicted = np.empty(len(labels), dtype=object)
    folds = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=0)
    for train, test in folds.split(texts, labels):
        train_texts = list(texts[train]) + [t for t, _ in extra]
        train_labels = list(labels[train]) + [i for _, i in extra]
        word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True)
        char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True)
        x_train = scipy.sparse.hstack([word.fit_transform(train_texts), char.fit_transform(train_texts)]).tocsr()
        x_test = scipy.sparse.hstack([word.transform(texts[test]), char.transform(texts[test])]).tocsr()
        model = LogisticRegression(C=30, class_weight="balanced", max_iter=3000)
        model.fit(x_train, train_labels)
        predicted[test] = model.predict(x_test)
    print(f"macro-F1 {f1_score(labels, predicted.astype(str), average='macro'):.3f}")
    print("recall per intent (lowest first):")
    recalls = {i: float(np.mean(predicted[labels == i] == i)) for i in counts}
    for intent, recall in sorted(recalls.items(), key=lambda kv: kv[1]):
        print(f"  {recall:.2f}  {intent} ({counts[intent]})")
    confusions = Counter((t, p) for t, p in zip(labels, predicted) if t != p)
    print("most common confusions (true -> predicted):")
    for (true, pred), n in confusions.most_common(15):
        print(f"  {n:3d}  {true} -> {pred}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
