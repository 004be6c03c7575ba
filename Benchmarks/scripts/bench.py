#!/usr/bin/env python3
"""`make bench`: AuthKit against redis-benchmark and jwt-kit, in one run, on this machine.

Starts its own redis-server on a free port, runs redis-benchmark (-P 1) and the matching authkit-bench scenarios
alternately at concurrency 1, 16 and 64, then the JWT comparisons (AuthKit and jwt-kit alternately), the garbage
token refusals and the in-memory denylist memory; then a Redis Cluster of three primaries it creates, where
`authkit-bench redis-get` runs against `redis-benchmark --cluster -t get` at concurrency 16 and 64 (redis-benchmark
7.0 hangs when given its own command in cluster mode, hence -t get), with `authenticate` on the cluster beside
them. The mirror group runs `authkit-bench authenticate --mirror` (checks answered by the local revocation mirror)
against `authkit-bench jwt-verify --alg HS256` alternately at concurrency 1 and 16, counting the server's commands,
then `mirror-interleaved` (the same pair at concurrency 1 in one process, alternating batches), `mirror-propagation` (a logout reaching another instance's mirror) and `mirror-rebuild` (a mirror reading a feed
of a million revocations at start, and the memory it holds). Prints a Markdown table of medians with the ratios.
Every target is a ratio measured in the same run, because absolute figures on a shared machine drift.

Usage: bench.py --bench PATH/authkit-bench [--rounds N] [--seconds S] [--json OUT] [--only GROUP ...]
"""
import argparse
import json
import os
import platform
import random
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time

KEY = "authkit-bench:key"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def wait_for_ping(port):
    for _ in range(100):
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                          text=True).stdout.strip() == "PONG":
            return
        time.sleep(0.05)


class Bench:
    def __init__(self, args):
        self.args = args
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.records = []
        self.rb_rate = {}

    # -- processes ------------------------------------------------------------------------------------------
    def start_redis(self):
        self.dir = tempfile.mkdtemp(prefix="authkit-bench-")
        subprocess.run(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "yes", "--dir", self.dir, "--logfile", f"{self.dir}/log", "--pidfile", f"{self.dir}/pid",
             "--maxmemory-policy", "noeviction"],
            check=True)
        wait_for_ping(self.port)
        subprocess.run(["redis-cli", "-p", str(self.port), "set", KEY, "xxx"], check=True, capture_output=True)

    def start_cluster(self):
        """Three primaries (no replicas) on ports whose cluster bus ports (+10000) are free too."""
        self.cluster_dir = tempfile.mkdtemp(prefix="authkit-bench-cluster-")
        self.cluster_ports = []
        while len(self.cluster_ports) < 3:
            port = random.randint(10000, 21999)
            if port in self.cluster_ports or not port_free(port) or not port_free(port + 10000):
                continue
            self.cluster_ports.append(port)
        for port in self.cluster_ports:
            directory = os.path.join(self.cluster_dir, str(port))
            os.makedirs(directory)
            subprocess.run(
                ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                 "--daemonize", "yes", "--dir", directory, "--logfile", f"{directory}/log",
                 "--pidfile", f"{directory}/pid", "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                 "--maxmemory-policy", "noeviction"],
                check=True)
        for port in self.cluster_ports:
            wait_for_ping(port)
        subprocess.run(["redis-cli", "--cluster", "create", *[f"127.0.0.1:{port}" for port in self.cluster_ports],
                        "--cluster-replicas", "0", "--cluster-yes"], check=True, capture_output=True)
        for _ in range(200):
            states = [subprocess.run(["redis-cli", "-p", str(port), "cluster", "info"], capture_output=True,
                                     text=True).stdout for port in self.cluster_ports]
            if all("cluster_state:ok" in state for state in states):
                break
            time.sleep(0.05)
        self.cluster_url = "redis-cluster://" + ",".join(f"127.0.0.1:{port}" for port in self.cluster_ports)

    def stop_cluster(self):
        for port in getattr(self, "cluster_ports", []):
            try:
                with open(os.path.join(self.cluster_dir, str(port), "pid")) as f:
                    os.kill(int(f.read().strip()), 15)
            except (OSError, ValueError):
                pass
        if getattr(self, "cluster_dir", None):
            time.sleep(0.3)
            subprocess.run(["rm", "-rf", self.cluster_dir])

    def stop_redis(self):
        try:
            with open(f"{self.dir}/pid") as f:
                pid = int(f.read().strip())
            os.kill(pid, 15)
            time.sleep(0.3)
        except (OSError, ValueError):
            pass
        subprocess.run(["rm", "-rf", self.dir])

    def authkit(self, scenario, *extra, concurrency=1, seconds=None):
        command = [self.args.bench, scenario, "--concurrency", str(concurrency),
                   "--duration", str(seconds or self.args.seconds), *extra]
        out = subprocess.run(command, capture_output=True, text=True, timeout=120)
        lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
        if out.returncode != 0 or not lines:
            raise RuntimeError(f"{' '.join(command)} failed: {out.stderr.strip()}")
        return json.loads(lines[-1])

    def redis_benchmark(self, name, command, concurrency, cluster=False):
        # Size -n to last round's rate so each run lasts about --seconds.
        rate = self.rb_rate.get((name, concurrency), 30000 if concurrency == 1 else 60000)
        n = max(10000, int(rate * self.args.seconds))
        target = ["--cluster", "-h", "127.0.0.1", "-p", str(self.cluster_ports[0])] if cluster else ["-p", str(self.port)]
        argv = ["redis-benchmark", *target, "-P", "1", "-c", str(concurrency), "-n", str(n), "--csv", *command]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=300)
        rows = [line for line in out.stdout.splitlines() if line.startswith('"') and not line.startswith('"test"')]
        if not rows:
            raise RuntimeError(f"{' '.join(argv)} failed: {out.stderr.strip()} {out.stdout.strip()}")
        cells = [cell.strip('"') for cell in rows[-1].split('","')]
        result = {"ops_per_s": float(cells[1]), "p50_us": float(cells[4]) * 1000, "p99_us": float(cells[6]) * 1000,
                  "errors": 0}
        self.rb_rate[(name, concurrency)] = result["ops_per_s"]
        return result

    def record(self, group, name, tool, concurrency, result):
        entry = {"group": group, "name": name, "tool": tool, "concurrency": concurrency, **result}
        self.records.append(entry)
        line = (f"  {group:7} {name:22} {tool:15} c={concurrency:<3} {result['ops_per_s']:>11.0f}/s "
                f"p50 {result['p50_us']:>8.1f} us  p99 {result['p99_us']:>8.1f} us  errors {result.get('errors', 0)}")
        print(line, file=sys.stderr, flush=True)

    # -- scripts captured with MONITOR ----------------------------------------------------------------------
    def captured_commands(self, scenario):
        """Every command `scenario` sends in a short run, as redis-benchmark arguments, read with MONITOR."""
        # Line-buffered, or the lines still in redis-cli's stdio buffer are lost when it is stopped; into a file,
        # because an undrained pipe fills after 64 KiB and stalls MONITOR, which then misses the measured calls.
        path = os.path.join(self.dir, f"monitor-{scenario}.log")
        with open(path, "w") as sink:
            monitor = subprocess.Popen(["stdbuf", "-oL", "redis-cli", "-p", str(self.port), "monitor"], stdout=sink,
                                       text=True)
            time.sleep(0.2)
            try:
                self.authkit(scenario, "--redis", self.url, concurrency=1, seconds=0.3)
            finally:
                time.sleep(0.2)
                monitor.terminate()
                monitor.wait(timeout=10)
        with open(path, errors="replace") as f:
            output = f.read()
        # Commands a script runs are logged too, as "<time> [0 lua] ..."; only the client's own commands count.
        return [shlex.split(line.split("]", 1)[1]) for line in output.splitlines()
                if "]" in line and not line.split("]", 1)[0].endswith(" lua")]

    def captured_evalsha(self, scenario):
        """The EVALSHA `scenario` sends most often (its exact script and arguments), or None when its busiest
        command is not a script (set-up, such as logins, sends other scripts)."""
        calls = self.captured_commands(scenario)
        if not calls:
            raise RuntimeError(f"no command seen from {scenario}")
        counts = {}
        for words in calls:
            key = (words[0].upper(), words[1] if words[0].upper() == "EVALSHA" else "")
            counts[key] = counts.get(key, 0) + 1
        busiest = max(counts, key=counts.get)
        if busiest[0] != "EVALSHA":
            return None
        return [words for words in calls if words[0].upper() == "EVALSHA" and words[1] == busiest[1]][-1]

    # -- groups ---------------------------------------------------------------------------------------------
    def redis_group(self):
        rate_limit = self.captured_evalsha("ratelimit")
        if rate_limit is None:
            raise RuntimeError("ratelimit sent no script")
        check = self.captured_evalsha("authenticate")
        print(f"rate-limit script: {' '.join(rate_limit[:4])} ...", file=sys.stderr)
        if check is None:
            # The read-only check is one MGET of the check keys (the denylist entry, epoch-cut, live:<sid>). The
            # targets compare authenticate with redis-benchmark's EXISTS, one small-key read per request.
            check = ["exists", KEY]
            self.check_label = "access check (one MGET) ↔ `authenticate`; redis-benchmark: EXISTS"
            print("access check: plain reads, compared with EXISTS", file=sys.stderr)
        else:
            self.check_label = "EVALSHA access check ↔ `authenticate`"
            print(f"access-check script: {' '.join(check[:4])} ...", file=sys.stderr)
        for concurrency in (1, 16, 64):
            for _ in range(self.args.rounds):
                pairs = [
                    ("EXISTS", ["exists", KEY], "redis-exists"),
                    ("GET", ["get", KEY], "redis-get"),
                    ("EVALSHA rate limit", rate_limit, "ratelimit"),
                    ("access check", check, "authenticate"),
                ]
                for name, command, scenario in pairs:
                    self.record("redis", name, "redis-benchmark", concurrency,
                                self.redis_benchmark(name, command, concurrency))
                    self.record("redis", name, "authkit-bench", concurrency,
                                self.authkit(scenario, "--redis", self.url, concurrency=concurrency))
                self.record("redis", "refresh", "authkit-bench", concurrency,
                            self.authkit("refresh", "--redis", self.url, concurrency=concurrency))
                if concurrency == 1:
                    # The same authenticate with RedisConfiguration.busyPoll turned off: the client's I/O thread
                    # then sleeps while the reply is on its way and pays a wake-up for every reply.
                    self.record("redis", "busy poll off", "authkit-bench", 1,
                                self.authkit("authenticate", "--redis", self.url, "--busy-poll-us", "0"))
        if "jwt" not in (self.args.only or ["jwt"]):
            # The c=1 target's budget includes the local HS256 verify p50, which the jwt group measures; without
            # that group, measure it here (AuthKit only).
            for _ in range(self.args.rounds):
                self.record("jwt", "HS256 verify", "authkit", 1, self.authkit("jwt-verify", "--alg", "HS256",
                                                                              "--impl", "authkit"))

    def cluster_group(self):
        for concurrency in (16, 64):
            for _ in range(self.args.rounds):
                self.record("cluster", "GET", "redis-benchmark", concurrency,
                            self.redis_benchmark("cluster GET", ["-t", "get"], concurrency, cluster=True))
                self.record("cluster", "GET", "authkit-bench", concurrency,
                            self.authkit("redis-get", "--redis", self.cluster_url, concurrency=concurrency))
                self.record("cluster", "authenticate", "authkit-bench", concurrency,
                            self.authkit("authenticate", "--redis", self.cluster_url, concurrency=concurrency))
        # The revocation mirror on the cluster: checks answered by RedisClusterRevocationMirror, the commands counted on
        # every primary (the benchmark connects to each).
        for concurrency in (1, 16):
            for _ in range(self.args.rounds):
                self.record("cluster", "authenticate --mirror", "authkit-bench", concurrency,
                            self.authkit("authenticate", "--redis", self.cluster_url, "--mirror",
                                         concurrency=concurrency))

    def jwt_group(self):
        for algorithm in ("HS256", "RS256", "ES256", "EdDSA"):
            for round_ in range(self.args.rounds):
                implementations = ("authkit", "jwt-kit") if round_ % 2 == 0 else ("jwt-kit", "authkit")
                for scenario in ("jwt-sign", "jwt-verify"):
                    for implementation in implementations:
                        result = self.authkit(scenario, "--alg", algorithm, "--impl", implementation)
                        self.record("jwt", f"{algorithm} {scenario[4:]}", implementation, 1, result)

    def garbage_group(self):
        for _ in range(self.args.rounds):
            for shape in ("no-dots", "three-junk-segments", "valid-header-junk", "deep-json", "huge-numbers"):
                result = self.authkit("jwt-garbage", "--shape", shape, seconds=1)
                self.record("garbage", shape, "authkit", 1, result)
        for _ in range(self.args.rounds):
            self.record("memory", "authenticate in-memory", "authkit", 1, self.authkit("authenticate", seconds=1))

    def mirror_group(self):
        """The revocation mirror: `authenticate --mirror` against local HS256 verification, alternating; then the
        propagation of a logout to another instance's mirror and the rebuild of a mirror of a million revocations."""
        for concurrency in (1, 16):
            for round_ in range(self.args.rounds):
                runs = [("authenticate --mirror", ("authenticate", "--redis", self.url, "--mirror")),
                        ("HS256 verify", ("jwt-verify", "--alg", "HS256", "--impl", "authkit"))]
                for name, argv in (runs if round_ % 2 == 0 else runs[::-1]):
                    self.record("mirror", name, "authkit", concurrency,
                                self.authkit(*argv, concurrency=concurrency))
        # The same ratio with the machine's drift taken out: both in one process, alternating batches.
        self.interleaved = {}
        for concurrency in (1, 16):
            self.interleaved[concurrency] = self.authkit("mirror-interleaved", "--redis", self.url,
                                                         concurrency=concurrency)
            print(f"  mirror  {self.interleaved[concurrency]}", file=sys.stderr, flush=True)
        self.propagation = self.authkit("mirror-propagation", "--redis", self.url, "--samples", "1000",
                                        concurrency=16)
        print(f"  mirror  {self.propagation}", file=sys.stderr, flush=True)
        command = [self.args.bench, "mirror-rebuild", "--redis", self.url, "--tokens", "1000000"]
        out = subprocess.run(command, capture_output=True, text=True, timeout=900)
        lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
        if out.returncode != 0 or not lines:
            raise RuntimeError(f"{' '.join(command)} failed: {out.stderr.strip()}")
        self.rebuild = json.loads(lines[-1])
        print(f"  mirror  {self.rebuild}", file=sys.stderr, flush=True)

    def mirror_table(self):
        def ratio(a, b):
            return a / b if b else float("nan")

        def rounds(name, concurrency, field="ops_per_cpu_s"):
            return [r[field] for r in self.records if (r["group"], r["name"], r["concurrency"])
                    == ("mirror", name, concurrency)]

        out = ["### Revocation mirror (median of %d alternating rounds)" % self.args.rounds, ""]
        out.append("`authkit-bench authenticate --redis URL --mirror` (the facade with `revocationMirror: "
                   "RevocationMirrorPolicy()`, its `run()` polling the feed) against `authkit-bench jwt-verify "
                   "--alg HS256` (local verification with claims), alternately at the same concurrency. Throughput "
                   "is operations per CPU second of the process, as in the JWT table.")
        out.append("")
        out.append("| c | work | ops/CPU-s | ops/s | p50 µs | p99 µs | errors | Redis commands |")
        out.append("|---:|---|---:|---:|---:|---:|---:|---|")
        for concurrency in (1, 16):
            for name in ("authenticate --mirror", "HS256 verify"):
                errors = sum(r.get("errors", 0) for r in self.records if (r["group"], r["name"], r["concurrency"])
                             == ("mirror", name, concurrency))
                counts = {}
                for r in self.records:
                    if (r["group"], r["name"], r["concurrency"]) == ("mirror", name, concurrency):
                        for command, calls in r.get("redis_commands", {}).items():
                            counts[command] = counts.get(command, 0) + calls
                commands = ", ".join(f"{c} {n:,}".replace("|", "\\|") for c, n in sorted(counts.items())) or "—"
                label = "`authenticate --mirror`" if name == "authenticate --mirror" else "`jwt-verify --alg HS256`"
                out.append(f"| {concurrency} | {label} "
                           f"| {self.median('mirror', name, 'authkit', concurrency, 'ops_per_cpu_s'):,.0f} "
                           f"| {self.median('mirror', name, 'authkit', concurrency, 'ops_per_s'):,.0f} "
                           f"| {self.median('mirror', name, 'authkit', concurrency, 'p50_us'):.2f} "
                           f"| {self.median('mirror', name, 'authkit', concurrency, 'p99_us'):.2f} "
                           f"| {errors} | {commands} |")
        out.append("")
        out.append("| target | measured | ratio | met |")
        out.append("|---|---|---:|---|")
        for concurrency in (1, 16):
            ours = self.median("mirror", "authenticate --mirror", "authkit", concurrency, "ops_per_cpu_s")
            theirs = self.median("mirror", "HS256 verify", "authkit", concurrency, "ops_per_cpu_s")
            each = ", ".join(f"{ratio(a, b):.2f}" for a, b in zip(rounds("authenticate --mirror", concurrency),
                                                                   rounds("HS256 verify", concurrency)))
            r = ratio(ours, theirs)
            out.append(f"| `authenticate --mirror` c={concurrency} ≥ 0.8x `jwt-verify --alg HS256` c={concurrency}, "
                       f"ops/CPU-s (each round: {each}) | {ours:,.0f} vs {theirs:,.0f} | **{r:.2f}x** "
                       f"| {'✓' if r >= 0.8 else '✗'} |")
            ours_wall = self.median("mirror", "authenticate --mirror", "authkit", concurrency, "ops_per_s")
            theirs_wall = self.median("mirror", "HS256 verify", "authkit", concurrency, "ops_per_s")
            ours_p50 = self.median("mirror", "authenticate --mirror", "authkit", concurrency, "p50_us")
            theirs_p50 = self.median("mirror", "HS256 verify", "authkit", concurrency, "p50_us")
            out.append(f"| (the same in ops/s; p50) | {ours_wall:,.0f} vs {theirs_wall:,.0f} ops/s; p50 "
                       f"{ours_p50:.2f} vs {theirs_p50:.2f} µs | {ratio(ours_wall, theirs_wall):.2f}x; p50 "
                       f"{ratio(theirs_p50, ours_p50):.2f}x | reported |")
        for concurrency, interleaved in sorted(getattr(self, "interleaved", {}).items()):
            out.append(f"| (c={concurrency} with the machine's drift taken out: `mirror-interleaved`, both in one process, "
                       f"{interleaved['rounds']} alternating batches of {interleaved['batch']:,}; batch ratios p10 "
                       f"{interleaved['batch_ratio_p10']:.2f}, p50 {interleaved['batch_ratio_p50']:.2f}, p90 "
                       f"{interleaved['batch_ratio_p90']:.2f}) | {interleaved['authenticate_ns_per_op']:,.0f} vs "
                       f"{interleaved['verify_ns_per_op']:,.0f} ns per operation | {interleaved['ratio']:.2f}x "
                       f"| reported |")
        for concurrency in (1, 16):
            calls = 0
            operations = 0
            for r in self.records:
                if (r["group"], r["name"], r["concurrency"]) == ("mirror", "authenticate --mirror", concurrency):
                    operations += r["ops"] + r.get("errors", 0)
                    calls += sum(r.get("redis_commands", {}).values())
            per = ratio(calls * 10000, operations)
            out.append(f"| Redis commands per 10,000 `authenticate --mirror` c={concurrency} ≤ 1 (`INFO commandstats`: "
                       f"{calls:,} in {operations:,} authenticates) | {per:.3f} | | {'✓' if per <= 1 else '✗'} |")
        propagation = getattr(self, "propagation", None)
        if propagation:
            commands = ", ".join(f"{c} {n:,}".replace("|", "\\|")
                                 for c, n in sorted(propagation.get("redis_commands", {}).items()))
            out.append(f"| propagation of a logout to another instance's mirror, {propagation['samples']:,} logouts, "
                       f"poll every {propagation['poll_interval_ms']} ms (server during it: {commands}) "
                       f"| p50 {propagation['p50_ms']:.1f} ms, p90 {propagation['p90_ms']:.1f} ms, "
                       f"p99 {propagation['p99_ms']:.1f} ms, max {propagation['max_ms']:.1f} ms | | reported |")
            late = propagation["late_acceptances"]
            out.append(f"| logged-out tokens accepted past the staleness bound (1 s) = 0 | {late} | "
                       f"| {'✓' if late == 0 else '✗'} |")
        rebuild = getattr(self, "rebuild", None)
        if rebuild:
            out.append(f"| rebuild of a mirror of {rebuild['revocations']:,} revocations at start ≤ 5 s "
                       f"({rebuild['polls']} polls; the server's poll commands {rebuild.get('server_poll_seconds', 0):.2f} s, "
                       f"the process's CPU {rebuild.get('rebuild_cpu_seconds', 0):.2f} s; written at "
                       f"{rebuild['write_ops_per_s']:,.0f}/s) "
                       f"| {rebuild['rebuild_seconds']:.2f} s | {rebuild['rebuild_seconds'] / 5:.2f}x of budget "
                       f"| {'✓' if rebuild['rebuild_seconds'] <= 5 else '✗'} |")
            heap = rebuild["heap_bytes_per_revocation"]
            out.append(f"| bytes per mirrored revocation ≤ 100 B (heap in use after minus before, over "
                       f"{rebuild['facts']:,} facts; RSS {rebuild['rss_bytes_per_revocation']:.0f} B, peak RSS "
                       f"{rebuild['peak_rss_kb'] / 1024:,.0f} MiB) | {heap:.1f} B | {heap / 100:.2f}x of budget "
                       f"| {'✓' if heap <= 100 else '✗'} |")
        return "\n".join(out)

    def memory_group(self):
        command = [self.args.bench, "denylist-memory", "--tokens", "1000000"]
        out = subprocess.run(command, capture_output=True, text=True, timeout=300)
        self.memory = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"  memory  {self.memory}", file=sys.stderr)

    # -- table ----------------------------------------------------------------------------------------------
    def median(self, group, name, tool, concurrency, field):
        values = [r[field] for r in self.records
                  if r["group"] == group and r["name"] == name and r["tool"] == tool and r["concurrency"] == concurrency]
        return statistics.median(values) if values else float("nan")

    def ran(self, group, name):
        """Whether this run measured `name` (bench.py --only leaves groups out)."""
        return any(r["group"] == group and r["name"] == name for r in self.records)

    def round_ratios(self, name, concurrency):
        """authkit-bench over redis-benchmark in each round of `name`: the two runs that alternated."""
        def rates(tool):
            return [r["ops_per_s"] for r in self.records if (r["group"], r["name"], r["tool"], r["concurrency"])
                    == ("redis", name, tool, concurrency)]
        return [ours / theirs for ours, theirs in zip(rates("authkit-bench"), rates("redis-benchmark")) if theirs]

    def commands_per_op(self, name, tool, concurrency):
        """What the server ran per operation over every round of a row (from `INFO commandstats`, read by
        authkit-bench before and after each run), and the commands by name; (nan, {}) when not counted."""
        counts = {}
        operations = 0
        for r in self.records:
            if (r["group"], r["name"], r["tool"], r["concurrency"]) == ("redis", name, tool, concurrency) \
                    and "redis_commands" in r:
                operations += r["ops"] + r.get("errors", 0)
                for command, calls in r["redis_commands"].items():
                    counts[command] = counts.get(command, 0) + calls
        if not operations:
            return float("nan"), {}
        return sum(counts.values()) / operations, counts

    def table(self):
        if self.ran("mirror", "authenticate --mirror"):
            mirror = self.mirror_table()
            if not any(r["group"] in ("redis", "jwt", "garbage", "memory", "cluster") for r in self.records):
                return mirror
            return self.redis_table() + "\n\n" + mirror
        return self.redis_table()

    def redis_table(self):
        verify_p50 = self.median("jwt", "HS256 verify", "authkit", 1, "p50_us")

        def ratio(a, b):
            return a / b if b else float("nan")

        out = []
        if self.ran("jwt", "HS256 sign"):
            out.append("### JWT (concurrency 1; medians of %d alternating rounds)" % self.args.rounds)
            out.append("")
            out.append("Throughput is operations per CPU second of the process (`ops_per_cpu_s`): on a shared machine the")
            out.append("wall-clock rate mostly shows how much CPU the process was given. p50 is the per-call latency.")
            out.append("")
            out.append("| work | AuthKit ops/CPU-s | jwt-kit ops/CPU-s | ratio | target | AuthKit p50 µs | jwt-kit p50 µs "
                       "| p50 ratio |")
            out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
            targets = {"HS256 sign": 8.0, "HS256 verify": 8.0}
            for algorithm in ("HS256", "RS256", "ES256", "EdDSA"):
                for work in ("sign", "verify"):
                    name = f"{algorithm} {work}"
                    ours = self.median("jwt", name, "authkit", 1, "ops_per_cpu_s")
                    theirs = self.median("jwt", name, "jwt-kit", 1, "ops_per_cpu_s")
                    ours_p50 = self.median("jwt", name, "authkit", 1, "p50_us")
                    theirs_p50 = self.median("jwt", name, "jwt-kit", 1, "p50_us")
                    target = targets.get(name, 1.0)
                    r = ratio(ours, theirs)
                    label = name + (" + claims" if work == "verify" else "")
                    out.append(f"| {label} | {ours:,.0f} | {theirs:,.0f} | **{r:.2f}x** | ≥ {target:g}x "
                               f"{'✓' if r >= target else '✗'} | {ours_p50:.2f} | {theirs_p50:.2f} "
                               f"| {ratio(theirs_p50, ours_p50):.2f}x |")
            out.append("")
        out.append("### Redis paths (median of %d alternating rounds; redis-benchmark -P 1, same command and -c)"
                   % self.args.rounds)
        out.append("")
        out.append("| c | command | redis-benchmark ops/s | authkit-bench ops/s | ratio | redis-benchmark p50 µs "
                   "| authkit p50 µs | authkit p99 µs | errors |")
        out.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        for concurrency in (1, 16, 64):
            for name in ("EXISTS", "GET", "EVALSHA rate limit", "access check"):
                rb = self.median("redis", name, "redis-benchmark", concurrency, "ops_per_s")
                ab = self.median("redis", name, "authkit-bench", concurrency, "ops_per_s")
                label = {"EVALSHA rate limit": "EVALSHA rate limit ↔ `ratelimit`",
                         "access check": getattr(self, "check_label", name)}.get(name, name)
                errors = sum(r.get("errors", 0) for r in self.records if r["name"] == name
                             and r["tool"] == "authkit-bench" and r["concurrency"] == concurrency)
                out.append(f"| {concurrency} | {label} | {rb:,.0f} | {ab:,.0f} | {ratio(ab, rb):.2f}x "
                           f"| {self.median('redis', name, 'redis-benchmark', concurrency, 'p50_us'):.1f} "
                           f"| {self.median('redis', name, 'authkit-bench', concurrency, 'p50_us'):.1f} "
                           f"| {self.median('redis', name, 'authkit-bench', concurrency, 'p99_us'):.1f} | {errors} |")
            if concurrency == 1:
                busy = self.median("redis", "busy poll off", "authkit-bench", 1, "ops_per_s")
                out.append(f"| 1 | `authenticate` with `busyPoll` off | | {busy:,.0f} | | "
                           f"| {self.median('redis', 'busy poll off', 'authkit-bench', 1, 'p50_us'):.1f} "
                           f"| {self.median('redis', 'busy poll off', 'authkit-bench', 1, 'p99_us'):.1f} | |")
            refresh = self.median("redis", "refresh", "authkit-bench", concurrency, "ops_per_s")
            out.append(f"| {concurrency} | `refresh` (rotation + new access token) | | {refresh:,.0f} | | "
                       f"| {self.median('redis', 'refresh', 'authkit-bench', concurrency, 'p50_us'):.1f} "
                       f"| {self.median('redis', 'refresh', 'authkit-bench', concurrency, 'p99_us'):.1f} | |")
        if any(r["group"] == "cluster" for r in self.records):
            out.append("")
            out.append("### Redis Cluster, three primaries (median of %d alternating rounds)" % self.args.rounds)
            out.append("")
            out.append("`redis-benchmark --cluster -t get -P 1` spreads its clients over the primaries, each on a key "
                       "of its node;")
            out.append("`authkit-bench redis-get --redis redis-cluster://…` gives each worker a key of its own, their "
                       "hash tags spread")
            out.append("over the primaries; `authenticate` runs its 64 users' sessions, spread the same way.")
            out.append("")
            out.append("| c | work | redis-benchmark ops/s | authkit-bench ops/s | ratio | target | redis-benchmark "
                       "p50 µs | authkit p50 µs | authkit p99 µs | errors |")
            out.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
            for concurrency in (16, 64):
                rb = self.median("cluster", "GET", "redis-benchmark", concurrency, "ops_per_s")
                ab = self.median("cluster", "GET", "authkit-bench", concurrency, "ops_per_s")
                errors = sum(r.get("errors", 0) for r in self.records if r["group"] == "cluster"
                             and r["tool"] == "authkit-bench" and r["concurrency"] == concurrency)
                out.append(f"| {concurrency} | GET | {rb:,.0f} | {ab:,.0f} | **{ratio(ab, rb):.2f}x** "
                           f"| ≥ 1.0x {'✓' if ab >= rb else '✗'} "
                           f"| {self.median('cluster', 'GET', 'redis-benchmark', concurrency, 'p50_us'):.1f} "
                           f"| {self.median('cluster', 'GET', 'authkit-bench', concurrency, 'p50_us'):.1f} "
                           f"| {self.median('cluster', 'GET', 'authkit-bench', concurrency, 'p99_us'):.1f} "
                           f"| {errors} |")
                auth = self.median("cluster", "authenticate", "authkit-bench", concurrency, "ops_per_s")
                out.append(f"| {concurrency} | `authenticate` | | {auth:,.0f} | | reported | "
                           f"| {self.median('cluster', 'authenticate', 'authkit-bench', concurrency, 'p50_us'):.1f} "
                           f"| {self.median('cluster', 'authenticate', 'authkit-bench', concurrency, 'p99_us'):.1f} "
                           f"| |")
            mirrored = [r for r in self.records if r["group"] == "cluster" and r["name"] == "authenticate --mirror"]
            if mirrored:
                out.append("")
                out.append("`authenticate --redis redis-cluster://… --mirror` (checks answered by the cluster's revocation "
                           "mirror; commands summed over every primary's `INFO commandstats`):")
                out.append("")
                out.append("| c | ops/CPU-s | ops/s | p50 µs | p99 µs | Redis commands per 10,000 | errors |")
                out.append("|---:|---:|---:|---:|---:|---:|---:|")
                for concurrency in (1, 16):
                    runs = [r for r in mirrored if r["concurrency"] == concurrency]
                    if not runs:
                        continue
                    commands = sum(sum(r.get("redis_commands", {}).values()) for r in runs)
                    operations = sum(r.get("ops", 0) for r in runs)
                    per = commands * 10_000 / operations if operations else float("nan")
                    out.append(f"| {concurrency} "
                               f"| {self.median('cluster', 'authenticate --mirror', 'authkit-bench', concurrency, 'ops_per_cpu_s'):,.0f} "
                               f"| {self.median('cluster', 'authenticate --mirror', 'authkit-bench', concurrency, 'ops_per_s'):,.0f} "
                               f"| {self.median('cluster', 'authenticate --mirror', 'authkit-bench', concurrency, 'p50_us'):.2f} "
                               f"| {self.median('cluster', 'authenticate --mirror', 'authkit-bench', concurrency, 'p99_us'):.2f} "
                               f"| {per:.3f} | {sum(r.get('errors', 0) for r in runs)} |")
        out.append("")
        out.append("### Targets")
        out.append("")
        exists1 = self.median("redis", "EXISTS", "redis-benchmark", 1, "p50_us")
        auth1 = self.median("redis", "access check", "authkit-bench", 1, "p50_us")
        bound = 1.5 * (exists1 + verify_p50)
        out.append("| target | measured | ratio | met |")
        out.append("|---|---|---:|---|")
        for concurrency, target in ((64, 1.2), (16, 1.0)):
            exists = self.median("redis", "access check", "redis-benchmark", concurrency, "ops_per_s")
            auth = self.median("redis", "access check", "authkit-bench", concurrency, "ops_per_s")
            rounds = ", ".join(f"{r:.2f}" for r in self.round_ratios("access check", concurrency))
            out.append(f"| `authenticate` c={concurrency} ≥ {target:.1f}x redis-benchmark EXISTS c={concurrency} "
                       f"(alternating runs; medians; each round: {rounds}) | {auth:,.0f} vs {exists:,.0f} ops/s "
                       f"| {ratio(auth, exists):.2f}x | {'✓' if ratio(auth, exists) >= target else '✗'} |")
        for concurrency in (1, 16, 64):
            per, counts = self.commands_per_op("access check", "authkit-bench", concurrency)
            names = ", ".join(f"{name} {calls:,}" for name, calls in sorted(counts.items()))
            out.append(f"| Redis commands per `authenticate` c={concurrency} = 1 (`INFO commandstats`: {names}) "
                       f"| {per:.4f} | | {'✓' if per == 1 else '✗'} |")
        out.append(f"| `authenticate` c=1 p50 beside redis-benchmark EXISTS c=1 p50 | {auth1:.1f} µs vs "
                   f"{exists1:.1f} µs | {ratio(auth1, exists1):.2f}x | reported |")
        out.append(f"| `authenticate` c=1 p50 ≤ 1.5 × (EXISTS p50 {exists1:.1f} + verify p50 {verify_p50:.2f}) µs "
                   f"= {bound:.1f} µs | {auth1:.1f} µs | {ratio(auth1, exists1 + verify_p50):.2f}x "
                   f"| {'✓' if auth1 <= bound else '✗'} |")
        busy1 = self.median("redis", "busy poll off", "authkit-bench", 1, "p50_us")
        out.append(f"| (the same with `RedisConfiguration.busyPoll` off, not the default) | {busy1:.1f} µs "
                   f"| {ratio(busy1, exists1 + verify_p50):.2f}x | {'✓' if busy1 <= bound else '✗'} |")
        for shape in ("no-dots", "three-junk-segments", "valid-header-junk", "deep-json", "huge-numbers"):
            if not self.ran("garbage", shape):
                continue
            p50 = self.median("garbage", shape, "authkit", 1, "p50_us")
            out.append(f"| garbage 8 KiB `{shape}` refused < 2 µs (p50) | {p50:.2f} µs | {p50 / 2:.2f}x of budget "
                       f"| {'✓' if p50 < 2 else '✗'} |")
        memory = getattr(self, "memory", None)
        if memory:
            out.append(f"| in-memory store, 1,000,000 denylisted tokens: peak RSS (reported) | "
                       f"{memory['peak_rss_kb'] / 1024:,.0f} MiB peak, {memory['bytes_per_token']:.0f} B/token "
                       f"| | reported |")
        if not self.ran("memory", "authenticate in-memory"):
            return "\n".join(out)
        auth_mem = self.median("memory", "authenticate in-memory", "authkit", 1, "ops_per_s")
        auth_mem_p50 = self.median("memory", "authenticate in-memory", "authkit", 1, "p50_us")
        out.append(f"| `authenticate` on the in-memory store (c=1) | {auth_mem:,.0f} ops/s, p50 {auth_mem_p50:.2f} µs "
                   f"| | reported |")
        return "\n".join(out)


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    load = os.getloadavg()
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} cores ({model}), "
            f"load average at start {load[0]:.1f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--json")
    parser.add_argument("--only", choices=["redis", "jwt", "garbage", "memory", "cluster", "mirror"], action="append")
    parser.add_argument("--table-from", help="print the tables of a run saved with --json, measuring nothing")
    args = parser.parse_args()
    bench = Bench(args)
    if args.table_from:
        with open(args.table_from) as f:
            saved = json.load(f)
        bench.records = saved["records"]
        if saved.get("memory"):
            bench.memory = saved["memory"]
        if saved.get("propagation"):
            bench.propagation = saved["propagation"]
        if saved.get("rebuild"):
            bench.rebuild = saved["rebuild"]
        bench.check_label = "access check (one MGET) ↔ `authenticate`; redis-benchmark: EXISTS"
        print(saved["header"])
        print()
        print(bench.table())
        return
    started = time.time()
    header = (f"Run of {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {machine()}; "
              f"{args.rounds} rounds of {args.seconds:g} s; redis-server {redis_version()} on port {bench.port}.")
    print(header, file=sys.stderr)
    groups = args.only or ["jwt", "garbage", "memory", "redis", "mirror", "cluster"]
    bench.start_redis()
    try:
        if "jwt" in groups:
            bench.jwt_group()
        if "garbage" in groups:
            bench.garbage_group()
        if "memory" in groups:
            bench.memory_group()
        if "redis" in groups:
            bench.redis_group()
        if "mirror" in groups:
            bench.mirror_group()
        if "cluster" in groups:
            bench.start_cluster()
            bench.cluster_group()
    finally:
        bench.stop_redis()
        bench.stop_cluster()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"header": header, "records": bench.records, "memory": getattr(bench, "memory", None),
                       "propagation": getattr(bench, "propagation", None), "rebuild": getattr(bench, "rebuild", None)},
                      f, indent=1)
    print(header)
    print(f"Took {time.time() - started:.0f} s.")
    print()
    print(bench.table())


def redis_version():
    out = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout
    for word in out.split():
        if word.startswith("v="):
            return word[2:]
    return "?"


if __name__ == "__main__":
    main()
