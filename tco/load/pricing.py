"""Read API price sheets: the bundled ones, overlaid by the user's own (negotiated prices, private endpoints).

`dirs` lists folders by priority: the user's override folders first, the bundled `pricing/` last.
A user's sheet for a bundled provider replaces the models it names (same id, any case) and adds
the others; a sheet for a new provider id adds that provider. Only the sheets asked for are read:
`tco run` loads just the providers a scenario names.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Iterable, Sequence

from tco.errors import DataProblem, TcoUserError
from tco.files import note_input_folder
from tco.load.yaml_source import YAML_SUFFIXES, did_you_mean, future_as_of_problems, load_yaml, validate_as
from tco.model.pricing import ApiModel, ApiProvider, DatedPrice
from tco.paths import bundled_dir


def pricing_dirs(user_dirs: Iterable[Path | str] = ()) -> list[Path]:
    """The user's folders (in the order given), then the bundled sheets.

    A user folder that is missing or is a file is refused, as `--hardware-dir` is. Why: it was skipped in silence, so a
    typo in `--pricing-dir` priced every option at the bundled list prices while the user believed their own (negotiated)
    sheets were used.
    """
    user = [Path(d) for d in user_dirs]
    problems = [problem for d in user if (problem := _folder_problem(d)) is not None]
    if problems:
        raise TcoUserError(problems)
    for folder in user:  # every sheet in it is an input, read or not (sheets are read only when a scenario names them)
        note_input_folder(folder, YAML_SUFFIXES)
    return [*user, bundled_dir("pricing")]


def _folder_problem(folder: Path) -> DataProblem | None:
    """Why `folder` cannot serve as a --pricing-dir (missing, a file, unreadable), or None.

    Why list it here: `glob` and `is_file` see an unreadable folder as empty (or raise PermissionError, a traceback),
    so the user's sheets in it were ignored in silence and the bundled list prices used instead."""
    hint = "--pricing-dir takes a folder of price sheets (PROVIDER.yaml)"
    try:
        with os.scandir(folder) as entries:
            next(entries, None)
    except (FileNotFoundError, NotADirectoryError):
        exists = os.path.exists(folder)
        return DataProblem(str(folder), None, "", "is a file, not a folder" if exists else "no such folder", hint=hint)
    except OSError as e:
        return DataProblem(str(folder), None, "", f"cannot read the folder: {e.strerror or e}",
                           hint="give yourself read access to the folder (chmod u+rx), or leave it out")
    except ValueError:
        return DataProblem(str(folder), None, "", "not a valid folder name", hint=hint)
    return None


def _present(path: Path) -> bool:
    """Whether a directory entry named `path` exists: a file, a folder, a link (even a broken one).

    Why not `is_file`: a broken link or a folder named `acme.yaml` was skipped in silence (the bundled sheet, or no
    sheet, was used instead); kept, it reaches `read_sheet`, which says what is wrong with it. An entry that cannot be
    looked at (a folder without search permission) is a located error, never a PermissionError traceback."""
    try:
        os.lstat(path)
        return True
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as e:
        raise TcoUserError(DataProblem(str(path), None, "", f"cannot read: {e.strerror or e}",
                                       hint="give yourself read access to the folder (chmod u+rx)")) from None


def provider_ids(dirs: Sequence[Path]) -> list[str]:
    """Every provider with a sheet in any of `dirs`, sorted."""
    ids: set[str] = set()
    for folder in dirs:
        if folder.is_dir():
            ids.update(p.stem for suffix in YAML_SUFFIXES for p in folder.glob(f"*{suffix}") if not p.name.startswith("."))
    return sorted(ids)


def read_sheet(path: Path, today: dt.date | None = None) -> ApiProvider:
    """One sheet, validated; problems located as `file:line: field: message`.

    With `today`, an `as_of` after it is refused too (`tco.load.yaml_source.future_as_of_problems`): the loader passes
    it for the user's sheets, not the bundled ones, which a machine whose clock is behind must still read."""
    data, lines = load_yaml(path)
    if data is None:
        raise TcoUserError(DataProblem(str(path), None, "", "the file is empty (or holds only comments)",
                                       hint="a price sheet needs id: and models: (`tco schema pricing` prints the schema), or delete it"))
    provider = validate_as(ApiProvider, data, str(path), lines)
    if provider.id != path.stem:
        raise TcoUserError(DataProblem(str(path), lines.get(("id",)), "id",
                                       f"`{provider.id}` must equal the file name `{path.stem}`",
                                       hint=f"rename the file to {provider.id}{path.suffix} or change the id"))
    if today is not None and (future := future_as_of_problems(provider, str(path), lines, today)):
        raise TcoUserError(future)
    return provider


PRICE_RATIO_WARNING = 10
"""A user price this many times above or below the bundled one for the same model is most likely a
per-thousand / per-million slip: warn, naming both figures."""


def price_ratio_notices(user: ApiProvider, bundled: ApiProvider, user_path: Path, bundled_path: Path) -> list[DataProblem]:
    """Each user price 10x or more away from the bundled sheet's latest price for the same model id."""
    from decimal import Decimal

    from tco.load.yaml_source import dotted

    theirs = {m.id.lower(): m for m in bundled.models}
    out: list[DataProblem] = []
    lines = None
    for m_index, model in enumerate(user.models):
        other = theirs.get(model.id.lower())
        if other is None:
            continue
        for e_index, entry in enumerate(model.prices):
            for field in ("input_usd_per_million_tokens", "output_usd_per_million_tokens"):
                mine, ref = getattr(entry, field), getattr(other.prices[-1], field)
                if not mine or not ref:
                    continue
                ratio = mine / ref
                if ratio >= PRICE_RATIO_WARNING or ratio <= Decimal(1) / PRICE_RATIO_WARNING:
                    if lines is None:
                        lines = load_yaml(user_path)[1]
                    path = ("models", m_index, "prices", e_index, field)
                    out.append(DataProblem(str(user_path), lines.get(path), dotted(path),
                                           f"{mine} USD per million tokens is {float(ratio):.3g}x the bundled price {ref} for "
                                           f"`{model.id}` (bundled {bundled_path.parent.name}/{bundled_path.name}, as of {other.prices[-1].as_of or bundled.as_of})",
                                           "sheet prices are per million tokens: a price per thousand is 1000x smaller",
                                           severity="warning"))
    return out


def sheet_paths(provider_id: str, dirs: Sequence[Path]) -> list[Path]:
    """The provider's sheet in each folder that has one (`<id>.yaml` or `<id>.yml`), in the order of `dirs`.

    Why refuse both in one folder: one of them would be ignored without a word, and which is a guess."""
    paths = []
    for folder in dirs:
        found = [folder / f"{provider_id}{suffix}" for suffix in YAML_SUFFIXES if _present(folder / f"{provider_id}{suffix}")]
        if len(found) > 1:
            raise TcoUserError(DataProblem(str(found[1]), None, "", f"{found[0].name} in the same folder is the same provider's sheet",
                                           hint="keep one of the two files"))
        paths += found
    return paths


def load_provider(provider_id: str, dirs: Sequence[Path], notices: list[DataProblem] | None = None,
                  today: dt.date | None = None) -> ApiProvider:
    """The provider's sheets in `dirs` merged (the first folder's models win); `today` (default: the local date)
    bounds the `as_of` dates of every sheet outside the bundled folder."""
    paths = sheet_paths(provider_id, dirs)
    if not paths:
        known = provider_ids(dirs)
        raise TcoUserError(DataProblem(
            "pricing", None, "provider", f"no price sheet for provider `{provider_id}`",
            hint=did_you_mean(provider_id, known) or f"known providers: {', '.join(known[:12])}{' ...' if len(known) > 12 else ''}"))
    today = today or dt.date.today()
    bundled = _real(bundled_dir("pricing"))
    sheets = [read_sheet(p, None if _real(p.parent) == bundled else today) for p in paths]
    if notices is not None and len(sheets) > 1:
        for path, sheet in zip(paths[:-1], sheets[:-1]):
            notices.extend(price_ratio_notices(sheet, sheets[-1], path, paths[-1]))
    merged = sheets[-1]
    for overlay in reversed(sheets[:-1]):
        merged = overlay_sheet(merged, overlay)
    return merged


def _real(path: Path) -> str:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return str(path)


def load_providers(ids: Iterable[str] | None, dirs: Sequence[Path]) -> dict[str, ApiProvider]:
    """The named providers (all when `ids` is None); every problem in every sheet reported at once."""
    wanted = provider_ids(dirs) if ids is None else list(dict.fromkeys(ids))
    out: dict[str, ApiProvider] = {}
    problems: list[DataProblem] = []
    for provider_id in wanted:
        try:
            out[provider_id] = load_provider(provider_id, dirs)
        except TcoUserError as e:
            problems.extend(e.problems)
    if problems:
        raise TcoUserError(problems)
    return out


def overlay_sheet(base: ApiProvider, user: ApiProvider) -> ApiProvider:
    """`base` with `user`'s models replacing same-id ones and added; user entries keep the user's source."""
    by_id = {m.id.lower(): m for m in base.models}
    for model in user.models:
        by_id[model.id.lower()] = _with_sheet_source(model, user)
    models = [by_id[k] for k in sorted(by_id)]
    return base.model_copy(update={"models": models})


def _with_sheet_source(model: ApiModel, sheet: ApiProvider) -> ApiModel:
    """Stamp the user's sheet source and date on entries that do not carry their own."""
    def stamp(entry: DatedPrice) -> DatedPrice:
        if entry.source and entry.as_of:
            return entry
        return entry.model_copy(update={"source": entry.source or sheet.source, "as_of": entry.as_of or sheet.as_of})

    return model.model_copy(update={
        "prices": [stamp(e) for e in model.prices],
        "variants": {name: [stamp(e) for e in entries] for name, entries in model.variants.items()},
    })
