"""The held-out seed rule, once for every environment.

Every task of every environment declares two seed ranges in its task file:

* ``development``: the only seeds training, imitation, validation and tuning may use;
* ``evaluation``: held-out seeds, used only for the numbers the package publishes.

They must not overlap (checked when a task file is read), the evaluation set has at
least ``MIN_EVALUATION_SEEDS`` seeds, and ``development_only`` refuses, naming the seeds,
any list of seeds a training run is about to use that touches the evaluation set.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict, Field, model_validator

from govworkflow.core.errors import BadValueError, UnknownNameError, check_count

__all__ = ["MIN_EVALUATION_SEEDS", "SEED_SETS", "SEED_SET_CHOICES", "SeedRange", "SeedSets", "development_only"]

#: The names of the two seed sets (``dev`` and ``eval`` are accepted as short names).
SEED_SETS: tuple[str, ...] = ("development", "evaluation")
_ALIASES = {"dev": "development", "eval": "evaluation"}
#: Every name ``SeedSets.range`` accepts (command-line ``choices``).
SEED_SET_CHOICES: tuple[str, ...] = (*SEED_SETS, *_ALIASES)
#: The smallest evaluation set a task may declare (a mean over fewer seeds is too noisy to rank on).
MIN_EVALUATION_SEEDS = 100


class SeedRange(BaseModel):
    """Seeds ``start, start + 1, …, stop - 1`` (half-open, like ``range``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: int = Field(ge=0, description="The first seed.")
    stop: int = Field(ge=1, description="One past the last seed.")

    @model_validator(mode="after")
    def _check(self) -> SeedRange:
        if self.stop <= self.start:
            raise ValueError(f"stop: must be greater than start ({self.start}), got {self.stop}")
        return self

    def __len__(self) -> int:
        return self.stop - self.start

    def __contains__(self, seed: object) -> bool:
        return isinstance(seed, int) and not isinstance(seed, bool) and self.start <= seed < self.stop

    def seeds(self) -> range:
        """The seeds, as a ``range`` (indexable and sliceable without building a list)."""
        return range(self.start, self.stop)


class SeedSets(BaseModel):
    """A task's development seeds (training, tuning) and held-out evaluation seeds (reporting)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    development: SeedRange = Field(description="Seeds for training, imitation, validation and tuning.")
    evaluation: SeedRange = Field(description="Held-out seeds, used only for published numbers.")

    @model_validator(mode="after")
    def _check(self) -> SeedSets:
        d, e = self.development, self.evaluation
        if len(e) < MIN_EVALUATION_SEEDS:
            raise ValueError(f"evaluation: needs at least {MIN_EVALUATION_SEEDS} seeds, got {len(e)}")
        if d.start < e.stop and e.start < d.stop:
            raise ValueError(
                f"evaluation: {e.start}..{e.stop - 1} overlaps the development range {d.start}..{d.stop - 1}"
            )
        return self

    def check_default(self, seed: int) -> None:
        """A task's default seed (what ``reset()`` plays) must be a development seed."""
        if seed not in self.development:
            d = self.development
            raise ValueError(f"seed: {seed} is not in the development range {d.start}..{d.stop - 1}")

    def range(self, name: str) -> range:
        """The seeds of set ``name`` (``development`` or ``evaluation``; ``dev``/``eval`` too)."""
        full = _ALIASES.get(name, name)
        if full not in SEED_SETS:
            raise UnknownNameError("seed set", name, SEED_SETS)
        rng: SeedRange = getattr(self, full)
        return rng.seeds()

    def take(self, name: str, limit: int | None = None, what: str = "limit") -> list[int]:
        """The first ``limit`` seeds (default: all) of set ``name``; a ``limit`` beyond the
        set's size is a ``BadValueError`` naming ``what`` (the option) and the set's range."""
        seeds = self.range(name)
        if limit is None:
            return list(seeds)
        if check_count(limit, what) > len(seeds):
            raise BadValueError(
                f"{what}: {limit} is more than the {len(seeds)} seeds of the {_ALIASES.get(name, name)} set "
                f"({seeds.start}..{seeds.stop - 1})"
            )
        return list(seeds[:limit])


def development_only(seeds: Iterable[int], sets: SeedSets, what: str) -> list[int]:
    """``seeds`` as a list if none of them is held out, else a ``BadValueError`` naming them.

    Every training-side use of seeds (imitation, validation, episode draws, tuning) goes
    through this check, so an evaluation seed can never reach training."""
    listed = [int(s) for s in seeds]
    held_out = [s for s in listed if s in sets.evaluation]
    if held_out:
        shown = ", ".join(str(s) for s in held_out[:5]) + (", …" if len(held_out) > 5 else "")
        e = sets.evaluation
        raise BadValueError(
            f"{what}: {len(held_out)} seed(s) lie in the held-out evaluation set {e.start}..{e.stop - 1} "
            f"({shown}); use development seeds only"
        )
    return listed
