"""darknet_cpu.dask against the command line: on a LocalCluster of 2 worker processes, a
list with bad images in it (a missing file, a directory) gives the same -jsonl lines as
`darknet classifier predict` / `detector test -list L -jsonl OUT` (only "time" differs),
in input order, the same stderr lines and exit status 1; each worker loads the network
once; bad arguments give one line and exit 1, writing nothing.
Run from the repository root: DARKNET_LIB=./libdarknet.so DARKNET=./darknet pytest python/tests"""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))
os.environ.setdefault("DARKNET_LIB", os.path.join(ROOT, "libdarknet.so"))
# The worker processes import darknet_cpu too.
os.environ["PYTHONPATH"] = os.path.join(ROOT, "python") + os.pathsep + os.environ.get("PYTHONPATH", "")
from darknet_cpu import dask as ddask  # noqa: E402
from darknet_cpu.records import read_names  # noqa: E402

DARKNET = os.environ.get("DARKNET", os.path.join(ROOT, "darknet"))
C5 = "tests/data/valid/cls5.cfg"
MIX = "tests/data/detect-mix.cfg"
IMG = "tests/data/valid/images"
PY = [sys.executable, "-m", "darknet_cpu.dask"]


def run(cmd, **kw):
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, **kw)


def untimed(text):
    return re.sub(r', "time": [0-9.]+\}', "}", text)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("dask")
    out = {"c5": str(d / "c5.w"), "mix": str(d / "mix.w"), "list": str(d / "l.list")}
    assert run([DARKNET, "init", C5, out["c5"], "-seed", "19"]).returncode == 0
    assert run([DARKNET, "init", MIX, out["mix"], "-seed", "5"]).returncode == 0
    names = sorted(os.listdir(os.path.join(ROOT, IMG)))[:11]
    paths = [f"{IMG}/{n}" for n in names[:6]] + [str(d / "missing.png"), "tests/data"] + [f"{IMG}/{n}" for n in names[6:]]
    with open(out["list"], "w") as f:
        f.write("\n".join(paths) + "\n")
    out["paths"] = paths
    return out


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=40)
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


def cli(files, *args):
    out = os.path.join(os.path.dirname(files["list"]), "cli.jsonl")
    r = run([DARKNET, *args, "-list", files["list"], "-jsonl", out])
    assert r.returncode == 1, r.stderr  # the bad images
    with open(out) as f:
        return f.read(), [line for line in r.stderr.splitlines() if line.startswith("darknet: ")]


def test_classify_over_a_cluster_is_the_cli(files, client):
    want, want_err = cli(files, "classifier", "predict", "tests/data/valid/classify.data", C5, files["c5"], "-t", "3")
    os.chdir(ROOT)  # the workers share this directory: relative paths are the CLI's
    job = ddask.Job("classify", C5, files["c5"], read_names("tests/data/valid/labels5.list"), threads=1, top=3)
    recs = list(ddask.run(client, job, files["paths"], chunk=2))
    assert untimed("".join(line + "\n" for line, _ in recs)) == untimed(want)
    assert [f"darknet: {e}" for _, e in recs if e] == want_err and len(want_err) == 2
    # 7 chunks over 2 worker processes: each worker that ran chunks loaded the network once.
    loads = list(client.run(ddask.load_count).values())
    assert sum(c for _, c in loads) == 7 and all(n == (c > 0) for n, c in loads), loads


def test_detect_from_the_command_line_is_the_cli(files, client):
    want, want_err = cli(files, "detector", "test", "cfg/coco.data", MIX, files["mix"], "-thresh", "0.5")
    assert want.count('"class_index"') > 4  # the comparison includes boxes
    out = os.path.join(os.path.dirname(files["list"]), "dask.jsonl")
    r = run(PY + ["local:2", "detector", "test", "cfg/coco.data", MIX, files["mix"], "-thresh", "0.5",
                  "-list", files["list"], "-jsonl", out, "-chunk", "3"])
    assert r.returncode == 1, r.stderr
    with open(out) as f:
        assert untimed(f.read()) == untimed(want)
    assert [line for line in r.stderr.splitlines() if line.startswith("darknet")] == want_err
    # -jsonl - writes the same lines to stdout.
    r = run(PY + ["local:1", "detector", "test", "cfg/coco.data", MIX, files["mix"], "-thresh", "0.5",
                  "-list", files["list"], "-jsonl", "-"])
    assert r.returncode == 1 and untimed(r.stdout) == untimed(want)


@pytest.mark.parametrize("args,message", [
    (["local:2", "classifier", "predict", "tests/data/valid/classify.data", C5, "W", "-list", "none.list", "-jsonl", "OUT"],
     "none.list: cannot open"),
    (["local:2", "classifier", "predict", "tests/data/valid/classify.data", C5, "W", "-list", "EMPTY", "-jsonl", "OUT"],
     "EMPTY: no image paths in the list"),
    (["local:0", "classifier", "predict", "tests/data/valid/classify.data", C5, "W", "-list", "LIST", "-jsonl", "OUT"],
     "local:0: expected local:N with N of 1 or more"),
    (["local:1", "classifier", "predict", "tests/data/valid/classify.data", C5, "none.weights", "-list", "LIST", "-jsonl", "OUT"],
     "none.weights"),
    (["local:1", "classifier", "predict", "tests/data/valid/classify.data", C5, "W", "-list", "LIST"],
     "-list LIST and -jsonl OUT are required"),
    (["local:1", "classifier", "valid", "tests/data/valid/classify.data", C5, "W", "-list", "LIST", "-jsonl", "OUT"],
     "usage: python3 -m darknet_cpu.dask"),
    (["local:1", "classifier", "predict", "none.data", C5, "W", "-list", "LIST", "-jsonl", "OUT"],
     "none.data: cannot open"),
    (["local:1", "classifier", "predict", "tests/data/valid/classify.data", C5, "W", "-list", "LIST", "-jsonl", "OUT",
      "-threads", "0"], "-threads: expected an integer of 1 or more, got \"0\""),
])
def test_bad_arguments(files, tmp_path, args, message):
    empty = tmp_path / "empty.list"
    empty.write_text("\n\n")
    out = tmp_path / "out.jsonl"
    subst = {"W": files["c5"], "LIST": files["list"], "EMPTY": str(empty), "OUT": str(out)}
    args = [subst.get(a, a) for a in args]
    message = message.replace("EMPTY", str(empty))
    r = run(PY + args)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], r.stderr
    assert not out.exists()
