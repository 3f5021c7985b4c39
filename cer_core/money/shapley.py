"""Shapley value of each member's contribution to the community's money (a fairness reference).

The game (``docs/allocation.md``): the worth of a coalition S of members is the money its own shared
energy would bring, ``v(S) = Σ_h w_h · min(Σ_{i∈S} injected_i,h, Σ_{i∈S} withdrawn_i,h)`` per
cabina, where ``w_h`` [€/kWh] is what the whole community earned per kWh of shared energy in that
cabina and month (the engine's TIP + valorisation ÷ shared energy). So ``v(all) = TIP + valorisation``
and the Shapley values add up to it. Cabine are separate games (energy does not cross them), so each
member plays only with its cabina's members: exact (2^n coalitions) up to
``SHAPLEY_EXACT_MAX_MEMBERS`` players, sampled over random orders beyond, with the standard error.
"""

from __future__ import annotations

from math import factorial

import numpy as np

from .. import constants as C

CHUNK = 512
#: Values [float64] of one running (orders, hours) sum in the sampled walk (512 kB), near cache size.
CACHE_VALUES = 65_536


def coalition_worth(inj_kwh: np.ndarray, wd_kwh: np.ndarray, w_eur_kwh: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Worth [€] of each coalition: ``masks`` (coalitions, players) bool; energies (hours, players)."""
    out = np.empty(len(masks))
    for start in range(0, len(masks), CHUNK):
        b = masks[start:start + CHUNK].T.astype(float)
        out[start:start + CHUNK] = w_eur_kwh @ np.minimum(inj_kwh @ b, wd_kwh @ b)
    return out


def shapley_exact(inj_kwh: np.ndarray, wd_kwh: np.ndarray, w_eur_kwh: np.ndarray) -> np.ndarray:
    """Exact Shapley values [€] of the sharing game over all 2^n coalitions (n players = columns)."""
    n = inj_kwh.shape[1]
    if n == 0:
        return np.zeros(0)
    codes = np.arange(2 ** n)
    masks = ((codes[:, None] >> np.arange(n)) & 1).astype(bool)
    worth = coalition_worth(inj_kwh, wd_kwh, w_eur_kwh, masks)
    sizes = masks.sum(axis=1)
    weight = np.array([factorial(s) * factorial(n - s - 1) / factorial(n) if s < n else 0.0 for s in range(n + 1)])
    phi = np.zeros(n)
    for i in range(n):
        without = codes[(codes >> i) & 1 == 0]
        phi[i] = float(np.sum(weight[sizes[without]] * (worth[without | (1 << i)] - worth[without])))
    return phi


def shapley_sampled(inj_kwh: np.ndarray, wd_kwh: np.ndarray, w_eur_kwh: np.ndarray, permutations: int,
                    seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Shapley values [€] estimated over random orders of the players, and their standard errors [€].

    Orders come in antithetic pairs (an order and its reverse, averaged), which lowers the error of
    this game a lot for the same work; the error is the standard deviation of the pair averages over
    √pairs. Each order's marginal contributions add up to the grand coalition's worth, so the
    estimates do too.

    Work: a block of orders is walked position by position with running (orders, hours) sums of
    injection and withdrawal, small enough to stay in the processor's cache; the reversed order's
    coalitions are the complements of the forward prefixes (total − running sum), so each pair costs
    one walk. The orders drawn (and so the estimates, to rounding) do not depend on the block size.
    """
    n = inj_kwh.shape[1]
    rng = np.random.default_rng(seed)
    inj_t, wd_t = np.ascontiguousarray(inj_kwh.T), np.ascontiguousarray(wd_kwh.T)
    hours = inj_kwh.shape[0]
    total_inj, total_wd = inj_t.sum(axis=0), wd_t.sum(axis=0)
    pairs = max(2, permutations // 2)
    pair_means = np.zeros((pairs, n))
    batch = max(1, 2_000_000 // max(1, hours * n))  # orders drawn at a time (fixes the random stream)
    block = max(1, CACHE_VALUES // max(1, hours))  # orders walked together
    for start in range(0, pairs, batch):
        count = min(batch, pairs - start)
        orders = np.array([rng.permutation(n) for _ in range(count)])
        for b0 in range(0, count, block):
            o = orders[b0:b0 + block]
            fwd, rev = _walk(inj_t, wd_t, total_inj, total_wd, w_eur_kwh, o)
            marginal = np.diff(fwd, axis=1, prepend=0.0)  # forward order: player o[:, k] at position k
            marginal_rev = np.diff(rev, axis=1, prepend=0.0)[:, ::-1]  # reversed order, back to o's positions
            back = np.empty_like(marginal)
            np.put_along_axis(back, o, (marginal + marginal_rev) / 2.0, axis=1)
            pair_means[start + b0:start + b0 + len(o)] = back
    stderr = pair_means.std(axis=0, ddof=1) / np.sqrt(pairs)
    return pair_means.mean(axis=0), stderr


def _walk(inj_t: np.ndarray, wd_t: np.ndarray, total_inj: np.ndarray, total_wd: np.ndarray, w_eur_kwh: np.ndarray,
          orders: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Worth [€] of every prefix of each order and of each reversed order: (orders, players) arrays.

    ``fwd[:, k]`` is the worth of the first k+1 players of the order, ``rev[:, k]`` that of the first
    k+1 players of the reversed order (the complement of the first n−k−1 of the forward order).
    """
    count, n = orders.shape
    fwd, rev = np.empty((count, n)), np.empty((count, n))
    run_inj = np.zeros((count, inj_t.shape[1]))
    run_wd = np.zeros_like(run_inj)
    tmp, tmp2 = np.empty_like(run_inj), np.empty_like(run_inj)
    rev[:, n - 1] = np.minimum(total_inj, total_wd) @ w_eur_kwh
    for k in range(n):
        run_inj += inj_t[orders[:, k]]
        run_wd += wd_t[orders[:, k]]
        fwd[:, k] = np.minimum(run_inj, run_wd, out=tmp) @ w_eur_kwh
        if k < n - 1:  # the reversed order's first n−k−1 players: everything not yet walked
            np.subtract(total_inj, run_inj, out=tmp)
            np.subtract(total_wd, run_wd, out=tmp2)
            rev[:, n - k - 2] = np.minimum(tmp, tmp2, out=tmp) @ w_eur_kwh
    return fwd, rev


def shapley_game(inj_kwh: np.ndarray, wd_kwh: np.ndarray, w_eur_kwh: np.ndarray,
                 exact_max: int = C.SHAPLEY_EXACT_MAX_MEMBERS,
                 permutations: int = C.SHAPLEY_PERMUTATIONS) -> tuple[np.ndarray, np.ndarray, str]:
    """Shapley values, standard errors (0 when exact) and the method ("exact" or "sampled") of one game.

    Players with neither injection nor withdrawal are null (value 0) and left out; so are hours in
    which nobody injects or nobody withdraws (every coalition's worth is 0 there).
    """
    n = inj_kwh.shape[1]
    values, errors = np.zeros(n), np.zeros(n)
    plays = (inj_kwh.sum(axis=0) > 0) | (wd_kwh.sum(axis=0) > 0)
    hours = (inj_kwh.sum(axis=1) > 0) & (wd_kwh.sum(axis=1) > 0) & (w_eur_kwh != 0)
    inj, wd, w = inj_kwh[np.ix_(hours, plays)], wd_kwh[np.ix_(hours, plays)], w_eur_kwh[hours]
    if plays.sum() <= exact_max:
        values[plays] = shapley_exact(inj, wd, w)
        return values, errors, "exact"
    values[plays], errors[plays] = shapley_sampled(inj, wd, w, permutations)
    return values, errors, "sampled"


def shapley_of_results(results, base=None) -> dict:
    """Shapley values of every member of a simulated year, cabina by cabina.

    Returns
    -------
    dict
        ``values_eur`` and ``stderr_eur`` (one per member, results order), ``total_eur`` (= TIP +
        valorisation), ``cabine[]`` (``id``, ``players``, ``method``, ``permutations``) and ``method``.
    """
    from ..timeaxis import local_month

    s = results.summary
    month = local_month(results.year) - 1
    inj, wd = results.members.injected_kwh, results.members.withdrawn_kwh
    values, errors = np.zeros(inj.shape[1]), np.zeros(inj.shape[1])
    cabine = []
    for c, cid in enumerate(results.cabina_ids):
        rec = next((r for r in s.get("cabine", []) if r.get("id") == cid), None)
        cols = np.flatnonzero(np.array(results.member_cabina) == cid)
        if rec is None or not len(cols):
            continue
        money = np.asarray(rec["monthly"]["tip_eur"]) + np.asarray(rec["monthly"]["valorisation_eur"])
        shared = np.asarray(rec["monthly"]["shared_kwh"])
        unit = np.divide(money, shared, out=np.zeros(12), where=shared > 0)
        v, e, method = shapley_game(inj[:, cols], wd[:, cols], unit[month])
        values[cols], errors[cols] = v, e
        cabine.append({"id": cid, "players": int(len(cols)), "method": method,
                       "permutations": C.SHAPLEY_PERMUTATIONS if method == "sampled" else None})
    methods = {c["method"] for c in cabine}
    return {"values_eur": values, "stderr_eur": errors, "total_eur": float(values.sum()), "cabine": cabine,
            "method": "exact" if methods <= {"exact"} else "sampled",
            "max_stderr_eur": float(errors.max()) if errors.size else 0.0}
