"""Small synthetic labelled SS tables for tests that exercise training mechanics."""
import random


def write_tiny_ss_tables(folder, n_train: int = 16, n_valid: int = 8, seed: int = 0, unresolved_tail: int = 0) -> None:
    """``folder``/train.tsv and valid.tsv with random chains and states."""
    rng = random.Random(seed)
    rows = ["id\tsequence\tss8\tss3\tresolved"]
    for k in range(n_train + n_valid):
        n = rng.randint(30, 80)
        seq = "".join(rng.choice("ACDEFGHIKLMNPQRSTVWY") for _ in range(n))
        ss8 = "".join(rng.choice("GHIBESTC") for _ in range(n))
        rows.append(f"c{k}\t{seq}\t{ss8}\t{ss8}\t{'1' * (n - unresolved_tail)}{'0' * unresolved_tail}")
    (folder / "train.tsv").write_text("\n".join(rows[: n_train + 1]) + "\n")
    (folder / "valid.tsv").write_text("\n".join(rows[:1] + rows[n_train + 1 :]) + "\n")
