"""A list of images classified or detected over a Dask cluster, with -jsonl records
identical to the command line's (`darknet classifier predict ... -list L -jsonl OUT`),
in input order.

    python3 -m darknet_cpu.dask SCHEDULER classifier predict DATA CFG WEIGHTS -list LIST -jsonl OUT
        [-t N] [-method NAME] [-threads N] [-chunk K]
    python3 -m darknet_cpu.dask SCHEDULER detector test DATA CFG WEIGHTS -list LIST -jsonl OUT
        [-thresh T] [-method NAME] [-threads N] [-chunk K]

SCHEDULER is a running scheduler's address (tcp://HOST:8786, from `dask scheduler`) or
local:N, a LocalCluster of N worker processes on this machine. The cfg, weights, names and
image paths are opened by the workers, so on a multi-host cluster they must name the same
files there (a shared file system). The list is cut into chunks of K images (default 4),
one task each. Every worker thread loads the network once, on its first chunk, and keeps it
for the next ones. -threads is the forward threads of each network (default: the cores of
this machine over N for local:N, else 1; give dask worker --nthreads 1 and -threads C for
one C-thread network per process). A bad image gets its error record, one stderr line and
exit status 1 at the end, and the run goes on, as on the command line."""
import os
import sys
import threading

from . import DarknetError, Network
from . import _classes as _lib_classes
from .records import read_data, read_image_list, read_names, record

__all__ = ["Job", "run", "main"]

# Per worker process: (job key, thread id) -> Network, and how many networks were loaded.
_nets = {}
_loads = [0, 0]  # networks loaded, chunks run
_lock = threading.Lock()


class Job:
    """What each record needs: kind ("classify" or "detect"), the network files and
    options, and the class names (read once, by the client)."""

    def __init__(self, kind, cfg, weights, names, names_path="names", method=None, threads=1, top=1, thresh=None):
        self.kind, self.cfg, self.weights, self.names = kind, cfg, weights, names
        self.names_path = names_path
        self.method, self.threads, self.top, self.thresh = method, threads, top, thresh

    def key(self):
        return (self.kind, self.cfg, self.weights, self.method, self.threads)


def _network(job):
    k = (job.key(), threading.get_ident())
    with _lock:
        net = _nets.get(k)
    if net is None:
        net = Network(job.cfg, job.weights, method=job.method, threads=job.threads)
        n, what = (_lib_classes(net._net), "detects") if job.kind == "detect" else (net.outputs, "outputs")
        if len(job.names) < n:
            net.close()
            raise DarknetError(f"{job.names_path}: has {len(job.names)} names, but {job.cfg} {what} {n} classes")
        with _lock:
            _nets[k] = net
            _loads[0] += 1
    return net


def load_count():
    """(networks loaded, chunks run) in this worker process: a test's check that each
    network is loaded once and kept."""
    return tuple(_loads)


def _chunk(job, items):
    """The records of one chunk: [(line, error or None)], for (index, path) items."""
    net = _network(job)
    with _lock:
        _loads[1] += 1
    return [record(net, job.kind, i, p, job.names, top=job.top, thresh=job.thresh) for i, p in items]


def run(client, job, paths, chunk=4):
    """The records of `paths`, in order, as (line, error) pairs, computed by the cluster
    behind `client`; yields each as soon as it and all before it are done."""
    items = list(enumerate(paths))
    chunks = [items[i:i + chunk] for i in range(0, len(items), chunk)]
    futures = [client.submit(_chunk, job, c, pure=False) for c in chunks]
    try:
        for f in futures:
            for rec in f.result():
                yield rec
    finally:
        for f in futures:
            f.cancel()


_USAGE = ("usage: python3 -m darknet_cpu.dask SCHEDULER classifier predict|detector test DATA CFG WEIGHTS "
          "-list LIST -jsonl OUT|- [-t N] [-thresh T] [-method NAME] [-threads N] [-chunk K]")


def _take(args, flag, convert, what):
    if flag not in args:
        return None
    i = args.index(flag)
    if i + 1 >= len(args):
        raise DarknetError(f"{flag}: expected {what}")
    value = args[i + 1]
    del args[i:i + 2]
    try:
        return convert(value)
    except ValueError:
        raise DarknetError(f"{flag}: expected {what}, got \"{value}\"") from None


def _count(lo):
    def convert(s):
        v = int(s)
        if v < lo:
            raise ValueError(s)
        return v
    return convert


def _parse(argv):
    args = list(argv)
    lst = _take(args, "-list", str, "a file name")
    out = _take(args, "-jsonl", str, "a file name or -")
    top = _take(args, "-t", _count(1), "an integer of 1 or more")
    thresh = _take(args, "-thresh", float, "a number")
    method = _take(args, "-method", str, "a method name")
    threads = _take(args, "-threads", _count(1), "an integer of 1 or more")
    chunk = _take(args, "-chunk", _count(1), "an integer of 1 or more")
    if len(args) != 6 or (args[1], args[2]) not in (("classifier", "predict"), ("detector", "test")):
        raise DarknetError(_USAGE)
    if lst is None or out is None:
        raise DarknetError("-list LIST and -jsonl OUT are required (" + _USAGE + ")")
    scheduler, kind, data, cfg, weights = args[0], args[1], args[3], args[4], args[5]
    opts = read_data(data)
    if kind == "classifier":
        names_path = opts.get("names") or opts.get("labels", "data/labels.list")
        if top is None:
            top = int(opts.get("top", "1"))
    else:
        names_path = opts.get("names", "data/names.list")
    return dict(scheduler=scheduler, kind="classify" if kind == "classifier" else "detect",
                cfg=cfg, weights=weights, names_path=names_path, list=lst, out=out, top=top or 1,
                thresh=thresh, method=method, threads=threads, chunk=chunk or 4)


def _client(scheduler, threads):
    from distributed import Client, LocalCluster
    if scheduler.startswith("local:"):
        try:
            n = int(scheduler[6:])
            if n < 1:
                raise ValueError
        except ValueError:
            raise DarknetError(f"{scheduler}: expected local:N with N of 1 or more") from None
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=":0", silence_logs=40)
        return Client(cluster), cluster, threads or max(1, (os.cpu_count() or 1) // n)
    return Client(scheduler, timeout=30), None, threads or 1


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:
        o = _parse(argv)
        paths = read_image_list(o["list"])
        names = read_names(o["names_path"])
    except DarknetError as e:
        print(f"darknet_cpu.dask: {e}", file=sys.stderr)
        return 1
    client = cluster = out = None
    failures = 0
    try:
        client, cluster, threads = _client(o["scheduler"], o["threads"])
        job = Job(o["kind"], o["cfg"], o["weights"], names, names_path=o["names_path"], method=o["method"], threads=threads,
                  top=o["top"], thresh=o["thresh"])
        for line, err in run(client, job, paths, chunk=o["chunk"]):
            if out is None:  # opened at the first record: a run that fails first writes nothing
                out = sys.stdout if o["out"] == "-" else open(o["out"], "w")
            out.write(line + "\n")
            out.flush()
            if err is not None:
                failures += 1
                print(f"darknet: {err}", file=sys.stderr)
    except (DarknetError, OSError) as e:
        print(f"darknet_cpu.dask: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # the cluster's own failures (no scheduler, a worker lost, ...)
        print(f"darknet_cpu.dask: {o['scheduler']}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    finally:
        if out is not None and out is not sys.stdout:
            out.close()
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    return 1 if failures else 0


if __name__ == "__main__":
    # Run as the package's module, not as __main__, so the workers unpickle its functions
    # by name (they import darknet_cpu.dask) rather than by value.
    try:
        from darknet_cpu.dask import main as _main
    except ImportError as e:
        print(f"darknet_cpu.dask: {e}", file=sys.stderr)
        sys.exit(1)
    sys.exit(_main())
