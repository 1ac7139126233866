"""A faithful re-implementation of TransAlign's file-level projection loop (translate-test), the
speed baseline for projection: read both BIO files and the id-prefixed alignments, map every
labelled-side entity through a target->labelled inverse dictionary, write labels from the
first to the last aligned word, with the script's per-sentence sanity checks and entity count.
Written from the published algorithm, not copied.
"""
from collections import defaultdict


def _read(path, with_labels):
    data, tokens, labels = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.strip().split()
            if not parts:
                if tokens:
                    data.append((tokens, labels) if with_labels else tokens)
                    tokens, labels = [], []
                continue
            tokens.append(parts[0])
            if with_labels and len(parts) >= 2:
                labels.append(parts[1])
    if tokens:
        data.append((tokens, labels) if with_labels else tokens)
    return data


def _alignments(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            pairs = []
            for link in line.strip().split("\t")[1].split() if "\t" in line else []:
                a, b = link.split("-")
                pairs.append([int(a), int(b)])
            out.append(pairs)
    return out


def _entities(labels):
    entities, current, inside = [], [], False
    for k, tag in enumerate(labels):
        if tag == "O":
            if inside:
                entities.append(current)
                inside = False
            current = []
        elif tag.startswith("B-"):
            if inside:
                entities.append(current)
            inside, current = True, [k]
        elif tag.startswith("I-"):
            if inside:
                current.append(k)
            else:
                inside, current = True, [k]
    if current:
        entities.append(current)
    return entities


def reference_project_file(labeled_path, target_path, alignment_path, output_path):
    labeled = _read(labeled_path, True)
    targets = _read(target_path, False)
    alignments = _alignments(alignment_path)
    if not len(labeled) == len(targets) == len(alignments):
        raise ValueError("size mismatch")
    results = []
    total_entities = 0
    for (tokens, labels), target, alignment in zip(labeled, targets, alignments):
        if len(tokens) != len(labels):
            raise ValueError("tokens and labels differ in length")
        out = ["O"] * len(target)
        mapping = defaultdict(list)
        for t_idx, l_idx in alignment:
            mapping[l_idx].append(t_idx)
        mapping = {k: sorted(v) for k, v in mapping.items()}
        entities = _entities(labels)
        # the script's sanity check: rebuild the labels from the entities it found
        flattened = sum(entities, [])
        rebuilt = [labels[k] if k in flattened else "O" for k in range(len(labels))]
        if rebuilt != labels:
            pass  # the script logs a warning here
        for entity in entities:
            hits = []
            for idx in entity:
                if idx in mapping:
                    hits = hits + mapping[idx]
            if not hits:
                continue
            hits = sorted(set(hits))
            first, last = hits[0], hits[-1]
            out[first] = labels[entity[0]]
            if first != last:
                if len(entity) == 1:
                    tag = labels[entity[0]]
                    inside = "I-" + tag[2:] if tag.startswith("B-") else tag
                else:
                    inside = labels[entity[-1]]
                    inside = "I-" + inside[2:] if inside.startswith("B-") else inside
                for j in range(first + 1, last + 1):
                    out[j] = inside
        if len(out) != len(target):
            raise ValueError("projected labels and target tokens differ in length")
        results.append((target, out))
        total_entities += len(_entities(out))  # the script counts the projected entities
    with open(output_path, "w", encoding="utf-8") as f:
        for target, out in results:
            for token, label in zip(target, out):
                f.write(f"{token} {label}\n")
            f.write("\n")
