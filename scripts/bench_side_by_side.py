#!/usr/bin/env python3
"""Side-by-side sparse direct solver benchmark: SpineTraction vs CHOLMOD / PARDISO / SuperLU.

Generates the model matrices with `spinetraction generate` (same n and nnz(A) as
shared/anchors/SOLVERS.md), measures the dgemm ceiling in the same run, then
runs every solver on the same .mtx files, each run in a fresh process, and
prints a markdown table of medians plus the ours/theirs ratios.

Usage (see scripts/bench-side-by-side.sh, which also installs the peers):
  python3 scripts/bench_side_by_side.py [--matrices elast_30k,poro_30k] [--solvers ours,cholmod,pardiso]
                                        [--repeats 3] [--threads 2] [--workdir DIR] [--json-out FILE]

Conventions:
  * times are wall-clock seconds of analyse (ordering + symbolic), factor
    (numeric) and solve (one right-hand side b = A·1), each the median of
    `--repeats` fresh processes;
  * nnz(L) counts the factor's lower triangle with its diagonal (CHOLMOD:
    structural nonzeros, without the explicit zeros of relaxed supernodes;
    SuperLU: nnz(L) + nnz(U) − n, it stores both);
  * factor flops = Σ_j c_j² over the columns of L (c_j = nnz of column j,
    diagonal included) for CHOLMOD, PARDISO's own count (iparm(19), MFLOP), ours
    from our report; SuperLU: Σ_k l_k(1 + 2 u_k);
  * % of dgemm = factor GFLOP/s over the larger of numpy's and the system
    libblas's (Debian alternative → OpenBLAS) dgemm GFLOP/s at n = 4000,
    measured in this run with the same thread count.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# name → (generator family, size name, kind)
MATRICES = {
    "elast_30k": ("elasticity", "30k", "spd"),
    "elast_100k": ("elasticity", "100k", "spd"),
    "poisson_30k": ("poisson", "30k", "spd"),
    "poro_30k": ("poro", "30k", "indefinite"),
    "th_30k": ("taylor-hood", "30k", "indefinite"),
    "elast_small": ("elasticity", "small", "spd"),
    "poisson_small": ("poisson", "small", "spd"),
    "poro_small": ("poro", "small", "indefinite"),
    "th_small": ("taylor-hood", "small", "indefinite"),
}
DEFAULT_MATRICES = "elast_30k,elast_100k,poisson_30k,poro_30k,th_30k"
DEFAULT_SOLVERS = "ours,cholmod,cholmod-metis,pardiso,superlu"


def max_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def read_matrix(path):
    import scipy.io
    import scipy.sparse as sp
    a = scipy.io.mmread(path)
    return sp.csc_matrix(a)


def column_count_flops(counts):
    import numpy as np
    c = np.asarray(counts, dtype=np.float64)
    return float(np.dot(c, c))


# ---------------------------------------------------------------- workers (child processes)

def worker_cholmod(path, kind, ordering):
    import numpy as np
    from sksparse.cholmod import analyze
    a = read_matrix(path)
    b = a @ np.ones(a.shape[0])
    rss0 = max_rss_mib()
    mode = "supernodal" if kind == "spd" else "simplicial"
    t0 = time.perf_counter()
    f = analyze(a, mode=mode, ordering_method=ordering)
    t1 = time.perf_counter()
    f.cholesky_inplace(a)
    t2 = time.perf_counter()
    x = f(b)
    t3 = time.perf_counter()
    rss1 = max_rss_mib()
    l = f.L() if kind == "spd" else f.LD()
    # A supernodal factor stores the explicit zeros of relaxed (amalgamated)
    # supernodes; count the structural nonzeros, as SOLVERS.md does.
    l.eliminate_zeros()
    counts = np.diff(l.indptr)
    res = float(np.linalg.norm(b - a @ x) / np.linalg.norm(b))
    return dict(nnzL=int(l.nnz), flops=column_count_flops(counts), analyze=t1 - t0, factor=t2 - t1,
                solve=t3 - t2, residual=res, rss=rss1 - rss0)


def pardiso_call(lib, pt, mtype, phase, n, data, ia, ja, iparm, b, x):
    import ctypes
    import numpy as np
    err = ctypes.c_int32(0)
    i32 = ctypes.POINTER(ctypes.c_int32)
    f64 = ctypes.POINTER(ctypes.c_double)
    perm = np.zeros(1, dtype=np.int32)
    lib.pardiso(pt.ctypes.data_as(ctypes.POINTER(ctypes.c_int64)), ctypes.byref(ctypes.c_int32(1)),
                ctypes.byref(ctypes.c_int32(1)), ctypes.byref(ctypes.c_int32(mtype)),
                ctypes.byref(ctypes.c_int32(phase)), ctypes.byref(ctypes.c_int32(n)),
                data.ctypes.data_as(f64), ia.ctypes.data_as(i32), ja.ctypes.data_as(i32),
                perm.ctypes.data_as(i32), ctypes.byref(ctypes.c_int32(1)), iparm.ctypes.data_as(i32),
                ctypes.byref(ctypes.c_int32(0)), b.ctypes.data_as(f64), x.ctypes.data_as(f64), ctypes.byref(err))
    if err.value != 0:
        raise RuntimeError(f"PARDISO phase {phase} error {err.value}")


def worker_pardiso(path, kind):
    import numpy as np
    import scipy.sparse as sp
    import pypardiso
    lib = pypardiso.PyPardisoSolver().libmkl   # finds the MKL runtime of pypardiso's wheel
    a = read_matrix(path)
    n = a.shape[0]
    b = a @ np.ones(n)
    upper = sp.triu(a, format="csr")
    upper.sort_indices()
    data = np.ascontiguousarray(upper.data, dtype=np.float64)
    ia = (upper.indptr + 1).astype(np.int32)
    ja = (upper.indices + 1).astype(np.int32)
    mtype = 2 if kind == "spd" else -2
    iparm = np.zeros(64, dtype=np.int32)
    iparm[0] = 1      # explicit parameters
    iparm[1] = 2      # METIS nested dissection
    iparm[9] = 8      # pivot perturbation 1e-8 (symmetric default)
    iparm[17] = -1    # report nnz(L)
    iparm[18] = -1    # report factor MFLOP
    iparm[20] = 1     # Bunch–Kaufman pivoting (symmetric indefinite default)
    pt = np.zeros(64, dtype=np.int64)
    x = np.zeros(n)
    rss0 = max_rss_mib()
    t0 = time.perf_counter()
    pardiso_call(lib, pt, mtype, 11, n, data, ia, ja, iparm, b, x)
    t1 = time.perf_counter()
    pardiso_call(lib, pt, mtype, 22, n, data, ia, ja, iparm, b, x)
    t2 = time.perf_counter()
    pardiso_call(lib, pt, mtype, 33, n, data, ia, ja, iparm, b, x)
    t3 = time.perf_counter()
    rss1 = max_rss_mib()
    res = float(np.linalg.norm(b - a @ x) / np.linalg.norm(b))
    out = dict(nnzL=int(iparm[17]), flops=float(iparm[18]) * 1e6, analyze=t1 - t0, factor=t2 - t1,
               solve=t3 - t2, residual=res, rss=rss1 - rss0)
    if kind != "spd":
        out["inertia"] = dict(positive=int(iparm[21]), negative=int(iparm[22]), zero=n - int(iparm[21]) - int(iparm[22]))
    pardiso_call(lib, pt, mtype, -1, n, data, ia, ja, iparm, b, x)
    return out


def worker_superlu(path, kind):
    import numpy as np
    import scipy.sparse.linalg as spla
    a = read_matrix(path)
    n = a.shape[0]
    b = a @ np.ones(n)
    rss0 = max_rss_mib()
    t1 = time.perf_counter()
    lu = spla.splu(a, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0, options=dict(SymmetricMode=True))
    t2 = time.perf_counter()
    x = lu.solve(b)
    t3 = time.perf_counter()
    rss1 = max_rss_mib()
    lcount = np.diff(lu.L.tocsc().indptr) - 1          # below-diagonal entries per column of L
    ucount = np.bincount(lu.U.tocsc().indices, minlength=n) - 1   # right-of-diagonal entries per row of U
    flops = float(np.sum(lcount * (1.0 + 2.0 * ucount)))
    res = float(np.linalg.norm(b - a @ x) / np.linalg.norm(b))
    return dict(nnzL=int(lu.L.nnz + lu.U.nnz - n), flops=flops, analyze=0.0, factor=t2 - t1, solve=t3 - t2,
                residual=res, rss=rss1 - rss0)


def worker_dgemm(size):
    """dgemm GFLOP/s, median of 3: numpy (its bundled BLAS) and the system libblas.so.3."""
    import ctypes
    import ctypes.util
    import numpy as np
    rng = np.random.default_rng(1)
    a = np.asfortranarray(rng.standard_normal((size, size)))
    b = np.asfortranarray(rng.standard_normal((size, size)))
    flops = 2.0 * size ** 3
    rates = []
    a @ b
    for _ in range(3):
        t = time.perf_counter(); a @ b; rates.append(flops / (time.perf_counter() - t) / 1e9)
    out = dict(numpy=statistics.median(rates))
    try:
        lib = ctypes.CDLL("libblas.so.3")
        c = np.zeros((size, size), order="F")
        n = ctypes.c_int(size); one = ctypes.c_double(1.0); zero = ctypes.c_double(0.0); tr = ctypes.c_char(b"N")
        p = lambda m: m.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
        call = lambda: lib.dgemm_(ctypes.byref(tr), ctypes.byref(tr), ctypes.byref(n), ctypes.byref(n), ctypes.byref(n),
                                  ctypes.byref(one), p(a), ctypes.byref(n), p(b), ctypes.byref(n), ctypes.byref(zero),
                                  p(c), ctypes.byref(n), ctypes.c_size_t(1), ctypes.c_size_t(1))
        call()
        rates = []
        for _ in range(3):
            t = time.perf_counter(); call(); rates.append(flops / (time.perf_counter() - t) / 1e9)
        out["libblas"] = statistics.median(rates)
    except OSError as e:
        out["libblas_error"] = str(e)
    return out


def run_worker(argv):
    what = argv[0]
    if what == "dgemm":
        result = worker_dgemm(int(argv[1]))
    else:
        path, kind = argv[1], argv[2]
        if what == "cholmod":
            result = worker_cholmod(path, kind, "default")
        elif what == "cholmod-metis":
            result = worker_cholmod(path, kind, "metis")
        elif what == "pardiso":
            result = worker_pardiso(path, kind)
        elif what == "superlu":
            result = worker_superlu(path, kind)
        else:
            raise SystemExit(f"unknown worker {what}")
    print(json.dumps(result))


# ---------------------------------------------------------------- driver

def child_env(threads):
    env = dict(os.environ)
    for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[k] = str(threads)
    # These slow OpenBLAS on this processor (SOLVERS.md); unset for the benchmark only.
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    return env


def run_json(cmd, env, timeout):
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()[-400:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def run_ours(cli, path, kind, env, timeout, solver):
    cmd = [cli, "solve", path, "--json", "--solver", solver, "--kind", "spd" if kind == "spd" else "indefinite"]
    r = run_json(cmd, env, timeout)
    out = dict(nnzL=r["nnzL"], flops=r["factorFlops"], analyze=r["analyzeSeconds"], factor=r["factorSeconds"],
               solve=r["solveSeconds"], residual=r["relativeResidual"], rss=r["peakMemoryMiB"], solverName=r["solver"])
    if r.get("inertia"):
        out["inertia"] = r["inertia"]
    return out


def median_of(runs):
    keys = ["nnzL", "flops", "analyze", "factor", "solve", "residual", "rss"]
    m = {k: statistics.median(r[k] for r in runs) for k in keys}
    for extra in ("inertia", "solverName"):
        if extra in runs[0]:
            m[extra] = runs[0][extra]
    return m


def fmt_m(v):
    return f"{v / 1e6:.2f}M" if v >= 1e6 else f"{v / 1e3:.1f}k"


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        run_worker(sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--matrices", default=DEFAULT_MATRICES, help=f"comma list from {', '.join(MATRICES)}")
    ap.add_argument("--solvers", default=DEFAULT_SOLVERS, help="comma list: ours,cholmod,cholmod-metis,pardiso,superlu")
    ap.add_argument("--ours-solver", default="auto", help="--solver passed to spinetraction solve (auto|cholesky|ldlt|…)")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--superlu-max-n", type=int, default=40000, help="skip SuperLU above this n (it needs ~8 GiB at 100k)")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per process")
    ap.add_argument("--workdir", default=os.environ.get("SPINE_BENCH_DIR", "/tmp/spinetraction-bench"))
    ap.add_argument("--cli", default=os.path.join(ROOT, ".build", "release", "spinetraction"))
    ap.add_argument("--json-out", default=None, help="also write all results as JSON here")
    args = ap.parse_args()

    env = child_env(args.threads)
    os.makedirs(args.workdir, exist_ok=True)
    names = [m for m in args.matrices.split(",") if m]
    solvers = [s for s in args.solvers.split(",") if s]
    for m in names:
        if m not in MATRICES:
            raise SystemExit(f"unknown matrix {m}: expected one of {', '.join(MATRICES)}")

    # 1. Matrices, generated by our CLI.
    paths = {}
    for m in names:
        family, size, _ = MATRICES[m]
        path = os.path.join(args.workdir, m + ".mtx")
        if not os.path.exists(path):
            subprocess.run([args.cli, "generate", family, "--size", size, "-o", path], check=True, env=env, stdout=sys.stderr)
        paths[m] = path

    # 2. The arithmetic ceiling, in this run.
    load_before = os.getloadavg()
    print(f"# load before: {load_before}", file=sys.stderr)
    dgemm = run_json([sys.executable, __file__, "--worker", "dgemm", "4000"], env, args.timeout)
    ceiling = max(dgemm.get("numpy", 0), dgemm.get("libblas", 0))
    print(f"# dgemm n=4000, {args.threads} threads: {dgemm}", file=sys.stderr)

    # 3. Every solver on every matrix, fresh process per run.
    results = []
    for m in names:
        family, size, kind = MATRICES[m]
        n = nnz_a = None
        with open(paths[m]) as f:
            for line in f:
                if not line.startswith("%"):
                    rows, _, stored = (int(t) for t in line.split())
                    n = rows
                    break
        for s in solvers:
            if s == "superlu" and n > args.superlu_max_n:
                continue
            if s == "cholmod-metis" and kind != "spd":
                continue
            label = s if kind == "spd" or not s.startswith("cholmod") else "cholmod-ldl"
            runs = []
            try:
                for _ in range(args.repeats):
                    if s == "ours":
                        runs.append(run_ours(args.cli, paths[m], kind, env, args.timeout, args.ours_solver))
                    else:
                        runs.append(run_json([sys.executable, __file__, "--worker", s, paths[m], kind], env, args.timeout))
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                print(f"# {m} {s}: {e}", file=sys.stderr)
                results.append(dict(matrix=m, n=n, solver=label, error=str(e)[:200]))
                continue
            med = median_of(runs)
            results.append(dict(matrix=m, n=n, solver=label, **med))
            print(f"# {m} {label}: factor {med['factor']:.3f} s", file=sys.stderr)
        # nnz(A) of the full matrix from scipy (independent of our reader).
        a = read_matrix(paths[m])
        for r in results:
            if r["matrix"] == m:
                r["nnzA"] = int(a.nnz)
    load_after = os.getloadavg()

    # 4. Tables.
    print(f"dgemm ceiling (n = 4000, {args.threads} threads, this run): numpy {dgemm.get('numpy', 0):.1f} GFLOP/s, "
          f"libblas {dgemm.get('libblas', 0):.1f} GFLOP/s; 1-min load average before {load_before[0]:.2f}, "
          f"after {load_after[0]:.2f} (2 cores: a load above ~2 means other work shared the machine)\n")
    print("| matrix | n | nnz(A) | solver | nnz(L) | analyse s | factor s | solve s | factor flops | GFLOP/s | % of dgemm | peak RSS incr. MiB | rel. residual | inertia |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        if "error" in r:
            print(f"| {r['matrix']} | {r['n']} | {fmt_m(r.get('nnzA', 0))} | {r['solver']} | failed: {r['error'][:60]} |||||||||")
            continue
        rate = r["flops"] / r["factor"] / 1e9 if r["factor"] > 0 else 0
        inertia = r.get("inertia")
        inertia_s = f"+{inertia['positive']} −{inertia['negative']} 0×{inertia['zero']}" if inertia else "-"
        print(f"| {r['matrix']} | {r['n']} | {fmt_m(r['nnzA'])} | {r['solver']} | {fmt_m(r['nnzL'])} | {r['analyze']:.3f} | "
              f"{r['factor']:.3f} | {r['solve']:.4f} | {r['flops']:.2e} | {rate:.1f} | {100 * rate / ceiling:.0f}% | "
              f"{r['rss']:.0f} | {r['residual']:.1e} | {inertia_s} |")

    ours = {r["matrix"]: r for r in results if r["solver"] == "ours" and "error" not in r}
    if ours:
        print("\n| matrix | vs | factor time ours/theirs | nnz(L) ours/theirs | solve time ours/theirs |")
        print("|---|---|---|---|---|")
        for r in results:
            o = ours.get(r["matrix"])
            if o is None or r["solver"] == "ours" or "error" in r:
                continue
            print(f"| {r['matrix']} | {r['solver']} | {o['factor'] / r['factor']:.2f} | {o['nnzL'] / r['nnzL']:.2f} | "
                  f"{o['solve'] / r['solve']:.2f} |")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(dict(dgemm=dgemm, threads=args.threads, repeats=args.repeats, results=results,
                           load_before=load_before, load_after=load_after), f, indent=1)


if __name__ == "__main__":
    main()
